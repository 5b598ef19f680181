"""Bake a service and run it under uvicorn on loopback, against the real PostgreSQL and Redis.

For the template's contract test (tests/test_service_contract.py) and the probes a
user's clients would send: one bake per distinct service rendering (database x cache,
read from cookiecutter.json), synced into the shared environment of its dependency set
(engine/runs/projects.py), served as its Dockerfile serves it (``python -m <package>``: the settings checked, the
database migrated, then uvicorn).
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.ground import AXES
from engine.runs.processes import run
from engine.runs.projects import Project, project_env, render, shared_venv

# Every distinct service rendering: each database with each cache.
SERVICE_RENDERINGS = list(itertools.product(AXES["database"], AXES["cache"]))
PACKAGE = "async_service"  # the default project name's package
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Service:
    """A baked service and the environment its dependency set shares."""

    project: Path
    venv: Path
    database: str
    cache: str


def bake_service(workdir: Path, database: str, cache: str) -> Service:
    """Render the service with ``database`` and ``cache`` and sync its shared environment."""
    path = render(workdir, project_kind="service", database=database, cache=cache)
    venv = shared_venv(path)
    Project(path, f"{database}-{cache}", venv).sync()
    return Service(path, venv, database, cache)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A database of its own on the server ``server_url`` names, dropped afterwards."""
    name = f"contract_{uuid.uuid4().hex[:12]}"
    admin = server_url.replace("postgresql://", "postgres://", 1)
    run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'])
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)


@contextmanager
def running(service: Service, workdir: Path) -> Iterator[str]:
    """The service under uvicorn on a free loopback port; yields its base URL.

    SQLite gets a fresh file, PostgreSQL a fresh database on DATABASE_URL's server, Redis
    a key prefix of its own on REDIS_URL's: the service starts empty, migrates and seeds.
    """
    env = project_env(UV_PROJECT_ENVIRONMENT=str(service.venv), SERVICE_NAME="contract")
    with _database(service, workdir) as database_url:
        if database_url:
            env["DATABASE_URL"] = database_url
        if service.cache == "redis":
            env["REDIS_URL"] = os.environ["REDIS_URL"]
            env["CACHE_PREFIX"] = f"contract:{uuid.uuid4().hex}:"
        port = free_port()
        env.update(HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING")
        command = ["uv", "run", "--no-sync", "python", "-m", PACKAGE]
        log = workdir / "service.log"
        with log.open("w") as output:
            server = subprocess.Popen(command, cwd=service.project, env=env, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server, log)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def _database(service: Service, workdir: Path) -> Iterator[str | None]:
    if service.database == "postgres":
        with postgres_database(os.environ["DATABASE_URL"]) as url:
            yield url
    elif service.database == "sqlite":
        yield f"sqlite:///{workdir / 'contract.db'}"
    else:
        yield None


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the service exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2):
                return
        except urllib.error.HTTPError as error:  # 503: a dependency is down
            last = f"{error.code} {error.read().decode(errors='replace')}"
        except OSError as error:
            last = str(error)
        time.sleep(0.1)
    raise RuntimeError(f"the service: /readyz not 200 within {STARTUP_TIMEOUT} s; last: {last}")
