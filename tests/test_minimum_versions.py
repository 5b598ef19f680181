"""The floors in the generated pyproject.toml are honest: at the oldest versions they allow,
the project's own suite passes.

Once per distinct dependency set (``dependency_key``: requires-python, dependencies and
dependency groups), a representative rendering is baked, synced with
``uv sync --resolution lowest-direct`` (every direct dependency at its floor) into an
environment of its own, and its plain ``pytest`` runs in a fresh process. A floor that no
longer works (a plugin too old for the pytest we ask for, say) fails here, naming the
dependency set, instead of in a downstream resolver. The engine is engine/runs/suites.py's
``dependency_sets`` and ``check_lowest``.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from engine.ground import combination_id
from engine.runs.projects import dependency_key
from engine.runs.suites import check_lowest, dependency_sets

SETS = dependency_sets()
KEYS = sorted(SETS, key=lambda key: combination_id(SETS[key]))


def set_id(key: str) -> str:
    return combination_id(SETS[key])


@pytest.mark.suites
@pytest.mark.parametrize("key", KEYS, ids=set_id)
def test_suite_passes_at_the_floors(
    key: str, cookies_session: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    result = cookies_session.bake(extra_context=SETS[key])
    assert result.exception is None, f"bake failed: {result.exception}"
    pyproject = tomllib.loads((result.project_path / "pyproject.toml").read_text("utf-8"))
    assert dependency_key(pyproject) == key, "the bake's dependency set is not the one rendered in memory"
    floors = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["test"]]
    request.node.user_properties.append(("lowest-direct", key))  # the summary line counts it
    try:
        check_lowest(result.project_path, combination_id(SETS[key]), tmp_path_factory.mktemp("lowest"))
    except AssertionError as failure:
        raise AssertionError(
            f"dependency set {key} ({combination_id(SETS[key])}; {', '.join(floors)}):\n{failure}"
        ) from None
