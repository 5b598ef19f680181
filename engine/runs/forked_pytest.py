"""A warm pytest runner for generated projects: each run a fresh pytest session, forked.

Started with a generated project's own interpreter (``python forked_pytest.py``), it reads
one request per line on standard input, JSON::

    {"cwd": "<project>", "package": "<import name>", "log": "<file>", "runs": [[ARGS...], ...]}

and answers each with one line, ``{"codes": [exit status of each run]}``.

A pytest process of a FastAPI/SQLAlchemy project spends most of its life importing
third-party libraries. This runner imports them once — the modules the project's code and
tests import, except the project's own package, so that coverage still measures the
project from its first line — and then forks one child per run. Each child is a new pytest
session (``pytest.main``) in the project's directory, with the project's configuration and
the given arguments; its output goes to the log file. Runs that use xdist start their
workers the usual way. One runner serves every project synced into its environment, as
long as they are installed from the same path (tests/test_suites.py sees to that).
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import os
import sys
import traceback
import warnings
from pathlib import Path

# Not the template's tests directory: a child must import only the project's modules.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]


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


def warm_up(root: Path, project_package: str) -> None:
    """Import what the project imports, but not the project itself nor pytest plugins.

    The project is left to the child so that coverage measures it from its first line;
    plugins are left to pytest, which must import them itself to rewrite their asserts.
    Modules imported by an earlier request are already there: this costs nothing twice.
    """
    plugins = {
        entry_point.module.partition(".")[0] for entry_point in importlib.metadata.entry_points(group="pytest11")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in ["pytest", *sorted(imported_modules(root))]:
            top = module.partition(".")[0]
            if top in {project_package, "tests", "conftest"} or top in plugins:
                continue
            if top.startswith("test_"):  # a test module imported by another one
                continue
            try:
                importlib.import_module(module)
            except ImportError:  # a test-only or optional import: the child will say
                continue


def run_forked(cwd: str, log: str, args: list[str]) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        code = 70  # EX_SOFTWARE: pytest itself blew up
        try:
            os.chdir(cwd)
            output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(output, 1)
            os.dup2(output, 2)
            print(f"=== pytest {' '.join(args)}", flush=True)
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


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        warm_up(Path(request["cwd"]), request["package"])
        codes = [run_forked(request["cwd"], request["log"], args) for args in request["runs"]]
        print(json.dumps({"codes": codes}), flush=True)


if __name__ == "__main__":
    main()
