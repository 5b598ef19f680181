"""The ground reads cookiecutter.json as cookiecutter does: the same defaults, the same
questions, one product of the choices and flags that starts with the defaults."""

from __future__ import annotations

from engine.ground import AXES, DEFAULTS, OPTIONS, Option, combinations, context, definition


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
