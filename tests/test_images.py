"""The generated projects' images, built and run for real (engine/runs/images.py).

Every distinct rendering of the test-runner and app Dockerfiles is built with buildah from
the repository root of a real bake, after the user's first steps (``uv lock``, ``git
init``, a commit), from stand-in base images. In each test-runner image the jobs of the
rendered ci.yml that run in it (Gates 1-3) run their steps in order, as UID 1001 with a
fresh clone where GitHub mounts the workspace, against this run's PostgreSQL and Redis;
Node.js and npm answer exactly when ``test_runner_node`` is on. Each app image starts its
own CMD and answers GET /health with 200. A rendering whose Python no Debian release
packages (3.12) cannot be built here and is skipped with that reason.

Counted in the summary line: ``image`` (an image built), ``gate-run`` (one gate job's
steps in one image). ``share:<part>`` properties split a test's time between image
builds and gates for benchmarks/shares.py; ``seconds:`` and ``cpu-seconds:`` properties
give the wall and CPU time of every part (bases, build, containers, each gate step).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.runs import images
from engine.runs.processes import Timings
from engine.runs.projects import render

# `suites` and `debian_roots` too: they run the generated suites on the Debian roots, so the
# fast static subset and a run without root or mmdebstrap leave them out.
pytestmark = [pytest.mark.images, pytest.mark.suites, pytest.mark.debian_roots]

CASES = images.distinct_dockerfiles()
RUNNERS = [case for case in CASES if case[0] == "docker/test-runner.Dockerfile"]
APPS = [case for case in CASES if case[0] == "docker/app.Dockerfile"]
SERVICES = ("DATABASE_URL", "REDIS_URL")

Case = tuple[str, str, dict[str, Any]]
Record = Callable[[tuple[str, object]], None]


def case_id(case: Case) -> str:
    path, content, combination = case
    digest = hashlib.sha256(content.encode()).hexdigest()[:8]
    node = f"-node-{'on' if combination['test_runner_node'] else 'off'}" if "test-runner" in path else ""
    return f"py{combination['python_version']}{node}-{digest}"


def build_from_bake(case: Case, tmp_path: Path, record: Record, timings: Timings) -> tuple[images.Buildah, str, Path]:
    """Bake the case's combination, take the user's first steps, build its Dockerfile."""
    path, content, combination = case
    if reason := images.unbuildable(content):
        pytest.skip(reason)
    project = render(tmp_path / "bake", **combination)
    assert (project / path).read_text() == content, "the bake does not render this Dockerfile"
    buildah = images.Buildah(images.storage())
    with timings.measure("bases"):
        for base in images.base_images(content):
            images.make_base(buildah, base)
        images.first_steps(project, combination["python_version"], images.uv_binary(content))
    tag = f"localhost/{Path(path).stem.replace('.', '-')}-{case_id(case).lower()}"
    with timings.measure("build"):
        images.build(buildah, project, path, tag)
    record(("image", f"{path} {case_id(case)}"))
    return buildah, tag, project


# Which part of a run's time (benchmarks/shares.py) each measured part is.
SHARES = {"build": "image builds", "gates": "gates inside the images"}


def report(record: Record, timings: Timings) -> None:
    for part, share in SHARES.items():
        if part in timings.parts:
            record((f"share:{share}", f"{timings.parts[part][0]:.1f}"))
    for part, (wall, cpu) in timings.parts.items():
        record((f"seconds:{part}", f"{wall:.1f}"))
        record((f"cpu-seconds:{part}", f"{cpu:.1f}"))


@pytest.mark.parametrize("case", RUNNERS, ids=case_id)
def test_test_runner_image(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    record_property = request.node.user_properties.append
    timings = Timings()
    buildah, tag, project = build_from_bake(case, tmp_path, record_property, timings)
    combination = case[2]
    runner = images.Runner(buildah, tag, tmp_path / "runner", timings)
    try:
        services = {key: os.environ[key] for key in SERVICES if key in os.environ}
        jobs = images.container_jobs((project / ".github/workflows/ci.yml").read_text(), services)
        assert [job.name for job in jobs] == ["Gate 1: lint and types", "Gate 2: tests", "Gate 3: coverage floor"]
        for job in jobs:
            with timings.measure("gates"):
                runner.job(project, job)
            record_property(("gate-run", f"{case_id(case)} {job.name}"))
        python = runner.run(["python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        assert python.stdout.strip() == combination["python_version"], python.stdout + python.stderr
        for tool in ("node", "npm"):
            answer = runner.run([tool, "--version"])
            assert (answer.returncode == 0) == combination["test_runner_node"], (
                f"{tool} --version: {answer.returncode} {answer.stdout}{answer.stderr}"
                f" (test_runner_node is {combination['test_runner_node']})"
            )
    finally:
        runner.close()
        buildah("rmi", "--force", tag, check=False)
        report(record_property, timings)


@pytest.mark.parametrize("case", APPS, ids=case_id)
def test_app_image_serves(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    record_property = request.node.user_properties.append
    timings = Timings()
    buildah, tag, _ = build_from_bake(case, tmp_path, record_property, timings)
    try:
        with timings.measure("serve"):
            status, answer = images.health(buildah, tag, sys.executable)
        assert status == 200, f"GET /health: {status}\n{answer}"
    finally:
        buildah("rmi", "--force", tag, check=False)
        report(record_property, timings)


def test_a_storage_root_goes_with_every_mount_under_it(tmp_path: Path) -> None:
    """The driver is chosen once and kept; removing the root undoes what buildah mounted."""
    storage = tmp_path / "storage"
    buildah = images.Buildah(storage)
    assert buildah.driver in ("overlay", "vfs")
    assert images.Buildah(storage).driver == buildah.driver == (storage / "driver").read_text()
    container = buildah("from", "scratch").stdout.strip()
    buildah("mount", container)
    assert not (storage / "probe").exists()
    images.remove_storage(storage)
    assert not storage.exists()
    assert not images.mounts_under(storage)


def test_a_storage_where_overlay_does_not_mount_uses_vfs(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "probe").write_text("not a directory: buildah cannot make its root here")
    assert images.Buildah(storage).driver == "vfs"
    images.remove_storage(storage)
    assert not images.mounts_under(storage)
