"""The Debian roots (engine/debian_roots.py) carry exactly the Python they are used for.

Every other check on another Python (the generated suites, the images' stand-in bases)
stands on this: ``python3`` inside the root is the offered version, with the standard
library's compiled parts a generated project imports, and it reaches the package index
through this network with the machine's CA bundle.
"""

from __future__ import annotations

import pytest

from engine.debian_roots import PYTHONS, run_in_root

PROBE = """
import sqlite3, ssl, sys, urllib.request, zoneinfo
zoneinfo.ZoneInfo("Europe/Paris")
status = urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=30).status
print(f"{sys.version_info[0]}.{sys.version_info[1]} {status}")
"""


@pytest.mark.debian_roots
@pytest.mark.parametrize("python", sorted(PYTHONS))
def test_root_runs_the_offered_python_and_reaches_the_index(python: str) -> None:
    done = run_in_root(python, ["python3", "-c", PROBE], binds={}, env={}, cwd="/", timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [python, "200"]
