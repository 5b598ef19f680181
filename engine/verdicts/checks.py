"""Checks of one baked project's files, content-addressed.

Most combinations share most files, so each distinct file content is checked once per
process and the verdict reused; a combination then costs a walk and a hash per file.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from engine.ground import Combination, combination_id
from engine.verdicts.expected import config_problems, expected_files
from engine.verdicts.matrix import fingerprint, fingerprint_of, twin

Bake = Callable[..., Any]  # pytest-cookies' Cookies.bake

LEFTOVER = re.compile(r"\{\{-?\s*cookiecutter|\{%|%\}|\{#.*?#\}")
# What the generated check-merge-conflict hook (pre-commit-hooks) takes for a conflict.
CONFLICT_MARKER = re.compile(r"^(<<<<<<< |=======( |\r?\n)|>>>>>>> )", re.M)


def _parse_toml(text: str) -> None:
    tomllib.loads(text)


def _parse_yaml(text: str) -> None:
    list(yaml.safe_load_all(text))


def _parse_json(text: str) -> None:
    json.loads(text)


def _compile_python(text: str) -> None:
    compile(text, "<generated>", "exec", dont_inherit=True)


PARSERS: dict[str, Callable[[str], None]] = {
    ".toml": _parse_toml,
    ".yml": _parse_yaml,
    ".yaml": _parse_yaml,
    ".json": _parse_json,
    ".py": _compile_python,
}


def content_problems(name: str, data: bytes) -> list[str]:
    """What is wrong with one file's content: leftover Jinja, a parse error, sloppiness."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["is not UTF-8 text"]
    problems = []
    if match := LEFTOVER.search(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(f"leftover template syntax {match.group()!r} on line {line}")
    if match := CONFLICT_MARKER.search(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(f"line {line} looks like a merge-conflict marker to the pre-commit hook")
    parser = PARSERS.get(Path(name).suffix)
    if parser is not None:
        try:
            parser(text)
        except Exception as error:  # the parser's own message says what is wrong
            problems.append(f"does not parse: {type(error).__name__}: {error}")
    if name.endswith(".py") and "loop_scope=" in text:
        problems.append("names a loop_scope of its own (tests/event_loops.py: one loop per test)")
    if text:
        if not text.endswith("\n") or text.endswith("\n\n"):
            problems.append("does not end with exactly one newline")
        if text.startswith("\n"):
            problems.append("starts with a blank line")
        for number, each in enumerate(text.splitlines(), 1):
            if each != each.rstrip():
                problems.append(f"trailing whitespace on line {number}")
                break
        if "\n\n\n\n" in text:
            problems.append("three or more blank lines in a row")
    return problems


class FileChecker:
    """Checks each distinct (file name, content) once; remembers the verdict."""

    def __init__(self) -> None:
        self.verdicts: dict[str, list[str]] = {}

    def problems(self, project: Path) -> tuple[dict[str, str], list[str]]:
        """Return {relative path: content hash} for the project and every problem found."""
        hashes: dict[str, str] = {}
        found: list[str] = []
        for path in sorted(project.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(project).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            hashes[relative] = digest
            key = f"{path.suffix}:{digest}"
            verdict = self.verdicts.get(key)
            if verdict is None:
                verdict = self.verdicts[key] = content_problems(path.name, data)
            found.extend(f"{relative}: {problem}" for problem in verdict)
        return hashes, found


class CombinationChecker:
    """Bakes a combination and says everything that is wrong with what came out.

    Per-process caches: file verdicts by content, parsed pyproject.toml by content, and
    the fingerprint of each runnable twin (baked once per process).
    """

    def __init__(self) -> None:
        self.files = FileChecker()
        self.parsed: dict[str, dict[str, Any]] = {}
        self.twin_fingerprints: dict[str, str] = {}

    def _twin_fingerprint(self, bake: Bake, combo: Combination) -> str:
        key = combination_id(twin(combo))
        if key not in self.twin_fingerprints:
            result = bake(extra_context=twin(combo))
            if result.exception is not None:
                raise AssertionError(f"twin {key} did not bake: {result.exception}")
            self.twin_fingerprints[key] = fingerprint(result.project_path)
            shutil.rmtree(result.project_path.parent)
        return self.twin_fingerprints[key]

    def check(self, bake: Bake, combo: Combination) -> list[str]:
        """Bake ``combo`` with pytest-cookies' ``bake`` and return its problems (none: [])."""
        result = bake(extra_context=combo)
        if result.exception is not None or result.exit_code != 0:
            return [f"bake failed with exit code {result.exit_code}: {result.exception}"]
        project = result.project_path
        try:
            problems = [
                f"context: {name} is {result.context.get(name)!r}, asked for {value!r}"
                for name, value in combo.items()
                if result.context.get(name) != value
            ]
            hashes, file_problems = self.files.problems(project)
            problems += file_problems
            wanted = expected_files(combo, result.context["package_name"])
            problems += [f"{path}: missing" for path in sorted(wanted - hashes.keys())]
            problems += [f"{path}: not called for" for path in sorted(hashes.keys() - wanted)]
            digest = hashes["pyproject.toml"]
            if digest not in self.parsed:
                text = (project / "pyproject.toml").read_text("utf-8")
                self.parsed[digest] = tomllib.loads(text)
            pyproject = self.parsed[digest]
            problems += config_problems(combo, pyproject)
            rendering = fingerprint_of(hashes, pyproject)
            if twin(combo) != combo and rendering != self._twin_fingerprint(bake, combo):
                problems.append(
                    f"test-relevant rendering differs from its twin {combination_id(twin(combo))}:"
                    " a metadata option changed src/, tests/ or the test configuration"
                )
        finally:
            shutil.rmtree(project.parent)
        return problems
