"""Every offered Python that Debian packages runs every dependency set's suite, lint and types.

The machine has Python 3.11 only, and engine/runs/suites.py runs every suite on it. The other
offered Pythons that Debian packages (trixie's 3.13, sid's 3.14 and 3.15) live in the Debian
roots of engine/runs/debian_roots.py; 3.12, which no Debian release ships, stays covered by its
3.11 and 3.13 neighbours. For each of those Pythons and each dependency set
(``suites.dependency_sets``), a bake made for that Python (``python_version``: the newest
offered minimum at or below it, so the project accepts it) is, inside the root:

- synced by uv with exactly that interpreter (``UV_PYTHON=/usr/bin/python3.X``, no
  downloads), groups as its CI syncs them;
- tested with the user's own ``uv run pytest``, as configured (coverage floor included), in
  a fresh process;
- linted and type-checked as its CI's Gate 1 hooks do: ``ruff check``, ``ruff format
  --check`` and ``mypy`` (the files of ``[tool.mypy]``) from its lint group.

Everything the root writes lives under ``WORK``, bind-mounted at the same path: uv's cache
(shared by every root and worker, so a wheel is fetched once per run and installs are hard
links into the environments beside it), and one environment and one mypy cache per Python
and xdist worker, which each set's ``uv sync`` makes exact (it removes what the set does not
ask for): the libraries two sets share stay installed with their compiled bytecode, about a
fifth of a suite's CPU time when every set got a fresh environment. mypy's cache is
incremental, never trusted blind: a module whose file changed (each set's sources differ)
is checked again, so sharing it only spares re-analysing the same third-party libraries.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from engine.ground import AXES, RUNNING_PYTHON, TEMPLATE
from engine.runs.debian_roots import PYTHONS, run_in_root
from engine.runs.processes import Failed, Timings, report

WORK = TEMPLATE / ".cache" / "pythons"
TIMEOUT = 900
# Where a root finds the machine's uv (the same version the engine uses on 3.11).
UV_INSIDE = "/usr/local/bin/uv"
# What the services' suites read; CI makes a missing service a failure, not a skip.
PASSED_ON = ("CI", "DATABASE_URL", "REDIS_URL")


def _version(python: str) -> tuple[int, ...]:
    return tuple(map(int, python.split(".")))


def other_pythons() -> list[str]:
    """The offered Pythons a Debian root provides, but the one running here (engine/runs/suites.py's)."""
    offered = set(AXES["python_version"])
    return sorted((python for python in PYTHONS if python in offered and python != RUNNING_PYTHON), key=_version)


def accepting(python: str) -> str:
    """The ``python_version`` a bake for ``python`` takes: the newest offered at or below it."""
    below: list[str] = [each for each in AXES["python_version"] if _version(each) <= _version(python)]
    if not below:
        raise ValueError(f"python_version offers nothing at or below {python}")
    return max(below, key=_version)


def uv_executable() -> Path:
    """The uv binary itself (``uv run`` says where in ``UV``; a pyenv shim is a script)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is not on PATH and UV is unset: run the suite with `uv run pytest`")
    path = Path(found).resolve()
    with path.open("rb") as binary:
        if binary.read(4) != b"\x7fELF":
            raise RuntimeError(f"UV={path} is not the uv executable (a shim?): set UV to uv's binary")
    return path


def check_python(baked: Path, label: str, python: str, key: str) -> Timings:
    """Sync, test, lint and type-check one bake on ``python`` in its Debian root.

    ``key`` names the bake's dependency set; raise AssertionError saying which step failed,
    naming ``label``. Returns each step's time.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    project = WORK / "projects" / python / key
    venv = WORK / "venvs" / python / worker
    shutil.rmtree(project, ignore_errors=True)
    project.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(baked, project)
    env = {
        "UV_PYTHON": f"/usr/bin/python{python}",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_CACHE_DIR": str(WORK / "uv"),
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "MYPY_CACHE_DIR": str(WORK / "mypy" / python / worker),
        **{name: os.environ[name] for name in PASSED_ON if name in os.environ},
    }
    binds = {WORK: str(WORK), uv_executable(): UV_INSIDE}
    timings = Timings()

    def step(name: str, argv: list[str]) -> None:
        with timings.measure(name):
            done = run_in_root(python, argv, binds=binds, env=env, cwd=str(project), timeout=TIMEOUT)
        if done.returncode != 0:
            raise Failed(report(done, f"{label} on Python {python}", project))

    step("sync", ["uv", "sync", "--quiet", "--group", "test", "--group", "lint"])
    configured = (venv / "pyvenv.cfg").read_text("utf-8")
    assert f"version_info = {python}." in configured, f"uv made {venv} with another Python:\n{configured}"
    step("pytest", ["uv", "run", "--no-sync", "pytest"])
    step("lint", ["uv", "run", "--no-sync", "ruff", "check", "--force-exclude", "."])
    step("format", ["uv", "run", "--no-sync", "ruff", "format", "--check", "."])
    step("types", ["uv", "run", "--no-sync", "mypy"])
    return timings
