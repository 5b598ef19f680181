"""No half-applied template refresh: `cruft update` leaves *.rej files or conflict markers
where the template's change met a local edit; they must fail the suite, not be merged."""

from __future__ import annotations

import os
import stat
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
            yield Path(directory, name)


def read(path: Path) -> bytes:
    """A file's bytes; none for a link (git keeps the link, not what it points to), a
    socket or a pipe (reading one would wait), or a tool's temporary file that is gone
    since the walk listed it (another xdist worker's)."""
    try:
        return path.read_bytes() if stat.S_ISREG(path.lstat().st_mode) else b""
    except FileNotFoundError:
        return b""


def has_conflict_markers(path: Path) -> bool:
    return any(line.startswith(MARKERS) for line in read(path).splitlines())


def test_no_rejected_template_changes() -> None:
    rejected = [str(path.relative_to(ROOT)) for path in project_files() if path.suffix == ".rej"]
    assert not rejected, f"apply these template changes by hand, then delete: {rejected}"


def test_no_conflict_markers() -> None:
    conflicted = [
        str(path.relative_to(ROOT)) for path in project_files() if has_conflict_markers(path)
    ]
    assert not conflicted, f"resolve the merge conflicts in: {conflicted}"
