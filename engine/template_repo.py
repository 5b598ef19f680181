"""A throwaway git copy of the template, for the tools that refresh a project from one.

cruft and copier read a template from a git repository; the refresh tests copy the
template as it is on disk (git-tracked files, uncommitted edits included) into a new
repository, so a change under test is what they see. Everything is a local path: no
network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from engine.ground import TEMPLATE

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def sh(*cmd: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | GIT_ENV
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check:
        assert result.returncode == 0, f"{' '.join(cmd)} in {cwd}:\n{result.stdout}{result.stderr}"
    return result


def commit_all(repo: Path, message: str) -> None:
    if not (repo / ".git").exists():
        sh("git", "init", "-q", "-b", "main", cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "commit", "-q", "-m", message, cwd=repo)


def copy_template(destination: Path) -> Path:
    """The template's git-tracked (and new, unignored) files as they are on disk."""
    listed = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=TEMPLATE)
    for name in filter(None, listed.stdout.split("\0")):
        source = TEMPLATE / name
        if source.is_file():  # a tracked file deleted on disk is not part of the template now
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    commit_all(destination, "Template as on disk")
    return destination
