"""The coverage floor, enforced where it means something.

``fail_under`` in pyproject.toml's ``[tool.coverage.report]`` is the floor. A run of the
whole suite (a plain ``uv run pytest``, the coverage gate, CI) must reach it. A run that
covers less cannot, so there the floor is lifted and the summary says why, in one line:

- the run selected part of the suite: a test file or test id, ``-k``, ``-m``,
  ``--deselect``, ``--ignore``, ``--lf``, ``--sw``;
- tests were skipped because a service they need was missing (outside CI only: with CI
  set, a missing service fails the run instead).

The coverage report is shown either way. ``tests/conftest.py`` registers this module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Every skip for a missing service starts with this, so that it can be told from any other.
SERVICE_MISSING = "service unavailable:"

# The options that leave tests out, by their pytest names, as a user types them.
SELECTING = {
    "keyword": "-k",
    "markexpr": "-m",
    "deselect": "--deselect",
    "ignore": "--ignore",
    "ignore_glob": "--ignore-glob",
    "lf": "--lf",
    "stepwise": "--sw",
}

_skipped_for_services: dict[str, int] = {}  # skip reason -> how many tests
_lifted = pytest.StashKey[str]()  # why the floor was not applied in this run


def selection(config: pytest.Config) -> list[str]:
    """What this run selected the tests with; empty when it runs the whole suite."""
    here = config.invocation_params.dir
    suite = [config.rootpath / path for path in config.getini("testpaths")] or [config.rootpath]

    def covers(arg: str, path: Path) -> bool:
        target = (here / arg).resolve()
        return "::" not in arg and (target == path or target in path.parents)

    chosen = []
    if not all(any(covers(arg, path.resolve()) for arg in config.args) for path in suite):
        chosen += config.args
    for name, flag in SELECTING.items():
        value = config.getoption(name, None)
        if isinstance(value, str) and value:
            chosen.append(f"{flag} {value!r}" if " " in value else f"{flag} {value}")
        elif isinstance(value, list):
            chosen += [f"{flag} {item}" for item in value]
        elif value:
            chosen.append(flag)
    return chosen


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
        if reason.startswith(SERVICE_MISSING):
            _skipped_for_services[reason] = _skipped_for_services.get(reason, 0) + 1


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtestloop(session: pytest.Session) -> Any:
    # trylast makes this the innermost wrapper: it runs before pytest-cov checks the floor.
    result = yield
    config = session.config
    coverage = config.pluginmanager.getplugin("_cov")  # pytest-cov's plugin
    if coverage is None or coverage.options.no_cov or config.option.collectonly:
        return result
    floor = coverage.options.cov_fail_under
    reasons = []
    if chosen := selection(config):
        reasons.append(
            f"this run selected part of the suite ({' '.join(chosen)}); "
            "a plain `uv run pytest` runs all of it and enforces the floor"
        )
    if _skipped_for_services and not os.environ.get("CI"):
        reasons.append(
            "tests were skipped for a missing service, and skipped tests cover nothing; "
            "with the services up, or in CI, the floor holds"
        )
    if floor and reasons:
        coverage.options.cov_fail_under = 0
        why = "; and ".join(reasons)
        config.stash[_lifted] = f"Coverage floor of {floor:g}% not applied: {why}."
    return result


@pytest.hookimpl(trylast=True)  # after the coverage report
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lifted = terminalreporter.config.stash.get(_lifted, "")
    if _skipped_for_services and not os.environ.get("CI"):
        terminalreporter.section("services", yellow=True)
        for reason, count in _skipped_for_services.items():
            terminalreporter.write_line(f"skipped {count}: {reason}", yellow=True)
    if lifted:
        terminalreporter.write_line(lifted, yellow=True)
