"""Checks of one baked project's files, content-addressed.

Most combinations share most files, so each distinct file content is checked once per
process and the verdict reused; a combination then costs a walk and a hash per file.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import yaml

LEFTOVER = re.compile(r"\{\{-?\s*cookiecutter|\{%|%\}|\{#.*?#\}")


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
    parser = PARSERS.get(Path(name).suffix)
    if parser is not None:
        try:
            parser(text)
        except Exception as error:  # the parser's own message says what is wrong
            problems.append(f"does not parse: {type(error).__name__}: {error}")
    if text:
        if not text.endswith("\n") or text.endswith("\n\n"):
            problems.append("does not end with exactly one newline")
        if text.startswith("\n"):
            problems.append("starts with a blank line")
        for number, line in enumerate(text.splitlines(), 1):
            if line != line.rstrip():
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
