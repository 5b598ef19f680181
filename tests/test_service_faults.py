"""The generated service survives its first incident (issue: timeouts, 503s, one migration).

For each distinct service rendering with a server database (PostgreSQL, Redis on and off),
a real bake runs as its image's CMD (``python -m <package>``, two workers) against a
PostgreSQL and a Redis of this module's own (engine/runs/service_faults.py), which are stopped,
frozen and restarted under it. Bounds are the service's own settings, set low (1 s) so the
module stays short; every answer must come within that bound plus a margin for a loaded
machine.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from engine.runs import projects
from engine.runs.service_faults import (
    Postgres,
    Redis,
    Service,
    concurrently,
    one_shot,
    postgres_bin,
)
from engine.runs.services import free_port

pytestmark = pytest.mark.suites

PACKAGE = "async_service"
BOUND = 1  # seconds: every DATABASE_*/REDIS_/HEALTH_CHECK_ timeout of the service
MARGIN = 4  # seconds a loaded two-core machine may add to an answer
CACHES = ["none", "redis"]


def _missing(what: str) -> NoReturn:
    message = f"{what} is not installed (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        _missing("PostgreSQL")
    # Not under pytest's tmp dir: the postgres user may not enter root's.
    root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    os.chmod(root, 0o755)
    server = Postgres(root / "server", bin_dir)
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    if shutil.which("redis-server") is None:
        _missing("redis-server")
    server = Redis(tmp_path_factory.mktemp("faults-redis"))
    yield server
    server.close()


@pytest.fixture(scope="module", params=CACHES, ids=lambda cache: f"postgres-{cache}")
def bake(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The rendering (database=postgres, the cache) synced into its shared environment."""
    cache = request.param
    path = projects.render(tmp_path_factory.mktemp(f"faults-{cache}"), database="postgres", cache=cache)
    venv = projects.shared_venv(path)
    projects.Project(path, f"postgres-{cache}", venv).sync()
    return cache, venv / "bin" / "python"


def service_env(postgres: Postgres, redis: Redis, cache: str, database: str, **extra: str) -> dict[str, str]:
    env = projects.project_env(
        DATABASE_URL=postgres.url(database),
        PORT=str(free_port()),
        WORKERS="2",
        LOG_LEVEL="INFO",  # Service.wait_ready reads uvicorn's startup lines, whatever the caller's
        SHUTDOWN_TIMEOUT="3",
        HEALTH_CHECK_TIMEOUT=str(BOUND),
        DATABASE_CONNECT_TIMEOUT=str(BOUND),
        DATABASE_STATEMENT_TIMEOUT=str(BOUND),
        DATABASE_POOL_TIMEOUT=str(BOUND),
        REDIS_TIMEOUT=str(BOUND),
        REDIS_URL=redis.url,
        **extra,
    )
    if cache == "none":
        env.pop("REDIS_URL")
    return env


def test_bad_configuration_stops_at_once_with_one_line(
    bake: tuple[str, Path], postgres: Postgres, redis: Redis
) -> None:
    cache, python = bake
    env = service_env(postgres, redis, cache, "app")
    cases = {
        "DATABASE_URL=mysql://": {"DATABASE_URL": "mysql://app:s3cret@db/app"},
        "a bad timeout": {"DATABASE_STATEMENT_TIMEOUT": "soon"},
        "a wrong password": {"DATABASE_URL": postgres.url("postgres", password="s3cret")},
        "a missing database": {"DATABASE_URL": postgres.url(f"missing_{uuid.uuid4().hex[:6]}")},
        "a closed port": {"DATABASE_URL": f"postgresql://app:s3cret@127.0.0.1:{free_port()}/app"},
    }
    problems = []
    for case, overrides in cases.items():
        code, stderr, seconds = one_shot(python, PACKAGE, {**env, **overrides})
        lines = stderr.splitlines()
        if code not in (1, 2) or len(lines) != 1 or not lines[0].startswith("error: ") or "s3cret" in stderr:
            problems.append(f"postgres-{cache}, {case}: exit {code} after {seconds:.1f} s:\n{stderr}")
        elif seconds > 2 * MARGIN:
            problems.append(f"postgres-{cache}, {case}: {seconds:.1f} s to stop")
    assert not problems, "\n".join(problems)


def test_four_workers_on_an_empty_database_migrate_once(
    bake: tuple[str, Path], postgres: Postgres, redis: Redis, tmp_path: Path
) -> None:
    """``uvicorn --workers 4`` (no start-up step of ours first), on a new database, twice."""
    cache, python = bake
    for attempt in range(2):
        database = f"cold_{cache}_{attempt}_{uuid.uuid4().hex[:6]}"
        postgres.create_database(database)
        env = {**service_env(postgres, redis, cache, database), "WORKERS": "4"}
        argv = [
            str(python),
            "-m",
            "uvicorn",
            "--factory",
            f"{PACKAGE}.app:create_app",
            "--workers",
            env["WORKERS"],
            "--port",
            env["PORT"],
        ]
        service = Service(python, PACKAGE, env, tmp_path / f"cold-{attempt}.log", argv=argv)
        try:
            service.wait_ready()  # all four workers started, or the service exited (a failed start)
        finally:
            service.terminate()
            service.close()
        output = service.output()
        assert "Error" not in output, f"postgres-{cache}, cold start {attempt}:\n{output}"
        versions = postgres.psql("SELECT count(*) FROM alembic_version", database=database)
        names = postgres.psql("SELECT count(*) FROM items", database=database)
        assert (versions.strip(), names.strip()) == ("1", "2"), f"postgres-{cache}, cold start {attempt}"


def _within_bound(label: str, answers: list[Any], status: int = 503) -> list[str]:
    return [
        f"{label}: {answer.status} after {answer.seconds:.1f} s (want {status} within {BOUND + MARGIN} s)"
        for answer in answers
        if answer.status != status or answer.seconds > BOUND + MARGIN
    ]


def test_outages_answer_503_within_the_bound_and_lose_nothing(
    bake: tuple[str, Path], postgres: Postgres, redis: Redis, tmp_path: Path
) -> None:
    cache, python = bake
    label = f"postgres-{cache}"
    database = f"outage_{cache}_{uuid.uuid4().hex[:6]}"
    postgres.create_database(database)
    service = Service(python, PACKAGE, service_env(postgres, redis, cache, database), tmp_path / "service.log")
    problems: list[str] = []
    try:
        service.wait_ready()
        first = service.get("/items", headers={"X-Request-ID": "probe-1"})
        assert first.status == 200 and first.headers.get("x-request-id") == "probe-1", first
        concurrently([lambda: service.get("/items")] * 8)  # every worker's pool holds connections

        # Stopped, restarted with no request in between: the pooled connections are stale.
        postgres.stop()
        postgres.start()
        problems += _within_bound(
            f"{label}: first requests after a restart",
            concurrently([lambda: service.get("/items")] * 4),
            status=200,
        )

        # Stopped: 503 at once, /livez stays 200; back when it is.
        postgres.stop()
        problems += _within_bound(f"{label}: database stopped, GET /items", [service.get("/items")])
        problems += _within_bound(f"{label}: database stopped, /readyz", [service.get("/readyz")])
        problems += _within_bound(f"{label}: database stopped, /livez", [service.get("/livez")], status=200)
        postgres.start()

        # Frozen mid-write: eight clients write without pause, the database is frozen under
        # them; each write in flight answers within the bound, and a 503's row never appears.
        stop, writes = threading.Event(), []

        def writer(worker: int) -> None:
            for number in itertools.count():
                if stop.is_set():
                    return
                name = f"w{worker}-{number}"
                writes.append((name, service.post("/items", {"name": name}, timeout=30)))

        writers = [threading.Thread(target=writer, args=(worker,)) for worker in range(8)]
        for thread in writers:
            thread.start()
        time.sleep(0.5)
        with postgres.frozen():
            frozen_at = time.monotonic()
            stop.set()
            probes = concurrently([lambda: service.get("/readyz"), lambda: service.get("/items")])
            for thread in writers:
                thread.join(60)
            held = time.monotonic() - frozen_at
            time.sleep(max(0, 2 * BOUND - held))  # the server stays frozen past every timeout
        unanswered = [answer for _, answer in writes if answer.status not in (201, 503)]
        problems += [f"{label}: database frozen, POST /items: {answer}" for answer in unanswered]
        problems += _within_bound(f"{label}: database frozen, /readyz and GET /items", probes)
        time.sleep(BOUND + 1)  # anything the server could still commit, it would have now
        stored = set(postgres.psql("SELECT name FROM items", database=database).split())
        lost = [name for name, answer in writes if answer.status == 201 and name not in stored]
        late = [name for name, answer in writes if answer.status != 201 and name in stored]
        problems += [f"{label}: {name} answered 201 but is not stored" for name in lost]
        problems += [f"{label}: {name} answered 503 but was committed later" for name in late]
        if not any(answer.status == 503 for _, answer in writes):
            problems.append(f"{label}: no write was in flight when the database froze")
        problems += _within_bound(f"{label}: after the freeze", [service.get("/items")], status=200)

        if cache == "redis":
            before = service.post("/visits")
            assert before.status == 200, before
            with redis.frozen():
                frozen = concurrently([lambda: service.post("/visits")] * 4)
            problems += _within_bound(f"{label}: Redis frozen, POST /visits", frozen)
            time.sleep(0.5)
            counted = int(redis.get(f"{PACKAGE.replace('_', '-')}:visits") or 0)
            if counted != before.body["visits"]:
                problems.append(f"{label}: Redis counted {counted} visits, {before.body['visits']} answered 200")
            redis.stop()
            problems += _within_bound(f"{label}: Redis stopped, POST /visits", [service.post("/visits")])
            redis.start()
            problems += _within_bound(f"{label}: Redis back", [service.post("/visits")], status=200)

        # SIGTERM while a request waits on a frozen database: that request is answered (its
        # 503), no new one is accepted, and the process ends within SHUTDOWN_TIMEOUT.
        with postgres.frozen(), concurrent.futures.ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(service.get, "/items")
            time.sleep(0.3)
            seconds = service.terminate()
            drained = waiting.result()
        problems += _within_bound(f"{label}: in flight at SIGTERM", [drained])
        if seconds > 3 + MARGIN:
            problems.append(f"{label}: SIGTERM took {seconds:.1f} s (SHUTDOWN_TIMEOUT=3)")
        problems += _log_problems(label, service.output())
    finally:
        service.close()
    assert not problems, "\n".join(problems)


def _log_problems(label: str, output: str) -> list[str]:
    """Every line is one JSON object; a request's line has its id, status and duration."""
    problems, requests = [], 0
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            problems.append(f"{label}: a log line that is not JSON: {line[:200]}")
            continue
        if event.get("event") == "request":
            requests += 1
            missing = {
                "timestamp",
                "level",
                "request_id",
                "method",
                "path",
                "status",
                "duration_ms",
            } - set(event)
            if missing:
                problems.append(f"{label}: a request's log line lacks {sorted(missing)}: {line[:200]}")
            if event["status"] == 503 and "failure" not in event and event["path"] != "/readyz":
                problems.append(f"{label}: a 503's log line does not say what failed: {line[:200]}")
    if requests == 0:
        problems.append(f"{label}: no request was logged")
    return problems
