"""The template's files rendered in memory, the way a bake renders them.

Baking every combination is the matrix check's job (engine/verdicts/checks.py). Files that only a
few options shape (the container and CI files, the files repo-review and a build read)
are rendered here instead, with cookiecutter's own context and Jinja environment, once
per combination and without writing a project; tests/test_ci_files.py proves the
shortcut faithful against real bakes.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from engine.ground import OPTIONS, PROJECT, Combination, combinations, context, jinja_env

# The container and CI files, as template paths relative to the generated project.
CI_FILES = sorted(
    path.relative_to(PROJECT).as_posix()
    for path in [
        *(PROJECT / "docker").iterdir(),
        # `*.yml*`: also a conditional name, `{% if ... %}name.yml{% endif %}`.
        *(PROJECT / ".github").rglob("*.yml*"),
        *PROJECT.glob("*compose.yaml*"),
        PROJECT / ".dockerignore",
    ]
    if path.is_file()
)


@functools.cache
def kind_defaults() -> dict[str, Combination]:
    """cookiecutter's context with every default, for each project kind.

    The names' defaults follow the kind (cookiecutter.json asks ``project_kind`` first: a
    library is not called "Async Service"), and nothing else derives from a choice.
    """
    return {kind: context({"project_kind": kind}) for kind in OPTIONS["project_kind"].choices}


def shared_names() -> Combination:
    """The names every in-memory rendering of the CI files takes (see ``renderings``)."""
    return {"project_name": kind_defaults()["service"]["project_name"]}


def with_defaults(combination: Combination) -> Combination:
    """The combination's choices in the context of its kind's defaults, as a bake sees it."""
    return {**kind_defaults()[combination["project_kind"]], **combination}


@functools.cache
def renderings() -> list[tuple[Combination, dict[str, str]]]:
    """The CI files of every combination, rendered path -> content (equal contents shared).

    Every combination takes the same names (the service's defaults): the names are free
    text, and one set of them keeps a library's files equal to a service's wherever only
    the default name would tell them apart, so a distinct rendering is a distinct shape
    (and an image is built once for it). The kinds' own default names are proven by the
    bakes and the copier proof.
    """
    base = kind_defaults()["service"]
    env = jinja_env()
    templates = [(env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in CI_FILES]
    shared: dict[str, str] = {}
    return [
        (
            combination,
            {
                path: shared.setdefault(content, content)
                for path, content in render_ci_files(templates, {**base, **combination}).items()
            },
        )
        for combination in combinations()
    ]


def distinct_files() -> dict[tuple[str, str], Combination]:
    """Each distinct (rendered path, content), with the first combination that makes it."""
    distinct: dict[tuple[str, str], Combination] = {}
    for combination, files in renderings():
        for path, content in files.items():
            distinct.setdefault((path, content), combination)
    return distinct


def renderings_of(wanted: str) -> list[tuple[str, Combination]]:
    """(content, first combination making it) of every distinct rendering of one file."""
    return [(content, combination) for (path, content), combination in distinct_files().items() if path == wanted]


def render_ci_files(templates: list[Any], cookiecutter: Combination) -> dict[str, str]:
    rendered = {}
    for name, content in templates:
        path = name.render(cookiecutter=cookiecutter)
        if not path.endswith("/") and path.rsplit("/", 1)[-1]:
            rendered[path] = content.render(cookiecutter=cookiecutter)
    return rendered


def in_memory(combination: Combination) -> dict[str, str]:
    """The CI files of one combination, rendered the way a bake renders them."""
    cookiecutter = context(combination)
    env = jinja_env()
    templates = [(env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in CI_FILES]
    return render_ci_files(templates, cookiecutter)


# Template paths (relative to the generated project) whose contents repo-review reads.
REVIEWED = sorted(
    path.relative_to(PROJECT).as_posix()
    for path in [
        PROJECT / "pyproject.toml",
        PROJECT / ".pre-commit-config.yaml",
        # `*.yml*`: also a conditional name, `{% if ... %}name.yml{% endif %}`.
        *(PROJECT / ".github").rglob("*.yml*"),
    ]
)


@functools.cache
def reviewed_renderings() -> dict[str, tuple[Combination, dict[str, str]]]:
    """Digest of each distinct set of reviewed files -> (first combination, its files)."""
    base = context()
    env = jinja_env()
    templates = [
        (env.from_string(name), env.from_string((PROJECT / name).read_text()))
        for name in REVIEWED
        if not name.startswith(".github/")  # rendered already, with the CI files
    ]
    distinct: dict[str, tuple[Combination, dict[str, str]]] = {}
    for combination, ci_files in renderings():  # the names as renderings() has them
        files = render_ci_files(templates, {**base, **combination})
        files.update({path: text for path, text in ci_files.items() if path.startswith(".github/")})
        digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()
        distinct.setdefault(digest, (combination, files))
    return distinct
