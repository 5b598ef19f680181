"""How one test-relevant rendering's own suite is run (tests/test_suites.py, the benchmark).

Each run builds the project's environment with ``uv sync`` from its own pyproject (one
environment per dependency set and xdist worker, reused), then runs, as a new user would:

- the project's pre-commit hooks (``.pre-commit-config.yaml``: hygiene, ruff, mypy as CI
  runs it, zizmor), with the project's own locked ``prek``, on a fresh ``git init`` of the
  bake before anything below writes to it: once per distinct rendering of the whole tree
  and dependency set (a hook reads any file);
- the generated README's examples of test code, each dropped into ``tests/`` as a module
  of its own, exactly as shown, before the hooks: they pass the hooks and pytest with the
  suite (engine/runs/newcomer.py's ``drop_readme_examples``);
- a newcomer's test module dropped into ``tests/`` (engine/runs/newcomer.py): every
  fixture conftest.py offers, used with no loop scope anywhere, and the README's example
  of a fixture shared by a module;
- ``pytest`` with pytest-randomly on and a seed of the rendering's own: exactly as
  configured, coverage floor included, in one process (an order dependence between tests
  shows most directly there): as the user's own ``uv run pytest`` in a fresh process for
  a dependency set's first rendering, forked from a warm runner (below) for the others;
  then, where the project uses pytest-xdist, again with the next seed, without coverage on
  two xdist workers (``-n 2``, as its CI's tests gate runs it), a fresh pytest session
  forked from a runner that has already imported the project's third-party libraries
  (engine/runs/forked_pytest.py says what that changes: nothing the suite can see, and most
  of a run's cost). A suite that depends on test order or on sharing a worker fails here,
  not in a user's CI. A rendering without xdist runs once: its xdist twin (the same tests
  and options but ``parallel_tests``) runs the same tests in two more orders. Its CI's
  tests gate (``pytest --no-cov``, one process) is then run nowhere whole: it differs from
  the run above only by leaving coverage out, as the twin's ``-n 2`` run does;
- ``ruff check`` and ``ruff format --check`` for every other Python version the template
  offers as a minimum (rules such as pyupgrade depend on it; the hooks covered the
  project's own), once per distinct source tree, lint configuration and dependency set.

Apart from those, ``check_lowest`` runs the suite of one rendering per dependency set
(``dependency_sets``) at the oldest versions its floors allow (tests/test_minimum_versions.py).

PostgreSQL and Redis suites use DATABASE_URL and REDIS_URL from this environment; with
``CI`` set, a generated suite fails on a missing service instead of skipping.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from engine.ground import AXES, PROJECT, Combination, context, jinja_env
from engine.runs.newcomer import drop_newcomer_module, drop_readme_examples
from engine.runs.processes import TIMEOUT, Failed, tail
from engine.runs.projects import Project, dependency_key, lowest_venv, project_env, shared_venv
from engine.verdicts.matrix import twins

FORKED_PYTEST = Path(__file__).with_name("forked_pytest.py")
LINT_TABLES = ("ruff", "mypy")


def seeded_runs(digest: str, parallel: bool) -> list[list[str]]:
    """The pytest runs for one rendering, each in a random order of its own.

    The first run is the project's own configuration, in one process, where an order
    dependence between tests shows most directly; where the project uses xdist, a second
    runs without coverage on two xdist workers, as its CI's tests gate does. Seeds differ
    from rendering to rendering, reproducibly.
    """
    seed = int(digest[:8], 16) % 1_000_000
    runs = [["-p", "randomly", f"--randomly-seed={seed}"]]
    if parallel:
        runs.append(["-p", "randomly", f"--randomly-seed={seed + 1}", "--no-cov", "-n", "2"])
    return runs


def has_xdist(venv: Path) -> bool:
    """Whether the project's environment has pytest-xdist (its ``parallel_tests`` option)."""
    return any(venv.glob("lib/python*/site-packages/xdist/"))


def claim(directory: Path, digest: str) -> bool:
    try:
        os.close(os.open(directory / digest, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def hooks_key(project: Path, pyproject: dict[str, Any]) -> str:
    """What the pre-commit hooks see: every file of the bake, and the locked tools."""
    digest = hashlib.sha256(dependency_key(pyproject).encode())
    for path in sorted(project.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(project)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def lint_key(project: Path, pyproject: dict[str, Any]) -> str:
    """What ruff and mypy see: the source tree, their configuration, the dependencies."""
    digest = hashlib.sha256(dependency_key(pyproject).encode())
    tool = pyproject.get("tool", {})
    digest.update(json.dumps({name: tool.get(name) for name in LINT_TABLES}, sort_keys=True).encode())
    for path in sorted(project.rglob("*.py")):
        digest.update(f"{path.relative_to(project)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


class Runners:
    """One warm engine/runs/forked_pytest.py per environment, for this worker's whole session."""

    def __init__(self) -> None:
        self.started: dict[Path, subprocess.Popen[str]] = {}

    def warm(self, venv: Path) -> bool:
        """Whether this environment's runner is up, its libraries imported."""
        runner = self.started.get(venv)
        return runner is not None and runner.poll() is None

    def run(self, venv: Path, env: dict[str, str], request: dict[str, Any]) -> list[int]:
        """Each of the request's runs' exit status; a run that outlasts ``TIMEOUT`` fails
        the check, and its runner and every process it started are killed. A request with
        no runs starts and warms the runner for the renderings after it."""
        if not self.warm(venv):
            self.started[venv] = subprocess.Popen(
                [str(venv / "bin" / "python"), str(FORKED_PYTEST)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
                start_new_session=True,  # its own process group: the forked runs and their workers
            )
        runner = self.started[venv]
        assert runner.stdin is not None and runner.stdout is not None
        runner.stdin.write(json.dumps(request) + "\n")
        runner.stdin.flush()
        limit = TIMEOUT * max(len(request["runs"]), 1)
        ready, _, _ = select.select([runner.stdout], [], [], limit)
        if not ready:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
            runner.stdin.close()
            runner.stdout.close()
            log = Path(request["log"])
            output = log.read_text(errors="replace") if log.is_file() else ""
            raise Failed(f"pytest runs in {request['cwd']} still running after {limit} s, killed\n{tail(output, 200)}")
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


def check_rendering(
    baked: Path, label: str, package: str, digest: str, workdir: Path, claims: Path, runners: Runners
) -> None:
    """Sync, test and lint one rendering; raise AssertionError saying what failed.

    ``label`` names the combination in a failure. ``workdir`` holds one project directory
    per environment: every rendering with that environment is installed from the same
    path, so the warm runner's import path (the editable install) stays right from one to
    the next. ``claims`` is shared by all workers: the hooks run once per distinct
    ``hooks_key``, the other Pythons' ruff once per distinct ``lint_key``, and the run in a
    fresh process once per dependency set.
    """
    venv = shared_venv(baked)
    path = workdir / venv.parent.name / venv.name
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(baked, path)
    project = Project(path, label, venv, project_env(MYPY_CACHE_DIR=str(venv.parent / ".mypy_cache")))
    project.sync()

    pyproject = tomllib.loads((path / "pyproject.toml").read_text("utf-8"))
    examples = drop_readme_examples(path)
    if claim(claims, "hooks-" + hooks_key(path, pyproject)):
        project.hooks("--show-diff-on-failure")

    log = path / "pytest-runs.log"
    parallel = has_xdist(venv)
    runs = seeded_runs(digest, parallel)
    strict = pyproject["tool"]["pytest"]["asyncio_mode"] == "strict"
    newcomer = drop_newcomer_module(path, strict)
    # A dependency set's first run is the user's own command in a fresh process: nothing
    # imported before it and no warning filter of ours, so a library's import-time warning
    # fails here as it would fail a user's first `uv run pytest`. Every other run forks
    # from the environment's warm runner, which has imported those same libraries (a
    # dependency set imports the same ones whatever the other options): the project's own
    # modules are still imported fresh in each run, under its warning filters. The other
    # workers' environments of the set start their runners at once.
    codes: list[int] = []
    if not runners.warm(venv) and claim(claims, "fresh-" + venv.name):
        plain = project.pytest(*runs[0], check=False)
        log.write_text(f"=== uv run pytest {' '.join(runs[0])}\n{plain.stdout}{plain.stderr}")
        codes.append(plain.returncode)
    request = {"cwd": str(path), "package": package, "log": str(log), "runs": runs[len(codes) :]}
    codes += runners.run(venv, project.tools_env, request)
    if codes != [0] * len(runs):
        raise Failed(f"{label}: pytest runs in {path} exited {codes}\n{tail(log.read_text(), 200)}")
    for each in (newcomer, *examples):
        each.unlink()  # theirs, not the template's: the other Pythons' ruff below leaves them out

    if not claim(claims, lint_key(path, pyproject)):
        return
    own = pyproject["project"]["requires-python"].removeprefix(">=")
    for version in AXES["python_version"]:
        if version == own:
            continue
        target = "py" + version.replace(".", "")
        project.run([str(venv / "bin" / "ruff"), "check", "--target-version", target, "."])
        project.run([str(venv / "bin" / "ruff"), "format", "--check", "--target-version", target, "."])


def dependency_sets() -> dict[str, Combination]:
    """Each distinct dependency set (``dependency_key``) -> the first runnable twin with it.

    Only pyproject.toml is rendered, in memory, the way a bake renders it; the caller bakes
    the representative for real and checks that its key is the one expected.
    """
    template = jinja_env().from_string((PROJECT / "pyproject.toml").read_text("utf-8"))
    sets: dict[str, Combination] = {}
    for combo in twins():
        text = template.render(cookiecutter=context(combo))
        sets.setdefault(dependency_key(tomllib.loads(text)), combo)
    return sets


def check_lowest(baked: Path, label: str, workdir: Path) -> None:
    """Sync the rendering at its floors (``lowest-direct``), run its plain ``pytest``, lint it.

    Its own environment (``lowest_venv``), never the shared ones at the newest versions;
    a fresh ``uv run --no-sync pytest`` with pytest-randomly on, seeded from the dependency
    set: as configured, coverage floor included, then, where the project uses pytest-xdist,
    on two workers, without coverage (CI's tests gate) and with it (the pyproject invites
    adding ``-n auto``); then the project's pre-commit hooks with the lint group at its
    floors. Raise AssertionError with what failed, naming ``label``.
    """
    venv = lowest_venv(baked)
    path = workdir / venv.name
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(baked, path)
    # The lint group has floors too: the hooks (ruff, mypy, zizmor, hygiene) at the oldest
    # versions allowed, as Gate 1 runs them. One mypy cache per worker, shared by the sets
    # it runs: the libraries at their floors are mostly the same from set to set, and
    # mypy checks again whatever changed (as in check_rendering).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    project = Project(path, label, venv, project_env(MYPY_CACHE_DIR=str(venv.parent / f".mypy_cache-{worker}")))
    project.sync(resolution="lowest-direct")
    seed = int(venv.name[:8], 16) % 1_000_000
    runs = [["-p", "randomly", f"--randomly-seed={seed}"]]
    if has_xdist(venv):
        # As CI's tests gate runs it, and with coverage, as when pyproject's `-n auto` is added.
        runs += [[*runs[0], "--no-cov", "-n", "2"], [*runs[0], "-n", "2"]]
    for args in runs:
        project.pytest(*args)
    project.hooks("--show-diff-on-failure")
