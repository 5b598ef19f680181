"""Where a whole run of the template's suite spends its time: each part's share.

    uv run python benchmarks/shares.py REPORT.xml      # a run's JUnit report
    uv run python benchmarks/shares.py -- [PYTEST ARGS] # run the suite now and report it

The parts are the ones the run's budget is planned by: the bakes of every combination,
the generated suites per Python, the image builds, the gate runs inside the images, the
lowest-direct runs, and the static checks. A part's time is the sum of its tests' own
durations (set-up, call and tear-down, on whichever xdist worker ran them; a test that does
several parts splits its time with ``share:<part>`` properties), so the shares
add up to the workers' busy time, not to the wall time, which is printed beside them.
``.ci/run`` writes the report of every CI run and prints this table after it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

# (part, module, test-name pattern), first match wins; the names follow the test modules.
PARTS = [
    ("bakes: every combination", "test_matrix", ""),
    ("suites on Python 3.11", "test_suites", ""),
    ("suites on Python {python}", "test_pythons", r"(?P<python>3\.\d+)"),
    ("image builds", "test_images", r"build"),
    ("gates inside the images", "test_images", r"gate"),
    ("images: other checks", "test_images", ""),
    ("lowest-direct runs", "test_minimum_versions", ""),
    ("Debian roots", "test_debian_roots", ""),
]
OTHER = "static checks and the rest"


def part_of(module: str, name: str) -> str:
    for part, wanted, pattern in PARTS:
        if module.rsplit(".", 1)[-1] == wanted and (found := re.search(pattern, name)):
            return part.format(**found.groupdict())
    return OTHER


def shares(report: Path) -> str:
    root = ElementTree.parse(report).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None, f"{report} is not a JUnit report"
    seconds: dict[str, float] = defaultdict(float)
    tests: dict[str, int] = defaultdict(int)
    for case in suite.iter("testcase"):
        part = part_of(case.get("classname", ""), case.get("name", ""))
        spent = float(case.get("time", 0))
        # A test may split its own time: a property "share:<part>" gives that part's seconds.
        for prop in case.iter("property"):
            if (name := prop.get("name", "")).startswith("share:"):
                split = min(float(prop.get("value", 0)), spent)
                seconds[name.removeprefix("share:")] += split
                spent -= split
        seconds[part] += spent
        tests[part] += 1
    busy = sum(seconds.values())
    width = max(map(len, seconds), default=10)
    lines = [f"{'part':<{width}}  {'tests':>6}  {'seconds':>8}  share"]
    for part, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        lines.append(f"{part:<{width}}  {tests[part]:>6}  {spent:>8.1f}  {spent / busy:>5.1%}")
    lines.append(f"{'workers busy':<{width}}  {sum(tests.values()):>6}  {busy:>8.1f}")
    lines.append(f"{'wall time of the pytest run':<{width}}  {'':>6}  {float(suite.get('time', 0)):>8.1f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] != "--":
        print(shares(Path(argv[0])))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        code = subprocess.call([sys.executable, "-m", "pytest", *argv[1:], f"--junitxml={report}"])
        print(shares(report))
        return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
