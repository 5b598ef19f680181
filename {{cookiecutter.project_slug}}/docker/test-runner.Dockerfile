# The test-runner image: the one environment the quality gates run in, in CI and locally.
# Build it from the repository root:
#   docker build -f docker/test-runner.Dockerfile -t {{ cookiecutter.project_slug }}-test-runner .
# It holds Python, uv and the project's test and lint dependencies (from pyproject.toml and
# uv.lock, exactly as `uv sync` installs them locally), never the code: the code is mounted
# or checked out at run time.
ARG PYTHON_VERSION={{ cookiecutter.python_version }}
{%- if cookiecutter.test_runner_node %}
ARG NODE_MAJOR=26
{%- endif %}

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv
{%- if cookiecutter.test_runner_node %}

# Node.js and npm come from the official image of the same Debian release.
FROM node:${NODE_MAJOR}-bookworm-slim AS node
{%- endif %}

FROM python:${PYTHON_VERSION}-slim-bookworm

COPY --from=uv /uv /uvx /usr/local/bin/

# git: the pre-commit hooks of Gate 1 list the repository's files with it (and
# actions/checkout makes a real clone only where git is installed).
{%- if cookiecutter.test_runner_node %}
# libatomic1: Node.js (25 and later) links against it, and the slim Python image lacks it.
{%- endif %}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git{% if cookiecutter.test_runner_node %} libatomic1{% endif %} \
    && rm -rf /var/lib/apt/lists/*
{%- if cookiecutter.test_runner_node %}

# Node.js and npm where the node image has them; both must answer before the build goes on.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version \
    && npm --version
{%- endif %}

# The virtual environment lives outside the checkout so a mounted or checked-out tree
# never hides it; uv keeps no cache in the image and never downloads another Python.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# UID 1001 is the runner user on GitHub-hosted runners: the checkout stays writable.
RUN useradd --create-home --uid 1001 --user-group tester \
    && install -d -o 1001 -g 1001 /opt/venv /work
USER 1001:1001
WORKDIR /work

# The same `uv sync` as on a laptop, minus the project itself (it is installed at run time,
# from the checked-out code). Once uv.lock is committed it installs exactly what the lock
# says (`UV_LOCKED=1` is uv's `--locked`: a lock that no longer matches pyproject.toml fails
# the build); before that, a fresh resolution. The libraries' bytecode is compiled here,
# once: a gate's processes cannot keep what they compile (PYTHONDONTWRITEBYTECODE), so
# without it each would compile every library it imports, seconds per process. The
# environment is left writable for any UID, so a local run may use
# `--user "$(id -u):$(id -g)"` and keep the files it writes in the checkout yours.
COPY --chown=1001:1001 pyproject.toml uv.lock* ./
RUN if [ -f uv.lock ]; then export UV_LOCKED=1; fi \
    && uv sync --no-install-project --compile-bytecode --group test --group lint \
    && chmod -R a+rwX /opt/venv
