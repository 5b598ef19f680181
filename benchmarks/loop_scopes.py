"""What the event-loop rule costs, measured: ``uv run python benchmarks/loop_scopes.py``.

Needs DATABASE_URL (a PostgreSQL server the tests may create databases on; ``.ci/run``
shows how to start one on loopback). Prints, side by side in one run:

- the fixture cost per database-backed test, for each ``fixture_loop_scope`` the template
  offers, against the template as it was released (``--baseline``, default main before this rule: one
  engine on the session loop, which only tests marked ``loop_scope="session"`` could use).
  A service with PostgreSQL is baked per scope; a module of N tests that each run one
  query through the ``session`` fixture is timed against a module of N tests that use no
  fixture; the difference over N is the cost per test (best of several runs); beside
  them, what one bare asyncpg connection costs on the same server;
- the default bake's ``uv run pytest``, as a user runs it, for each kind: wall time of the
  whole command (interpreter start-up, imports, coverage), median of several runs, with
  bytecode cached as on any laptop, and the same with ``-n auto`` for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from engine.ground import AXES, DEFAULTS, TEMPLATE, combination_id
from engine.runs.projects import Project, render

QUERIES = '''"""Benchmark: N tests, each one query through the session fixture."""

import pytest
from sqlalchemy import text
{mark}

@pytest.mark.parametrize("number", range({count}))
async def test_query(session, number: int) -> None:
    assert await session.scalar(text("SELECT 1")) == 1
'''

PLAIN = '''"""Benchmark: N tests that use no fixture, the baseline of a test's own cost."""

import pytest
{mark}

@pytest.mark.parametrize("number", range({count}))
async def test_nothing(number: int) -> None:
    assert number >= 0
'''


def baked(root: Path, template: Path = TEMPLATE, **options: str) -> Path:
    """A project with ``options`` (defaults for the rest), synced into its own .venv."""
    project = render(root, template, **{**DEFAULTS, **options})
    Project(project, combination_id(options)).sync()
    return project


def pytest_seconds(project: Path, *args: str) -> float:
    """Wall time of ``uv run pytest ARGS`` in the project, as its user runs it."""
    started = time.perf_counter()
    Project(project, project.name).pytest("-q", *args, timeout=900)
    return time.perf_counter() - started


def per_test_ms(project: Path, count: int, repeats: int, mark: str) -> float:
    """Best of ``repeats`` of (time of N query tests - time of N plain tests) / N.

    The best run, as timeit reports it: a busy machine only ever adds time.
    """
    tests = project / "tests"
    (tests / "test_bench_queries.py").write_text(QUERIES.format(count=count, mark=mark))
    (tests / "test_bench_plain.py").write_text(PLAIN.format(count=count, mark=mark))
    args = ["-p", "no:randomly", "-p", "no:cacheprovider", "--no-cov", "-n", "0"]
    costs = []
    for _ in range(repeats):
        queries = pytest_seconds(project, *args, "tests/test_bench_queries.py")
        plain = pytest_seconds(project, *args, "tests/test_bench_plain.py")
        costs.append((queries - plain) / count * 1000)
    return min(costs)


CONNECT = """
import asyncio, os, sys, time
import asyncpg

async def main(count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        connection = await asyncpg.connect(os.environ["DATABASE_URL"])
        await connection.close()
    return (time.perf_counter() - started) / count * 1000

print(asyncio.run(main(int(sys.argv[1]))))
"""


def connect_ms(project: Path, count: int, repeats: int) -> float:
    """Best of ``repeats``: one bare asyncpg connection to DATABASE_URL, opened and closed."""
    costs = []
    for _ in range(repeats):
        ran = Project(project, project.name).run(["uv", "run", "--no-sync", "python", "-c", CONNECT, str(count)])
        costs.append(float(ran.stdout))
    return min(costs)


def baseline_template(root: Path, ref: str) -> Path:
    """The template as it was at ``ref`` (a tag or commit of this repository)."""
    target = root / f"template-{ref}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=TEMPLATE, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300, help="tests per timed module")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per figure")
    parser.add_argument(
        "--baseline",
        default="7b2e90f",
        help="git ref of the template to compare (default: main before the loop-scope rule)",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL is not set: the per-test cost is measured on PostgreSQL")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a laptop: bytecode is cached
    os.environ.pop("CI", None)

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        print(f"fixture cost per database-backed test (PostgreSQL, {options.tests} tests, best of {options.repeats}):")
        for scope in AXES["fixture_loop_scope"]:
            project = baked(root / scope, database="postgres", fixture_loop_scope=scope)
            cost = per_test_ms(project, options.tests, options.repeats, mark="")
            print(f"  fixture_loop_scope={scope:<9} {cost:6.2f} ms per test")
        connect = connect_ms(project, options.tests, options.repeats)
        print(f"  a bare asyncpg connection, opened and closed: {connect:6.2f} ms")
        old = baseline_template(root, options.baseline)
        project = baked(root / "baseline", old, database="postgres")
        mark = '\npytestmark = pytest.mark.asyncio(loop_scope="session")\n'
        cost = per_test_ms(project, options.tests, options.repeats, mark)
        print(f"  {options.baseline} (one engine on the session loop, tests marked for it): {cost:6.2f} ms per test")

        print(f"default bake, `uv run pytest` wall time (median of {options.repeats}):")
        for kind in AXES["project_kind"]:
            project = baked(root / f"default-{kind}", project_kind=kind)
            pytest_seconds(project)  # first run: bytecode compiled, caches made
            serial = statistics.median(pytest_seconds(project) for _ in range(options.repeats))
            workers = statistics.median(pytest_seconds(project, "-n", "auto") for _ in range(options.repeats))
            print(f"  {kind:<8} {serial:5.2f} s   (with -n auto on {os.cpu_count()} CPUs: {workers:5.2f} s)")


if __name__ == "__main__":
    main()
