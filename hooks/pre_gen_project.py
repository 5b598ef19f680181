"""Refuse a bake whose answers would produce a broken project, with one line saying why.

Cookiecutter renders this file with Jinja before running it: the answers and the
original cookiecutter.json (``_cookiecutter``, lists of choices intact) are embedded
below as JSON text inside a Python string literal (``tojson`` twice), so quotes,
backslashes and non-ASCII in an answer cannot break this script. Choices and flags are
derived from cookiecutter.json, so a new option is validated with no edit here.
"""

import json
import keyword
import re
import sys

ANSWERS = json.loads({{ (cookiecutter | tojson) | tojson }})
# cruft create/update call cookiecutter's generate_files without ``_cookiecutter``:
# then only the free-text rules apply (cruft replays answers that were checked at creation).
OPTIONS = json.loads({{ ((_cookiecutter if _cookiecutter is defined else {}) | tojson) | tojson }})

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GITHUB_OWNER = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$")
PERCENT = re.compile(r"^\d+(\.\d+)?$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ONE_LINE_TEXT = ("project_name", "description", "author_name", "author_email")


def free_text_problems(answers):
    """Yield (variable, reason) for each free-text answer that is not allowed."""
    for name in ONE_LINE_TEXT:
        if CONTROL.search(str(answers[name])):
            yield name, "use one line of text, without tabs or other control characters"
    if not str(answers["project_name"]).strip():
        yield "project_name", "it must not be empty"
    if not SLUG.match(str(answers["project_slug"])):
        yield "project_slug", "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
    package = str(answers["package_name"])
    if not (package.isidentifier() and PACKAGE.match(package)):
        yield "package_name", "use a lowercase Python identifier: letters, digits and '_', not starting with a digit"
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        yield "package_name", "it is a Python keyword"
    if not EMAIL.match(str(answers["author_email"])):
        yield "author_email", "use an address like name@example.com"
    if not GITHUB_OWNER.match(str(answers["github_owner"])):
        yield "github_owner", (
            "use lowercase letters, digits and single inner '-', at most 39 characters"
            " (it lands in container image names, which must be lowercase)"
        )
    floor = str(answers["coverage_fail_under"])
    if not (PERCENT.match(floor) and float(floor) <= 100):
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
