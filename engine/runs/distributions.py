"""Build a library's sdist and wheel with `uv build`, and read back what they say.

What goes into a build is pyproject.toml, src/, README.md and LICENSE; they are rendered
in memory for every library combination of cookiecutter.json's options (as
tests/test_ci_files.py renders the CI files). Of pyproject.toml only the tables the build
backend reads count ([project], [build-system], [tool.hatch]), and of README.md none: it
enters a distribution only as the description, copied verbatim (each build is checked to
carry the README of the combination that made it). Some 5,760 library combinations come
down to 20 builds today; each is made once and kept between runs under
``.cache/dists/<digest of its inputs>``: a change to any input is a new digest.

A build runs in the whole rendered project (CI, images, tests, CONTRIBUTING.md and all),
so that what the sdist must leave out is there to be left out: its file list is checked
against engine/verdicts/expected.py's allow-list. The rest of the tree does not enter the digest:
which files an sdist takes is [tool.hatch]'s to say, and that is in the digest.
"""

from __future__ import annotations

import email
import email.message
import functools
import hashlib
import json
import re
import shutil
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.ground import (
    PROJECT,
    RUNNING_PYTHON,
    TEMPLATE,
    Combination,
    combination_id,
    combinations,
    context,
    jinja_env,
    project_files,
)
from engine.rendered.renderings import render_ci_files, with_defaults
from engine.runs.processes import run
from engine.runs.projects import project_env
from engine.verdicts.expected import license_expression, requires_python, sdist_files

DISTS = TEMPLATE / ".cache" / "dists"
README = "README.md"
# The library's README (its PyPI description), as a template path: a service's README is
# another file, whose name renders CONTRIBUTING.md in a library.
LIBRARY_README = '{% if cookiecutter.project_kind == "library" %}README.md{% endif %}'
# Template paths (relative to the generated project) of every file that goes into a build.
BUILD_INPUTS = sorted(
    ["pyproject.toml", LIBRARY_README, "LICENSE"]
    + [path.relative_to(PROJECT).as_posix() for path in (PROJECT / "src").rglob("*") if path.is_file()]
)
# The pyproject.toml tables hatchling reads; the rest configure the project's tools.
BUILD_TABLES = ("project", "build-system")
# What the library README says, in this order; the team's workflow is CONTRIBUTING.md's.
LIBRARY_SECTIONS = ("## Install", "## Usage", "## Links", "## License")


@dataclass(frozen=True)
class Build:
    """One distinct build: the first library combination that makes it, and its files."""

    combination: Combination
    files: dict[str, str]

    @functools.cached_property
    def digest(self) -> str:
        return build_digest(tuple(sorted(self.files.items())))


@functools.cache  # thousands of combinations, a few hundred distinct files
def build_digest(items: tuple[tuple[str, str], ...]) -> str:
    """What the distributions are made from, as one digest (the README's text aside)."""
    files = dict(items)
    pyproject = tomllib.loads(files["pyproject.toml"])
    inputs = {
        "pyproject": {table: pyproject.get(table) for table in BUILD_TABLES},
        "hatch": pyproject.get("tool", {}).get("hatch"),
        "files": {path: text for path, text in files.items() if path not in ("pyproject.toml", README)},
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


@functools.cache
def library_renderings() -> list[tuple[Combination, dict[str, str]]]:
    """The build inputs of every library combination, rendered path -> content."""
    env = jinja_env()
    templates = [(env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in BUILD_INPUTS]
    return [
        (combination, render_ci_files(templates, with_defaults(combination)))
        for combination in combinations()
        if combination["project_kind"] == "library"
    ]


@functools.cache
def project_templates() -> list[tuple[Any, Any]]:
    """(name, content) of every template file, compiled once."""
    env = jinja_env()
    return [(env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in project_files()]


def whole_project(combination: Combination) -> dict[str, str]:
    """Every file a bake of this combination writes, rendered path -> content."""
    return render_ci_files(project_templates(), with_defaults(combination))


@functools.cache
def distinct_builds() -> dict[str, Build]:
    """Digest -> the first library combination whose inputs make that build."""
    builds: dict[str, Build] = {}
    for combination, files in library_renderings():
        build = Build(combination, files)
        builds.setdefault(build.digest, build)
    return builds


def distributions(build: Build) -> tuple[Path, Path]:
    """The (sdist, wheel) of the build, made with `uv build` once per digest and kept.

    Kept under the digest of every input file, the README's text included: a build made
    from last run's README would carry that README as its description.
    """
    every_input = hashlib.sha256(repr(sorted(build.files.items())).encode()).hexdigest()[:16]
    kept = DISTS / f"{build.digest}-{every_input}"
    if not kept.is_dir():
        DISTS.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".building-", dir=DISTS) as scratch:
            source, out = Path(scratch) / "source", Path(scratch) / "dist"
            for path, text in {**whole_project(build.combination), **build.files}.items():
                (source / path).parent.mkdir(parents=True, exist_ok=True)
                (source / path).write_text(text)
            # The build backend runs on the Python at hand (as projects.sync does): the wheel is
            # pure Python, the same from any interpreter, and a newer one may not be installed.
            command = ["uv", "build", "--quiet", "--python", RUNNING_PYTHON, "--out-dir", str(out)]
            run(command, source, project_env(), what=f"{combination_id(build.combination)}: its distributions")
            try:
                out.rename(kept)  # atomic: another worker may have kept the same build
            except OSError:
                if not kept.is_dir():
                    raise
                shutil.rmtree(out)
    (sdist,) = kept.glob("*.tar.gz")
    (wheel,) = kept.glob("*.whl")
    return sdist, wheel


def wheel_contents(wheel: Path) -> tuple[email.message.Message, set[str]]:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(metadata)), names


def sdist_contents(sdist: Path) -> tuple[email.message.Message, set[str]]:
    """PKG-INFO, and the paths of the files inside the sdist's top folder."""
    with tarfile.open(sdist) as archive:
        names = {
            member.name.split("/", 1)[1] for member in archive.getmembers() if member.isfile() and "/" in member.name
        }
        (pkg_info,) = [
            member
            for member in archive.getmembers()
            if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO")
        ]
        extracted = archive.extractfile(pkg_info)
        assert extracted is not None
        return email.message_from_bytes(extracted.read()), names


def metadata_problems(combination: Combination, files: dict[str, str], sdist: Path, wheel: Path) -> list[str]:
    """Where the distributions do not say what the combination's pyproject.toml says."""
    names = context(combination)
    project = tomllib.loads(files["pyproject.toml"])["project"]
    package = names["package_name"]
    expected = {
        "Name": names["project_slug"],
        "Version": project["version"],
        "Requires-Python": requires_python(combination),
        "License-Expression": license_expression(combination["license"]),
        "License-File": "LICENSE",
        "Description-Content-Type": "text/markdown",
    }
    problems = []
    wheel_metadata, wheel_names = wheel_contents(wheel)
    sdist_metadata, sdist_names = sdist_contents(sdist)
    for label, metadata in (("wheel", wheel_metadata), ("sdist", sdist_metadata)):
        for field, wanted in expected.items():
            if metadata.get_all(field) != [wanted]:
                problems.append(f"{label} {field}: {metadata.get_all(field)}, expected [{wanted!r}]")
        if metadata.get_payload() != files[README]:
            problems.append(f"{label}: the description is not the README")
    if f"{package}/py.typed" not in wheel_names:
        problems.append(f"wheel: no {package}/py.typed")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in wheel_names):
        problems.append("wheel: no .dist-info/licenses/LICENSE")
    problems += description_problems(files[README], whole_project(combination))
    allowed = sdist_files(combination, package)
    if sdist_names != allowed:
        problems.append(
            f"sdist: holds {sorted(sdist_names - allowed)} beyond the allow-list, lacks {sorted(allowed - sdist_names)}"
        )
    # File names carry the name normalised as the binary distribution format says.
    stem = f"{re.sub(r'[-_.]+', '_', names['project_slug']).lower()}-{project['version']}"
    problems += [
        f"{path.name}: not named {stem}..."
        for path in (sdist, wheel)
        if not path.name.startswith(f"{stem}.") and not path.name.startswith(f"{stem}-")
    ]
    return problems


def description_problems(readme: str, project: dict[str, str]) -> list[str]:
    """Where the PyPI description is not a library README: what it is, install, a usage
    example, links; none of the team's workflow (a heading of CONTRIBUTING.md)."""
    problems = []
    headings = re.findall(r"^## .*$", readme, re.MULTILINE)
    if [heading for heading in headings if heading in LIBRARY_SECTIONS] != list(LIBRARY_SECTIONS):
        problems.append(f"description: sections {headings}, expected {list(LIBRARY_SECTIONS)} in that order")
    workflow = set(re.findall(r"^## .*$", project["CONTRIBUTING.md"], re.MULTILINE)) & set(headings)
    if workflow:
        problems.append(f"description: holds the team's workflow, CONTRIBUTING.md's {sorted(workflow)}")
    if "```python\n" not in readme:
        problems.append("description: no ```python usage example")
    return problems
