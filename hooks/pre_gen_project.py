"""Refuse a bake whose answers would produce a broken project, with one line saying why.

Cookiecutter renders this file with Jinja before running it: the answers and the
original cookiecutter.json (``_cookiecutter``, lists of choices intact) are embedded
below as JSON (``tojson``), which is a Python literal once ``true``, ``false`` and
``null`` have names. JSON escapes quotes, backslashes and control characters, so no
answer can break this script. Choices and flags are derived from cookiecutter.json, so a
new option is validated with no edit here.

Every bake runs this hook in a new interpreter, so it imports nothing but ``sys``: a
first import of any other module (json, re, keyword) costs more than the rest of the hook
does (``uv run python benchmarks/matrix.py`` measures bakes).
"""

import sys

true, false, null = True, False, None
ANSWERS = {{ cookiecutter | tojson }}
# cruft create/update call cookiecutter's generate_files without ``_cookiecutter``:
# then only the free-text rules apply (cruft replays answers that were checked at creation).
OPTIONS = {{ (_cookiecutter if _cookiecutter is defined else {}) | tojson }}

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
ONE_LINE_TEXT = ("project_name", "description", "author_name", "author_email")


def made_of(text, allowed):
    return text != "" and all(char in allowed for char in text)


def has_control_characters(text):
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


def is_slug(text):
    return made_of(text, LOWER + DIGITS + "-_") and text[0] in LOWER + DIGITS


def is_package(text):
    return made_of(text, LOWER + DIGITS + "_") and text[0] not in DIGITS


def is_keyword(name):
    """A name that cannot follow ``import`` is a keyword of the Python running the hook."""
    try:
        compile(f"import {name}", "<package_name>", "exec")
    except SyntaxError:
        return True
    return False


def is_email(text):
    local, _, domain = text.partition("@")
    name, _, top_level = domain.rpartition(".")
    plain = "@" not in domain and not any(char.isspace() for char in text)
    return plain and all((local, name, top_level))


def is_github_owner(text):
    """Letters of either case, digits and single inner '-', at most 39 characters.

    GitHub owners are case-insensitive; the templates lowercase the owner where it lands in
    a container image name, which must be lowercase.
    """
    inner_dashes = not text.startswith("-") and not text.endswith("-") and "--" not in text
    allowed = LOWER + LOWER.upper() + DIGITS + "-"
    return made_of(text, allowed) and len(text) <= 39 and inner_dashes


def is_percent(text):
    whole, dot, fraction = text.partition(".")
    number = made_of(whole, DIGITS) and (not dot or made_of(fraction, DIGITS))
    return number and float(text) <= 100


def free_text_problems(answers):
    """Yield (variable, reason) for each free-text answer that is not allowed."""
    for name in ONE_LINE_TEXT:
        if has_control_characters(str(answers[name])):
            yield name, "use one line of text, without tabs or other control characters"
    if not str(answers["project_name"]).strip():
        yield "project_name", "it must not be empty"
    if not is_slug(str(answers["project_slug"])):
        yield "project_slug", "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
    package = str(answers["package_name"])
    if not is_package(package):
        yield "package_name", "use a lowercase Python identifier: letters, digits and '_', not starting with a digit"
    elif is_keyword(package):
        yield "package_name", "it is a Python keyword"
    if not is_email(str(answers["author_email"])):
        yield "author_email", "use an address like name@example.com"
    if not is_github_owner(str(answers["github_owner"])):
        yield "github_owner", (
            "use letters, digits and single inner '-', at most 39 characters"
            " (a GitHub user or organisation name)"
        )
    if not is_percent(str(answers["coverage_fail_under"])):
        yield "coverage_fail_under", "use a number from 0 to 100"


def option_problems(answers, options):
    """Yield (variable, reason) for each choice or flag answer cookiecutter.json does not offer."""
    for name, original in options.items():
        if name.startswith("_") or name not in answers:
            continue
        value = answers[name]
        if isinstance(original, list) and value not in original:
            yield name, "choose one of " + ", ".join(map(str, original))
        elif isinstance(original, bool) and not isinstance(value, bool):
            yield name, "answer true or false"


def main():
    for name, reason in (*free_text_problems(ANSWERS), *option_problems(ANSWERS, OPTIONS)):
        print(f"error: {name} {ANSWERS[name]!r} is not allowed: {reason}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
