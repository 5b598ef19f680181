"""Each distinct service rendering, run under uvicorn, answers hostile clients correctly.

schemathesis (pinned in the dev group) reads the running service's OpenAPI document and
sends valid and invalid requests made from it, with every check, a fixed seed and a
bounded number of examples; any finding fails. Then the cases users' clients hit, as
explicit probes: ids past the column's range, NUL, a lone surrogate, NaN, a 100 MB body
(413 before it is read), 20 concurrent PUTs and 10 concurrent DELETEs of one item.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from engine.runs.processes import run
from engine.runs.services import SERVICE_RENDERINGS, bake_service, running

pytestmark = pytest.mark.suites

MAX_BODY = 1024 * 1024  # the generated MAX_BODY_BYTES default
HUNDRED_MB = 100 * 1024 * 1024
SCHEMATHESIS = [
    *("--checks", "all", "--seed", "1", "--max-examples", "10"),
    *("--phases", "examples,coverage,fuzzing", "--generation-database", "none"),
    *("--workers", "1", "--no-color", "--suppress-health-check", "all"),
]


@pytest.fixture(params=SERVICE_RENDERINGS, ids=lambda combo: f"database={combo[0]}-cache={combo[1]}")
def service_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        pytest.skip("needs DATABASE_URL and REDIS_URL (.ci/run starts both)")
    database, cache = request.param
    service = bake_service(tmp_path, database, cache)
    with running(service, tmp_path) as url:
        yield url


def test_service_keeps_its_openapi_contract_and_refuses_hostile_input(service_url: str, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [str(schemathesis), "run", f"{service_url}/openapi.json", *SCHEMATHESIS]
    run(command, tmp_path, timeout=120, what="schemathesis found problems")  # tmp_path: where it writes its reports
    probe_hostile_input(service_url)
    probe_body_limit(service_url)
    probe_concurrent_writes(service_url)


def probe_hostile_input(url: str) -> None:
    for item_id in (2**31, 2**63, 2**64):
        for method in ("GET", "PUT", "DELETE"):
            answer = requests.request(method, f"{url}/items/{item_id}", json={"name": "x"})
            assert answer.status_code == 422, f"{method} /items/{item_id}: {answer.text}"
    bodies = {
        "NUL": '{"name": "a\\u0000b"}',
        "lone surrogate": '{"name": "\\ud800"}',
        "NaN": '{"name": NaN}',
        "Infinity": '{"name": "ok", "description": Infinity}',
        "blank": '{"name": "   "}',
    }
    for what, body in bodies.items():
        answer = requests.post(f"{url}/items", data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, f"{what}: {answer.status_code} {answer.text}"
        field = answer.json()["detail"][0]["loc"][-1]
        assert field in {"name", "description"}, f"{what}: the 422 names no field: {answer.text}"
    answer = requests.post(f"{url}/items", json={"name": "x" * (MAX_BODY // 2)})
    assert answer.status_code == 422
    assert len(answer.content) < 1000, "a 422 echoes more than an excerpt of the input"


def _send_until_answered(url: str, head: bytes, chunk: bytes, chunked: bool) -> tuple[bytes, int]:
    """Send ``head`` then body chunks until the server answers; return its status line and
    how many body bytes were sent by then (never 100 MB: the answer must come first)."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head)
        connection.setblocking(False)
        while sent < HUNDRED_MB:
            try:
                answer = connection.recv(65536)
            except BlockingIOError:
                answer = b""
            if answer:
                return answer.split(b"\r\n", 1)[0], sent
            frame = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
            try:
                connection.setblocking(True)
                connection.sendall(frame)
                connection.setblocking(False)
            except OSError:  # the server closed the connection after answering
                connection.setblocking(True)
                return connection.recv(65536).split(b"\r\n", 1)[0], sent
            sent += len(chunk)
    return b"", sent


def probe_body_limit(url: str) -> None:
    chunk = b" " * 65536
    announced = (
        b"POST /items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % HUNDRED_MB
    )
    status, sent = _send_until_answered(url, announced, chunk, chunked=False)
    assert b" 413 " in status + b" ", f"100 MB announced: {status!r} after {sent} bytes"
    streamed = (
        b"POST /items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    status, sent = _send_until_answered(url, streamed, chunk, chunked=True)
    assert b" 413 " in status + b" ", f"100 MB streamed: {status!r} after {sent} bytes"
    assert sent < 8 * MAX_BODY, f"the server read {sent} bytes of a streamed body before its 413"


def probe_concurrent_writes(url: str) -> None:
    ids = [requests.post(f"{url}/items", json={"name": f"concurrent-{n}"}).json()["id"] for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        puts = list(
            pool.map(
                lambda item_id: requests.put(f"{url}/items/{item_id}", json={"name": f"put-{item_id}"}),
                ids,
            )
        )
        statuses = [answer.status_code for answer in puts]
        assert statuses == [200] * 20, f"20 concurrent PUTs: {statuses} {puts[0].text}"
        deletes = list(pool.map(lambda _: requests.delete(f"{url}/items/{ids[0]}"), range(10)))
    statuses = sorted(answer.status_code for answer in deletes)
    assert statuses == [204] + [404] * 9, f"10 concurrent DELETEs of one item: {statuses}"
    assert json.loads(requests.get(f"{url}/items/{ids[1]}").text)["name"] == f"put-{ids[1]}"
