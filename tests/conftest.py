"""Shared fixtures of the template's suite, its order, and its closing summary (engine/verdicts/summary.py)."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

from engine.ground import combination_id, combinations
from engine.runs.images import STORAGE_VARIABLE, remove_stale_storages, remove_storage
from engine.runs.projects import cache_template_work
from engine.verdicts.shards import shard, shard_of, shard_of_id
from engine.verdicts.summary import RunSummary

# This suite starts thousands of Python processes (hooks, linters, workers) from the same
# environments: let them cache bytecode even where the machine says not to.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Every bake compiles the same templates; do that once per worker (see engine/runs/projects.py).
cache_template_work()

# Bakes are thousands of small files written and removed: on a RAM disk when there is
# one (pytest's own knob for where its temporary directories go).
if os.access("/dev/shm", os.W_OK):
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    """The closing summary (engine/verdicts/summary.py), and one buildah storage for the run's images
    (tests/test_images.py), on disk, not in RAM: named here, before xdist starts its workers,
    so that they all share it."""
    config.pluginmanager.register(RunSummary(matrix_scope), "template-summary")
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


def matrix_scope() -> tuple[str, int]:
    """What the summary's matrix line covers: every combination, or this shard's."""
    if (selected := shard()) is None:
        return "every combination", sum(1 for _ in combinations())
    index, count = selected
    total = sum(1 for combo in combinations() if shard_of_id(combination_id(combo), count) == index)
    return f"every combination of shard {index}/{count}", total
