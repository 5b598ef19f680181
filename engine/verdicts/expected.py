"""Which files a combination calls for, and what its pytest configuration must say.

This is the independent statement of intent that every bake is checked against: the
template decides with conditional file names, this table says what should happen. What an
option means beyond its own file (the Pythons a minimum offers, the licence expression)
is said once here, for every check that reads it (engine/runs/distributions.py,
engine/runs/pythons.py, tests/test_ci_files.py).
"""

from __future__ import annotations

from typing import Any

from engine.ground import AXES, Combination

SERVICE = {"project_kind": "service"}
LIBRARY = {"project_kind": "library"}
WITH_DATABASE = {"project_kind": "service", "database": ("sqlite", "postgres")}
WITH_REDIS = {"project_kind": "service", "cache": "redis"}
WITH_SQLITE = {"project_kind": "service", "database": "sqlite"}
WITH_POSTGRES = {"project_kind": "service", "database": "postgres"}

# path (with {pkg} for the package name) -> the options it needs (value or tuple of values),
# or a tuple of such conditions, any of which will do
FILES: dict[str, dict[str, Any] | tuple[dict[str, Any], ...]] = {
    ".dockerignore": {},
    ".github/dependabot.yml": {},
    ".github/workflows/ci.yml": {},
    ".github/workflows/publish-test-runner.yml": {},
    ".github/workflows/template-refresh.yml": {},
    ".github/workflows/release.yml": LIBRARY,
    "docker/test-runner.Dockerfile": {},
    "docs/quality-gates.md": {},
    "docker/app.Dockerfile": SERVICE,
    "compose.yaml": SERVICE,
    ".gitignore": {},
    ".pre-commit-config.yaml": {},
    "LICENSE": {},
    "README.md": {},
    "CONTRIBUTING.md": LIBRARY,
    "pyproject.toml": {},
    "src/{pkg}/__init__.py": {},
    "src/{pkg}/py.typed": {},
    # services
    "src/{pkg}/__main__.py": SERVICE,
    "src/{pkg}/app.py": SERVICE,
    "src/{pkg}/health.py": SERVICE,
    "src/{pkg}/items.py": SERVICE,
    "src/{pkg}/limits.py": SERVICE,
    "src/{pkg}/logs.py": SERVICE,
    "src/{pkg}/repository.py": SERVICE,
    "src/{pkg}/routes.py": SERVICE,
    "src/{pkg}/settings.py": SERVICE,
    "src/{pkg}/database.py": WITH_DATABASE,
    "src/{pkg}/migrations/env.py": WITH_DATABASE,
    "src/{pkg}/migrations/script.py.mako": WITH_DATABASE,
    "src/{pkg}/migrations/versions/0001_create_items.py": WITH_DATABASE,
    "src/{pkg}/cache.py": WITH_REDIS,
    "tests/conftest.py": {},
    "tests/event_loops.py": {},
    "tests/test_event_loops.py": {},
    "tests/coverage_floor.py": {},
    "tests/fixture_types.py": {},
    "tests/test_repository_hygiene.py": {},
    "tests/fixtures_client.py": SERVICE,
    "tests/fixtures_items.py": SERVICE,
    "tests/fixtures_database.py": WITH_DATABASE,
    "tests/fixtures_sqlite.py": WITH_SQLITE,
    "tests/fixtures_postgres.py": WITH_POSTGRES,
    "tests/fixtures_cache.py": WITH_REDIS,
    "tests/fixtures_live_server.py": SERVICE,
    "tests/missing_services.py": (WITH_POSTGRES, WITH_REDIS),
    "tests/test_health.py": SERVICE,
    "tests/test_items_api.py": SERVICE,
    "tests/test_contract.py": SERVICE,
    "tests/test_main.py": SERVICE,
    "tests/test_operations.py": SERVICE,
    "tests/test_settings.py": SERVICE,
    "tests/test_database_url.py": WITH_DATABASE,
    "tests/test_migrations.py": WITH_DATABASE,
    "tests/test_seed.py": WITH_DATABASE,
    "tests/test_visits.py": WITH_REDIS,
    # libraries
    "src/{pkg}/client.py": LIBRARY,
    "tests/test_client.py": LIBRARY,
    "tests/test_concurrency.py": LIBRARY,
    "tests/test_integration.py": LIBRARY,
    "tests/test_live_server.py": {},
    "tests/test_validation.py": LIBRARY,
    "tests/test_readme.py": LIBRARY,
}
# What a library's sdist holds besides its package (the FILES under src/{pkg}/): the
# metadata hatchling writes, the files [project] names, and .gitignore, which hatchling
# always adds. Nothing else: no tests, CI, images, uv.lock or the team's docs.
SDIST_EXTRAS = ("PKG-INFO", "pyproject.toml", "README.md", "LICENSE", ".gitignore")


def _wants(condition: dict[str, Any] | tuple[dict[str, Any], ...], combo: Combination) -> bool:
    if isinstance(condition, tuple):
        return any(_wants(one, combo) for one in condition)
    for name, allowed in condition.items():
        values = allowed if isinstance(allowed, tuple) else (allowed,)
        if combo[name] not in values:
            return False
    return True


def expected_files(combo: Combination, package: str) -> set[str]:
    return {path.format(pkg=package) for path, condition in FILES.items() if _wants(condition, combo)}


def sdist_files(combo: Combination, package: str) -> set[str]:
    """The files of a library's sdist, as paths inside its top folder."""
    source = f"src/{package}/"
    return {path for path in expected_files(combo, package) if path.startswith(source)} | set(SDIST_EXTRAS)


def config_problems(combo: Combination, pyproject: dict[str, Any]) -> list[str]:
    """Where pyproject.toml does not carry the values that were chosen."""
    pytest_ini = pyproject["tool"]["pytest"]
    coverage = pyproject["tool"]["coverage"]
    project = pyproject["project"]
    test_group = " ".join(pyproject["dependency-groups"]["test"])
    addopts = pytest_ini.get("addopts", [])
    scope = combo["fixture_loop_scope"]
    service = combo["project_kind"] == "service"
    expectations = {
        "asyncio_mode": (pytest_ini.get("asyncio_mode"), combo["asyncio_mode"]),
        "asyncio_default_fixture_loop_scope": (
            pytest_ini.get("asyncio_default_fixture_loop_scope"),
            scope,
        ),
        "asyncio_default_test_loop_scope": (
            pytest_ini.get("asyncio_default_test_loop_scope"),
            scope,
        ),
        "strict": (pytest_ini.get("strict"), True),
        "filterwarnings": (pytest_ini.get("filterwarnings"), ["error"]),
        "timeout > 0": (float(pytest_ini.get("timeout", 0)) > 0, True),
        "log_level": (pytest_ini.get("log_level"), "INFO"),
        "addopts asks for the -ra summary": ("-ra" in addopts, True),
        "markers unit/integration/e2e (and contract for a service)": (
            sorted(m.split(":")[0] for m in pytest_ini.get("markers", [])),
            sorted(["e2e", "integration", "unit", *(["contract"] if service else [])]),
        ),
        "addopts runs one process (xdist is opt-in: -n auto)": ("-n" not in addopts, True),
        "pytest-xdist in the test group": ("pytest-xdist" in test_group, combo["parallel_tests"]),
        "addopts measures coverage": ("--cov" in addopts, True),
        # --cov takes an optional value: last in addopts, it would take `pytest <path>`'s path.
        "addopts' --cov is followed by an option, so it cannot take a test path": (
            "--cov" in addopts[:-1] and addopts[addopts.index("--cov") + 1].startswith("-"),
            True,
        ),
        "coverage branch": (coverage["run"].get("branch"), True),
        "coverage fail_under": (
            float(coverage["report"].get("fail_under", -1)),
            float(combo.get("coverage_fail_under", coverage["report"].get("fail_under", -1))),
        ),
        "requires-python": (project.get("requires-python"), requires_python(combo)),
        "ruff target-version unset (ruff reads requires-python)": (
            pyproject["tool"]["ruff"].get("target-version"),
            None,
        ),
        "mypy python_version": (pyproject["tool"]["mypy"].get("python_version"), combo["python_version"]),
        "a classifier for every offered Python from the minimum": (
            [c for c in project.get("classifiers", []) if c.startswith("Programming Language :: Python :: 3.")],
            [f"Programming Language :: Python :: {version}" for version in offered_pythons(combo)],
        ),
        "mypy warn_unreachable": (pyproject["tool"]["mypy"].get("warn_unreachable"), True),
        "mypy extra error codes": (
            sorted(pyproject["tool"]["mypy"].get("enable_error_code", [])),
            ["ignore-without-code", "redundant-expr", "truthy-bool"],
        ),
        "license": (project.get("license"), license_expression(combo["license"])),
    }
    return [
        f"pyproject.toml: {key} is {actual!r}, expected {wanted!r}"
        for key, (actual, wanted) in expectations.items()
        if actual != wanted
    ]


def offered_pythons(combo: Combination) -> list[str]:
    """Every Python cookiecutter.json offers, from the combination's minimum up: the
    classifiers, and the Pythons CI builds the images on."""
    offered = list(AXES["python_version"])
    return offered[offered.index(combo["python_version"]) :]


def requires_python(combo: Combination) -> str:
    """The project's ``requires-python`` (and its distributions' Requires-Python)."""
    return f">={combo['python_version']}"


def license_expression(license: str) -> str:
    """The SPDX expression of a ``license`` answer: a proprietary licence is a LicenseRef."""
    return "LicenseRef-Proprietary" if license == "Proprietary" else license
