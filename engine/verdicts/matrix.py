"""Twins and fingerprints: which combinations of the matrix one suite run covers.

The matrix is every combination of cookiecutter.json's choices and flags
(``engine.ground.combinations``), so a new option joins every check without a test edit.

Test-relevant rendering
-----------------------
Two combinations have the same *test-relevant rendering* when their projects have the
same ``src/`` and ``tests/`` trees and the same dependencies, build, pytest and coverage
configuration (see ``TEST_RELEVANT_TABLES``). Everything else — licence, minimum Python,
registry, Node.js in the image, README, workflows — is metadata: it cannot change what
``pytest`` does, so one run of the suite covers every twin. ``METADATA_OPTIONS`` names the
options expected to touch only metadata; the matrix test proves it for every combination
by comparing each one's fingerprint with its twin's, so a metadata option that leaks into
the suite fails loudly instead of going untested.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from engine.ground import AXES, DEFAULTS, RUNNING_PYTHON, Combination, combination_id, combinations

# Options that must change metadata only; the twin of a combination takes the default
# for each of them, and the Python version that runs here.
METADATA_OPTIONS = ("python_version", "license", "container_registry", "test_runner_node")

# The parts of pyproject.toml that decide what the suite does.
TEST_RELEVANT_TABLES = (
    ("project", "name"),
    ("project", "dependencies"),
    ("project", "optional-dependencies"),
    ("dependency-groups",),
    ("build-system",),
    ("tool", "hatch"),
    ("tool", "pytest"),
    ("tool", "coverage"),
)
TEST_RELEVANT_DIRS = ("src/", "tests/")


def twin(combo: Combination) -> Combination:
    """The combination with the same test-relevant options that can run here."""
    if RUNNING_PYTHON not in AXES["python_version"]:
        raise RuntimeError(f"python_version offers no {RUNNING_PYTHON}, the Python at hand")
    fixed = {name: DEFAULTS[name] for name in METADATA_OPTIONS}
    fixed["python_version"] = RUNNING_PYTHON
    return {**combo, **fixed}


def twins() -> list[Combination]:
    """One runnable combination per assignment of the test-relevant options."""
    seen: dict[str, Combination] = {}
    for combo in combinations():
        candidate = twin(combo)
        seen.setdefault(combination_id(candidate), candidate)
    return list(seen.values())


def _dig(table: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    return table


def test_relevant_config(pyproject: dict[str, Any]) -> dict[str, Any]:
    """The slice of a parsed pyproject.toml that decides what the suite does."""
    return {".".join(keys): _dig(pyproject, keys) for keys in TEST_RELEVANT_TABLES}


def fingerprint(project: Path) -> str:
    """Hash of a baked project's test-relevant rendering (see the module docstring)."""
    hashes = {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in project.rglob("*")
        if path.is_file()
    }
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    return fingerprint_of(hashes, pyproject)


def fingerprint_of(hashes: dict[str, str], pyproject: dict[str, Any]) -> str:
    """The same hash from {relative path: content hash} and the parsed pyproject.toml."""
    digest = hashlib.sha256()
    for path in sorted(hashes):
        if path.startswith(TEST_RELEVANT_DIRS):
            digest.update(f"{path}\0{hashes[path]}\n".encode())
    config = json.dumps(test_relevant_config(pyproject), sort_keys=True)
    digest.update(config.encode())
    return digest.hexdigest()
