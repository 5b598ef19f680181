"""The two lines that close the template's run: what it proved, and what it did not run.

::

    every combination: N/N baked and checked; M distinct generated suites run, all passed
    images: B built, G gate runs inside them; pythons: 3.11, ... ran S suites; lowest-direct: L/L dependency sets green

Each part is the items of one or two test functions (``PARTS``). A part none of whose
items passed or failed says ``not run (why)``: ``--collect-only``, ``not selected`` (a
``-m``, ``-k``, path or shard selection left none of it), ``K skipped``, or ``the run
stopped first``; a part that ran says how many failed, and in parentheses what of it did
not run (skipped, not reached, not selected), so that a line never claims a whole that did
not run. The numbers come from the reports' ``user_properties`` (what each test records:
``combination``, ``suite``, ``image``, ...) and from collection: every worker (or the one
process) counts each part's items before and after deselection and hands the counts to
the controller (``workeroutput``), which collects nothing itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine.ground import RUNNING_PYTHON

# Part -> the test functions whose items it counts (tests/test_<...>.py).
PARTS = {
    "matrix": ("test_combination_bakes_and_checks",),
    "suites": ("test_generated_suite_passes",),
    "images": ("test_test_runner_image", "test_app_image_serves"),
    "pythons": ("test_suite_lint_and_types_pass_on_python",),
    "lowest-direct": ("test_suite_passes_at_the_floors",),
}
_PART_OF = {function: part for part, functions in PARTS.items() for function in functions}
_COUNTS = "template-summary-counts"  # the workeroutput key: part -> [collected, selected]


def part_of(nodeid: str) -> str | None:
    """The part an item belongs to, by its function's name (``path::function[id]``)."""
    return _PART_OF.get(re.sub(r"\[.*\]$", "", nodeid.split("::")[-1]))


@dataclass
class Tally:
    """One part: its items as collected and selected, and each reported item's outcome."""

    collected: int = 0
    selected: int = 0
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    # (outcome, property name) -> the values recorded by the items' calls
    properties: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def values(self, name: str, *outcomes: str) -> set[str]:
        return set().union(*(self.properties.get((outcome, name), set()) for outcome in outcomes or ("passed",)))

    @property
    def ran(self) -> bool:
        return bool(self.passed or self.failed)

    def why_not_run(self, collect_only: bool) -> str:
        if collect_only:
            return "--collect-only"
        if not self.selected:
            return "not selected"
        if self.skipped:
            return f"{len(self.skipped)} skipped"
        return "the run stopped first"

    def missing(self) -> str:
        """What of the part did not run, in parentheses ("" when all of it ran)."""
        reported = len(self.passed | self.failed | self.skipped)
        counts = [
            (len(self.skipped), "skipped"),
            (self.selected - reported, "not reached"),
            (self.collected - self.selected, "not selected"),
        ]
        said = [f"{count} {what}" for count, what in counts if count > 0]
        return f" ({', '.join(said)})" if said else ""


class RunSummary:
    """A pytest plugin that writes the closing lines (see the module's docstring).

    ``matrix`` says, when the run ends, what the matrix line is about and how many
    combinations it has (``("every combination", 11520)``, or a shard's): the line counts
    against that, not against what was collected.
    """

    def __init__(self, matrix: Callable[[], tuple[str, int]]) -> None:
        self.matrix = matrix
        self.tallies = {part: Tally() for part in PARTS}
        self.counted = False  # collection counts arrived (a worker's, or this process's)

    # --- collection: in the one process, or in each worker ---

    @pytest.hookimpl
    def pytest_itemcollected(self, item: pytest.Item) -> None:
        if (part := part_of(item.nodeid)) is not None:
            self.tallies[part].collected += 1

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            if (part := part_of(item.nodeid)) is not None:
                self.tallies[part].selected += 1
        self.counted = True
        if hasattr(session.config, "workerinput"):
            session.config.workeroutput[_COUNTS] = {  # type: ignore[attr-defined]
                part: [tally.collected, tally.selected] for part, tally in self.tallies.items()
            }

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """On the controller: every worker collects the same items; take one's counts."""
        counts = getattr(node, "workeroutput", {}).get(_COUNTS)
        if counts and not self.counted:
            for part, (collected, selected) in counts.items():
                self.tallies[part].collected, self.tallies[part].selected = collected, selected
            self.counted = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """On the controller: what was selected, in case no worker ends to say so."""
        if self.counted:
            return
        for tally in self.tallies.values():
            tally.selected = 0
        for nodeid in ids:
            if (part := part_of(nodeid)) is not None:
                self.tallies[part].selected += 1
                self.tallies[part].collected = max(self.tallies[part].collected, self.tallies[part].selected)

    # --- the end ---

    def tally(self, reports: Iterable[Any]) -> None:
        """Each item's outcome (a failed setup, call or teardown fails it) and properties."""
        for report in reports:
            if not isinstance(report, pytest.TestReport) or (part := part_of(report.nodeid)) is None:
                continue
            tally = self.tallies[part]
            if report.failed:
                tally.failed.add(report.nodeid)
            elif report.skipped:
                tally.skipped.add(report.nodeid)
            elif report.when == "call":
                tally.passed.add(report.nodeid)
            if report.when == "call":
                for name, value in report.user_properties:
                    tally.properties.setdefault((report.outcome, name), set()).add(str(value))
        for tally in self.tallies.values():
            tally.passed -= tally.failed
            tally.skipped -= tally.failed | tally.passed

    def lines(self, collect_only: bool) -> list[str]:
        t = self.tallies

        def part(label: str, tally: Tally, said: str) -> str:
            if not tally.ran:
                return f"{label}: not run ({tally.why_not_run(collect_only)})"
            failed = f", {len(tally.failed)} failed" if tally.failed else ""
            return f"{label}: {said}{failed}{tally.missing()}"

        where, combinations = self.matrix()
        matrix = t["matrix"]
        matrix.collected = combinations
        first = part(where, matrix, f"{len(matrix.passed)}/{combinations} baked and checked")
        suites = t["suites"]
        if suites.ran:
            run = len(suites.values("suite", "passed", "failed"))
            verdict = f"{len(suites.failed)} failed" if suites.failed else "all passed"
            first += f"; {run} distinct generated suites run, {verdict}{suites.missing()}"
        else:
            first += f"; generated suites: not run ({suites.why_not_run(collect_only)})"

        images = t["images"]
        built, gates = images.values("image", "passed", "failed"), images.values("gate-run", "passed", "failed")
        pythons = t["pythons"]
        others = pythons.values("python-suite", "passed", "failed")
        versions = sorted(
            ({RUNNING_PYTHON} if suites.ran else set()) | {value.split()[0] for value in others},
            key=lambda version: tuple(map(int, version.split("."))),
        )
        runs = len(suites.values("suite", "passed", "failed")) + len(others)
        lowest = t["lowest-direct"]
        sets = len(lowest.passed | lowest.failed)
        second = [
            part("images", images, f"{len(built)} built, {len(gates)} gate runs inside them"),
            part("pythons", pythons, f"{', '.join(versions)} ran {runs} suites"),
            part("lowest-direct", lowest, f"{len(lowest.passed)}/{sets} dependency sets green"),
        ]
        return [first, "; ".join(second)]

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
        if hasattr(config, "workerinput"):
            return
        self.tally(report for reports in terminalreporter.stats.values() for report in reports)
        for line in self.lines(bool(config.option.collectonly)):
            terminalreporter.write_line(line)
