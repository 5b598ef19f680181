"""Render generated projects and run their own tools.

Shared by the template's tests and the benchmark: one place that knows how a
generated project is made (cookiecutter), synced (uv) and tested (its pytest).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from cookiecutter import generate as cookiecutter_generate
from cookiecutter.main import cookiecutter

from engine.ground import RUNNING_PYTHON, TEMPLATE
from engine.runs import processes
from engine.runs.processes import TIMEOUT

# One environment per dependency set and xdist worker, kept between runs (``uv sync``
# makes it exact each time), on disk beside the uv cache so installs are hard links.
VENVS = TEMPLATE / ".cache" / "suite-venvs"
# The oldest versions the floors allow (``--resolution lowest-direct``), one environment per
# dependency set, apart from VENVS: those stay at the newest versions.
LOWEST_VENVS = TEMPLATE / ".cache" / "lowest-venvs"


def render(output_dir: Path, template: Path = TEMPLATE, **context: Any) -> Path:
    """Bake one project from ``template`` into ``output_dir`` with the given options."""
    extra = {key: value for key, value in context.items()}
    project = cookiecutter(
        str(template),
        no_input=True,
        extra_context=extra,
        output_dir=str(output_dir),
        default_config=True,
    )
    return Path(project)


def project_env(**overrides: str) -> dict[str, str]:
    """The environment a generated project's tools run in: ours, minus our venv.

    Also minus PYTHONDONTWRITEBYTECODE (set on some CI machines): the environments are
    reused run after run, and without cached bytecode every interpreter would compile
    FastAPI, SQLAlchemy, pydantic and pytest from source again, most of a run's start-up.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
        and not key.startswith("PYTEST_")
        and not key.startswith("COV_CORE_")
    }
    env.update(overrides)
    return env


# Shared environments this process has synced once, online: from then on uv's cache holds
# everything a sync into them needs (their dependency set is fixed, and the build backend
# is cached too), so later syncs skip asking the index again, most of a sync's time.
_SYNCED_ONLINE: set[Path] = set()


def sync(project: Path, venv: Path | None = None, resolution: str | None = None) -> subprocess.CompletedProcess[str]:
    """``uv sync`` the project, into ``venv`` when given (shared by identical dependency sets).

    ``resolution`` is uv's ``--resolution`` (``lowest-direct``: every direct dependency at
    its floor); by default, the newest versions allowed. The caller reads the exit code
    (``Project.sync`` asserts it).
    """
    env = project_env(**({"UV_PROJECT_ENVIRONMENT": str(venv)} if venv else {}))
    offline = ["--offline"] if venv in _SYNCED_ONLINE else []
    resolved = ["--resolution", resolution] if resolution else []
    command = ["uv", "sync", "--python", RUNNING_PYTHON, "--quiet", *resolved, *offline]
    synced = processes.run(command, project, env, check=False)
    if venv is not None and synced.returncode == 0:
        _SYNCED_ONLINE.add(venv)
    return synced


def dependency_key(pyproject: dict[str, Any]) -> str:
    """What a virtual environment is built from: equal keys can share one."""
    project = pyproject.get("project", {})
    deps = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies"),
        "groups": pyproject.get("dependency-groups"),
    }
    return hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16]


def shared_venv(project: Path) -> Path:
    """This worker's environment for the project's dependency set (see ``VENVS``)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    return VENVS / os.environ.get("PYTEST_XDIST_WORKER", "main") / dependency_key(pyproject)


def lowest_venv(project: Path) -> Path:
    """The environment for the project's dependency set at its floors (see ``LOWEST_VENVS``).

    One per dependency set, not per worker: each set is synced by one test only.
    """
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    return LOWEST_VENVS / dependency_key(pyproject)


@dataclass(frozen=True)
class Project:
    """A baked project, as its user works in it: each step asserts that it succeeded.

    ``label`` names the combination (or the case) in every failure; ``venv`` is the
    environment the project is synced into (``shared_venv``, ``lowest_venv``; None: its own
    ``.venv``); ``env`` is what its tools see (``project_env()`` by default; the venv is
    added to it). A failed step raises ``processes.Failed``: the label, the command, the
    project's path, the exit code and the tail of what it printed.
    """

    path: Path
    label: str
    venv: Path | None = None
    env: Mapping[str, str] = field(default_factory=project_env)

    @property
    def tools_env(self) -> dict[str, str]:
        """The environment the project's tools run in: ``env``, with the venv when given."""
        return {**self.env, **({"UV_PROJECT_ENVIRONMENT": str(self.venv)} if self.venv else {})}

    def run(self, argv: list[str], *, check: bool = True, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
        """``argv`` in the project's directory and environment."""
        return processes.run(argv, self.path, self.tools_env, timeout=timeout, check=check, what=self.label)

    def sync(self, resolution: str | None = None) -> None:
        """``uv sync`` (see ``sync``), asserted."""
        synced = sync(self.path, self.venv, resolution)
        if synced.returncode != 0:
            raise processes.Failed(processes.report(synced, self.label, self.path))

    def pytest(self, *args: str, timeout: float = TIMEOUT, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The project's own ``pytest`` (as its README says), in its synced environment.

        ``check=False`` for a run whose failure is the verdict (a probe that must fail).
        """
        return self.run(["uv", "run", "--no-sync", "pytest", *args], check=check, timeout=timeout)

    def hooks(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The project's pre-commit hooks on every file with its own locked ``prek``, as Gate 1
        and ``uv run poe lint`` run them: on a git repository of the project, everything staged."""
        processes.add_all(self.path)
        prek = (self.venv or self.path / ".venv") / "bin" / "prek"
        return self.run([str(prek), "run", "--all-files", *args], check=check)


def cache_template_work() -> None:
    """Do the work that is the same for every bake once per process, not once per bake.

    Two pure functions of the template's own files, memoised: Jinja's compile step
    (below) and cookiecutter's binary-file sniffing, keyed on the file's path, size and
    modification time. What each bake renders, and how, is unchanged.
    """
    cache_jinja_compiles()
    original = cookiecutter_generate.is_binary
    if getattr(original, "memoised", False):
        return
    verdicts: dict[tuple[str, int, int], bool] = {}

    @functools.wraps(original)
    def is_binary(filename: str) -> bool:
        stat = os.stat(filename)
        key = (os.path.abspath(filename), stat.st_size, stat.st_mtime_ns)
        if key not in verdicts:
            verdicts[key] = original(filename)
        return verdicts[key]

    is_binary.memoised = True  # type: ignore[attr-defined]
    cookiecutter_generate.is_binary = is_binary


def cache_jinja_compiles() -> None:
    """Compile each Jinja source once per process instead of once per bake.

    Cookiecutter builds a fresh Jinja environment for every bake, so every template
    (and every variable in cookiecutter.json) is parsed and compiled again each time;
    compiling is most of a bake's cost. Compiling is a pure function of the source and
    the environment's syntax settings, so the code objects are memoised on exactly
    those; rendering still happens in each bake's own environment with its own context.
    """
    original: Callable[..., Any] = jinja2.Environment.compile  # called with a plain bool for raw
    if getattr(original, "memoised", False):
        return
    cache: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(original)
    def compile(
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        settings = self.__dict__.get("_memoised_compile_settings")
        if settings is None:  # once per environment, i.e. once per bake
            settings = self.__dict__["_memoised_compile_settings"] = (
                type(self),
                tuple(sorted(self.extensions)),
                tuple(sorted(self.filters)),
                self.block_start_string,
                self.block_end_string,
                self.variable_start_string,
                self.variable_end_string,
                self.comment_start_string,
                self.comment_end_string,
                self.line_statement_prefix,
                self.line_comment_prefix,
                self.trim_blocks,
                self.lstrip_blocks,
                self.newline_sequence,
                self.keep_trailing_newline,
                self.optimized,
                self.is_async,
                repr(self.autoescape),
                self.finalize is None,
            )
        key = (source, name, filename, defer_init, settings)
        if key not in cache:
            cache[key] = original(self, source, name, filename, raw, defer_init)
        return cache[key]

    compile.memoised = True  # type: ignore[attr-defined]
    jinja2.Environment.compile = compile  # type: ignore[method-assign]
