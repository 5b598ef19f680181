"""Every offered Python that Debian packages runs every dependency set's suite, lint and types.

Python 3.11 runs every suite in tests/test_suites.py; here each other offered Python in a
Debian root (3.13, 3.14, 3.15; 3.12 has no Debian package and is covered by its neighbours)
runs one bake per dependency set, made for that Python: its plain ``uv run pytest``, ruff
and mypy. The engine is engine/runs/pythons.py; the summary line counts each run as
``python-suite`` ("<python> <dependency set>").
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from engine.ground import combination_id
from engine.runs.projects import dependency_key
from engine.runs.pythons import accepting, check_python, other_pythons
from engine.runs.suites import dependency_sets

SETS = dependency_sets()
CASES = [(python, key) for python in other_pythons() for key in sorted(SETS, key=lambda key: combination_id(SETS[key]))]


def case_id(case: tuple[str, str]) -> str:
    python, key = case
    return f"{python}-{combination_id({name: value for name, value in SETS[key].items() if name != 'python_version'})}"


@pytest.mark.suites
@pytest.mark.debian_roots
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_suite_lint_and_types_pass_on_python(
    case: tuple[str, str], cookies_session: Any, request: pytest.FixtureRequest
) -> None:
    python, key = case
    result = cookies_session.bake(extra_context={**SETS[key], "python_version": accepting(python)})
    assert result.exception is None, f"bake failed: {result.exception}"
    pyproject = tomllib.loads((result.project_path / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["requires-python"] == f">={accepting(python)}", "the bake does not accept this Python"
    request.node.user_properties.append(("python-suite", f"{python} {key}"))  # the summary line counts it
    timings = check_python(result.project_path, case_id(case), python, dependency_key(pyproject))
    request.node.user_properties.append(("python-steps", str(timings)))
