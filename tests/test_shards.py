"""TEMPLATE_SHARD: every combination in exactly one shard, the same one on every run."""

from __future__ import annotations

import pytest

from engine.ground import combination_id, combinations
from engine.verdicts.matrix import twins
from engine.verdicts.shards import shard, shard_of_id


def test_shards_split_every_combination_once_and_evenly() -> None:
    ids = [combination_id(combo) for combo in combinations()] + [combination_id(t) for t in twins()]
    sizes = [0] * 8
    for each in ids:
        sizes[shard_of_id(each, 8)] += 1
    assert sum(sizes) == len(ids)
    assert max(sizes) < 1.2 * len(ids) / 8, f"uneven shards: {sizes}"


@pytest.mark.parametrize(
    ("combination", "count", "index"),
    [
        ("service-3.11-auto-function-sqlite-none-test_runner_node-ghcr.io-parallel_tests-MIT", 8, 5),
        ("service-3.11-auto-function-sqlite-none-test_runner_node-ghcr.io-parallel_tests-MIT", 5, 3),
        ("library-3.15-strict-session-none-redis-no-test_runner_node-docker.io-no-parallel_tests-Proprietary", 8, 5),
    ],
)
def test_a_combination_keeps_its_shard_from_run_to_run(combination: str, count: int, index: int) -> None:
    """sha256, not Python's salted hash(): the same shard on every run and every machine."""
    assert shard_of_id(combination, count) == index


@pytest.mark.parametrize("value", ["8/8", "1", "a/b", "-1/4"])
def test_a_malformed_shard_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TEMPLATE_SHARD", value)
    with pytest.raises(pytest.UsageError):
        shard()
