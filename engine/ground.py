"""The template as data: its paths, its options, their combinations, how it is rendered.

The one module that reads cookiecutter.json. Everything else asks it: which options there
are (a choice, a flag or free text, with its default and the label the prompt shows), the
rules the pre-generation hook applies to free text, every combination of the choices and
flags, the Python this process runs on, and the context and Jinja environment cookiecutter
renders a bake with. It imports nothing from the rest of the engine and runs nothing.

A new choice or flag in cookiecutter.json is a new axis of ``combinations()``, so it joins
every check that walks them without an edit elsewhere.
"""

from __future__ import annotations

import copy
import itertools
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

# The repository root is the template: cookiecutter.json, hooks/ and the project folder.
TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
COOKIECUTTER_JSON = TEMPLATE / "cookiecutter.json"
HOOKS = TEMPLATE / "hooks"
# The answers file's name: empty under cookiecutter (no file), copier's answers file.
ANSWERS_FILE = "{{cookiecutter.__answers}}"
# The generated project's guide for the people who work on it, First steps first: a
# service's README.md; a library's CONTRIBUTING.md (its README.md is the PyPI page).
GUIDE = PROJECT / '{% if cookiecutter.project_kind == "service" %}README.md{% else %}CONTRIBUTING.md{% endif %}'

# The Python running the engine: the suites, syncs and builds run on it, and a twin
# (engine/verdicts/matrix.py) takes it as its minimum Python.
RUNNING_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

# One set of answers to the choices and flags (and any free text given), by option name.
Combination = dict[str, Any]

_DEFINITION: dict[str, Any] = json.loads(COOKIECUTTER_JSON.read_text("utf-8"))


@dataclass(frozen=True)
class Option:
    """One question of cookiecutter.json, in the terms its prompt asks it."""

    name: str
    kind: Literal["choice", "flag", "text"]
    # A choice's first value, a flag's value, a text's default (Jinja, maybe).
    default: Any
    # The prompt's question (``__prompts__``; the name when there is none).
    label: str
    # A choice's values, in cookiecutter.json's order; empty for a flag or a text.
    choices: tuple[Any, ...] = ()
    # The prompt's text for each choice that has one.
    choice_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def values(self) -> tuple[Any, ...]:
        """The option's axis of the matrix, default first: a text has none."""
        if self.kind == "flag":
            return (self.default, not self.default)
        return self.choices

    def choice_label(self, choice: Any) -> str:
        return self.choice_labels.get(str(choice), str(choice))


@dataclass(frozen=True)
class Rule:
    """One of cookiecutter.json's ``_rules``: what the hook checks in which free-text fields."""

    check: str
    fields: tuple[str, ...]
    reason: str


def _option(name: str, value: Any, prompt: str | dict[str, str] | None) -> Option:
    label = prompt.get("__prompt__", name) if isinstance(prompt, dict) else prompt or name
    labels = {key: text for key, text in prompt.items() if key != "__prompt__"} if isinstance(prompt, dict) else {}
    if isinstance(value, bool):
        return Option(name, "flag", value, label)
    if isinstance(value, list):
        return Option(name, "choice", value[0], label, tuple(value), labels)
    return Option(name, "text", value, label)


# Every question, in cookiecutter.json's order (its private ``_``/``__`` keys are not asked).
OPTIONS: dict[str, Option] = {
    name: _option(name, value, _DEFINITION.get("__prompts__", {}).get(name))
    for name, value in _DEFINITION.items()
    if not name.startswith("_")
}
# The axes of the matrix: each choice and flag, its values default first.
AXES: dict[str, tuple[Any, ...]] = {name: option.values for name, option in OPTIONS.items() if option.values}
# The combination of every default.
DEFAULTS: Combination = {name: values[0] for name, values in AXES.items()}
RULES: tuple[Rule, ...] = tuple(
    Rule(rule["check"], tuple(rule["fields"]), rule["reason"]) for rule in _DEFINITION.get("_rules", [])
)


def definition() -> dict[str, Any]:
    """cookiecutter.json as cookiecutter hands it to the hooks (``_cookiecutter``): a copy."""
    return copy.deepcopy(_DEFINITION)


def combinations() -> Iterator[Combination]:
    """Every combination of every choice and flag (the whole Cartesian product), defaults first."""
    for values in itertools.product(*AXES.values()):
        yield dict(zip(AXES, values, strict=True))


def combination_id(combo: Combination) -> str:
    """A readable test id: the values in cookiecutter.json order, flags as name/no-name."""
    parts = []
    for name, value in combo.items():
        if isinstance(value, bool):
            parts.append(name if value else f"no-{name}")
        else:
            parts.append(str(value))
    return "-".join(parts)


def context(combination: Combination | None = None) -> Combination:
    """What a bake's templates read as ``cookiecutter``: every default, the combination's
    answers over them, the computed ones (names, year) rendered as ``--no-input`` does."""
    made = generate_context(context_file=str(COOKIECUTTER_JSON), extra_context=combination or {})
    return dict(prompt_for_config(made, no_input=True))


def jinja_env() -> StrictEnvironment:
    """A Jinja environment like the one a bake renders files in: the template's extensions,
    undefined names an error, trailing newlines kept."""
    return StrictEnvironment(context={"cookiecutter": _DEFINITION}, keep_trailing_newline=True)


def project_files() -> list[str]:
    """Every file of the project folder, as a template path relative to it, but the answers
    file (``ANSWERS_FILE``)."""
    return sorted(
        path.relative_to(PROJECT).as_posix()
        for path in PROJECT.rglob("*")
        if path.is_file() and path.name != ANSWERS_FILE
    )


def guide(project: Path) -> Path:
    """A rendered project's guide (see ``GUIDE``)."""
    contributing = project / "CONTRIBUTING.md"
    return contributing if contributing.is_file() else project / "README.md"
