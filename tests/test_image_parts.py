"""The parts of engine/runs/images.py that read the rendered files, without building anything."""

from __future__ import annotations

import pytest

from engine.runs import images

DOCKERFILE = """\
ARG PYTHON_VERSION=3.13
ARG NODE_MAJOR=26
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv
FROM node:${NODE_MAJOR}-bookworm-slim AS node
FROM python:$PYTHON_VERSION-slim-bookworm AS build
FROM python:${PYTHON_VERSION}-slim-bookworm
COPY --from=build /opt/venv /opt/venv
"""

CI = """\
env:
  CI: "true"
jobs:
  image:
    uses: ./.github/workflows/publish.yml
  tests:
    name: "Gate 2: tests"
    container:
      image: runner
    services:
      postgres:
        image: postgres:18
    env:
      DATABASE_URL: postgresql://app:secret@postgres:5432/app
      OTHER_URL: https://example.com/x
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
      - run: uv sync --locked
      - run: uv run pytest
"""


def test_base_images_fill_in_the_arg_defaults_and_skip_stages() -> None:
    assert images.base_images(DOCKERFILE) == [
        "ghcr.io/astral-sh/uv:0.13.9",
        "node:26-bookworm-slim",
        "python:3.13-slim-bookworm",
    ]


def test_short_names_are_docker_hubs() -> None:
    assert images.qualified("python:3.13-slim-bookworm") == "docker.io/library/python:3.13-slim-bookworm"
    assert images.qualified("owner/tool:1") == "docker.io/owner/tool:1"
    assert images.qualified("ghcr.io/astral-sh/uv:0.13.9") == "ghcr.io/astral-sh/uv:0.13.9"


def test_a_python_no_debian_release_packages_is_unbuildable() -> None:
    assert images.unbuildable(DOCKERFILE) is None
    reason = images.unbuildable(DOCKERFILE.replace("3.13", "3.12"))
    assert reason is not None and "3.12" in reason
    assert "alpine" in str(images.unbuildable("FROM alpine:3\n"))


def test_container_jobs_read_the_steps_and_move_service_hosts_to_loopback() -> None:
    (job,) = images.container_jobs(CI, {"DATABASE_URL": "postgresql://u:p@127.0.0.1:55432/db"})
    assert job.name == "Gate 2: tests"
    assert job.steps == ["checkout", "uv sync --locked", "uv run pytest"]
    assert job.env == {
        "CI": "true",
        "DATABASE_URL": "postgresql://app:secret@127.0.0.1:55432/app",
        "OTHER_URL": "https://example.com/x",
    }


def test_a_service_url_without_a_local_address_is_named() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL names the service postgres"):
        images.container_jobs(CI, {})


def test_a_step_that_neither_runs_nor_checks_out_is_refused() -> None:
    with pytest.raises(ValueError, match="neither runs nor checks out"):
        images.container_jobs(
            CI.replace("- run: uv run pytest", "- uses: some/action@v1"), {"DATABASE_URL": "postgresql://127.0.0.1:1/x"}
        )


def test_every_dockerfile_rendering_is_baked_from_a_combination_that_makes_it() -> None:
    cases = images.distinct_dockerfiles()
    assert {path for path, _, _ in cases} == set(images.DOCKERFILES)
    for path, _, combination in cases:
        prefer = images.PREFERENCES[path]
        assert all(combination[option] == value for option, value in prefer.items()), (path, combination)
