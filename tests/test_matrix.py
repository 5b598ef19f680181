"""Every combination of the options, baked with pytest-cookies and checked.

The matrix is the whole Cartesian product of cookiecutter.json's choices and flags.
Each bake is checked for: a clean exit; a context holding exactly the values asked for
(cookiecutter silently ignores unknown extra-context keys, so a typo would test the
defaults); no leftover template syntax; every TOML/YAML/JSON file parsing and every
Python file compiling; the files present being the ones the options call for; the pytest
configuration carrying the chosen values; and its test-relevant rendering being its
runnable twin's, so the twin's suite run (tests/test_suites.py) covers it.
"""

from __future__ import annotations

import shutil
import tomllib
from typing import Any

import pytest
from checks import FileChecker
from expected import config_problems, expected_files
from matrix import combination_id, combinations, fingerprint, twin

CHECKER = FileChecker()
TWIN_FINGERPRINTS: dict[str, str] = {}
PARSED: dict[str, dict[str, Any]] = {}


def _twin_fingerprint(cookies_session: Any, combo: dict[str, Any]) -> str:
    key = combination_id(twin(combo))
    if key not in TWIN_FINGERPRINTS:
        result = cookies_session.bake(extra_context=twin(combo))
        assert result.exception is None, f"twin {key} did not bake: {result.exception}"
        TWIN_FINGERPRINTS[key] = fingerprint(result.project_path)
        shutil.rmtree(result.project_path.parent)
    return TWIN_FINGERPRINTS[key]


@pytest.mark.full_matrix
@pytest.mark.parametrize("combo", list(combinations()), ids=combination_id)
def test_combination_bakes_and_checks(
    cookies_session: Any, combo: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    result = cookies_session.bake(extra_context=combo)
    assert result.exit_code == 0, f"bake failed: {result.exception}"
    assert result.exception is None
    project = result.project_path
    try:
        problems = [
            f"context: {name} is {result.context.get(name)!r}, asked for {value!r}"
            for name, value in combo.items()
            if result.context.get(name) != value
        ]
        hashes, file_problems = CHECKER.problems(project)
        problems += file_problems
        wanted = expected_files(combo, result.context["package_name"])
        problems += [f"{path}: missing" for path in sorted(wanted - hashes.keys())]
        problems += [f"{path}: not called for" for path in sorted(hashes.keys() - wanted)]
        digest = hashes["pyproject.toml"]
        if digest not in PARSED:
            PARSED[digest] = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
        problems += config_problems(combo, PARSED[digest])
        if twin(combo) != combo and fingerprint(project) != _twin_fingerprint(cookies_session, combo):
            problems.append(
                f"test-relevant rendering differs from its twin {combination_id(twin(combo))}: "
                "a metadata option changed src/, tests/ or the test configuration"
            )
    finally:
        shutil.rmtree(project.parent)
    assert not problems, "\n".join(problems)
    request.node.user_properties.append(("combination", combination_id(combo)))
