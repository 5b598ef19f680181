"""Tidy up after a bake, then say where the project is and what to run first.

Tidy: remove the migrations folders when no file was rendered into them. A folder whose
name renders empty stops cookiecutter ("directory already exists"), so
``src/<package>/migrations/`` always exists and its files carry the condition (services
with a database). Without a database the folders stay empty; this removes them.

Say: the project's path, and the commands of its guide's "First steps" block (README.md; a
library's CONTRIBUTING.md), with the ``cd`` made absolute. The block is read from the guide
just written, so what is printed is what the guide says; copier prints the same
(``_message_after_copy``, made from the same block and HEADER by engine/rendered/copier_yaml.py).
Like the pre-generation hook it imports only what the interpreter has already loaded
(``os``): it runs once per bake, thousands of times in the template's own suite.
"""

import os

MIGRATIONS = os.path.join("src", {{ cookiecutter.package_name | tojson }}, "migrations")
HEADER = "Made {path}. First steps (the top of its README.md, a library's CONTRIBUTING.md):"

for folder in (os.path.join(MIGRATIONS, "versions"), MIGRATIONS):
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)


def first_steps(readme: str) -> list[str]:
    """The commands of the README's first ``sh`` block after "## First steps" (the template's
    tests make sure there is one; a bake never fails for want of it)."""
    section = readme.partition("\n## First steps\n")[2]
    return section.partition("```sh\n")[2].partition("\n```")[0].splitlines()


def quoted(text: str) -> str:
    """``text`` as one shell word: what ``shlex.quote`` gives, without importing it."""
    if text and all(char.isascii() and (char.isalnum() or char in "_@%+=:,./-") for char in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


# A library's README.md is its PyPI page; the team's guide is CONTRIBUTING.md.
guide = "CONTRIBUTING.md" if os.path.exists("CONTRIBUTING.md") else "README.md"
with open(guide, encoding="utf-8") as readme:
    commands = first_steps(readme.read())
path = os.getcwd()
print("", HEADER.format(path=path), "", f"cd {quoted(path)}", *commands[1:], "", sep="\n")
