"""The ground reads cookiecutter.json as cookiecutter does: the same defaults, the same
questions, one product of the choices and flags that starts with the defaults."""

from __future__ import annotations

import re

from engine.ground import AXES, DEFAULTS, OPTIONS, TEMPLATE, Option, combinations, context, definition
from engine.verdicts.index import index, readme_index


def test_the_first_combination_is_what_cookiecutter_answers_with_no_input() -> None:
    answers = context()
    assert next(combinations()) == DEFAULTS == {name: answers[name] for name in AXES}


def test_the_options_are_cookiecutter_jsons_questions_in_order() -> None:
    asked = [name for name in definition() if not name.startswith("_")]
    assert list(OPTIONS) == asked
    assert {name: option.kind for name, option in OPTIONS.items() if option.kind != "text"} == {
        name: "flag" if isinstance(definition()[name], bool) else "choice" for name in AXES
    }


def test_a_flag_that_defaults_to_false_is_tried_false_first() -> None:
    """The product is defaults first for every axis, whatever a flag's default."""
    assert Option("dry_run", "flag", False, "Dry run?").values == (False, True)
    assert Option("verbose", "flag", True, "Verbose?").values == (True, False)


def test_readmes_option_index_is_the_one_the_code_gives() -> None:
    """README.md's index of where each option is rendered, checked and proven is read off
    the code: a new option, file or test that names one makes the copy stale here."""
    held = readme_index((TEMPLATE / "README.md").read_text("utf-8"))
    assert held == index(), "README.md's option index is stale: paste `uv run python -m engine.verdicts.index`"


def test_the_index_has_a_row_for_every_option_and_names_files_that_exist() -> None:
    rows = {row.split(" | ")[0]: row.split(" | ")[2:] for row in index().splitlines() if row.startswith("| `")}
    assert list(rows) == [f"| `{name}`" for name in OPTIONS]
    for checked_and_proven in rows.values():
        for path in re.findall(r"`([\w/]+\.py)`", " ".join(checked_and_proven)):
            assert (TEMPLATE / path).is_file(), path
