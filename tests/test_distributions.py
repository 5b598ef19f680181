"""Every distinct library rendering builds an sdist and a wheel that say what it chose.

The engine is engine/runs/distributions.py: the build inputs of every library combination,
rendered in memory; one `uv build` per distinct build, in the whole rendered project,
kept between runs. Here: each build is checked for the combination that first makes it
(its metadata, the sdist's exact file list, a description that is the library's README);
the digest loses no combination; and release.yml's tag check passes only the tag that
names the version.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from engine.ground import Combination, combination_id, context
from engine.rendered.renderings import in_memory
from engine.runs.distributions import (
    Build,
    distinct_builds,
    distributions,
    library_renderings,
    metadata_problems,
    whole_project,
)
from engine.runs.projects import project_env, render


@pytest.mark.parametrize(
    "build",
    list(distinct_builds().values()),
    ids=[combination_id(build.combination) for build in distinct_builds().values()],
)
def test_library_distributions_carry_the_chosen_metadata(build: Build) -> None:
    sdist, wheel = distributions(build)
    problems = metadata_problems(build.combination, build.files, sdist, wheel)
    assert not problems, f"{combination_id(build.combination)}:\n" + "\n".join(problems)


def test_in_memory_build_inputs_match_a_real_bake(tmp_path: Path) -> None:
    combination: Combination = {"project_kind": "library", "python_version": "3.13", "license": "Proprietary"}
    project = render(tmp_path, **combination)
    tree = {path.relative_to(project).as_posix(): path.read_text() for path in project.rglob("*") if path.is_file()}
    assert whole_project(combination) == tree
    baked = {
        path: text
        for path, text in tree.items()
        if path in ("pyproject.toml", "README.md", "LICENSE") or path.startswith("src/")
    }
    answers = context(combination)
    assert [files for each, files in library_renderings() if each == {key: answers[key] for key in each}] == [baked]


def test_the_checks_see_a_leaked_file_and_a_description_of_the_workflow(tmp_path: Path) -> None:
    """The allow-list and the description check can fail: an sdist that carries CI, and a
    description that is CONTRIBUTING.md, are both named."""
    build = next(iter(distinct_builds().values()))
    sdist, wheel = distributions(build)
    leaked = tmp_path / sdist.name
    with tarfile.open(sdist) as original, tarfile.open(leaked, "w:gz") as copy:
        top = original.getnames()[0].split("/")[0]
        for member in original.getmembers():
            copy.addfile(member, original.extractfile(member) if member.isfile() else None)
        extra = tarfile.TarInfo(f"{top}/.github/workflows/ci.yml")
        copy.addfile(extra, io.BytesIO(b""))
    files = {**build.files, "README.md": whole_project(build.combination)["CONTRIBUTING.md"]}
    problems = "\n".join(metadata_problems(build.combination, files, leaked, wheel))
    assert "sdist: holds ['.github/workflows/ci.yml'] beyond the allow-list" in problems
    assert "description: holds the team's workflow" in problems


def test_every_library_combination_has_a_distinct_build() -> None:
    """The digest leaves out only what a build does not read: no combination is lost."""
    builds = distinct_builds()
    assert builds
    assert all(Build(combination, files).digest in builds for combination, files in library_renderings())


RELEASE = ".github/workflows/release.yml"


def tag_check(pyproject: str, tag: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run release.yml's tag check as GitHub runs a `run:` step (bash -e), for this tag."""
    workflow = yaml.safe_load(in_memory({"project_kind": "library"})[RELEASE])
    (step,) = [
        step for step in workflow["jobs"]["build"]["steps"] if step.get("name", "").startswith("Check that the tag")
    ]
    (tmp_path / "pyproject.toml").write_text(pyproject)
    env = project_env(TAG=tag)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(("tag", "passes"), [("v0.1.0", True), ("v0.1.1", False), ("0.1.0", False), ("v0.1", False)])
def test_release_runs_only_for_the_tag_that_names_the_version(tmp_path: Path, tag: str, passes: bool) -> None:
    pyproject = next(iter(distinct_builds().values())).files["pyproject.toml"]
    assert 'version = "0.1.0"' in pyproject
    checked = tag_check(pyproject, tag, tmp_path)
    assert (checked.returncode == 0) == passes, (
        f"tag {tag}: exit {checked.returncode}\n{checked.stdout}{checked.stderr}"
    )
