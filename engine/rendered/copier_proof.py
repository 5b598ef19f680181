"""Proof that copier renders every combination exactly as cookiecutter does, cheaply.

A real ``copier copy`` per combination would cost as much as the matrix bakes. Instead,
each template file (its path and its content) is rendered by copier and by cookiecutter
once per distinct *projection* of the answers: the values of the ``cookiecutter.<name>``
variables that file reads. Every combination maps to one projection per file, so equal
renderings for every projection are equal renderings for every combination.

copier renders through its public API only (``run_copy``, ``render_with_copier``): a few
copies of a template made for the purpose, each file of which renders one template source
for many sets of variables in copier's own Jinja environment (built, as for the real
template, from copier.yml's settings). The answers copier derives (``copier_context``)
follow copier.yml's questions in order, each templated default rendered that way too.
tests/test_copier.py also copies a few combinations with copier for real and compares
them byte for byte with cookiecutter's bakes: the shortcut renders what the tools render.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import yaml
from copier import run_copy
from jinja2 import nodes

from engine.ground import PROJECT, Combination, combination_id, combinations, jinja_env, project_files
from engine.rendered.copier_yaml import ANSWERS_FILE, COPIER_YML
from engine.rendered.renderings import with_defaults

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


# What copier builds its Jinja environment from, of copier.yml's settings; the rest
# (questions, exclusions, messages) is the template's, not the environment's.
ENVIRONMENT_SETTINGS = ("_envops", "_jinja_extensions")
JOBS = "proof_jobs"  # the hidden question that hands the jobs to the made template
SEPARATOR = "\x1e"  # between renderings: a control character no template file writes


def render_with_copier(jobs: Sequence[tuple[str, Mapping[str, Any]]], digest: bool = False) -> list[str]:
    """Each (template source, its variables) rendered by copier, in one ``run_copy``.

    The template copied is made here: copier.yml's ``ENVIRONMENT_SETTINGS``, one question
    that is never asked (``JOBS``, given as data: every job's variables, as JSON), and one
    file per distinct source and variable names that renders the source once per job, its
    variables bound by ``{% with %}``, each rendering after a ``SEPARATOR`` and its number.
    With ``digest``, a rendering is its SHA-1 (the ``hash`` filter of the Ansible filters
    copier always loads): thousands of renderings of the 40 kB guide stay small.
    Equal jobs are rendered once.
    """
    if not jobs:
        return []
    distinct: dict[tuple[str, str], int] = {}
    numbers: list[int] = []
    groups: dict[tuple[str, tuple[str, ...]], list[list[Any]]] = {}
    for source, variables in jobs:
        key = (source, json.dumps(variables, sort_keys=True))
        if key not in distinct:
            distinct[key] = len(distinct)
            groups.setdefault((source, tuple(sorted(variables))), []).append([distinct[key], dict(variables)])
        numbers.append(distinct[key])
    config = yaml.safe_load(COPIER_YML.read_text("utf-8"))
    settings = {name: value for name, value in config.items() if name in ENVIRONMENT_SETTINGS}
    made = {"_subdirectory": "files", "_templates_suffix": "", JOBS: {"type": "json", "when": False}}
    rendered: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="copier-proof-") as scratch:
        template, copy = Path(scratch) / "template", Path(scratch) / "copy"
        (template / "files").mkdir(parents=True)
        (template / "copier.yml").write_text(yaml.safe_dump({**settings, **made}), "utf-8")
        for number, (source, names) in enumerate(groups):
            bound = ", ".join(f"{name}=proof_variables[{name!r}]" for name in names)
            body = f"{{% filter hash('sha1') %}}{source}{{% endfilter %}}" if digest else source
            (template / "files" / str(number)).write_text(
                f"{{% for proof_number, proof_variables in {JOBS}[{number}] %}}"
                f"{SEPARATOR}{{{{ proof_number }}}}{SEPARATOR}{{% with {bound} %}}{body}{{% endwith %}}{{% endfor %}}",
                "utf-8",
            )
        run_copy(str(template), str(copy), data={JOBS: json.dumps(list(groups.values()))}, defaults=True, quiet=True)
        for number in range(len(groups)):
            parts = (copy / str(number)).read_text("utf-8").split(SEPARATOR)
            rendered.update(zip(map(int, parts[1::2]), parts[2::2], strict=True))
    return [rendered[number] for number in numbers]


@functools.cache
def copier_questions() -> dict[str, Any]:
    config = yaml.safe_load(COPIER_YML.read_text("utf-8"))
    return {name: spec for name, spec in config.items() if not name.startswith("_")}


def copier_context(combination: Combination) -> dict[str, Any]:
    """What copier's templates see as ``cookiecutter`` for these answers (``--defaults``)."""
    return copier_contexts([combination])[0]


def copier_contexts(answered: Sequence[Combination]) -> list[dict[str, Any]]:
    """``copier_context`` of each combination, rendered together.

    Defaults are rendered in question order, as copier does. An answer given (``--data``)
    is used whether or not the question is asked: ``when`` decides only the asking, as it
    does in copier. Literal defaults are read once; the templated ones are rendered by
    copier, one question at a time for every combination (equal contexts once).
    """
    answers: list[dict[str, Any]] = [{"_copier_conf": {"answers_file": ANSWERS_FILE}} for _ in answered]
    for name, spec in copier_questions().items():
        default = spec.get("default")
        pending = [index for index, combination in enumerate(answered) if name not in combination]
        if isinstance(default, str) and "{" in default:
            values = render_with_copier([(default, answers[index]) for index in pending])
        else:
            values = [default] * len(pending)
        for index, combination in enumerate(answered):
            if name in combination:
                answers[index][name] = combination[name]
        for index, value in zip(pending, values, strict=True):
            answers[index][name] = json.loads(value) if spec.get("type") == "json" else value
    return [dict(each["cookiecutter"]) for each in answers]


def asked(answers: dict[str, Any]) -> list[str]:
    """The questions copier asks after these answers (their ``when``), in order."""
    questions = copier_questions()
    whens = {name: spec.get("when", True) for name, spec in questions.items()}
    templated = [name for name, when in whens.items() if isinstance(when, str)]
    rendered = dict(zip(templated, render_with_copier([(whens[name], answers) for name in templated]), strict=True))
    return [
        name
        for name, when in whens.items()
        if (rendered[name].strip() == "True" if isinstance(when, str) else bool(when))
    ]


def _projection(context: dict[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    if WHOLE in names:
        return tuple(sorted(context.items()))
    return tuple(context.get(name) for name in names)


def _read(context: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The part of a context a template reads (``variables_read``)."""
    return context if WHOLE in names else {name: context[name] for name in names if name in context}


def _path(rendered: str) -> str | None:
    """A rendered template path, or None when a part renders empty (the file is skipped)."""
    parts = rendered.split("/")
    return None if any(not part for part in parts) else rendered


def differences(limit: int = 20) -> Iterator[str]:
    """Each (file, combination) whose copier rendering differs from cookiecutter's.

    Also yields a line when a context value differs in a way no file reads (nothing, if
    the proof holds), so a question copier gets wrong cannot hide. A content that differs
    is shown as a unified diff, cookiecutter's rendering first.
    """
    cc_env = jinja_env()
    files = []
    for name in project_files():
        source = (PROJECT / name).read_text("utf-8")
        reads = tuple(sorted(variables_read(cc_env, name) | variables_read(cc_env, source)))
        files.append((name, source, cc_env.from_string(name), cc_env.from_string(source), reads))
    every = list(combinations())
    contexts = copier_contexts(every)
    # Each distinct (file, projection) once: the projections of both tools' contexts, and
    # the first combination and contexts that make them.
    keys: dict[tuple[Any, ...], tuple[Combination, dict[str, Any], dict[str, Any]]] = {}
    per_combination = []
    for combination, copier in zip(every, contexts, strict=True):
        cookiecutter = with_defaults(combination)
        row = []
        for name, _source, _cc_name, _cc_source, reads in files:
            key = (name, _projection(cookiecutter, reads), _projection(copier, reads))
            keys.setdefault(key, (combination, cookiecutter, copier))
            row.append(key)
        per_combination.append((combination, row))
    sources = {name: (source, cc_name, cc_source) for name, source, cc_name, cc_source, _ in files}
    reads_of = {name: reads for name, *_, reads in files}
    # copier sees what the file reads of its context (all of it for WHOLE): equal for a key.
    jobs = [(key[0], {"cookiecutter": _read(copier, reads_of[key[0]])}) for key, (_, _, copier) in keys.items()]
    co_paths = render_with_copier(jobs)
    co_digests = render_with_copier([(sources[name][0], context) for name, context in jobs], digest=True)
    verdicts: dict[tuple[Any, ...], str | None] = {}
    for (key, (_, cookiecutter, _)), co_path, co_digest in zip(keys.items(), co_paths, co_digests, strict=True):
        _, cc_name, cc_source = sources[key[0]]
        verdicts[key] = _compare(cc_name, cc_source, cookiecutter, co_path, co_digest)
    found = ((combination, key) for combination, row in per_combination for key in row if verdicts[key] is not None)
    failing = list(itertools.islice(found, limit))
    # Contents that differ: shown as a unified diff, copier's text rendered for them alone.
    shown = sorted({key for _, key in failing if verdicts[key] == CONTENTS_DIFFER}, key=repr)
    texts = render_with_copier([(sources[key[0]][0], {"cookiecutter": keys[key][2]}) for key in shown])
    diffs = {
        key: unified_diff(*sources[key[0]][1:], keys[key][1], text) for key, text in zip(shown, texts, strict=True)
    }
    for combination, key in failing:
        yield f"{combination_id(combination)}: {key[0]}: {diffs.get(key, verdicts[key])}"


CONTENTS_DIFFER = "contents differ"


def _compare(
    cc_name: jinja2.Template, cc_source: jinja2.Template, cookiecutter: dict[str, Any], co_path: str, co_digest: str
) -> str | None:
    """What differs between cookiecutter's and copier's rendering of one file, or None.

    copier's path is its rendering; its content, the SHA-1 of its rendering.
    """
    cc_path = _path(cc_name.render(cookiecutter=cookiecutter))
    if cc_path != _path(co_path):
        return f"cookiecutter writes {cc_path!r}, copier {_path(co_path)!r}"
    if cc_path is None:
        return None
    cc_text = cc_source.render(cookiecutter=cookiecutter)
    return None if hashlib.sha1(cc_text.encode("utf-8")).hexdigest() == co_digest else CONTENTS_DIFFER


def unified_diff(
    cc_name: jinja2.Template, cc_source: jinja2.Template, cookiecutter: dict[str, Any], co_text: str
) -> str:
    """A content that differs, as a unified diff from cookiecutter's rendering to copier's."""
    path = cc_name.render(cookiecutter=cookiecutter)
    cc_text = cc_source.render(cookiecutter=cookiecutter)
    lines = difflib.unified_diff(
        cc_text.splitlines(keepends=True), co_text.splitlines(keepends=True), f"cookiecutter/{path}", f"copier/{path}"
    )
    return f"{CONTENTS_DIFFER}:\n" + "".join(lines)
