"""Proof that copier renders every combination exactly as cookiecutter does, cheaply.

A real ``copier copy`` per combination would cost as much as the matrix bakes. Instead,
each template file (its path and its content) is rendered with copier's own Jinja
environment and context and with cookiecutter's, once per distinct *projection* of the
answers: the values of the ``cookiecutter.<name>`` variables that file reads. Every
combination maps to one projection per file, so equal renderings for every projection are
equal renderings for every combination. tests/test_copier.py also copies a few
combinations with copier for real and compares them byte for byte with cookiecutter's
bakes: the shortcut renders what the tools render.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2 import nodes

from engine.copier_yaml import ANSWERS_FILE, COPIER_YML
from engine.ground import PROJECT, TEMPLATE, Combination, combination_id, combinations, jinja_env, project_files
from engine.renderings import with_defaults

WHOLE = "*"  # a file that reads the whole ``cookiecutter`` mapping depends on every answer


def variables_read(env: jinja2.Environment, source: str) -> set[str]:
    """The ``cookiecutter.<name>`` variables a template reads (WHOLE: all of them)."""
    tree = env.parse(source)
    used: set[str] = set()
    attributes = {id(node.node) for node in tree.find_all(nodes.Getattr)}
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "cookiecutter":
            used.add(node.attr)
    for name in tree.find_all(nodes.Name):
        if name.name == "cookiecutter" and id(name) not in attributes:
            used.add(WHOLE)
    return used


@functools.cache
def copier_env() -> jinja2.Environment:
    from copier._main import Worker  # copier's own environment: its extensions and envops
    from copier.errors import DirtyLocalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)  # a working copy with edits
        return Worker(src_path=str(TEMPLATE), dst_path=Path("unused")).jinja_env


@functools.cache
def copier_questions() -> dict[str, Any]:
    config = yaml.safe_load(COPIER_YML.read_text("utf-8"))
    return {name: spec for name, spec in config.items() if not name.startswith("_")}


def copier_context(combination: Combination) -> dict[str, Any]:
    """What copier's templates see as ``cookiecutter`` for these answers (``--defaults``).

    Defaults are rendered in question order, as copier does. An answer given (``--data``)
    is used whether or not the question is asked: ``when`` decides only the asking, as it
    does in copier. Literal defaults are read once; only the templated ones are rendered
    per combination.
    """
    answers: dict[str, Any] = {"_copier_conf": {"answers_file": ANSWERS_FILE}}
    for name, spec in copier_questions().items():
        if name in combination:
            answers[name] = combination[name]
            continue
        default = spec.get("default")
        if isinstance(default, str) and "{" in default:
            default = _compiled(default).render(**answers)
        if spec.get("type") == "json":
            default = json.loads(default)
        answers[name] = default
    return dict(answers["cookiecutter"])


def asked(name: str, answers: dict[str, Any]) -> bool:
    """Whether copier asks this question after these answers (its ``when``)."""
    when = copier_questions()[name].get("when", True)
    return _compiled(when).render(**answers).strip() == "True" if isinstance(when, str) else bool(when)


@functools.cache
def _compiled(source: str) -> jinja2.Template:
    return copier_env().from_string(source)


def _projection(context: dict[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    if WHOLE in names:
        return tuple(sorted(context.items()))
    return tuple(context.get(name) for name in names)


def _path(rendered: str) -> str | None:
    """A rendered template path, or None when a part renders empty (the file is skipped)."""
    parts = rendered.split("/")
    return None if any(not part for part in parts) else rendered


def differences(limit: int = 20) -> Iterator[str]:
    """Each (file, combination) whose copier rendering differs from cookiecutter's.

    Also yields a line when a context value differs in a way no file reads (nothing, if
    the proof holds), so a question copier gets wrong cannot hide.
    """
    cc_env = jinja_env()
    co_env = copier_env()
    files = []
    for name in project_files():
        source = (PROJECT / name).read_text("utf-8")
        reads = tuple(sorted(variables_read(cc_env, name) | variables_read(cc_env, source)))
        templates = (
            (cc_env.from_string(name), cc_env.from_string(source)),
            (co_env.from_string(name), co_env.from_string(source)),
        )
        files.append((name, templates, reads))
    rendered: dict[tuple[Any, ...], str | None] = {}
    found = 0
    for combination in combinations():
        cookiecutter = with_defaults(combination)
        copier = copier_context(combination)
        for name, templates, reads in files:
            key = (name, _projection(cookiecutter, reads), _projection(copier, reads))
            if key in rendered:
                verdict = rendered[key]
            else:
                verdict = rendered[key] = _compare(templates, cookiecutter, copier)
            if verdict is not None:
                found += 1
                yield f"{combination_id(combination)}: {name}: {verdict}"
                if found >= limit:
                    return


def _compare(templates: Any, cookiecutter: dict[str, Any], copier: dict[str, Any]) -> str | None:
    """What differs between cookiecutter's and copier's rendering of one file, or None."""
    (cc_name, cc_source), (co_name, co_source) = templates
    cc_path = _path(cc_name.render(cookiecutter=cookiecutter))
    co_path = _path(co_name.render(cookiecutter=copier))
    if cc_path != co_path:
        return f"cookiecutter writes {cc_path!r}, copier {co_path!r}"
    if cc_path is None:
        return None
    cc_text = cc_source.render(cookiecutter=cookiecutter)
    co_text = co_source.render(cookiecutter=copier)
    if cc_text != co_text:
        pairs = zip([*cc_text.splitlines(), ""], [*co_text.splitlines(), ""], strict=False)
        line = next(number for number, (a, b) in enumerate(pairs, 1) if a != b)
        return f"contents differ from line {line}"
    return None
