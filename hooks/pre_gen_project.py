"""Refuse a bake whose answers would produce a broken project, with one line saying why.

Cookiecutter renders this file with Jinja before running it: the answers and the
original cookiecutter.json (``_cookiecutter``, lists of choices intact) are embedded
below as JSON (``tojson``), which is a Python literal once ``true``, ``false`` and
``null`` have names. JSON escapes quotes, backslashes and control characters, so no
answer can break this script. Choices and flags are derived from cookiecutter.json, so a
new option is validated with no edit here.

Every bake runs this hook in a new interpreter, so it imports nothing but ``sys``: a
first import of any other module (json, re, keyword) costs more than the rest of the hook
does (``uv run python benchmarks/matrix.py`` measures bakes). The types are named for mypy
only (``TYPE_CHECKING``, which type checkers take as true), so ``typing`` is not imported.
"""

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

true, false, null = True, False, None
# The answers as one JSON line, however long: not for the formatter or the line limit.
ANSWERS: "dict[str, Any]" = {{ cookiecutter | tojson }}  # noqa: E501  # fmt: skip
# cruft create/update call cookiecutter's generate_files without ``_cookiecutter``:
# then only the free-text rules apply (cruft replays answers that were checked at creation).
OPTIONS: "dict[str, Any]" = {{ (_cookiecutter if _cookiecutter is defined else {}) | tojson }}  # noqa: E501  # fmt: skip
RULES = ANSWERS["_rules"]

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"


def made_of(text: str, allowed: str) -> bool:
    return text != "" and all(char in allowed for char in text)


def has_control_characters(text: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


def is_slug(text: str) -> bool:
    return made_of(text, LOWER + DIGITS + "-_") and text[0] in LOWER + DIGITS


def is_package(text: str) -> bool:
    return made_of(text, LOWER + DIGITS + "_") and text[0] not in DIGITS


def is_keyword(name: str) -> bool:
    """A name that cannot follow ``import`` is a keyword of the Python running the hook."""
    try:
        compile(f"import {name}", "<package_name>", "exec")
    except SyntaxError:
        return True
    return False


def is_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    name, _, top_level = domain.rpartition(".")
    plain = "@" not in domain and not any(char.isspace() for char in text)
    return plain and all((local, name, top_level))


def is_github_owner(text: str) -> bool:
    """Letters of either case, digits and single inner '-', at most 39 characters.

    GitHub owners are case-insensitive; the templates lowercase the owner where it lands in
    a container image name, which must be lowercase.
    """
    inner_dashes = not text.startswith("-") and not text.endswith("-") and "--" not in text
    allowed = LOWER + LOWER.upper() + DIGITS + "-"
    return made_of(text, allowed) and len(text) <= 39 and inner_dashes


def is_percent(text: str) -> bool:
    whole, dot, fraction = text.partition(".")
    number = made_of(whole, DIGITS) and (not dot or made_of(fraction, DIGITS))
    return number and float(text) <= 100


# What each rule in cookiecutter.json's ``_rules`` means; the rules' fields and reasons
# live there, read by this hook and by the validators in copier.yml alike.
CHECKS = {
    "one_line": lambda text: not has_control_characters(text),
    "not_blank": lambda text: bool(text.strip()),
    "slug": is_slug,
    "package": is_package,
    "not_keyword": lambda text: not is_package(text) or not is_keyword(text),
    "email": is_email,
    "github_owner": is_github_owner,
    "percent": is_percent,
}


def free_text_problems(answers: "dict[str, Any]", rules: "list[dict[str, Any]]") -> "Iterator[tuple[str, str]]":
    """Yield (variable, reason) for each free-text answer that is not allowed."""
    for rule in rules:  # a list: Jinja's tojson sorts a mapping's keys, not a list
        for name in rule["fields"]:
            if not CHECKS[rule["check"]](str(answers[name])):
                yield name, rule["reason"]


def option_problems(answers: "dict[str, Any]", options: "dict[str, Any]") -> "Iterator[tuple[str, str]]":
    """Yield (variable, reason) for each choice or flag answer cookiecutter.json does not offer."""
    for name, original in options.items():
        if name.startswith("_") or name not in answers:
            continue
        value = answers[name]
        if isinstance(original, list) and value not in original:
            yield name, "choose one of " + ", ".join(map(str, original))
        elif isinstance(original, bool) and not isinstance(value, bool):
            yield name, "answer true or false"


def main() -> None:
    for name, reason in (*free_text_problems(ANSWERS, RULES), *option_problems(ANSWERS, OPTIONS)):
        print(f"error: {name} {ANSWERS[name]!r} is not allowed: {reason}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
