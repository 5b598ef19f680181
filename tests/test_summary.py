"""The run's closing lines (engine/verdicts/summary.py) say what ran and what did not.

A tiny stand-in suite (the real parts' test functions, by name, recording what the real
ones record) runs in a pytest of its own, in one process or on two xdist workers: the
summary must count what passed, say what failed, and say ``not run (why)`` for a part
that did not run, never ``0/N ... all passed``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from engine.ground import TEMPLATE
from engine.verdicts.summary import PARTS

STAND_IN = {
    "pytest.ini": """
[pytest]
markers =
    full_matrix: the matrix
    suites: the generated suites
""",
    "conftest.py": """
from engine.verdicts.summary import RunSummary

def pytest_configure(config):
    config.pluginmanager.register(RunSummary(lambda: ("every combination", 3)), "template-summary")
""",
    "test_parts.py": """
import os
import pytest

def record(request, name, value):
    request.node.user_properties.append((name, value))
    if value.split()[0] in os.environ.get("FAIL", "").split():
        raise AssertionError(f"{value} failed")

@pytest.mark.full_matrix
@pytest.mark.parametrize("combo", ["alpha", "beta", "gamma"])
def test_combination_bakes_and_checks(combo, request):
    record(request, "combination", combo)

@pytest.mark.suites
@pytest.mark.parametrize("twin", ["one", "two", "two-twin"])
def test_generated_suite_passes(twin, request):
    if twin.endswith("-twin"):
        request.node.user_properties.append(("same-rendering", twin[:-5]))
    else:
        record(request, "suite", twin)

def test_test_runner_image(request):
    request.node.user_properties.append(("image", "runner"))
    record(request, "gate-run", "gate")

@pytest.mark.suites
def test_suite_lint_and_types_pass_on_python(request):
    record(request, "python-suite", "3.13 k")

@pytest.mark.suites
def test_suite_passes_at_the_floors(request):
    record(request, "lowest-direct", "k")

def test_something_else():
    pass
""",
}

ALL_PASSED = [
    "every combination: 3/3 baked and checked; 2 distinct generated suites run, all passed",
    "images: 1 built, 1 gate runs inside them; pythons: 3.11, 3.13 ran 3 suites; "
    "lowest-direct: 1/1 dependency sets green",
]

CASES = {
    "everything": ([], "", ALL_PASSED),
    "matrix deselected": (
        ["-m", "not full_matrix"],
        "",
        ["every combination: not run (not selected); 2 distinct generated suites run, all passed", ALL_PASSED[1]],
    ),
    "collect only": (
        ["--collect-only"],
        "",
        [
            "every combination: not run (--collect-only); generated suites: not run (--collect-only)",
            "images: not run (--collect-only); pythons: not run (--collect-only); "
            "lowest-direct: not run (--collect-only)",
        ],
    ),
    "one file's other test": (
        ["-k", "something_else"],
        "",
        [
            "every combination: not run (not selected); generated suites: not run (not selected)",
            "images: not run (not selected); pythons: not run (not selected); lowest-direct: not run (not selected)",
        ],
    ),
    "some failed, some not selected": (
        ["-k", "not gamma and not one"],
        "beta two gate 3.13",
        [
            "every combination: 1/3 baked and checked, 1 failed (1 not selected); "
            "1 distinct generated suites run, 1 failed (1 not selected)",
            "images: 1 built, 1 gate runs inside them, 1 failed; pythons: 3.11, 3.13 ran 2 suites, 1 failed; "
            "lowest-direct: 1/1 dependency sets green",
        ],
    ),
    "stopped at the first failure": (
        ["-x"],
        "alpha",
        [
            "every combination: 0/3 baked and checked, 1 failed (2 not reached); "
            "generated suites: not run (the run stopped first)",
            "images: not run (the run stopped first); pythons: not run (the run stopped first); "
            "lowest-direct: not run (the run stopped first)",
        ],
    ),
}


# Every case in one process; on xdist (whose controller collects nothing: the workers'
# counts reach it at their end), the partial run with failures.
RUNS = [(case, "0") for case in CASES] + [("some failed, some not selected", "2")]


@pytest.mark.parametrize(("case", "workers"), RUNS)
def test_summary_says_what_ran_and_what_did_not(case: str, workers: str, tmp_path: Path) -> None:
    options, failing, expected = CASES[case]
    for name, text in STAND_IN.items():
        (tmp_path / name).write_text(text.lstrip(), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", workers, *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "FAIL": failing},
    )
    lines = done.stdout.splitlines()
    start = next((index for index, line in enumerate(lines) if line.startswith("every combination")), None)
    assert start is not None, f"{case}: no summary line in:\n{done.stdout}\n{done.stderr}"
    assert lines[start : start + 2] == expected, f"{case}:\n{done.stdout}"


def test_summary_parts_name_the_suites_test_functions() -> None:
    """A renamed test function would leave its part 'not run' for ever: each must exist."""
    defined = {
        node.name
        for path in (TEMPLATE / "tests").glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef)
    }
    missing = {function for functions in PARTS.values() for function in functions} - defined
    assert not missing, (
        f"engine/verdicts/summary.py's PARTS name test functions that tests/ no longer has: {sorted(missing)}"
    )
