"""How fast each service rendering answers under load: ``uv run python benchmarks/service_load.py``.

For each distinct service rendering (database x cache, read from cookiecutter.json; pick
some with ``--renderings postgres/redis,none/none``), baked from this checkout:

- the app runs exactly as its Dockerfile's CMD runs it (``python -m <package>``: the
  settings checked, the database migrated, then uvicorn with no access log and one JSON
  log line per request from the app's own middleware), with HOST=127.0.0.1, PORT a free
  port, WORKERS=1 and its default logging (LOG_FORMAT and LOG_LEVEL unset), against the
  real PostgreSQL (a fresh database on DATABASE_URL's server, dropped afterwards) and
  Redis (a key prefix of its own on REDIS_URL's, deleted afterwards), SQLite in a fresh
  file;
- a constant-JSON FastAPI app runs beside it under the same uvicorn settings (one worker,
  access log off, the app's default log level; ``uvicorn.run`` from a small module, run
  with the same ``python -m``, the same interpreter and environment): the baseline every
  figure is divided by, measured just before each of the app's measurements, so a
  machine busy with other work slows both; each figure is the median of ``--rounds``
  such pairs (3), since on a shared machine one pair can land on a quiet second and the
  next on a busy one;
- the items table is seeded with ``--rows`` items through the app's own API (POST /items);
- ``wrk`` (a closed-loop load client in C, driven by a small Lua script) sends
  ``--requests`` requests per measurement at each concurrency (``--concurrency``, one
  connection per concurrent client, keep-alive), and stops at the count or at ``--cap``
  seconds, whichever comes first, so a run always ends by itself.

Measured per concurrency: GET /readyz (the readiness probe: every dependency answers) and
GET /livez (the process answers, no dependency touched); one page of GET /items (``PAGE``, from the middle
of the table); POST /items, each request a name of its own; POST /visits (Redis
renderings). A measurement's errors are connection errors, timeouts and any status that
is not the one the route answers on success (a 409 from a repeated name counts).

``--profile DIR`` also records each of the app's measurements with py-spy
(``uv tool install py-spy``): one file of collapsed stacks per rendering, route and
concurrency (the last round's), which ``flamegraph.pl`` or speedscope.app draws. The sampler slows the app:
quote figures from a run without it.

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``),
``psql`` and ``redis-cli`` (to make and remove the storage), and DATABASE_URL and REDIS_URL
set as ``.ci/run`` sets them. Not part of CI: its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from engine.runs.projects import project_env
from engine.runs.services import (
    SERVICE_RENDERINGS,
    Service,
    bake_service,
    free_port,
    postgres_database,
)

PAGE = "/items?after=5000&limit=100"
# Served as the app is: uvicorn.run with HOST, PORT and WORKERS from the environment, the
# access log off, at the level the app logs at by default (its Settings' LOG_LEVEL).
BASELINE_APP = """\
import os

import uvicorn
from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    return app
"""
BASELINE = "constant_json"
# The end of both modules (the baseline and the floor): how they are served.
SERVE = """

if __name__ == "__main__":
    uvicorn.run(
        "%(module)s:create_app",
        factory=True,
        host=os.environ["HOST"],
        port=int(os.environ["PORT"]),
        workers=int(os.environ["WORKERS"]),
        access_log=False,
        log_level=%(log_level)s,
    )
"""
# ``--floor``: the cheapest page and POST a FastAPI app can serve from the same table, to
# tell what a round trip to the database costs on this machine from what the app's own
# layers cost. The bake's own driver, straight (asyncpg's pool of 5, SQLAlchemy's default
# size; one aiosqlite connection), no validation, no model, no log line, json.dumps; a
# write in a transaction, as the app's. Served as the baseline is.
FLOOR_APP = """\
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

URL = os.environ["DATABASE_URL"]
PAGE = "SELECT id, name, description FROM items WHERE id > {0} ORDER BY id LIMIT {1}"
CREATE = "INSERT INTO items (name, description) VALUES ({0}, {1}) RETURNING id, name, description"
FIELDS = ("id", "name", "description")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if URL.startswith("sqlite"):
        import aiosqlite

        async with aiosqlite.connect(URL.removeprefix("sqlite:///")) as db:
            async def fetch(sql: str, *args: Any) -> Any:
                return await db.execute_fetchall(sql.format("?", "?"), args)

            async def write(sql: str, *args: Any) -> Any:
                rows = await db.execute_fetchall(sql.format("?", "?"), args)
                await db.commit()
                return rows

            app.state.fetch, app.state.write = fetch, write
            yield
    else:
        import asyncpg

        async with asyncpg.create_pool(URL, min_size=5, max_size=5) as pool:
            async def fetch(sql: str, *args: Any) -> Any:
                return await pool.fetch(sql.format("$1", "$2"), *args)

            async def write(sql: str, *args: Any) -> Any:
                async with pool.acquire() as connection, connection.transaction():
                    return await connection.fetch(sql.format("$1", "$2"), *args)

            app.state.fetch, app.state.write = fetch, write
            yield


def answer(body: Any, status: int) -> Response:
    return Response(json.dumps(body).encode(), status, media_type="application/json")


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)

    @app.get("/items")
    async def page(request: Request, after: int = 0, limit: int = 50) -> Response:
        rows = await request.app.state.fetch(PAGE, after, limit + 1)
        items = [dict(zip(FIELDS, row)) for row in rows[:limit]]
        return answer({"items": items, "next_after": items[-1]["id"] if len(rows) > limit else None}, 200)

    @app.post("/items")
    async def create(request: Request) -> Response:
        data = json.loads(await request.body())
        (row,) = await request.app.state.write(CREATE, data["name"], data.get("description", ""))
        return answer(dict(zip(FIELDS, row)), 201)

    return app
"""
FLOOR = "database_floor"
# The app's logging settings: unset, so it logs as its image does by default.
LOGGING = ("LOG_FORMAT", "LOG_LEVEL")
# The aims, as ratios to the baseline (a route absent from the table has none).
AIMS = {"GET /readyz": 0.5, "GET page": 0.3, "POST /items": 0.25}
MAX_TAIL = 10  # p99 under this many times p50

# The client: one thread, ``connections`` connections, stops after ``count`` answers; any
# answer but ``success`` is an error. Each POST /items body carries a name of its own.
LUA = """\
local count, method, path, body, prefix = %(count)d, %(method)s, %(path)s, %(body)s, %(prefix)s
local success = %(success)d
local threads = {}
setup = function(thread) table.insert(threads, thread) end
answered, wrong, sent, statuses = 0, 0, 0, {}
local headers = {["Content-Type"] = "application/json"}
request = function()
  sent = sent + 1
  local payload = body
  if prefix ~= "" then
    payload = '{"name": "' .. prefix .. sent .. '", "description": "load"}'
  end
  return wrk.format(method, path, headers, payload)
end
response = function(status, headers, body)
  answered = answered + 1
  if status ~= success then
    wrong = wrong + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
  if answered == count then
    io.stdout:write("COUNTED\\n")  -- wrk waits out its duration otherwise: SIGINT ends it
    io.stdout:flush()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local failed, seen = 0, {}
  for _, kind in ipairs({"connect", "read", "write", "timeout"}) do
    if e[kind] > 0 then table.insert(seen, kind .. "x" .. e[kind]) end
    failed = failed + e[kind]
  end
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("wrong")
    for status, n in pairs(thread:get("statuses")) do table.insert(seen, status .. "x" .. n) end
  end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%s\\n", summary.requests, summary.duration,
    failed, latency:percentile(50), latency:percentile(99), table.concat(seen, ",")))
end
"""


@dataclass(frozen=True)
class Route:
    label: str
    method: str
    path: str
    success: int
    unique_names: bool = False


READY = Route("GET /readyz", "GET", "/readyz", 200)
ROUTES = [
    READY,
    Route("GET /livez", "GET", "/livez", 200),
    Route("GET page", "GET", PAGE, 200),
    Route("POST /items", "POST", "/items", 201, unique_names=True),
    Route("POST /visits", "POST", "/visits", 200),
]
CONSTANT = Route("constant JSON", "GET", "/", 200)
FLOOR_ROUTES = [
    Route("floor page", "GET", PAGE, 200),
    Route("floor POST", "POST", "/items", 201, unique_names=True),
]


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    errors: int
    kinds: str  # what the errors were: "500x3,readx1" (a status, or a connection error)
    p50_ms: float
    p99_ms: float
    capped: bool  # stopped by the time cap before the request count

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII text is a valid Lua string literal


def load(url: str, route: Route, connections: int, count: int, cap: float, workdir: Path) -> Figures:
    """``count`` requests of ``route`` from ``connections`` clients, at most ``cap`` seconds."""
    script = workdir / f"{uuid.uuid4().hex}.lua"
    prefix = f"load-{uuid.uuid4().hex[:8]}-" if route.unique_names else ""
    script.write_text(
        LUA
        % {
            "count": count,
            "method": lua_string(route.method),
            "path": lua_string(route.path),
            "body": "nil" if route.method == "GET" else lua_string("{}"),
            "prefix": lua_string(prefix),
            "success": route.success,
        }
    )
    command = ["wrk", "-t1", f"-c{connections}", f"-d{cap:g}s", f"--timeout={cap:g}s"]
    with subprocess.Popen(
        [*command, "-s", str(script), url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as wrk:
        assert wrk.stdout is not None
        output = []
        for line in wrk.stdout:
            output.append(line)
            if line.startswith("COUNTED"):
                wrk.send_signal(signal.SIGINT)
        errors = wrk.stderr.read() if wrk.stderr else ""
    if wrk.returncode or not any(line.startswith("RESULT ") for line in output):
        raise SystemExit(f"wrk failed on {route.label}:\n{''.join(output)}{errors}")
    result = next(line for line in output if line.startswith("RESULT "))
    requests, micros, failed, p50, p99 = (int(part) for part in result.split()[1:6])
    kinds = result.split()[6] if len(result.split()) > 6 else ""
    seconds = micros / 1e6
    return Figures(requests, seconds, failed, kinds, p50 / 1000, p99 / 1000, requests < count)


def dockerfile_package(project: Path) -> str:
    """The package the rendering's docker/app.Dockerfile runs: its CMD is ``python -m <package>``."""
    dockerfile = project / "docker" / "app.Dockerfile"
    for line in dockerfile.read_text().splitlines():
        if line.startswith("CMD "):
            command: list[str] = json.loads(line.removeprefix("CMD "))
            if len(command) != 3 or command[:2] != ["python", "-m"]:
                # Server settings other than HOST, PORT and WORKERS would have to be mirrored.
                raise SystemExit(f"{dockerfile}: CMD is not `python -m <package>`: {command}")
            return command[2]
    raise SystemExit(f"no CMD in {dockerfile}")


def default_log_level(project: Path) -> str:
    """The level the app logs at when LOG_LEVEL is unset, read off its Settings."""
    for path in (project / "src").glob("*/settings.py"):
        found = re.search(r'^\s+log_level: .*= "(\w+)"$', path.read_text(), re.MULTILINE)
        if found:
            return found.group(1).lower()
    raise SystemExit(f"no log_level default in {project / 'src'}/*/settings.py")


@contextmanager
def serving(module: str, port: int, venv: Path, env: dict[str, str], workdir: Path) -> Iterator[tuple[int, Path]]:
    """``python -m module`` (from ``venv``) on ``port``; once it answers, its pid and its log."""
    command = ["python", "-m", module]
    log = workdir / f"server-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(venv / "bin" / "python"), *command[1:]],
            cwd=workdir,
            env={
                **env,
                "PATH": f"{venv / 'bin'}:{env['PATH']}",
                "PYTHONUNBUFFERED": "1",  # as the image sets it
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "WORKERS": "1",
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"{' '.join(command)} exited:\n{log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{' '.join(command)}: no answer in 60 s") from None
                time.sleep(0.1)
        yield server.pid, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def profiling(pid: int, output: Path | None) -> Iterator[None]:
    """py-spy records ``pid`` while the block runs (when an output is asked for)."""
    if output is None:
        yield
        return
    command = ["py-spy", "record", "--pid", str(pid), "--rate", "100", "--format", "raw"]
    command.append("--nonblocking")  # sampling without pausing the app: it slows it less
    spy = subprocess.Popen(
        [*command, "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)  # py-spy attaches before the load starts
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its stacks on SIGINT
        spy.wait(timeout=60)


@contextmanager
def storage(service: Service, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment that gives the app fresh storage, removed afterwards."""
    env: dict[str, str] = {"SERVICE_NAME": "load"}
    with ExitStack() as stack:
        if service.database == "postgres":
            env["DATABASE_URL"] = stack.enter_context(postgres_database(os.environ["DATABASE_URL"]))
        elif service.database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{workdir / 'load.db'}"
        if service.cache == "redis":
            env["REDIS_URL"] = os.environ["REDIS_URL"]
            env["CACHE_PREFIX"] = prefix = f"load:{uuid.uuid4().hex}:"
            stack.callback(_redis_delete, os.environ["REDIS_URL"], f"{prefix}visits")
        yield env


def _redis_delete(url: str, key: str) -> None:
    subprocess.run(["redis-cli", "-u", url, "DEL", key], capture_output=True, check=False)


def seed(url: str, rows: int, workdir: Path) -> str:
    """``rows`` items through the app's own POST /items; the measured page must then be full."""
    route = Route("seed", "POST", "/items", 201, unique_names=True)
    figures = load(url, route, 32, rows, 600, workdir)
    with urllib.request.urlopen(url + PAGE, timeout=30) as answer:
        page = json.load(answer)
    if len(page["items"]) < 100:
        raise SystemExit(f"seeding {rows} rows left {PAGE} with {len(page['items'])} items")
    errors = f", errors {figures.errors} ({figures.kinds})" if figures.errors else ""
    return f"seeded {rows} rows at concurrency 32 in {figures.seconds:.0f} s{errors}"


def logged_errors(log: Path) -> list[str]:
    """The distinct errors the app logged (the last line of each traceback), counted.

    A JSON line at ERROR or above counts by its exception's last line (or its event); a
    plain traceback (a console log, or one printed before logging is set up) by its last.
    """
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if str(event.get("level", "")).lower() in {"error", "critical"}:
                trace = str(event.get("exception") or "").strip().splitlines()
                found[trace[-1] if trace else str(event.get("event", ""))] += 1
        elif re.match(r"^[\w.]+(Error|Exception|Warning): ", line):
            found[line.strip()] += 1
    return [f"app log: {text[:150]} (x{n})" for text, n in found.most_common(3)]


def measure(args: argparse.Namespace, database: str, cache: str, root: Path) -> None:
    """Print the table's rows (and notes) for one rendering."""
    workdir = root / f"{database}-{cache}"
    workdir.mkdir()
    service = bake_service(workdir, database, cache)
    package = dockerfile_package(service.project)
    level = default_log_level(service.project)
    for module, text in ((BASELINE, BASELINE_APP), (FLOOR, FLOOR_APP)):
        (workdir / f"{module}.py").write_text(text + SERVE % {"module": module, "log_level": json.dumps(level)})
    name = f"{database}/{cache}"
    with storage(service, workdir) as overrides, ExitStack() as stack:
        env = {key: value for key, value in project_env(**overrides).items() if key not in LOGGING}
        app_port, base_port = free_port(), free_port()
        # The same interpreter, environment and uvicorn settings; only the app differs.
        stack.enter_context(serving(BASELINE, base_port, service.venv, env, workdir))
        pid, log = stack.enter_context(serving(package, app_port, service.venv, env, service.project))
        app_url, base_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{base_port}"
        for url, route in ((base_url, CONSTANT), (app_url, READY)):  # warm up both
            load(url, route, 8, 200, args.cap, workdir)
        notes = [seed(app_url, args.rows, workdir)]
        routes = [(app_url, route) for route in ROUTES if cache == "redis" or route.path != "/visits"]
        if args.floor and database != "none":
            floor_port = free_port()
            stack.enter_context(serving(FLOOR, floor_port, service.venv, env, workdir))
            routes += [(f"http://127.0.0.1:{floor_port}", route) for route in FLOOR_ROUTES]
        for connections in args.concurrency:
            for url, route in routes:
                label = re.sub(r"[^A-Za-z]+", "-", route.label)
                spy = args.profile / f"{database}-{cache}-{label}-c{connections}.folded" if args.profile else None
                rounds = []
                for _ in range(args.rounds):
                    # The baseline just before each measurement: both meet the same machine.
                    base = load(base_url, CONSTANT, connections, args.requests, args.cap, workdir)
                    with profiling(pid, spy if url == app_url else None):
                        figures = load(url, route, connections, args.requests, args.cap, workdir)
                    rounds.append((figures, base))
                figures, base = median_round(rounds)
                print(row(name, route, connections, figures, base), flush=True)
                if url == app_url:  # the verdict judges the app; the floor is only a reference
                    RESULTS.append((name, route.label, connections, figures, base))
        notes += logged_errors(log)
    print("\n".join(f"  {name}: {note}" for note in notes), flush=True)


def median_round(rounds: list[tuple[Figures, Figures]]) -> tuple[Figures, Figures]:
    """The round of median ratio, carrying every round's errors (an error is never averaged away)."""
    figures, base = sorted(rounds, key=lambda pair: ratio(*pair))[len(rounds) // 2]
    errors = sum(f.errors for f, _ in rounds)
    kinds = ",".join(f.kinds for f, _ in rounds if f.kinds)
    return replace(figures, errors=errors, kinds=kinds), base


def ratio(figures: Figures, base: Figures) -> float:
    return figures.rate / base.rate if base.rate else 0.0


RESULTS: list[tuple[str, str, int, Figures, Figures]] = []
HEADER = (
    f"{'rendering':<16} {'route':<14} {'c':>3} {'req/s':>7} {'base':>7} {'ratio':>6} "
    f"{'p50 ms':>7} {'p99 ms':>7} {'p99/p50':>7} {'errors':>6}"
)


def row(name: str, route: Route, connections: int, figures: Figures, base: Figures) -> str:
    tail = figures.p99_ms / figures.p50_ms if figures.p50_ms else 0.0
    short = "*" if figures.capped or base.capped else ""
    return (
        f"{name:<16} {route.label:<14} {connections:>3} {figures.rate:>7.0f} {base.rate:>7.0f} "
        f"{ratio(figures, base):>6.2f} {figures.p50_ms:>7.1f} {figures.p99_ms:>7.1f} {tail:>7.1f} "
        f"{figures.errors:>6}{short}" + (f" {figures.kinds}" if figures.errors else "")
    )


def verdict() -> list[str]:
    """Each aim against the worst rendering at each concurrency."""
    lines = []
    for label, aim in AIMS.items():
        for connections in sorted({c for _, _, c, _, _ in RESULTS}):
            found = [(f.rate / b.rate, n) for n, r, c, f, b in RESULTS if r == label and c == connections]
            if found:
                worst, where = min(found)
                mark = "met" if worst >= aim else f"{worst / aim:.0%} of it"
                lines.append(f"{label} c={connections}: worst {worst:.2f} ({where}), aim {aim} -> {mark}")
    errors = sum(f.errors for _, _, _, f, _ in RESULTS)
    tails = [(f.p99_ms / f.p50_ms, n, r, c) for n, r, c, f, _ in RESULTS if f.p50_ms]
    tail, name, route, connections = max(tails) if tails else (0.0, "", "", 0)
    lines.append(f"errors: {errors} (aim 0)")
    lines.append(f"p99/p50: worst {tail:.1f} ({name} {route} c={connections}), aim < {MAX_TAIL}")
    return lines


def parse_renderings(text: str) -> list[tuple[str, str]]:
    wanted = []
    for item in text.split(","):
        pair = tuple(item.strip().split("/"))
        if pair not in SERVICE_RENDERINGS:
            offered = ", ".join(f"{d}/{c}" for d, c in SERVICE_RENDERINGS)
            raise argparse.ArgumentTypeError(f"unknown rendering {item!r} (offered: {offered})")
        wanted.append((pair[0], pair[1]))
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--renderings",
        type=parse_renderings,
        default=SERVICE_RENDERINGS,
        help="database/cache pairs, comma-separated (default: all)",
    )
    parser.add_argument("--requests", type=int, default=3000, help="per measurement")
    parser.add_argument("--concurrency", type=lambda text: [int(c) for c in text.split(",")], default=[32, 64])
    parser.add_argument("--cap", type=float, default=30.0, help="seconds per measurement, at most")
    parser.add_argument(
        "--rounds", type=int, default=3, help="baseline-then-route pairs per figure; the median ratio is shown"
    )
    parser.add_argument("--rows", type=int, default=10_000, help="items seeded before measuring")
    parser.add_argument("--profile", type=Path, help="a directory for py-spy's stacks")
    parser.add_argument(
        "--floor", action="store_true", help="also the cheapest page and POST from the same table (FLOOR_APP)"
    )
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "psql", "redis-cli") if not shutil.which(tool)]
    if args.profile and not shutil.which("py-spy"):
        missing.append("py-spy")
    if missing:
        sys.exit(
            f"missing: {', '.join(missing)}. Install wrk, psql and redis-cli with your package "
            "manager (Debian/Ubuntu: apt-get install wrk postgresql-client redis-tools) "
            "and py-spy with `uv tool install py-spy`."
        )
    for variable in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(variable):
            sys.exit(f"{variable} is not set (set it as .ci/run does)")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    root = Path(tempfile.mkdtemp(prefix="service-load-"))
    command = "python -m <package> with HOST=127.0.0.1 PORT=<free> WORKERS=1"
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{args.requests} requests per measurement (at most {args.cap:g} s), {args.rows} rows, "
        f"page {PAGE}; app: {command} (the Dockerfile's CMD); baseline: the same uvicorn "
        "settings (one worker, access log off, the app's default log level)"
    )
    print(
        f"ratio: req/s over base, the constant-JSON app's measured just before; median of {args.rounds} "
        "such pairs (its figures shown, errors summed over all); * the cap stopped it early"
    )
    print(HEADER)
    try:
        for database, cache in args.renderings:
            measure(args, database, cache, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("\n".join(verdict()))


if __name__ == "__main__":
    main()
