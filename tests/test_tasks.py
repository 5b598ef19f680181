"""The generated task runner runs exactly the CI gates: one poe task per CI job, same commands.

For every distinct rendering of ``[tool.poe.tasks]`` and ``ci.yml`` (tests/test_repo_review.py
renders them for the whole product), each gate's poe task must run what the CI job runs:
the job's ``run:`` steps after its ``uv sync`` (CI's ``uv run --no-sync`` prefix aside, as
``uv run poe`` is already inside the environment), and for Gate 4 a ``docker build`` of each
Dockerfile the job builds. ``all`` runs the four gates in CI's order.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any

import pytest
import yaml

from engine.ground import combination_id
from engine.rendered.renderings import reviewed_renderings

GATES = ("lint", "tests", "coverage", "images")


def ci_commands(job: dict[str, Any]) -> list[str]:
    """What a CI job runs: its run steps (past uv sync), or the images its build steps build."""
    commands = []
    for step in job["steps"]:
        if "run" in step and not step["run"].startswith("uv sync"):
            commands.append(step["run"].removeprefix("uv run --no-sync "))
        elif step.get("uses", "").startswith("docker/build-push-action@"):
            commands.append(f"docker build -f {step['with']['file']} .")
    return commands


def task_commands(task: dict[str, Any]) -> list[str]:
    if "cmd" in task:
        return [task["cmd"]]
    return [item["cmd"] if isinstance(item, dict) else item for item in task["sequence"]]


@functools.cache
def poe_tasks(pyproject: str) -> dict[str, Any]:
    tasks: dict[str, Any] = tomllib.loads(pyproject)["tool"]["poe"]["tasks"]
    return tasks


@functools.cache
def ci_jobs(workflow: str) -> dict[str, Any]:
    jobs: dict[str, Any] = yaml.load(workflow, Loader=yaml.CSafeLoader)["jobs"]
    return jobs


@functools.cache
def distinct_pairs() -> dict[tuple[str, str], str]:
    """Each distinct pair of poe tasks and ci.yml -> the first combination that makes it."""
    pairs: dict[tuple[str, str], str] = {}
    for combination, files in reviewed_renderings().values():
        pyproject = files["pyproject.toml"]
        tasks = pyproject[pyproject.index("[tool.poe.tasks]") :].split("\n\n")[0]
        key = (tasks, files[".github/workflows/ci.yml"])
        pairs.setdefault(key, combination_id(combination))
    return pairs


@pytest.mark.parametrize("gate", ["lint", "tests", "coverage", "images"])
def test_each_gate_task_runs_what_its_ci_job_runs(gate: str) -> None:
    problems = []
    for (table, workflow), combination in distinct_pairs().items():
        tasks = poe_tasks(table)
        job = ci_jobs(workflow)[gate]
        if task_commands(tasks[gate]) != ci_commands(job):
            problems.append(
                f"{combination}: poe {gate} runs {task_commands(tasks[gate])}, CI's {gate} job runs {ci_commands(job)}"
            )
    assert not problems, "\n".join(problems[:20])


def test_all_runs_every_gate_in_ci_order() -> None:
    problems = [
        f"{combination}: poe all runs {tasks['all']['sequence']}"
        for (table, _), combination in distinct_pairs().items()
        if (tasks := poe_tasks(table))["all"]["sequence"] != list(GATES)
    ]
    assert not problems, "\n".join(problems[:20])
