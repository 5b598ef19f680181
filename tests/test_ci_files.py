"""The generated project's container and CI files, checked in every distinct rendering.

Baking all combinations is the matrix test's job; here only the container and CI files
are rendered, in memory, with cookiecutter's own context and Jinja environment (a few
real bakes prove that shortcut faithful). Each distinct rendering is written once and
every linter runs once over the whole batch: hadolint, check-jsonschema, zizmor, yamllint.
The template repository's own workflows (.github/workflows/ at its root) join the batch.

Then the workflows are read as what they are, a job graph: the gates need the job that
provides their image and run in exactly the image it names; that image is tagged by every
file it is built from; no step pushes on a fork's pull request; a refresh pull request is
followed by a CI start the built-in token may make; every action is the release recorded
in pins/actions.toml.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.ground import AXES, TEMPLATE, Combination, context
from engine.rendered.expressions import as_string, evaluate, outcomes
from engine.rendered.renderings import distinct_files, in_memory, renderings, renderings_of, shared_names
from engine.runs.projects import render
from engine.verdicts.expected import offered_pythons

BIN = Path(sys.executable).parent
# The template repository's own workflows, linted with the generated ones.
OWN_WORKFLOWS = sorted((TEMPLATE / ".github" / "workflows").glob("*.yml"))
OWN = {"(the template repository itself)": True}
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
    for workflow in OWN_WORKFLOWS:
        file = root / "own" / ".github" / "workflows" / workflow.name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(workflow.read_text())
        written[file] = (f".github/workflows/{workflow.name}", OWN)
    return written


def run_linter(batch: dict[Path, tuple[str, Combination]], select: str, *command: str) -> None:
    files = [file for file, (path, _) in batch.items() if re.search(select, path)]
    assert files, f"no rendered file matches {select}"
    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        where = "\n".join(f"{file}: {batch[file][1]}" for file in files if str(file) in result.stdout + result.stderr)
        pytest.fail(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}\nCombinations:\n{where}")


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
    # The whole-product shortcut (one base context, choices swapped in, the same names for
    # every kind) renders what a bake with those names renders.
    answers = context(combination)
    choices = {key: answers[key] for key in AXES}
    if all(key in choices for key in combination):
        shared = in_memory({**shared_names(), **combination})
        assert [files for each, files in renderings() if each == choices] == [shared]


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
def built_from(dockerfile: str) -> frozenset[str]:
    return frozenset(copy_sources(dockerfile) | {"docker/test-runner.Dockerfile"})


def test_node_is_in_the_test_runner_image_exactly_when_asked_for() -> None:
    problems = [
        f"{combination}: test_runner_node={combination['test_runner_node']} but node is "
        + ("present" if has_node else "missing")
        for combination, files in renderings()
        if (has_node := "npm --version" in files["docker/test-runner.Dockerfile"]) != combination["test_runner_node"]
    ]
    assert not problems, "\n".join(problems[:20])


CI, PUBLISH, REFRESH, DOCKERFILE = (
    ".github/workflows/ci.yml",
    ".github/workflows/publish-test-runner.yml",
    ".github/workflows/template-refresh.yml",
    "docker/test-runner.Dockerfile",
)
RECORD = tomllib.loads((TEMPLATE / "pins" / "actions.toml").read_text())
PINS: dict[str, dict[str, str]] = RECORD["actions"]
TOOLS: dict[str, str] = {name: pin["version"] for name, pin in RECORD["tools"].items()}
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)(?:\s+#\s*(?P<comment>\S+))?", re.MULTILINE)
# A tool a `run:` fetches by name: what follows `uvx`, `uv tool run` or `pipx run`, up to the
# end of the command.
TOOL_RUNS = re.compile(r"\b(?:uvx|uv tool run|pipx run)\s+([^\n;&|]+)")
# A line of a message (an `echo` or its continuation) names a command but runs nothing.
SAID = re.compile(r"^\s*(?:echo\b|\")")
UV_IMAGE = re.compile(r"ghcr\.io/astral-sh/uv:(\S+)")


def tool_pins(content: str) -> list[tuple[str, str | None]]:
    """(command, its `name==version` or None) for each tool a workflow's steps fetch by name.

    `uvx name==X.Y.Z`, `uvx --from name==X.Y.Z cmd` or `pipx run --spec name==X.Y.Z cmd`;
    setup-uv's `version:` counts as `uv==X.Y.Z`, and a setup-uv without one as unpinned.
    """
    found: list[tuple[str, str | None]] = []
    for job in parsed(content).get("jobs", {}).values():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("astral-sh/setup-uv@"):
                version = step.get("with", {}).get("version")
                found.append(("astral-sh/setup-uv", f"uv=={version}" if version else None))
            lines = [line for line in step.get("run", "").splitlines() if not SAID.match(line)]
            for command in TOOL_RUNS.findall("\n".join(lines)):
                words = command.split()
                spec = words[1] if words[0] in ("--from", "--spec") and len(words) > 1 else words[0]
                found.append((command.strip(), spec if "==" in spec else None))
    return found


@functools.cache
def parsed(content: str) -> dict[Any, Any]:
    """The YAML, read by libyaml (PyYAML's C loader, ten times the pure-Python one's speed)."""
    loaded: dict[Any, Any] = yaml.load(content, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded


def workflow_renderings() -> list[tuple[str, str, Combination]]:
    """(path, content, combination) of every distinct workflow, generated and the template's own."""
    generated = [
        (path, content, combination)
        for (path, content), combination in distinct_files().items()
        if path.startswith(".github/workflows/")
    ]
    own = [(f".github/workflows/{file.name}", file.read_text(), OWN) for file in OWN_WORKFLOWS]
    return generated + own


def test_every_action_and_tool_is_the_release_recorded_in_pins() -> None:
    """Each `uses:` names a recorded action, at its recorded SHA, with its tag as the comment;
    each tool a step fetches by name (uvx, pipx run, setup-uv's uv) is at its recorded version."""
    problems = []
    for path, content, combination in workflow_renderings():
        for command, spec in tool_pins(content):
            name, _, version = (spec or "").partition("==")
            if spec is None:
                problems.append(f"{path} ({combination}): `{command}` runs an unpinned tool")
            elif TOOLS.get(name) != version:
                problems.append(
                    f"{path} ({combination}): `{command}`, pins/actions.toml says {name}=={TOOLS.get(name)}"
                )
        found = USES.findall(content)
        local = [line for line in content.splitlines() if re.search(r"uses:\s*\$/", line)]
        assert len(found) + len(local) == content.count("uses:"), f"{path}: a `uses:` not read"
        for action, ref, comment in found:
            pin = PINS.get(action)
            if pin is None:
                problems.append(f"{path} ({combination}): {action} is not in pins/actions.toml")
            elif (ref, comment) != (pin["sha"], pin["tag"]):
                problems.append(
                    f"{path} ({combination}): {action}@{ref} # {comment}, "
                    f"pins/actions.toml says @{pin['sha']} # {pin['tag']}"
                )
    assert not problems, "\n".join(sorted(set(problems))[:20])


# What action.yml's `runs.using` may say: Node 24, or no Node of its own (a Docker container
# action; a composite one, whose own steps' actions are not read here).
RUNTIMES = {"node24", "docker", "composite"}


def test_no_recorded_action_runs_on_node20() -> None:
    """GitHub removed Node 20 from its runners on 2026-09-16."""
    stale = {action: pin["runtime"] for action, pin in PINS.items() if pin["runtime"] not in RUNTIMES}
    assert not stale, f"actions on a runtime other than {sorted(RUNTIMES)}: {stale}"
    assert all(re.fullmatch(r"[0-9a-f]{40}", pin["sha"]) for pin in PINS.values())


def test_every_recorded_action_and_tool_is_used() -> None:
    used = {action for _, content, _ in workflow_renderings() for action, _, _ in USES.findall(content)}
    assert set(PINS) == used, f"recorded but unused: {set(PINS) - used}"
    tools = {
        (spec or "").partition("==")[0] for _, content, _ in workflow_renderings() for _, spec in tool_pins(content)
    }
    assert set(TOOLS) == tools, f"tools recorded but unused: {set(TOOLS) - tools}"


def test_the_images_copy_the_uv_the_workflows_run() -> None:
    problems = [
        f"{path} ({combination}): uv {tag}, pins/actions.toml says {TOOLS['uv']}"
        for (path, content), combination in distinct_files().items()
        if path.endswith("Dockerfile")
        for tag in UV_IMAGE.findall(content)
        if tag != TOOLS["uv"]
    ]
    assert not problems, "\n".join(problems[:20])


def image_job(ci: dict[str, Any]) -> str:
    """The CI job that calls the reusable image workflow."""
    callers: list[str] = [name for name, job in ci["jobs"].items() if job.get("uses") == f"$/{PUBLISH}"]
    assert len(callers) == 1, f"{CI}: {len(callers)} jobs call {PUBLISH}"
    return callers[0]


def runs_gates(job: dict[str, Any]) -> bool:
    return any("uv sync" in step.get("run", "") for step in job.get("steps", []))


def test_every_gate_needs_the_image_job_and_runs_in_exactly_its_image() -> None:
    problems = []
    for content, combination in renderings_of(CI):
        ci = parsed(content)
        provider = image_job(ci)
        image = f"${{{{ needs.{provider}.outputs.image }}}}"
        gates = {name: job for name, job in ci["jobs"].items() if runs_gates(job)}
        assert gates, f"{CI}: no gate runs `uv sync`"
        for name, job in gates.items():
            needs = job.get("needs", [])
            if provider not in ([needs] if isinstance(needs, str) else needs):
                problems.append(f"{combination}: {name} does not need {provider}")
            if "container" in job:
                if job["container"].get("image") != image:
                    problems.append(f"{combination}: {name} runs in {job['container'].get('image')}")
            else:
                # The unpublished path: every step that runs a gate runs `docker run "$IMAGE"`.
                problems += [
                    f"{combination}: {name}, {step.get('name')}: not in {image}"
                    for step in job["steps"]
                    if "uv sync" in step.get("run", "")
                    and ('"$IMAGE"' not in step["run"] or step.get("env", {}).get("IMAGE") != image)
                ]
    assert not problems, "\n".join(problems[:20])


def test_the_gates_run_once_whether_or_not_the_registry_has_the_image() -> None:
    """Container gates run when the image is in the registry; the docker-run path otherwise."""
    problems = []
    for content, combination in renderings_of(CI):
        ci = parsed(content)
        provider = image_job(ci)
        gates = {name: job for name, job in ci["jobs"].items() if runs_gates(job)}
        for in_registry in ("true", "false"):
            context = {f"needs.{provider}.outputs.in-registry": in_registry}
            running = [name for name, job in gates.items() if evaluate(job.get("if", "true"), context)]
            ran = {"container" in gates[name] for name in running}
            if ran != {in_registry == "true"} or len(running) not in (1, 3):
                problems.append(f"{combination}: in-registry={in_registry} runs {running}")
    assert not problems, "\n".join(problems[:20])


def hashed_files(publish: dict[str, Any]) -> set[str]:
    """The files the image's tag is a hash of (`hashFiles(...)` in the tagging step)."""
    names: set[str] = set()
    for job in publish["jobs"].values():
        for step in job.get("steps", []):
            for value in step.get("env", {}).values():
                for call in re.findall(r"hashFiles\(([^)]*)\)", str(value)):
                    names |= set(re.findall(r"'([^']+)'", call))
    return names


def test_the_image_tag_is_a_hash_of_every_file_the_image_is_built_from() -> None:
    problems = []
    for combination, files in renderings():
        publish, sources = parsed(files[PUBLISH]), built_from(files[DOCKERFILE])
        if hashed_files(publish) != sources:
            problems.append(
                f"{combination}: {PUBLISH} hashes {sorted(hashed_files(publish))}, "
                f"the image is built from {sorted(sources)}"
            )
        ignored = {line.strip() for line in files[".dockerignore"].splitlines()}
        for step in publish["jobs"]["image"]["steps"]:
            if str(step.get("uses", "")).startswith("docker/build-push-action"):
                context, file = step["with"].get("context"), step["with"].get("file")
                if context != "." or file != DOCKERFILE or sources & ignored:
                    problems.append(f"{combination}: {step.get('name')} builds {file} from {context}")
    assert not problems, "\n".join(problems[:20])


def test_the_image_is_named_in_lowercase_for_a_mixed_case_owner() -> None:
    files = in_memory({"github_owner": "My-Org"})
    image = "ghcr.io/my-org/async-service-test-runner"
    assert f"IMAGE: {image}" in files[PUBLISH]
    assert "My-Org" not in files[PUBLISH] + files[CI]


FORK_PULL_REQUEST = {
    "github.event_name": "pull_request",
    "github.repository": "owner/project",
    "github.ref": "refs/pull/7/merge",
    "github.event.pull_request.head.repo.full_name": "someone/project",
    "github.event.pull_request.user.login": "someone",
}
DEPENDABOT_PULL_REQUEST = {
    **FORK_PULL_REQUEST,
    "github.event.pull_request.head.repo.full_name": "owner/project",
    "github.event.pull_request.user.login": "dependabot[bot]",
}
PUSH_TO_MAIN = {"github.event_name": "push", "github.repository": "owner/project", "github.ref": "refs/heads/main"}


def pushing_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps that write to a registry: a build with `push:` not false, or `docker push`/`imagetools create`."""
    return [
        step
        for step in job.get("steps", [])
        if (
            str(step.get("uses", "")).startswith("docker/build-push-action")
            and as_string(step["with"].get("push", False)) != "false"
        )
        or re.search(r"docker (image )?push|imagetools create", step.get("run", ""))
    ]


def could_push(job: dict[str, Any], event: dict[str, str]) -> list[str]:
    """The names of the job's pushing steps that may run for this event."""
    contexts = {**event}
    for name, value in job.get("env", {}).items():
        contexts[f"env.{name}"] = as_string(evaluate(str(value), event)) if "${{" in str(value) else str(value)
    return [
        str(step.get("name", step.get("uses")))
        for step in pushing_steps(job)
        if any(outcomes(step.get("if", "true"), contexts))
        and any(outcomes(as_string(step.get("with", {}).get("push", True)), contexts))
    ]


def test_no_step_pushes_on_a_fork_or_dependabot_pull_request() -> None:
    problems = []
    for content, combination in renderings_of(PUBLISH):
        job = parsed(content)["jobs"]["image"]
        assert pushing_steps(job), f"{combination}: {PUBLISH} has no step that pushes"
        for event_name, event in (("fork", FORK_PULL_REQUEST), ("Dependabot", DEPENDABOT_PULL_REQUEST)):
            if steps := could_push(job, event):
                problems.append(f"{combination}: on a {event_name} pull request {steps} may push")
        if not any("Build and push" in step for step in could_push(job, PUSH_TO_MAIN)):
            problems.append(f"{combination}: a push to main never builds and pushes the image")
    assert not problems, "\n".join(problems[:20])


def test_refresh_pull_request_is_followed_by_a_ci_start_the_built_in_token_may_make() -> None:
    problems = []
    for content, combination in renderings_of(REFRESH):
        job = parsed(content)["jobs"]["refresh"]
        steps = job["steps"]
        opening = [i for i, step in enumerate(steps) if "create-pull-request" in str(step.get("uses", ""))]
        assert len(opening) == 1, f"{combination}: {REFRESH} opens {len(opening)} pull requests"
        branch = steps[opening[0]]["with"]["branch"]
        starts = [
            step
            for step in steps[opening[0] + 1 :]
            if re.search(rf"gh workflow run ci\.yml\b.*--ref {re.escape(branch)}\b", step.get("run", ""))
            and step.get("env", {}).get("GH_TOKEN") in ("${{ github.token }}", "${{ secrets.GITHUB_TOKEN }}")
        ]
        if not starts:
            problems.append(f"{combination}: no `gh workflow run ci.yml --ref {branch}` after the pull request")
        # Without a GitHub App token, the start runs whenever the pull request was opened or updated.
        for operation in ("created", "updated"):
            made = {"steps.app.outputs.token": "", "steps.pr.outputs.pull-request-operation": operation}
            if starts and not evaluate(starts[0].get("if", "true"), made):
                problems.append(f"{combination}: CI is not started when the pull request is {operation}")
        if job["permissions"].get("actions") != "write":
            problems.append(f"{combination}: the refresh job may not start workflows (actions: write)")
    ci_triggers = {
        trigger for (path, content), _ in distinct_files().items() if path == CI for trigger in parsed(content)[True]
    }
    assert "workflow_dispatch" in ci_triggers, f"{CI} cannot be started by workflow_dispatch"
    assert not problems, "\n".join(problems[:20])


def test_ci_builds_the_images_on_every_offered_python_from_the_minimum() -> None:
    problems = []
    for combination, files in renderings():
        matrix = parsed(files[CI])["jobs"]["images"]["strategy"]["matrix"]["python-version"]
        wanted = offered_pythons(combination)
        if matrix != wanted:
            problems.append(f"{combination}: Gate 4 builds on {matrix}, cookiecutter.json offers {wanted}")
    assert not problems, "\n".join(problems[:20])


def test_gates_and_image_builds_install_only_what_uv_lock_says() -> None:
    problems = []
    for combination, files in renderings():
        for name, job in parsed(files[CI])["jobs"].items():
            for step in job.get("steps", []):
                for command in re.findall(r"uv sync[^&\"\n]*", step.get("run", "")):
                    if "--locked" not in command:
                        problems.append(f"{combination}: {CI} {name}: `{command.strip()}`")
        for path, content in files.items():
            syncs = re.findall(r"^\s*(?:RUN|&&)\s+uv sync", content, re.MULTILINE)
            if path.endswith("Dockerfile") and len(syncs) != content.count("export UV_LOCKED=1"):
                problems.append(f"{combination}: {path} runs `uv sync` without UV_LOCKED once uv.lock exists")
    assert not problems, "\n".join(problems[:20])


PIPX_STUB = """#!/bin/sh
echo "$*" >> "$STUB_LOG"
case "$*" in
  *" cruft check"*) exit 1 ;;  # the template has moved on
  *" update "*) echo "refreshed" >> README.md ;;
esac
"""


@pytest.mark.parametrize(
    "answers_file", [".cruft.json", ".copier-answers.yml", None], ids=["cruft", "copier", "unlinked"]
)
def test_refresh_job_runs_the_tool_the_project_was_made_with(tmp_path: Path, answers_file: str | None) -> None:
    """The check and apply steps' scripts, run for real by bash in a bake, with a stub pipx:
    cruft's project is checked then updated by cruft, copier's is updated by copier alone,
    and one made with plain cookiecutter (no answers file) ends green, saying in one line
    how to link it, and runs no tool."""
    from engine.rendered.copier_yaml import ANSWERS_FILE
    from engine.runs.processes import commit_all, committer_env, run

    project = render(tmp_path / "made")
    steps = {
        step.get("id", step.get("name")): step
        for step in parsed((project / REFRESH).read_text())["jobs"]["refresh"]["steps"]
    }
    assert ANSWERS_FILE in steps["check"]["run"], f"{REFRESH} looks for another copier answers file"
    assert not [*project.glob(".cruft.json"), *project.glob(ANSWERS_FILE)], "cookiecutter wrote an answers file"
    if answers_file:
        (project / answers_file).write_text("{}\n")
    commit_all(project, "Made")
    stub = tmp_path / "bin" / "pipx"
    stub.parent.mkdir()
    stub.write_text(PIPX_STUB)
    stub.chmod(0o755)
    output, log = tmp_path / "github_output", tmp_path / "pipx.log"
    env = {"PATH": f"{stub.parent}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "STUB_LOG": str(log)}
    printed = []
    for step in (steps["check"], steps["Apply the template's changes"]):
        outdated = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
        if evaluate(step.get("if", "true"), {"steps.check.outputs.outdated": outdated.get("outdated", "")}):
            ran = run(
                ["env", *(f"{k}={v}" for k, v in env.items()), "bash", "-e", "-c", step["run"]],
                project,
                committer_env(),
            )
            printed += (ran.stdout + ran.stderr).splitlines()
    pipx = log.read_text().splitlines() if log.exists() else []
    cruft, copier = (f"run --spec {name}=={TOOLS[name]} {name}" for name in ("cruft", "copier"))
    if answers_file == ".cruft.json":
        assert output.read_text() == "outdated=true\n"
        assert pipx == [f"{cruft} check", f"{cruft} update --skip-apply-ask --allow-untracked-files"]
    elif answers_file:
        assert output.read_text() == "outdated=true\n"
        assert pipx == [f"{copier} update --defaults --conflict inline"]
    else:
        assert output.read_text() == "outdated=false\n"
        assert pipx == [], "an unlinked project ran a tool"
        assert len(printed) == 1 and printed[0].startswith("::notice::"), printed
        assert "cruft link" in printed[0] and "Traceback" not in printed[0], printed
