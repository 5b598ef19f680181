"""Every combination of the options, baked with pytest-cookies and checked.

The matrix is the whole Cartesian product of cookiecutter.json's choices and flags.
Each bake is checked (engine/verdicts/checks.py) for: a clean exit; a context holding exactly the
values asked for (cookiecutter silently ignores unknown extra-context keys, so a typo
would test the defaults); no leftover template syntax; every TOML/YAML/JSON file parsing
and every Python file compiling; tidy text; the files present being the ones the options
call for (engine/verdicts/expected.py); the pytest configuration carrying the chosen values; and its
test-relevant rendering being its runnable twin's, so that the twin's suite run
(tests/test_suites.py) covers it.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.ground import combination_id, combinations
from engine.verdicts.checks import CombinationChecker

CHECKER = CombinationChecker()


@pytest.mark.full_matrix
@pytest.mark.parametrize("combo", list(combinations()), ids=combination_id)
def test_combination_bakes_and_checks(
    cookies_session: Any, combo: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    problems = CHECKER.check(cookies_session.bake, combo)
    assert not problems, "\n".join(problems)
    request.node.user_properties.append(("combination", combination_id(combo)))
