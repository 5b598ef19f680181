"""copier renders the same tree as cookiecutter: every combination, every file, every byte.

copier.yml is generated from cookiecutter.json (engine/rendered/copier_yaml.py); the proof that
copier's rendering of each file equals cookiecutter's for every combination is in
engine/rendered/copier_proof.py; a few real ``copier copy`` runs from a git copy of the template,
compared with cookiecutter's bakes, prove that proof's shortcut faithful. A session at
copier's prompt, driven as a person types, and the default slug, letter by letter against
cookiecutter's ``slugify``, show the questions behave as cookiecutter's do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import jinja2
import pexpect
import pytest
import yaml
from copier import run_copy

from engine.ground import DEFAULTS, OPTIONS, RULES, combination_id, context, jinja_env, project_files
from engine.rendered import copier_proof
from engine.rendered.copier_yaml import ANSWERS_FILE, COPIER_YML, TRANSLITERATED, render
from engine.runs.projects import render as bake
from engine.runs.template_repo import copy_template

REASONS = {rule.check: rule.reason for rule in RULES}


def test_copier_yml_is_generated_from_cookiecutter_json() -> None:
    assert COPIER_YML.read_text("utf-8") == render(), (
        "copier.yml is stale: run `uv run python -m engine.rendered.copier_yaml` and commit it"
    )


def test_copier_asks_every_cookiecutter_question_with_its_default() -> None:
    questions = copier_proof.copier_questions()
    asked = [name for name in questions if name != "cookiecutter"]
    assert asked == list(OPTIONS)
    slugs = {}
    for kind in OPTIONS["project_kind"].choices:
        defaults = copier_proof.copier_context({"project_kind": kind})
        cookiecutter = context({"project_kind": kind})
        assert {name: defaults[name] for name in asked} == {name: cookiecutter[name] for name in asked}, kind
        slugs[kind] = cookiecutter["project_slug"]
    # The names' defaults follow the kind: a library baked next to a service has a folder of its own.
    assert slugs == {"service": "async-service", "library": "async-library"}


def test_a_library_is_never_asked_about_services() -> None:
    asked = {kind: copier_proof.asked({"project_kind": kind}) for kind in OPTIONS["project_kind"].choices}
    assert asked["service"] == list(OPTIONS)
    assert [name for name in asked["service"] if name not in asked["library"]] == ["database", "cache"]


def test_copier_renders_every_file_of_every_combination_as_cookiecutter_does() -> None:
    differences = list(copier_proof.differences())
    assert not differences, "\n".join(differences)


def test_the_proof_sees_a_file_that_renders_differently() -> None:
    """The proof can fail: a filter copier has and cookiecutter lacks is a difference."""
    files = project_files()
    assert "pyproject.toml" in files and len(files) > 40
    env = jinja2.Environment()
    assert copier_proof.variables_read(env, "{{ cookiecutter.a }}{{ cookiecutter['b'] }}") == {"a", copier_proof.WHOLE}


def test_the_proof_compares_copiers_own_rendering_and_shows_a_difference_as_a_diff() -> None:
    """copier's digest is the SHA-1 of copier's rendering (a filter cookiecutter lacks works
    in it); a content that differs is reported as a unified diff of the rendered file."""
    source = "name = {{ cookiecutter.name | to_json }}\nkind = {{ cookiecutter.kind }}\n"
    context = {"cookiecutter": {"name": "Café", "kind": "service"}}
    (text,) = copier_proof.render_with_copier([(source, context)])
    (digest,) = copier_proof.render_with_copier([(source, context)], digest=True)
    assert text == 'name = "Caf\\u00e9"\nkind = service\n'
    assert digest == hashlib.sha1(text.encode()).hexdigest()
    env = jinja2.Environment(keep_trailing_newline=True)
    cookiecutter = env.from_string("name = {{ cookiecutter.name }}\nkind = {{ cookiecutter.kind }}\n")
    diff = copier_proof.unified_diff(
        env.from_string("pyproject.toml"), cookiecutter, {"name": "Café", "kind": "lib"}, text
    )
    assert diff.splitlines() == [
        "contents differ:",
        "--- cookiecutter/pyproject.toml",
        "+++ copier/pyproject.toml",
        "@@ -1,2 +1,2 @@",
        "-name = Café",
        "-kind = lib",
        '+name = "Caf\\u00e9"',
        "+kind = service",
    ]


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else None for path in root.rglob("*")
    }


REAL_COPIES: list[dict[str, Any]] = [
    {},
    {"project_kind": "library", "database": "postgres", "cache": "redis", "license": "Proprietary"},
    {
        "database": "none",
        "cache": "redis",
        "asyncio_mode": "strict",
        "fixture_loop_scope": "session",
        "parallel_tests": False,
        "test_runner_node": False,
        "container_registry": "docker.io",
        "license": "BSD-3-Clause",
        "python_version": "3.13",
        "project_name": "Café Crème",
    },
    {"database": "postgres", "license": "Apache-2.0", "project_name": "Billing API 2"},
]


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_template(tmp_path_factory.mktemp("copier-template") / "template")


@pytest.mark.parametrize("answers", REAL_COPIES, ids=lambda a: combination_id({**DEFAULTS, **a}))
def test_copier_copy_writes_the_bytes_cookiecutter_bakes(
    template_repo: Path, tmp_path: Path, answers: dict[str, Any]
) -> None:
    baked = bake(tmp_path / "cookiecutter", template_repo, **answers)
    copied = tmp_path / "copier" / baked.name
    run_copy(str(template_repo), copied, data=answers, defaults=True, vcs_ref="HEAD", quiet=True)
    copier_files = _tree(copied)
    recorded = yaml.safe_load(copier_files.pop(ANSWERS_FILE) or b"")
    cookiecutter_files = _tree(baked)
    assert sorted(copier_files) == sorted(cookiecutter_files)
    different = [path for path, data in copier_files.items() if data != cookiecutter_files[path]]
    assert not different, f"copier and cookiecutter differ in {different}"
    asked = {name: value for name, value in answers.items() if name not in ("database", "cache")}
    assert asked.items() <= recorded.items(), json.dumps(recorded, indent=1)
    assert recorded["_src_path"] == str(template_repo)


# At copier's prompt, as a person answers it: a bad answer is asked again with the hook's
# line; a choice is a list with cookiecutter.json's labels; a library is not asked about
# a database or a cache; the project made is the one cookiecutter bakes for those answers.
COPIER = str(Path(sys.executable).parent / "copier")
CLEAR_LINE, DOWN, ENTER = "\x15", "\x1b[B", "\r"


def _label(name: str, choice: str) -> str:
    return OPTIONS[name].choice_label(choice)


def _question(name: str) -> str:
    return OPTIONS[name].label


def test_copier_prompt_asks_again_with_the_hooks_line_and_skips_service_questions(
    template_repo: Path, tmp_path: Path
) -> None:
    answers = {"project_name": "Billing API", "project_slug": "billing-api", "project_kind": "library"}
    made = tmp_path / "copier" / "billing-api"
    child = pexpect.spawn(
        COPIER,
        ["copy", "--vcs-ref=HEAD", str(template_repo), str(made)],
        cwd=str(tmp_path),
        env={**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1"},  # a terminal that answers no cursor queries
        dimensions=(50, 400),
        encoding="utf-8",
        timeout=30,
    )
    transcript = io.StringIO()
    child.logfile_read = transcript
    try:
        child.expect_exact(_question("project_kind"))
        for choice in OPTIONS["project_kind"].choices:
            child.expect_exact(_label("project_kind", choice))
        child.send(DOWN + ENTER)  # the second choice: library
        child.expect_exact(_question("project_name"))
        child.expect_exact("Async Library")  # the default, from the kind
        child.send(CLEAR_LINE + answers["project_name"] + ENTER)
        child.expect_exact(_question("project_slug"))
        child.expect_exact(answers["project_slug"])  # the default, from the name
        child.send(CLEAR_LINE + "Billing API" + ENTER)
        refusal = "project_slug 'Billing API' is not allowed: " + REASONS["slug"]
        child.expect_exact(refusal)
        child.send(CLEAR_LINE + answers["project_slug"] + ENTER)
        later = list(OPTIONS)
        for name in later[later.index("project_slug") + 1 :]:
            if name in ("database", "cache"):
                continue
            child.expect_exact(_question(name))
            child.send(ENTER)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    screen = transcript.getvalue()
    assert child.exitstatus == 0, screen[-3000:]
    assert _question("database") not in screen and _question("cache") not in screen
    assert "Traceback" not in screen
    copier_files = _tree(made)
    recorded = yaml.safe_load(copier_files.pop(ANSWERS_FILE) or b"")
    assert answers.items() <= recorded.items() and "database" not in recorded
    baked = bake(tmp_path / "cookiecutter", template_repo, **answers)
    assert copier_files == _tree(baked)


def test_copier_prompt_lists_every_choice_with_its_label(template_repo: Path) -> None:
    """The list copier shows for each choice question, and none when the answer is given."""
    from copier._main import Worker
    from copier._user_data import AnswersMap, Question

    choices = {name: option.choices for name, option in OPTIONS.items() if option.kind == "choice"}
    first_choices = {name: values[0] for name, values in choices.items()}
    with Worker(src_path=str(template_repo), dst_path=Path("unused"), vcs_ref="HEAD") as worker:
        for data, listed in (({}, True), (first_choices, False)):
            worker.data = data
            for name, value in choices.items():
                question = Question(
                    answers=AnswersMap(init=data),
                    context=worker._render_context(),
                    jinja_env=worker.jinja_env,
                    settings=worker.settings,
                    var_name=name,
                    **worker.template.questions_data[name],
                )
                shown = [
                    (choice.title, choice.value) for choice in question.get_questionary_structure().get("choices", [])
                ]
                expected = [(_label(name, choice), choice) for choice in value] if listed else []
                assert shown == expected, name


# copier's default slug is cookiecutter.json's ``project_name | slugify`` without Jinja
# extensions: the same slug for names in Latin, Greek and Cyrillic letters, digits and
# punctuation. Letters of other scripts are dropped (cookiecutter transliterates them).
NAMES = [
    "Async Service",
    "Café Crème",
    "Straße Köln 2",
    "Øresund Æble",
    "Łódź–Kraków",
    "naïve coöperation",
    "İstanbul Şehir",
    "Tiếng Việt",
    "Привет, мир: подъезд",
    "Ελληνικά Ψ",
    'Quote\'s "API" (v2)',
    "under_score  two--dashes",
    "--x--",
    "Version 1,000, 2",
    "Rocket 🚀 ß",
]


def _slugs(names: list[str]) -> tuple[list[str], list[str]]:
    """(cookiecutter's slug, copier's default slug) of each name."""
    cookiecutter = jinja_env().from_string(OPTIONS["project_slug"].default)
    copier = copier_proof.copier_questions()["project_slug"]["default"]
    return (
        [cookiecutter.render(cookiecutter={"project_name": name}) for name in names],
        copier_proof.render_with_copier([(copier, {"project_name": name}) for name in names]),
    )


def test_copier_default_slug_is_cookiecutters_for_real_names() -> None:
    cookiecutter, copier = _slugs(NAMES)
    assert copier == cookiecutter


def test_copier_default_slug_is_cookiecutters_for_every_transliterated_letter() -> None:
    letters = [chr(code) for first, end in TRANSLITERATED for code in range(first, end) if chr(code).isalpha()]
    names = [f"Ab{letter}c {letter}{letter.lower()}" for letter in letters]
    cookiecutter, copier = _slugs(names)
    different = [
        f"{name!r}: {want!r} != {got!r}"
        for name, want, got in zip(names, cookiecutter, copier, strict=True)
        if want != got
    ]
    assert not different, "\n".join(different[:20])


@pytest.mark.parametrize(
    "answers",
    [{"database": "postgres", "cache": "redis"}, {"project_kind": "library"}],
    ids=["postgres-redis", "library"],
)
def test_copier_prints_the_first_steps_the_hook_prints(
    template_repo: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, Any]
) -> None:
    """copier runs no hook: its ``_message_after_copy`` says what the post-generation hook
    says after a cookiecutter bake (tests/test_hooks.py), without ``--trust``."""
    from engine.rendered.copier_yaml import first_steps_message

    copied = tmp_path / "it's made here" / "async-service"
    run_copy(str(template_repo), copied, data=answers, defaults=True, vcs_ref="HEAD", unsafe=False)
    printed = capfd.readouterr().err.splitlines()
    made = [index for index, line in enumerate(printed) if line.startswith("Made ")]
    assert made, "copier printed no first steps:\n" + "\n".join(printed)
    message = "\n".join(printed[made[0] :]).strip("\n").splitlines()
    assert message == first_steps_message(copied.resolve()), "\n".join(message)
