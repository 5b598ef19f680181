"""The generated pre-commit hooks: pre-commit and prek run them alike, and they bite.

engine/runs/suites.py runs every distinct rendering's hooks with the project's own prek. Here a
fresh library bake (its hooks are the service's, and its environment the quickest) shows
that pre-commit (pinned in this repository's dev group) reads the same file and runs the
same hooks, all passing; and that the hygiene hooks refuse what a half-applied template
refresh leaves behind, each for its own reason.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from engine.runs.processes import add_all
from engine.runs.projects import Project, project_env, render, shared_venv

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
CONFLICT = "<<<<<<< ours\nkept\n=======\ntheirs\n>>>>>>> theirs\n"


def hooks_project(tmp_path: Path) -> Project:
    """A fresh bake, synced into this worker's shared environment, as a new git repository."""
    path = render(tmp_path, project_kind="library")
    env = project_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))
    project = Project(path, "library", shared_venv(path), env)
    project.sync()
    add_all(path)
    return project


def hook_verdicts(output: str) -> dict[str, str]:
    """Hook name -> Passed/Failed/Skipped, from either runner's report."""
    return {
        name.rstrip("."): verdict
        for name, verdict in re.findall(r"^(.+?)\.+(?:\(no files to check\))?(Passed|Failed|Skipped)$", output, re.M)
    }


@pytest.mark.suites
def test_pre_commit_and_prek_run_the_same_hooks_and_pass(tmp_path: Path) -> None:
    project = hooks_project(tmp_path)
    outputs = {
        "prek": hook_verdicts(project.hooks("--color", "never").stdout),
        "pre-commit": hook_verdicts(project.run([str(PRE_COMMIT), "run", "--all-files", "--color", "never"]).stdout),
    }
    assert outputs["prek"] == outputs["pre-commit"], outputs
    assert len(outputs["prek"]) == 10 and "mypy" in outputs["prek"], outputs


@pytest.mark.suites
def test_hooks_refuse_what_a_half_applied_refresh_leaves(tmp_path: Path) -> None:
    project = hooks_project(tmp_path)
    (project.path / "docs" / "notes.md").write_text(CONFLICT)
    (project.path / "pyproject.toml.rej").write_text("@@ a change cruft could not apply @@\n")
    ran = project.hooks("--color", "never", check=False)
    verdicts = hook_verdicts(ran.stdout)
    assert ran.returncode != 0, ran.stdout
    assert verdicts["no merge-conflict markers"] == "Failed", ran.stdout
    assert "docs/notes.md:1: Merge conflict string '<<<<<<<' found" in ran.stdout
    assert verdicts["no *.rej files"] == "Failed", ran.stdout
    assert "pyproject.toml.rej" in ran.stdout
    failed = {name for name, verdict in verdicts.items() if verdict == "Failed"}
    assert failed == {"no merge-conflict markers", "no *.rej files"}, ran.stdout
