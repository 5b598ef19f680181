"""copier renders the same tree as cookiecutter: every combination, every file, every byte.

copier.yml is generated from cookiecutter.json (engine/copier_yaml.py); the proof that
copier's rendering of each file equals cookiecutter's for every combination is in
engine/copier_proof.py; a few real ``copier copy`` runs from a git copy of the template,
compared with cookiecutter's bakes, prove that proof's shortcut faithful.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy

from engine import copier_proof
from engine.copier_yaml import ANSWERS_FILE, COPIER_YML, render
from engine.matrix import CONFIG, DEFAULTS, combination_id
from engine.projects import render as bake
from engine.template_repo import copy_template


def test_copier_yml_is_generated_from_cookiecutter_json() -> None:
    assert COPIER_YML.read_text("utf-8") == render(), (
        "copier.yml is stale: run `uv run python -m engine.copier_yaml` and commit it"
    )


def test_copier_asks_every_cookiecutter_question_with_its_default() -> None:
    questions = copier_proof.copier_questions()
    asked = [name for name in questions if name != "cookiecutter"]
    assert asked == [name for name in CONFIG if not name.startswith("_")]
    defaults = copier_proof.copier_context({})
    cookiecutter = copier_proof.context_for({})
    assert {name: defaults[name] for name in asked} == {name: cookiecutter[name] for name in asked}


def test_a_library_is_never_asked_about_services() -> None:
    questions = copier_proof.copier_questions()
    library = copier_proof.copier_context({"project_kind": "library", "database": "postgres", "cache": "redis"})
    assert (library["database"], library["cache"]) == (DEFAULTS["database"], DEFAULTS["cache"])
    assert all("when" in questions[name] for name in ("database", "cache"))


def test_copier_renders_every_file_of_every_combination_as_cookiecutter_does() -> None:
    differences = list(copier_proof.differences())
    assert not differences, "\n".join(differences)


def test_the_proof_sees_a_file_that_renders_differently() -> None:
    """The proof can fail: a filter copier has and cookiecutter lacks is a difference."""
    files = copier_proof.template_files()
    assert "README.md" in files and len(files) > 40
    env = copier_proof.copier_env()
    assert copier_proof.variables_read(env, "{{ cookiecutter.a }}{{ cookiecutter['b'] }}") == {"a", copier_proof.WHOLE}


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else None
        for path in root.rglob("*")
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
