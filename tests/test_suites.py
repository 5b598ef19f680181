"""The generated projects' own suites, run for real, once per test-relevant rendering.

One item per runnable twin (see tests/matrix.py); twins whose renderings turn out the
same (a library ignores database and cache, say) share one run: the first to claim the
fingerprint runs it, the others prove they are byte-for-byte that rendering. Each run
builds the project's environment with ``uv sync`` from its own pyproject (reused across
renderings with the same dependencies), then runs, as a new user would:

- ``pytest`` three times, each with pytest-randomly on and its own seed: first exactly as
  configured (``-n auto`` = 2 workers when the project uses pytest-xdist), then in one
  process: a suite that depends on test order or on sharing a worker fails here, not in
  a user's CI. Each run is a fresh pytest session forked from a parent that has already
  imported the project's third-party libraries (tests/forked_pytest.py says what that
  changes: nothing the suite can see, and about half of a run's cost);
- ``ruff check`` and ``ruff format --check`` for every Python version the template
  offers as a minimum (rules such as pyupgrade depend on it), and ``mypy`` (strict).

PostgreSQL and Redis suites use DATABASE_URL and REDIS_URL from this environment; with
``CI`` set, a generated suite fails on a missing service instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from matrix import OPTIONS, combination_id, fingerprint, twins
from projects import project_env, run, shared_venv, sync

SEEDS_PER_RENDERING = 3
FORKED_PYTEST = Path(__file__).with_name("forked_pytest.py")


def seeded_runs(digest: str, parallel: bool) -> list[list[str]]:
    """The pytest runs for one rendering: several random-order seeds, xdist as configured.

    The first run is the project's plain configuration (``-n auto``, 2 workers on our
    machines, when it uses xdist); the others run in one process, where an order dependence between
    tests shows most directly. Seeds differ from rendering to rendering, reproducibly.
    """
    first = int(digest[:8], 16) % 1_000_000
    runs = []
    for number in range(SEEDS_PER_RENDERING):
        args = ["-p", "randomly", f"--randomly-seed={first + number}"]
        if parallel and number:
            args += ["-n", "0"]
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


@pytest.mark.suites
@pytest.mark.parametrize("combo", twins(), ids=combination_id)
def test_generated_suite_passes(
    combo: dict[str, Any],
    cookies_session: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    result = cookies_session.bake(extra_context=combo)
    assert result.exception is None, f"bake failed: {result.exception}"
    project = result.project_path
    digest = fingerprint(project)
    if not _claim(_shared_dir(tmp_path_factory, "suites-claimed"), digest):
        request.node.user_properties.append(("same-rendering", digest))
        return
    request.node.user_properties.append(("suite", digest))

    venv = shared_venv(project)
    synced = sync(project, venv)
    assert synced.returncode == 0, _report("uv sync", synced)

    env = project_env(UV_PROJECT_ENVIRONMENT=str(venv), MYPY_CACHE_DIR=str(venv / ".mypy_cache"))
    package = result.context["package_name"]
    runs = seeded_runs(digest, parallel=any(venv.glob("lib/python*/site-packages/xdist/")))
    runner = [str(venv / "bin" / "python"), str(FORKED_PYTEST), package]
    tested = run(runner + [word for args in runs for word in ("--", *args)], project, env)
    assert tested.returncode == 0, _report("pytest runs", tested)

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
