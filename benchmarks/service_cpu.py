"""CPU per request of each service rendering, no network client: ``uv run python benchmarks/service_cpu.py``.

The quiet companion of ``service_load.py``: on a machine shared with other work, wall-clock
throughput moves by a third from one run to the next, but the CPU time a request costs
the process does not move much. For each distinct service rendering (``--renderings
postgres/redis,none/none``), baked from this checkout, a driver run with the bake's own
interpreter:

- creates the app (``create_app()``, settings from the environment, its logging configured
  as ``python -m <package>`` does, written to /dev/null) and runs its lifespan, against
  the real PostgreSQL (a fresh database, dropped afterwards) and Redis (a key prefix of
  its own), SQLite in a fresh file;
- calls it as ASGI, one request at a time, ``--requests`` times per route, and reads the
  process's CPU time (``time.process_time``) around each batch; beside it, the same for a
  constant-JSON FastAPI app in the same process.

What the app's routes do with the database and Redis (their round trips included) is
counted; HTTP parsing and the socket to the client are not (they are the same for both
apps). Prints microseconds of CPU per request, and the constant app's CPU over the
route's, the same kind of ratio as ``service_load.py``'s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from engine.runs.projects import project_env
from engine.runs.services import SERVICE_RENDERINGS, bake_service

sys.path.insert(0, str(Path(__file__).parent))
from service_load import PAGE, parse_renderings, storage

DRIVER = """\
import asyncio, json, logging.config, os, sys, time
from fastapi import FastAPI
from %(package)s.app import create_app
from %(package)s.logs import logging_config
from %(package)s.settings import Settings

requests, rows, redis = %(requests)d, %(rows)d, %(redis)s
config = logging_config(Settings.from_env())
config["handlers"]["stderr"] = {"class": "logging.FileHandler", "filename": os.devnull, "formatter": "structlog"}
logging.config.dictConfig(config)
app = create_app()
constant = FastAPI()


@constant.get("/")
async def answer() -> dict[str, str]:
    return {"status": "ok"}


async def call(target, method, path, body=b""):
    path, _, query = path.partition("?")
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses = []

    async def receive():
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await target(scope, receive, send)
    return statuses[0]


def cpu(target, method, path, success, body=lambda n: b""):
    async def batch():
        for n in range(requests):
            status = await call(target, method, path, body(n))
            if status != success:
                sys.exit(f"{method} {path} answered {status}")
    started = time.process_time()
    loop.run_until_complete(batch())
    return (time.process_time() - started) / requests * 1e6


def named(prefix):
    return lambda n: json.dumps({"name": f"{prefix}-{n}", "description": "load"}).encode()


loop = asyncio.new_event_loop()
lifespan = app.router.lifespan_context(app)
loop.run_until_complete(lifespan.__aenter__())
for n in range(rows):
    assert loop.run_until_complete(call(app, "POST", "/items", named("seed")(n))) == 201
routes = [("GET /readyz", "GET", "/readyz", 200, None), ("GET /livez", "GET", "/livez", 200, None),
          ("GET page", "GET", %(page)r, 200, None), ("POST /items", "POST", "/items", 201, named("bench"))]
if redis:
    routes.append(("POST /visits", "POST", "/visits", 200, None))
cpu(constant, "GET", "/", 200)  # warm up both
cpu(app, "GET", "/livez", 200)
for label, method, path, success, body in routes:
    base = cpu(constant, "GET", "/", 200)
    used = cpu(app, method, path, success, body or (lambda n: b""))
    print(f"{label:<14} {used:>9.0f} {base:>8.0f} {base / used:>6.2f}", flush=True)
loop.run_until_complete(lifespan.__aexit__(None, None, None))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderings", type=parse_renderings, default=SERVICE_RENDERINGS)
    parser.add_argument("--requests", type=int, default=500, help="per route")
    parser.add_argument("--rows", type=int, default=200, help="items created before measuring (the page must be full)")
    args = parser.parse_args()
    for variable in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(variable):
            sys.exit(f"{variable} is not set (set it as .ci/run does)")
    print(f"{'route':<14} {'app µs':>9} {'base µs':>8} {'ratio':>6}  (CPU per request, {args.requests} requests)")
    with tempfile.TemporaryDirectory(prefix="service-cpu-") as root:
        for database, cache in args.renderings:
            workdir = Path(root) / f"{database}-{cache}"
            workdir.mkdir()
            service = bake_service(workdir, database, cache)
            package = next(path.parent.name for path in (service.project / "src").glob("*/app.py"))
            driver = workdir / "driver.py"
            page = PAGE.replace("after=5000", "after=50")
            driver.write_text(
                DRIVER
                % {
                    "package": package,
                    "requests": args.requests,
                    "rows": args.rows,
                    "redis": cache == "redis",
                    "page": page,
                }
            )
            print(f"{database}/{cache}", flush=True)
            with storage(service, workdir) as overrides:
                env = project_env(**overrides)
                done = subprocess.run([str(service.venv / "bin" / "python"), str(driver)], env=env, check=False)
            if done.returncode:
                sys.exit(f"{database}/{cache}: the driver failed")


if __name__ == "__main__":
    main()
