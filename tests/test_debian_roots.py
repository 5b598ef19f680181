"""The Debian roots (engine/runs/debian_roots.py) carry exactly the Python they are used for,
and run wherever the template is cloned.

Every other check on another Python (the generated suites, the images' stand-in bases)
stands on this: ``python3`` inside the root is the offered version, with the standard
library's compiled parts a generated project imports, and it reaches the package index
through this network with the machine's CA bundle. A root binds the clone's own paths
(engine/runs/pythons.py's ``WORK``) at the same path inside it, so a clone under /tmp, in a
directory whose name has a space, must work as one anywhere else does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.ground import AXES, TEMPLATE
from engine.runs.debian_roots import PYTHONS, run_in_root, tree
from engine.runs.pythons import UV_INSIDE, WORK, uv_executable

PROBE = """
import sqlite3, ssl, sys, urllib.request, zoneinfo
zoneinfo.ZoneInfo("Europe/Paris")
status = urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=30).status
print(f"{sys.version_info[0]}.{sys.version_info[1]} {status}")
"""

# Run from the clone: read its cookiecutter.json, run the bound uv, write into its WORK.
CLONE_PROBE = """
import json, pathlib, subprocess, sys
options = json.loads(pathlib.Path("cookiecutter.json").read_text("utf-8"))
uv = subprocess.run(["uv", "--version"], capture_output=True, text=True, check=True).stdout.split()[0]
seen = {"python": "%d.%d" % sys.version_info[:2], "kinds": options["project_kind"], "uv": uv}
(pathlib.Path(sys.argv[1]) / "seen.json").write_text(json.dumps(seen), "utf-8")
"""


@pytest.mark.debian_roots
@pytest.mark.parametrize("python", sorted(PYTHONS))
def test_root_runs_the_offered_python_and_reaches_the_index(python: str) -> None:
    done = run_in_root(python, ["python3", "-c", PROBE], binds={}, env={}, cwd="/", timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [python, "200"]


@pytest.fixture(scope="module")
def clone_under_tmp() -> Iterator[Path]:
    """A clone of this repository at /tmp/template clone …/main (its committed HEAD)."""
    parent = Path(tempfile.mkdtemp(prefix="template clone ", dir="/tmp"))
    clone = parent / "main"
    subprocess.run(["git", "clone", "--quiet", str(TEMPLATE), str(clone)], check=True, capture_output=True)
    yield clone
    shutil.rmtree(parent)


ONE_PYTHON_PER_ROOT = sorted({suite: python for python, suite in sorted(PYTHONS.items(), reverse=True)}.values())


@pytest.mark.debian_roots
@pytest.mark.parametrize("python", ONE_PYTHON_PER_ROOT)
def test_root_runs_from_a_clone_under_tmp_with_a_space(python: str, clone_under_tmp: Path) -> None:
    work = clone_under_tmp / WORK.relative_to(TEMPLATE)
    work.mkdir(parents=True, exist_ok=True)
    binds = {work: str(work), uv_executable(): UV_INSIDE, clone_under_tmp: str(clone_under_tmp)}
    done = run_in_root(
        python, ["python3", "-c", CLONE_PROBE, str(work)], binds=binds, env={}, cwd=str(clone_under_tmp), timeout=120
    )
    assert done.returncode == 0, f"{python} from {clone_under_tmp}:\n{done.stderr}"
    seen = json.loads((work / "seen.json").read_text("utf-8"))
    assert seen == {"python": python, "kinds": list(AXES["project_kind"]), "uv": "uv"}
    hidden = tree(PYTHONS[python]) / "tmp" / clone_under_tmp.parent.name
    assert not hidden.exists(), f"the shared root got {hidden} (a mount point under its private /tmp)"
