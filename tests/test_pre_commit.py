"""The generated pre-commit hooks: pre-commit and prek run them alike, and they bite.

engine/suites.py runs every distinct rendering's hooks with the project's own prek. Here a
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

from engine.projects import project_env, render, run, shared_venv, sync

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
CONFLICT = "<<<<<<< ours\nkept\n=======\ntheirs\n>>>>>>> theirs\n"


def hooks_project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A fresh bake, synced into this worker's shared environment, as a new git repository."""
    project = render(tmp_path, project_kind="library")
    venv = shared_venv(project)
    synced = sync(project, venv)
    assert synced.returncode == 0, f"uv sync failed:\n{synced.stderr}"
    env = project_env(UV_PROJECT_ENVIRONMENT=str(venv), PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))
    for git in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        assert run(git, project, env).returncode == 0
    return project, venv, env


def hook_verdicts(output: str) -> dict[str, str]:
    """Hook name -> Passed/Failed/Skipped, from either runner's report."""
    return {
        name.rstrip("."): verdict
        for name, verdict in re.findall(r"^(.+?)\.+(?:\(no files to check\))?(Passed|Failed|Skipped)$", output, re.M)
    }


@pytest.mark.suites
def test_pre_commit_and_prek_run_the_same_hooks_and_pass(tmp_path: Path) -> None:
    project, venv, env = hooks_project(tmp_path)
    outputs = {}
    for runner in (str(venv / "bin" / "prek"), str(PRE_COMMIT)):
        ran = run([runner, "run", "--all-files", "--color", "never"], project, env)
        assert ran.returncode == 0, f"{runner} failed:\n{ran.stdout}\n{ran.stderr}"
        outputs[Path(runner).name] = hook_verdicts(ran.stdout)
    assert outputs["prek"] == outputs["pre-commit"], outputs
    assert len(outputs["prek"]) == 10 and "mypy" in outputs["prek"], outputs


@pytest.mark.suites
def test_hooks_refuse_what_a_half_applied_refresh_leaves(tmp_path: Path) -> None:
    project, venv, env = hooks_project(tmp_path)
    (project / "docs" / "notes.md").write_text(CONFLICT)
    (project / "pyproject.toml.rej").write_text("@@ a change cruft could not apply @@\n")
    assert run(["git", "add", "--all"], project, env).returncode == 0
    ran = run([str(venv / "bin" / "prek"), "run", "--all-files", "--color", "never"], project, env)
    verdicts = hook_verdicts(ran.stdout)
    assert ran.returncode != 0, ran.stdout
    assert verdicts["no merge-conflict markers"] == "Failed", ran.stdout
    assert "docs/notes.md:1: Merge conflict string '<<<<<<<' found" in ran.stdout
    assert verdicts["no *.rej files"] == "Failed", ran.stdout
    assert "pyproject.toml.rej" in ran.stdout
    failed = {name for name, verdict in verdicts.items() if verdict == "Failed"}
    assert failed == {"no merge-conflict markers", "no *.rej files"}, ran.stdout
