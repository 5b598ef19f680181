"""A generated service under its first incident: its own PostgreSQL and Redis, stopped,
frozen (SIGSTOP) and restarted under it while it serves.

Never the run's shared servers: each instance here is private (a data directory under
the test's tmp dir, a port the OS picked), so stopping and freezing it harms no one.
``tests/test_service_faults.py`` drives them; this module only knows how.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from engine.runs.services import free_port


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian's layout), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def _children(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in done.stdout.split()]


class Postgres:
    """A private PostgreSQL: password auth over TCP (role ``app``/``app``), trust on its socket."""

    def __init__(self, root: Path, bin_dir: Path) -> None:
        self.root, self.bin = root, bin_dir
        self.data, self.port = root / "data", free_port()
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
        password = root / "password"
        password.write_text("postgres\n")
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    f"--pwfile={password}",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.start()
        self.psql("CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB")

    def url(self, database: str, password: str = "app") -> str:
        return f"postgresql://app:{password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} -c fsync=off"
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.root / "log"),
                    "-w",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def psql(self, *statements: str, database: str = "postgres") -> str:
        argv = [
            str(self.bin / "psql"),
            "-h",
            str(self.root),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        for statement in statements:
            argv += ["-c", statement]
        return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30).stdout

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}" OWNER app')
        return self.url(name)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of this server stopped (SIGSTOP) for the block, then resumed.

        The postmaster first, so that no new backend is forked while the rest are listed; a
        backend that exits meanwhile is simply gone.
        """
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        stopped = [postmaster]
        try:
            os.kill(postmaster, signal.SIGSTOP)
            for pid in _children(postmaster):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
            yield
        finally:
            for pid in reversed(stopped):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def close(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )


class Redis:
    """A private redis-server on a port of its own, in the foreground of a child process."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, free_port()
        root.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, 10)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(10)

    def get(self, key: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "GET", key],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout.strip()

    @contextmanager
    def frozen(self) -> Iterator[None]:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)


@dataclass
class Answer:
    status: int | None  # None: no answer (the client's own timeout, or a reset)
    seconds: float
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


def request(
    url: str,
    method: str = "GET",
    body: Any = None,
    timeout: float = 30,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    sent = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(sent, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    except OSError:
        return Answer(None, time.monotonic() - started)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Answer(status, time.monotonic() - started, parsed, got)


def concurrently(calls: list[Any], workers: int = 8) -> list[Answer]:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


class Service:
    """``python -m <package>`` (the image's CMD) from a synced bake, its stderr in a file."""

    def __init__(
        self,
        python: Path,
        package: str,
        env: Mapping[str, str],
        log: Path,
        argv: list[str] | None = None,
    ) -> None:
        self.port = int(env["PORT"])
        self.workers = int(env.get("WORKERS", "1"))
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log: TextIO = log.open("w")
        command = argv or [str(python), "-m", package]
        self.process = subprocess.Popen(command, env=dict(env), stdout=self._log, stderr=self._log)

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker has started: one answering /livez is not enough, since a test
        that restarts the database next would otherwise meet another still seeding."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited ({self.process.returncode}):\n{self.output()}")
            started = self.output().count("Application startup complete")
            if started >= self.workers and request(f"{self.url}/livez", timeout=1).status == 200:
                return
            time.sleep(0.1)
        raise TimeoutError(f"the service's {self.workers} workers did not start in {timeout} s:\n{self.output()}")

    def get(self, path: str, **options: Any) -> Answer:
        return request(f"{self.url}{path}", **options)

    def post(self, path: str, body: Any = None, **options: Any) -> Answer:
        return request(f"{self.url}{path}", method="POST", body=body, **options)

    def terminate(self, timeout: float = 30) -> float:
        """SIGTERM; the seconds until the process exited."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout)
        return time.monotonic() - started

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log.read_text(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


def one_shot(python: Path, package: str, env: Mapping[str, str], timeout: float = 60) -> tuple[int, str, float]:
    """Run ``python -m <package>`` expecting it to stop: its exit code, stderr and seconds."""
    started = time.monotonic()
    done = subprocess.run(
        [str(python), "-m", package],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - started
