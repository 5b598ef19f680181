"""Run a generated project's pytest several times, each run a fresh forked process.

Usage (with the project's own interpreter, in the project's directory)::

    python forked_pytest.py PACKAGE -- ARGS... [-- ARGS...]

A pytest process of a FastAPI/SQLAlchemy project spends much of its life importing
third-party libraries. This parent imports them once — the modules the project's code and
tests import, except the project's own package, so that coverage still measures the
project from its first line — and then forks one child per run. Each child is a new
pytest session (``pytest.main``) with the project's configuration and the given
arguments; its output and exit status are the run's. Runs that use xdist workers start
those the usual way. Exits with the first non-zero status, after every run.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import os
import sys
import traceback
import warnings
from pathlib import Path


def imported_modules(root: Path) -> set[str]:
    """Every module the project's own code and tests import by absolute name."""
    names: set[str] = set()
    for path in [*root.glob("src/**/*.py"), *root.glob("tests/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def warm_up(project_package: str) -> None:
    """Import what the project imports, but not the project itself nor pytest plugins.

    The project is left to the child so that coverage measures it from its first line;
    plugins are left to pytest, which must import them itself to rewrite their asserts.
    """
    plugins = {
        entry_point.module.partition(".")[0]
        for entry_point in importlib.metadata.entry_points(group="pytest11")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in sorted(imported_modules(Path.cwd())):
            top = module.partition(".")[0]
            if top in {project_package, "tests", "conftest"} or top in plugins:
                continue
            try:
                importlib.import_module(module)
            except ImportError:  # a test-only or optional import: the child will say
                continue


def run_forked(args: list[str]) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        code = 70  # EX_SOFTWARE: pytest itself blew up
        try:
            import pytest

            # Libraries imported above may import a plugin's module (httpx imports anyio,
            # which is also a pytest plugin); pytest then cannot rewrite that plugin's
            # asserts and says so. That is the only thing the warm-up changes.
            ignore = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
            code = int(pytest.main([*ignore, *args]))
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> int:
    package, *rest = sys.argv[1:]
    runs: list[list[str]] = []
    for word in rest:
        if word == "--":
            runs.append([])
        else:
            runs[-1].append(word)
    warm_up(package)
    codes = []
    for args in runs:
        print(f"=== pytest {' '.join(args)}", flush=True)
        codes.append(run_forked(args))
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main())
