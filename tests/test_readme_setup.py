"""README.md's "Set up" works on a stock Debian Python, as a user who is not root.

Debian's and Ubuntu's Python refuse ``pip install`` into themselves (PEP 668,
``externally-managed-environment``) and come without pip. The set-up block is read from
README.md (so the README stays the source) and run as it stands, line after line as a
shell runs them, in the engine's stock Debian bookworm (``debian_roots.NEWCOMER``: python3,
the python3-venv the README names, git, no pip) as uid 1000, next to a clone of this
repository, with only ``SSL_CERT_FILE`` set for this network's proxy. It must install uv
and bake a project with the README's command; the template's own suite is not run there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from engine.ground import TEMPLATE
from engine.runs.debian_roots import NEWCOMER, PYTHONS, run_in_root
from engine.runs.processes import git, report

CLONE = "cookiecutter-async-python"  # what README.md's `git clone <its URL> ...` names it
NEWCOMER_ID = "1000:1000"


def setup_block(readme: str) -> str:
    """The ``sh`` block of the "Set up" section that bakes a project from the clone."""
    section = readme.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    baking: list[str] = [block for block in blocks if f"cookiecutter ./{CLONE}" in block]
    assert len(baking) == 1, f"README.md's Set up: expected one sh block baking ./{CLONE}, found {len(baking)}"
    return baking[0]


@pytest.mark.debian_roots
def test_readme_setup_installs_uv_and_bakes_on_a_stock_debian_python() -> None:
    block = setup_block((TEMPLATE / "README.md").read_text("utf-8"))
    python = next(python for python, suite in PYTHONS.items() if suite == NEWCOMER.suite)
    home = Path(tempfile.mkdtemp(prefix="template newcomer ", dir="/tmp"))
    try:
        git(TEMPLATE, "clone", "--quiet", str(TEMPLATE), str(home / CLONE))
        uid, gid = map(int, NEWCOMER_ID.split(":"))
        for path in [home, *home.rglob("*")]:
            os.lchown(path, uid, gid)
        done = run_in_root(
            python,
            ["sh", "-e", "-c", block],
            binds={home: "/home/newcomer"},
            env={"HOME": "/home/newcomer"},
            cwd="/home/newcomer",
            timeout=300,
            root=NEWCOMER,
            user=NEWCOMER_ID,
        )
        assert done.returncode == 0, report(done, "README.md's set-up block")
        baked = [path for path in home.iterdir() if path.name != CLONE and not path.name.startswith(".")]
        assert len(baked) == 1, f"expected one baked project next to the clone, found {sorted(p.name for p in baked)}"
        assert (baked[0] / "pyproject.toml").is_file(), f"{baked[0].name} has no pyproject.toml:\n{done.stderr}"
    finally:
        shutil.rmtree(home)
