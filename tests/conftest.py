"""Shared fixtures of the template's suite and its one-line summary."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

from engine.images import STORAGE_VARIABLE, remove_stale_storages, remove_storage
from engine.matrix import combination_id, combinations
from engine.projects import cache_template_work
from engine.shards import shard, shard_of, shard_of_id

# This suite starts thousands of Python processes (hooks, linters, workers) from the same
# environments: let them cache bytecode even where the machine says not to.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Every bake compiles the same templates; do that once per worker (see engine/projects.py).
cache_template_work()

# Bakes are thousands of small files written and removed: on a RAM disk when there is
# one (pytest's own knob for where its temporary directories go).
if os.access("/dev/shm", os.W_OK):
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    """One buildah storage for the run's images (tests/test_images.py), on disk, not in RAM:
    named here, before xdist starts its workers, so that they all share it."""
    if not hasattr(config, "workerinput") and STORAGE_VARIABLE not in os.environ:
        os.environ[STORAGE_VARIABLE] = f"/var/tmp/template-images-{uuid.uuid4().hex[:12]}"
        remove_stale_storages()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove everything the run built, once every worker is done."""
    if not hasattr(session.config, "workerinput") and STORAGE_VARIABLE in os.environ:
        remove_storage(Path(os.environ[STORAGE_VARIABLE]))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that need the Debian roots after the matrix; with TEMPLATE_SHARD set, keep
    this shard's items only (the template's GitHub workflow)."""
    roots_after_the_matrix(items)
    selected = shard()
    if selected is None:
        return
    index, count = selected
    keep = [item for item in items if shard_of(item, count) == index]
    config.hook.pytest_deselected(items=[item for item in items if shard_of(item, count) != index])
    items[:] = keep


def roots_after_the_matrix(items: list[pytest.Item]) -> None:
    """Move the tests marked ``debian_roots`` to just after the last ``full_matrix`` one.

    ``.ci/run`` makes the roots in the background while the suite starts; a test that needs
    one waits for it, and its worker idles. Collected in file order they come early; after
    the matrix's bakes, the roots are made by the time a worker reaches them.
    """
    roots = [item for item in items if item.get_closest_marker("debian_roots")]
    rest = [item for item in items if not item.get_closest_marker("debian_roots")]
    matrix = [index for index, item in enumerate(rest) if item.get_closest_marker("full_matrix")]
    after = matrix[-1] + 1 if matrix else 0
    items[:] = [*rest[:after], *roots, *rest[after:]]


def _count(reports: list[pytest.TestReport], key: str) -> set[str]:
    return {
        value
        for report in reports
        for name, value in report.user_properties
        if name == key and report.when == "call"
    }


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Close with two lines: the matrix and the suites, then what ran beyond Python 3.11::

        every combination: N/N baked and checked; M distinct generated suites run, all passed
        images: B built, G gate runs inside them; pythons: 3.11, 3.13, ... ran S suites; lowest-direct: L/L dependency sets green

    The second line has the parts that ran (tests/test_images.py, tests/test_pythons.py,
    tests/test_minimum_versions.py); S counts the 3.11 suites with the others'.
    """
    if hasattr(config, "workerinput"):
        return
    stats = terminalreporter.stats
    passed = stats.get("passed", [])
    failed = stats.get("failed", [])
    where, total = "every combination", sum(1 for _ in combinations())
    if (selected := shard()) is not None:
        index, count = selected
        where = f"every combination of shard {index}/{count}"
        total = sum(1 for combo in combinations() if shard_of_id(combination_id(combo), count) == index)
    checked = len(_count(passed, "combination"))
    ran = _count(passed, "suite")
    broken = _count(failed, "suite")
    verdict = "all passed" if not broken else f"{len(broken)} failed"
    terminalreporter.write_line(
        f"{where}: {checked}/{total} baked and checked; "
        f"{len(ran | broken)} distinct generated suites run, {verdict}"
    )
    parts = []
    if _count(passed + failed, "image"):  # tests/test_images.py ran
        built, gates = _count(passed, "image"), _count(passed, "gate-run")
        parts.append(f"images: {len(built)} built, {len(gates)} gate runs inside them")
    if others := _count(passed, "python-suite"):  # tests/test_pythons.py ran: "3.13 <set>"
        pythons = sorted({"3.11"} | {value.split()[0] for value in others}, key=lambda v: tuple(map(int, v.split("."))))
        parts.append(f"pythons: {', '.join(pythons)} ran {len(ran) + len(others)} suites")
    green, lowest = _count(passed, "lowest-direct"), _count(passed + failed, "lowest-direct")
    if lowest:  # tests/test_minimum_versions.py ran
        parts.append(f"lowest-direct: {len(green)}/{len(lowest)} dependency sets green")
    if parts:
        terminalreporter.write_line("; ".join(parts))
