"""No half-applied template refresh: `cruft update` leaves *.rej files or conflict markers
where the template's change met a local edit; they must fail the suite, not be merged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tools' own directories: nothing in them is the project's.
SKIPPED = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache"}
SKIPPED |= {".ruff_cache", ".hypothesis", "build", "dist", "htmlcov"}
# Built here so that this file does not hold the markers it looks for.
MARKERS = tuple(char.encode() * 7 + b" " for char in "<>")

pytestmark = pytest.mark.unit


def project_files() -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED]
        for name in files:
            path = Path(directory, name)
            if path.is_file():  # not a socket or a pipe a local server left here
                yield path


def has_conflict_markers(path: Path) -> bool:
    try:
        text = path.read_bytes()
    except FileNotFoundError:  # a tool's temporary file, gone since the walk listed it
        return False
    return any(line.startswith(MARKERS) for line in text.splitlines())


def test_no_rejected_template_changes() -> None:
    rejected = [str(path.relative_to(ROOT)) for path in project_files() if path.suffix == ".rej"]
    assert not rejected, f"apply these template changes by hand, then delete: {rejected}"


def test_no_conflict_markers() -> None:
    conflicted = [
        str(path.relative_to(ROOT)) for path in project_files() if has_conflict_markers(path)
    ]
    assert not conflicted, f"resolve the merge conflicts in: {conflicted}"
