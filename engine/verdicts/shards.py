"""Sharding the template's run over parallel CI jobs: ``TEMPLATE_SHARD=i/n``.

The template's GitHub workflow (.github/workflows/template-ci.yml) runs ``uv run pytest``
in n jobs; tests/conftest.py keeps each job's share. ``.ci/run`` sets no shard and runs all.
"""

from __future__ import annotations

import hashlib
import os

import pytest

SHARDED_MARKERS = ("full_matrix", "suites")


def shard() -> tuple[int, int] | None:
    """``TEMPLATE_SHARD=i/n`` (0 <= i < n): this run is shard i of n; unset: the whole run."""
    value = os.environ.get("TEMPLATE_SHARD", "")
    if not value:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        raise pytest.UsageError(f"TEMPLATE_SHARD={value!r}: use i/n with 0 <= i < n")
    return int(index), int(count)


def shard_of(item: pytest.Item, count: int) -> int:
    """The shard an item belongs to: a stable hash of its combination, or shard 0.

    The parametrized matrix and suite items (one per combination) are spread by the sha256
    of their id, so each shard's share is the same on every run and every machine; the few
    other tests run in shard 0.
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None or not any(item.get_closest_marker(name) for name in SHARDED_MARKERS):
        return 0
    return shard_of_id(callspec.id, count)


def shard_of_id(combination: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(combination.encode()).digest()[:8], "big") % count
