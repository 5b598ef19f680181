"""The generated project's strictness bites: probes make its plain ``pytest`` fail.

For every asyncio mode the template offers, a project is baked (the library kind: its
pytest configuration is the service's, and its suite is the quickest) and a probe is
dropped into it: a test file, a module or a config line that a strict setup must refuse.
The project's own ``pytest``, run with no arguments as its README says, must fail and say
why; the benign probe, the control, must pass. Then a probe that fails halfway through a
test, holding a row, cache keys and a live server, proves that the fixtures clean up after
a failure: the next test sees none of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from engine.ground import AXES, DEFAULTS, combination_id
from engine.runs.projects import Project, render, shared_venv

# How long a hanging test may take to fail, all told (the project's timeout is 30 s).
HANG_LIMIT = 120
HANGING = "hanging-test"


@dataclass(frozen=True)
class Probe:
    """What is dropped into the project, and what its ``pytest`` must then do."""

    files: dict[str, str] = field(default_factory=dict)  # path -> source ({pkg}, {mark})
    config_line: str = ""  # added to [tool.pytest]
    fails_with: str = ""  # text the failing run prints; "" = the run must pass
    strict_only: bool = False  # in auto mode the run must pass instead


UNCOVERED = "".join(f"\n\ndef never_called_{n}(value: int) -> int:\n    return value + {n}\n" for n in range(150))

PROBES = {
    "unregistered-marker": Probe(
        files={
            "tests/test_probe.py": "import pytest\n\n\n@pytest.mark.slow_netwrok\n"
            "def test_probe_with_a_typo_in_its_marker() -> None:\n    pass\n"
        },
        fails_with="'slow_netwrok' not found in `markers` configuration option",
    ),
    "coroutine-never-awaited": Probe(
        files={
            "tests/test_probe.py": "import asyncio\n\nimport pytest\n\n\n{mark}"
            "async def test_probe_forgets_an_await() -> None:\n    asyncio.sleep(0)\n"
        },
        fails_with="was never awaited",
    ),
    "hanging-test": Probe(
        files={
            "tests/test_probe.py": "import asyncio\n\nimport pytest\n\n\n{mark}"
            "async def test_probe_hangs() -> None:\n    await asyncio.Event().wait()\n"
        },
        fails_with="Timeout",
    ),
    "async-test-without-marker": Probe(
        files={
            "tests/test_probe.py": "import asyncio\n\n\n"
            "async def test_probe_without_its_marker() -> None:\n    await asyncio.sleep(0)\n"
        },
        fails_with="async def functions are not natively supported",
        strict_only=True,
    ),
    "coverage-below-floor": Probe(
        files={"src/{pkg}/probe_untested.py": '"""Code no test reaches."""' + UNCOVERED},
        fails_with="Required test coverage of",
    ),
    "unknown-config-key": Probe(
        config_line='asyncio_mood = "auto"',
        fails_with="Unknown config option: asyncio_mood",
    ),
    "benign": Probe(
        files={
            "tests/test_probe.py": "import asyncio\n\nimport pytest\n\n\n{mark}"
            "async def test_probe_is_benign() -> None:\n    await asyncio.sleep(0)\n"
        },
    ),
}


def bake_and_sync(tmp_path: Path, own_venv: bool = False, **options: Any) -> Project:
    """A fresh bake, installed into this worker's shared environment.

    With ``own_venv``, into the project's own ``.venv`` instead, for runs that overlap: a
    shared environment's editable install points at one project only.
    """
    path = render(tmp_path, **{**DEFAULTS, **options})
    project = Project(path, combination_id(options), None if own_venv else shared_venv(path))
    project.sync()
    return project


def drop_in(project: Path, probe: Probe, mode: str) -> None:
    package = next(path.name for path in (project / "src").iterdir())
    mark = "@pytest.mark.asyncio\n" if mode == "strict" else ""
    for name, source in probe.files.items():
        path = project / name.format(pkg=package)
        path.write_text(source.replace("{mark}", mark))
    if probe.config_line:
        pyproject = project / "pyproject.toml"
        table = "[tool.pytest]\n"
        text = pyproject.read_text()
        assert table in text
        pyproject.write_text(text.replace(table, f"{table}{probe.config_line}\n"))


def timed_pytest(project: Project) -> tuple[subprocess.CompletedProcess[str], float]:
    """The project's plain ``pytest``, and how many seconds it took."""
    started = time.monotonic()
    ran = project.pytest(timeout=HANG_LIMIT * 2, check=False)
    return ran, time.monotonic() - started


def assert_verdict(name: str, mode: str, ran: subprocess.CompletedProcess[str], seconds: float) -> None:
    """The run failed, and for the probe's reason, where it must; passed where it must."""
    probe = PROBES[name]
    output = ran.stdout + ran.stderr
    must_fail = bool(probe.fails_with) and (mode == "strict" or not probe.strict_only)
    if must_fail:
        assert ran.returncode != 0, f"{name} passed in {mode} mode:\n{output[-3000:]}"
        assert probe.fails_with in output, f"{name} failed for another reason in {mode} mode:\n{output[-3000:]}"
        assert seconds < HANG_LIMIT, f"{name} took {seconds:.0f} s to fail in {mode} mode"
    else:
        assert ran.returncode == 0, f"{name} failed in {mode} mode:\n{output[-3000:]}"


@pytest.mark.suites
@pytest.mark.parametrize("mode", AXES["asyncio_mode"])
@pytest.mark.parametrize("name", [name for name in PROBES if name != HANGING])
def test_generated_pytest_refuses_what_strictness_promises(tmp_path: Path, mode: str, name: str) -> None:
    project = bake_and_sync(tmp_path, project_kind="library", asyncio_mode=mode)
    drop_in(project.path, PROBES[name], mode)
    assert_verdict(name, mode, *timed_pytest(project))


@pytest.mark.suites
def test_generated_pytest_fails_a_hanging_test_by_its_timeout(tmp_path: Path) -> None:
    """The hanging probe waits out the project's timeout: every mode waits side by side."""
    projects = {}
    for mode in AXES["asyncio_mode"]:
        projects[mode] = bake_and_sync(tmp_path / mode, own_venv=True, project_kind="library", asyncio_mode=mode)
        drop_in(projects[mode].path, PROBES[HANGING], mode)
    with ThreadPoolExecutor(len(projects)) as pool:
        runs = dict(zip(projects, pool.map(timed_pytest, projects.values()), strict=True))
    for mode, (ran, seconds) in runs.items():
        assert_verdict(HANGING, mode, ran, seconds)


# --- a selection runs what it selects, and passes when its tests do ---------------------

MINE = """import pytest

pytestmark = pytest.mark.unit


def test_mine_first() -> None:
    pass


def test_mine_second() -> None:
    pass
"""
NOT_APPLIED = "Coverage floor of 90% not applied: this run selected part of the suite"

# The selections a developer types (README: "Event loops", "Markers"), and how many tests
# each must run; None: whatever the marker holds.
SELECTIONS: list[tuple[list[str], int | None]] = [
    (["tests/test_mine.py"], 2),
    (["tests/test_mine.py::test_mine_first"], 1),
    (["-k", "test_mine_"], 2),
    (["-m", "unit"], None),
    (["-m", "integration"], None),
    (["-m", "e2e"], None),
    (["-m", "not e2e"], None),
    (["-n", "2", "tests/test_mine.py"], 2),  # xdist: the floor is checked in the controller
]


@pytest.mark.suites
def test_a_selection_runs_only_its_tests_and_is_not_held_to_the_floor(tmp_path: Path) -> None:
    """Below the floor (an untested module), every selection passes and says why; the
    whole suite fails on the floor, and ``--no-cov`` says nothing of it."""
    project = bake_and_sync(tmp_path, project_kind="library", parallel_tests=True)
    drop_in(project.path, PROBES["coverage-below-floor"], "auto")
    (project.path / "tests" / "test_mine.py").write_text(MINE)
    for args, count in SELECTIONS:
        ran = project.pytest(*args)
        output = ran.stdout + ran.stderr
        assert output.count(NOT_APPLIED) == 1, f"pytest {' '.join(args)}: no line on the floor:\n{output[-3000:]}"
        assert "TOTAL" in output, f"pytest {' '.join(args)} showed no coverage report:\n{output[-3000:]}"
        if count is not None:
            assert f" {count} passed" in output, f"pytest {' '.join(args)} ran other tests:\n{output[-3000:]}"
    quiet = project.pytest("--no-cov", "tests/test_mine.py")
    assert "Coverage floor" not in quiet.stdout, quiet.stdout[-3000:]
    whole = project.pytest(check=False)
    assert whole.returncode != 0 and "Required test coverage of" in whole.stdout, whole.stdout[-3000:]
    assert "Coverage floor" not in whole.stdout, whole.stdout[-3000:]


# --- fixtures clean up after a failing test ---------------------------------------------

FAILS_HALFWAY = '''"""Probe: a test that fails halfway, holding a row, cache keys and a live server."""

import pytest

from {pkg}.cache import Cache

pytestmark = pytest.mark.integration
HELD: dict[str, str] = {{}}


async def test_fails_halfway(make_item, cache: Cache, server_url: str) -> None:
    await make_item(name="left-behind")
    await cache.increment("left-behind")
    HELD.update(prefix=cache.prefix, url=server_url)
    raise AssertionError("the probe fails mid-test")
'''

SEES_NOTHING = '''"""Probe: the next test sees nothing the failed one held."""

import socket
from urllib.parse import urlsplit

import httpx
import pytest
from redis.asyncio import Redis
from test_probe_a_fails import HELD

pytestmark = pytest.mark.integration


async def test_nothing_was_left_behind(client: httpx.AsyncClient, redis_client: Redis) -> None:
    page = (await client.get("/items", params={"limit": 100})).json()  # the seed fits one page
    names = [item["name"] for item in page["items"]]
    assert "left-behind" not in names
    assert [key async for key in redis_client.scan_iter(match=HELD["prefix"] + "*")] == []
    url = urlsplit(HELD["url"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((url.hostname, url.port), timeout=5).close()
'''

DATABASES = [name for name in AXES["database"] if name != "none"]
SERVICES = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}


def outcomes(report: Path) -> dict[str, str]:
    """Test name -> passed/failed/error/skipped, from a JUnit XML report."""
    found = {}
    for case in ElementTree.parse(report).iter("testcase"):
        verdicts = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        found[case.attrib["name"]] = verdicts[0] if verdicts else "passed"
    return found


@pytest.mark.suites
@pytest.mark.parametrize("database", DATABASES)
def test_fixtures_clean_up_after_a_test_that_fails(tmp_path: Path, database: str) -> None:
    needed = [SERVICES[name] for name in (database, "redis") if name in SERVICES]
    if missing := [variable for variable in needed if not os.environ.get(variable)]:
        message = f"needs {', '.join(missing)} (.ci/run starts PostgreSQL and Redis)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    baked = bake_and_sync(tmp_path, project_kind="service", database=database, cache="redis")
    project = baked.path
    package = next(path.name for path in (project / "src").iterdir())
    tests = project / "tests"
    (tests / "test_probe_a_fails.py").write_text(FAILS_HALFWAY.format(pkg=package))
    (tests / "test_probe_b_sees_nothing.py").write_text(SEES_NOTHING)
    before = sorted(path.name for path in project.iterdir())
    report = tmp_path / "report.xml"

    ran = baked.pytest(
        "-p", "no:randomly", "-n", "0", "--no-cov", f"--junit-xml={report}",
        "tests/test_probe_a_fails.py", "tests/test_probe_b_sees_nothing.py",
        check=False,
    )  # fmt: skip
    output = ran.stdout[-3000:] + ran.stderr[-2000:]
    assert outcomes(report) == {
        "test_fails_halfway": "failure",
        "test_nothing_was_left_behind": "passed",
    }, output
    assert "the probe fails mid-test" in ran.stdout, output
    left = sorted(path.name for path in project.iterdir())
    assert set(left) - set(before) <= {".pytest_cache"}, f"files left behind: {left}"
    shutil.rmtree(project)
