"""The generated project's container and CI files, checked in every distinct rendering.

Baking all combinations is the matrix test's job; here only the container and CI files
are rendered, in memory, with cookiecutter's own context and Jinja environment (a few
real bakes prove that shortcut faithful). Each distinct rendering is written once and
every linter runs once over the whole batch: hadolint, check-jsonschema, zizmor, yamllint.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from projects import TEMPLATE, render

PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
BIN = Path(sys.executable).parent
# The files this module checks, as template paths relative to the generated project.
CI_FILES = sorted(
    path.relative_to(PROJECT).as_posix()
    for path in [
        *(PROJECT / "docker").iterdir(),
        *(PROJECT / ".github").rglob("*.yml"),
        *PROJECT.glob("*compose.yaml*"),
        PROJECT / ".dockerignore",
    ]
    if path.is_file()
)
YAMLLINT_CONFIG = json.dumps(
    {
        "extends": "default",
        "rules": {
            "line-length": {"max": 120},
            "document-start": "disable",
            # GitHub's `on:` key is not a boolean.
            "truthy": {"check-keys": False},
            # `uses: owner/action@<sha> # vX.Y.Z` is how pins are written everywhere.
            "comments": {"min-spaces-from-content": 1},
        },
    }
)

Combination = dict[str, Any]


def option_product() -> list[Combination]:
    """Every combination of the options: list values are choices, booleans are flags."""
    options = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    axes = {
        key: value if isinstance(value, list) else [True, False]
        for key, value in options.items()
        if not key.startswith("_") and isinstance(value, list | bool)
    }
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


@functools.cache
def renderings() -> list[tuple[Combination, dict[str, str]]]:
    """The CI files of every combination, rendered path -> content (equal contents shared)."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    base = prompt_for_config(context, no_input=True)
    env = StrictEnvironment(context={"cookiecutter": base}, keep_trailing_newline=True)
    templates = [
        (env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in CI_FILES
    ]
    shared: dict[str, str] = {}
    return [
        (
            combination,
            {
                path: shared.setdefault(content, content)
                for path, content in render_ci_files(templates, {**base, **combination}).items()
            },
        )
        for combination in option_product()
    ]


def distinct_files() -> dict[tuple[str, str], Combination]:
    """Each distinct (rendered path, content), with the first combination that makes it."""
    distinct: dict[tuple[str, str], Combination] = {}
    for combination, files in renderings():
        for path, content in files.items():
            distinct.setdefault((path, content), combination)
    return distinct


def render_ci_files(templates: list[Any], cookiecutter: Combination) -> dict[str, str]:
    rendered = {}
    for name, content in templates:
        path = name.render(cookiecutter=cookiecutter)
        if not path.endswith("/") and path.rsplit("/", 1)[-1]:
            rendered[path] = content.render(cookiecutter=cookiecutter)
    return rendered


def context_for(combination: Combination) -> Combination:
    context = generate_context(
        context_file=str(TEMPLATE / "cookiecutter.json"), extra_context=combination
    )
    return dict(prompt_for_config(context, no_input=True))


def in_memory(combination: Combination) -> dict[str, str]:
    """The CI files of one combination, rendered the way a bake renders them."""
    cookiecutter = context_for(combination)
    env = StrictEnvironment(context={"cookiecutter": cookiecutter}, keep_trailing_newline=True)
    templates = [
        (env.from_string(name), env.from_string((PROJECT / name).read_text())) for name in CI_FILES
    ]
    return render_ci_files(templates, cookiecutter)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[str, Combination]]:
    """Every distinct rendering written once: file on disk -> (rendered path, combination)."""
    root = tmp_path_factory.mktemp("ci-files")
    written = {}
    for index, ((path, content), combination) in enumerate(distinct_files().items()):
        file = root / str(index) / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(content)
        written[file] = (path, combination)
    return written


def run_linter(batch: dict[Path, tuple[str, Combination]], select: str, *command: str) -> None:
    files = [file for file, (path, _) in batch.items() if re.search(select, path)]
    assert files, f"no rendered file matches {select}"
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        where = "\n".join(
            f"{file}: {batch[file][1]}"
            for file in files
            if str(file) in result.stdout + result.stderr
        )
        pytest.fail(
            f"{command[0]} failed:\n{result.stdout}\n{result.stderr}\nCombinations:\n{where}"
        )


@pytest.mark.parametrize(
    "combination",
    [
        {},
        {"project_kind": "library", "test_runner_node": False, "container_registry": "docker.io"},
        {"database": "postgres", "cache": "redis", "python_version": "3.14"},
        {"database": "none", "cache": "redis", "project_name": 'Odd "Name" {x}'},
    ],
    ids=["defaults", "library-dockerhub", "postgres-redis", "odd-name"],
)
def test_in_memory_rendering_matches_a_real_bake(tmp_path: Path, combination: Combination) -> None:
    project = render(tmp_path, **combination)
    baked = {
        path.relative_to(project).as_posix(): path.read_text()
        for path in project.rglob("*")
        if path.is_file()
        and re.match(
            r"docker/|\.github/|compose\.yaml$|\.dockerignore$",
            path.relative_to(project).as_posix(),
        )
    }
    assert baked == in_memory(combination)
    # The whole-product shortcut (one base context, choices swapped in) renders the same.
    context = context_for(combination)
    choices = {key: context[key] for key in option_product()[0]}
    if all(key in choices for key in combination):
        assert [files for each, files in renderings() if each == choices] == [baked]


def test_dockerfiles_pass_hadolint(batch: dict[Path, tuple[str, Combination]]) -> None:
    run_linter(batch, r"Dockerfile$", str(BIN / "hadolint"), "--failure-threshold", "info")


def test_workflows_match_the_github_schema(batch: dict[Path, tuple[str, Combination]]) -> None:
    run_linter(
        batch,
        r"^\.github/workflows/",
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
    )


def test_dependabot_config_matches_its_schema(batch: dict[Path, tuple[str, Combination]]) -> None:
    run_linter(
        batch,
        r"^\.github/dependabot\.yml$",
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.dependabot",
    )


def test_compose_file_matches_the_compose_spec(batch: dict[Path, tuple[str, Combination]]) -> None:
    run_linter(
        batch,
        r"^compose\.yaml$",
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
    )


def test_workflows_and_dependabot_have_no_zizmor_finding(
    batch: dict[Path, tuple[str, Combination]],
) -> None:
    """What the generated zizmor hook checks (any finding fails it), in every rendering."""
    run_linter(
        batch,
        r"^\.github/(workflows/.*|dependabot)\.yml$",
        str(BIN / "zizmor"),
        "--offline",
        "--no-progress",
    )


def test_yaml_files_pass_yamllint(batch: dict[Path, tuple[str, Combination]]) -> None:
    run_linter(batch, r"\.ya?ml$", str(BIN / "yamllint"), "--strict", "-d", YAMLLINT_CONFIG)


def copy_sources(dockerfile: str) -> set[str]:
    """Files a Dockerfile copies from the build context (not from other stages)."""
    sources = set()
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(word.startswith("--from") for word in words):
            sources |= {word.rstrip("*") for word in words[1:-1] if not word.startswith("--")}
    return sources


@functools.cache
def watched_paths(workflow: str) -> frozenset[str]:
    return frozenset(yaml.safe_load(workflow)[True]["push"]["paths"])  # PyYAML: `on` is True


@functools.cache
def built_from(dockerfile: str) -> frozenset[str]:
    return frozenset(copy_sources(dockerfile) | {"docker/test-runner.Dockerfile"})


def test_publish_workflow_watches_the_image_sources_and_pushes_to_the_chosen_registry() -> None:
    publish, dockerfile = (
        ".github/workflows/publish-test-runner.yml",
        "docker/test-runner.Dockerfile",
    )
    base = context_for({})
    problems = []
    for combination, files in renderings():
        watched, sources = watched_paths(files[publish]), built_from(files[dockerfile])
        if watched != sources:
            problems.append(
                f"{combination}: {publish} watches {sorted(watched)}, "
                f"the image is built from {sorted(sources)}"
            )
        owner, slug = base["github_owner"], base["project_slug"]
        image = f"{combination['container_registry']}/{owner}/{slug}-test-runner"
        problems += [
            f"{combination}: {name} does not name {image}"
            for name in (publish, ".github/workflows/ci.yml")
            if image not in files[name]
        ]
    assert not problems, "\n".join(problems[:20])


def test_node_is_in_the_test_runner_image_exactly_when_asked_for() -> None:
    problems = [
        f"{combination}: test_runner_node={combination['test_runner_node']} but node is "
        + ("present" if has_node else "missing")
        for combination, files in renderings()
        if (has_node := "npm --version" in files["docker/test-runner.Dockerfile"])
        != combination["test_runner_node"]
    ]
    assert not problems, "\n".join(problems[:20])
