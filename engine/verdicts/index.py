"""The option index in README.md: for each option, where it is rendered, checked and proven.

Read off the code, never written by hand, so it cannot drift: an option is *rendered* in
each template file whose text or name reads ``cookiecutter.<option>``; *checked* in each
engine module that names it (``"<option>"``, or as a keyword); *proven* in each test module
that names it. Every option is also proven by the tests that walk every combination or
rendering (``EVERY_OPTION``), which the index says once. ``uv run python -m
engine.verdicts.index`` prints it; tests/test_ground.py holds README.md's copy to it.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.ground import HOOKS, OPTIONS, PROJECT, TEMPLATE

BEGIN = "<!-- option index: uv run python -m engine.verdicts.index -->"
END = "<!-- end of the option index -->"
# The tests that take every option's every value without naming any.
EVERY_OPTION = ("tests/test_matrix.py", "tests/test_suites.py", "tests/test_copier.py")
# Jinja's conditions in a file name say when it exists, not what it is called.
CONDITION = re.compile(r"\{%.*?%\}")


def _readable(path: Path) -> str:
    """A template path as a reader finds it: conditions dropped, names of names kept."""
    name = path.relative_to(PROJECT).as_posix().replace("{% else %}", " or ")
    return CONDITION.sub("", name).replace("{{cookiecutter.package_name}}", "<package>")


def rendered_in(option: str) -> tuple[list[str], int]:
    """(template files and hooks whose text reads the option, how many files exist or not by it)."""
    reads = re.compile(rf"cookiecutter\.{option}\b")
    texts, named = set(), 0
    for path in [*PROJECT.rglob("*"), *HOOKS.glob("*.py")]:
        if not path.is_file():
            continue
        inside = path.is_relative_to(PROJECT)
        if reads.search(path.read_text("utf-8", errors="replace")):
            texts.add(_readable(path) if inside else path.relative_to(TEMPLATE).as_posix())
        if inside and reads.search(" ".join(CONDITION.findall(path.relative_to(PROJECT).as_posix()))):
            named += 1
    return sorted(texts), named


def named_in(option: str, folder: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Python modules under ``folder`` that name the option as a string or a keyword."""
    names = re.compile(rf"""["']{option}["']|\b{option}=""")
    return sorted(
        path.relative_to(TEMPLATE).as_posix()
        for path in (TEMPLATE / folder).rglob("*.py")
        if names.search(path.read_text("utf-8")) and path.relative_to(TEMPLATE).as_posix() not in exclude
    )


def _cell(paths: list[str]) -> str:
    return ", ".join(f"`{path}`" for path in paths) or "—"


def index() -> str:
    """The index as README.md holds it, between ``BEGIN`` and ``END``."""
    lines = [
        BEGIN,
        "",
        f"Every option is also proven by {', '.join(f'`{test}`' for test in EVERY_OPTION)}, which take every value.",
        "",
        "| option | rendered in (the files whose text reads it) | checked in | proven in |",
        "|---|---|---|---|",
    ]
    for name in OPTIONS:
        checked = named_in(name, "engine")
        proven = named_in(name, "tests", exclude=EVERY_OPTION)
        texts, named = rendered_in(name)
        files = _cell(texts) + (f"; and whether {named} files exist" if named else "")
        lines.append(f"| `{name}` | {files} | {_cell(checked)} | {_cell(proven)} |")
    return "\n".join([*lines, "", END])


def readme_index(readme: str) -> str:
    """The index as README.md holds it now (empty when it has none)."""
    start, end = readme.find(BEGIN), readme.find(END)
    return readme[start : end + len(END)] if start >= 0 and end > start else ""


if __name__ == "__main__":
    print(index())
