"""The generated projects' own suites, run for real, once per test-relevant rendering.

One item per runnable twin (see tests/matrix.py); twins whose renderings turn out the
same (a library ignores database and cache, say) share one run: the first to claim the
fingerprint runs it, the others prove they are byte-for-byte that rendering. Each run
builds the project's environment with ``uv sync`` from its own pyproject (one environment
per dependency set and xdist worker, reused), then runs, as a new user would:

- ``pytest`` three times, each with pytest-randomly on and its own seed: first exactly as
  configured, coverage floor included (with ``-n 2`` when the project uses pytest-xdist),
  then twice more in one process without coverage: a suite that depends on test order or
  on sharing a worker fails here, not in a user's CI. Each run is a fresh pytest session
  forked from a runner that has already imported the project's third-party libraries
  (tests/forked_pytest.py says what that changes: nothing the suite can see, and most of
  a run's cost);
- ``ruff check`` and ``ruff format --check`` for every Python version the template
  offers as a minimum (rules such as pyupgrade depend on it), and ``mypy`` (strict), once
  per distinct source tree, lint configuration and dependency set.

PostgreSQL and Redis suites use DATABASE_URL and REDIS_URL from this environment; with
``CI`` set, a generated suite fails on a missing service instead of skipping.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from matrix import OPTIONS, combination_id, fingerprint, twins
from projects import dependency_key, project_env, run, shared_venv, sync

SEEDS_PER_RENDERING = 3
FORKED_PYTEST = Path(__file__).with_name("forked_pytest.py")
LINT_TABLES = ("ruff", "mypy")


def seeded_runs(digest: str, parallel: bool) -> list[list[str]]:
    """The pytest runs for one rendering: several random-order seeds, xdist as configured.

    The first run is the project's own configuration, with ``-n 2`` when it uses xdist;
    the others run in one process, where an order dependence between tests shows most
    directly. Seeds differ from rendering to rendering, reproducibly.
    """
    first = int(digest[:8], 16) % 1_000_000
    runs = []
    for number in range(SEEDS_PER_RENDERING):
        args = ["-p", "randomly", f"--randomly-seed={first + number}"]
        if number == 0:
            args += ["-n", "2"] if parallel else []
        else:
            args += ["-n", "0", "--no-cov"] if parallel else ["--no-cov"]
        runs.append(args)
    return runs


def _shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory every xdist worker of this session sees."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / name
    path.mkdir(exist_ok=True)
    return path


def _claim(directory: Path, digest: str) -> bool:
    try:
        os.close(os.open(directory / digest, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _report(what: str, completed: Any) -> str:
    return f"{what} exited {completed.returncode}\n{completed.stdout[-6000:]}\n{completed.stderr[-3000:]}"


def lint_key(project: Path, pyproject: dict[str, Any]) -> str:
    """What ruff and mypy see: the source tree, their configuration, the dependencies."""
    digest = hashlib.sha256(dependency_key(pyproject).encode())
    tool = pyproject.get("tool", {})
    digest.update(json.dumps({name: tool.get(name) for name in LINT_TABLES}, sort_keys=True).encode())
    for path in sorted(project.rglob("*.py")):
        digest.update(f"{path.relative_to(project)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


class Runners:
    """One warm tests/forked_pytest.py per environment, for this worker's whole session."""

    def __init__(self) -> None:
        self.started: dict[Path, subprocess.Popen[str]] = {}

    def run(self, venv: Path, env: dict[str, str], request: dict[str, Any]) -> list[int]:
        runner = self.started.get(venv)
        if runner is None or runner.poll() is not None:
            runner = self.started[venv] = subprocess.Popen(
                [str(venv / "bin" / "python"), str(FORKED_PYTEST)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
            )
        assert runner.stdin is not None and runner.stdout is not None
        runner.stdin.write(json.dumps(request) + "\n")
        runner.stdin.flush()
        answer = runner.stdout.readline()
        assert answer, f"the pytest runner for {venv} died (exit {runner.wait()})"
        codes: list[int] = json.loads(answer)["codes"]
        return codes

    def close(self) -> None:
        for runner in self.started.values():
            for pipe in (runner.stdin, runner.stdout):
                if pipe:
                    pipe.close()
            runner.wait(timeout=60)


@pytest.fixture(scope="session")
def runners() -> Iterator[Runners]:
    started = Runners()
    yield started
    started.close()


@pytest.mark.suites
@pytest.mark.parametrize("combo", twins(), ids=combination_id)
def test_generated_suite_passes(
    combo: dict[str, Any],
    cookies_session: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    runners: Runners,
) -> None:
    result = cookies_session.bake(extra_context=combo)
    assert result.exception is None, f"bake failed: {result.exception}"
    digest = fingerprint(result.project_path)
    if not _claim(_shared_dir(tmp_path_factory, "suites-claimed"), digest):
        request.node.user_properties.append(("same-rendering", digest))
        return
    request.node.user_properties.append(("suite", digest))

    # Every rendering with this environment is installed from one path, so the warm
    # runner's import path (the editable install) stays right from one to the next.
    venv = shared_venv(result.project_path)
    project = _shared_dir(tmp_path_factory, "suites") / venv.parent.name / venv.name
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(result.project_path, project)
    synced = sync(project, venv)
    assert synced.returncode == 0, _report("uv sync", synced)

    env = project_env(UV_PROJECT_ENVIRONMENT=str(venv), MYPY_CACHE_DIR=str(venv.parent / ".mypy_cache"))
    log = project / "pytest-runs.log"
    parallel = any(venv.glob("lib/python*/site-packages/xdist/"))
    runs = seeded_runs(digest, parallel)
    package = result.context["package_name"]
    codes = runners.run(venv, env, {"cwd": str(project), "package": package, "log": str(log), "runs": runs})
    assert codes == [0] * len(runs), f"pytest runs exited {codes}:\n{log.read_text()[-8000:]}"

    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    if not _claim(_shared_dir(tmp_path_factory, "lint-claimed"), lint_key(project, pyproject)):
        return
    for version in OPTIONS["python_version"]:
        target = "py" + version.replace(".", "")
        for cmd in (
            ["ruff", "check", "--target-version", target, "."],
            ["ruff", "format", "--check", "--target-version", target, "."],
        ):
            linted = run([str(venv / "bin" / cmd[0]), *cmd[1:]], project, env)
            assert linted.returncode == 0, _report(" ".join(cmd), linted)
    typed = run([str(venv / "bin" / "mypy")], project, env)
    assert typed.returncode == 0, _report("mypy", typed)
