"""A throwaway git copy of the template, for the tools that refresh a project from one.

cruft and copier read a template from a git repository; the refresh tests copy the
template as it is on disk (git-tracked files, uncommitted edits included) into a new
repository, so a change under test is what they see. Everything is a local path: no
network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.ground import TEMPLATE
from engine.runs.processes import commit_all, git


def copy_template(destination: Path) -> Path:
    """The template's git-tracked (and new, unignored) files as they are on disk."""
    listed = git(TEMPLATE, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.stdout.split("\0")):
        source = TEMPLATE / name
        if source.is_file():  # a tracked file deleted on disk is not part of the template now
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    commit_all(destination, "Template as on disk")
    return destination
