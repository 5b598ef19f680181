"""Debian roots that carry the Pythons the template offers, made here from Debian's packages.

uv cannot download interpreters on our machines; Debian packages every offered Python but
3.12 (bookworm 3.11, trixie 3.13, sid 3.14 and 3.15). Each Debian suite becomes one root
filesystem, made by mmdebstrap's minbase (Debian's required packages, ``passwd`` for
``useradd`` among them, and apt, which the images' Dockerfiles run), the suite's
``python3.X`` packages, ``ca-certificates``, ``netbase`` and ``tzdata`` (what the official
slim Python images carry besides Python), and this machine's CA bundle, without which
nothing inside reaches the package index through this network's proxy.

A root serves twice: unpacked, it is a chroot in which a generated suite runs on that
Python (``run_in_root``); packed, it is the stand-in for ``python:<version>-slim-bookworm``
that the images are built from (engine/runs/images.py). Roots are cached between runs on the
same machine under ``TEMPLATE_CACHE`` (/var/cache/cookiecutter-async-python), remade
each ISO week so sid's Pythons stay current, and made under a file lock so that parallel
test workers make each one once. A run never depends on the cache: a missing root is made.
Each cached root is a ``Recipe``; besides the Pythons' roots, ``NEWCOMER`` is a stock
bookworm (python3, python3-venv, git, a user who is not root) for README.md's set-up.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from engine.runs import processes

# Offered Python -> the Debian suite that packages it. 3.12: no Debian release ships it.
PYTHONS = {"3.11": "bookworm", "3.13": "trixie", "3.14": "sid", "3.15": "sid"}
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("ca-certificates", "netbase", "tzdata")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CACHE = Path(os.environ.get("TEMPLATE_CACHE", "/var/cache/cookiecutter-async-python"))
# What a root may read of this machine's to reach the network: names and the proxy's CA.
HOST_FILES = ("/etc/resolv.conf", "/etc/hosts")


def suite_pythons(suite: str) -> list[str]:
    return sorted(python for python, each in PYTHONS.items() if each == suite)


@dataclass(frozen=True)
class Recipe:
    """One cached root: its name in the cache, its Debian suite, the packages on top of
    minbase, and commands run inside it once made (``chroot "$1" ...``)."""

    name: str
    suite: str
    packages: tuple[str, ...]
    commands: tuple[str, ...] = ()


def python_root(suite: str) -> Recipe:
    """The root whose Pythons the template runs on (named by its suite)."""
    return Recipe(suite, suite, (*PACKAGES, *(f"python{python}" for python in suite_pythons(suite))))


# A stock Debian machine of a newcomer: python3, git and what README.md's "Set up" names
# (python3-venv: Debian splits ``python3 -m venv`` out), a user who is not root (uid
# 1000), and no pip: tests/test_readme_setup.py runs the README's set-up block in it.
NEWCOMER = Recipe(
    "stock-bookworm",
    "bookworm",
    ("ca-certificates", "python3", "python3-venv", "git"),
    commands=("useradd --uid 1000 --user-group --create-home newcomer",),
)


def _recipe(recipe: Recipe) -> tuple[str, list[str]]:
    """A key naming what goes into a root this week, and mmdebstrap's arguments."""
    year, week, _ = datetime.date.today().isocalendar()
    arguments = [
        "--variant=minbase",  # Debian's required packages and apt, as the official images
        "--quiet",
        f"--include={','.join(recipe.packages)}",
        # sid's Release file can be past its Valid-Until date on a snapshot mirror.
        '--aptopt=Acquire::Check-Valid-Until "false"',
        f"--customize-hook=copy-in {CA_BUNDLE} {CA_BUNDLE.parent}",
        *(f'--customize-hook=chroot "$1" {command}' for command in recipe.commands),
        recipe.suite,
    ]
    digest = hashlib.sha256(repr((arguments, MIRROR, year, week)).encode()).hexdigest()[:12]
    return f"{recipe.name}-{digest}", arguments


def _chosen(root: str | Recipe) -> Recipe:
    return root if isinstance(root, Recipe) else python_root(root)


def tarball(root: str | Recipe) -> Path:
    """A root filesystem (a suite's Python root, or a recipe's), as a tarball (cached)."""
    recipe = _chosen(root)
    key, arguments = _recipe(recipe)
    roots = CACHE / "roots"
    roots.mkdir(parents=True, exist_ok=True)
    path = roots / f"{key}.tar"
    with FileLock(roots / f"{recipe.name}.lock"):
        if not path.exists():
            partial = roots / f".{key}.tar"  # mmdebstrap tells the format by the suffix
            try:
                processes.run(["mmdebstrap", *arguments, str(partial), MIRROR], timeout=None, what=recipe.name)
            except processes.Failed:
                partial.unlink(missing_ok=True)
                raise
            partial.rename(path)
            for old in roots.glob(f"{recipe.name}-*.tar"):  # last week's
                if old != path:
                    old.unlink()
    return path


def tree(root: str | Recipe) -> Path:
    """The same root unpacked into a directory (cached; shared, so treat it as read-only)."""
    recipe = _chosen(root)
    source = tarball(recipe)
    trees = CACHE / "trees"
    trees.mkdir(parents=True, exist_ok=True)
    path = trees / source.stem
    with FileLock(trees / f"{recipe.name}.lock"):
        if not path.exists():
            partial = Path(tempfile.mkdtemp(dir=trees, prefix=f".{source.stem}-"))
            processes.run(["tar", "-x", "--numeric-owner", "-f", str(source), "-C", str(partial)], timeout=None)
            partial.rename(path)
            for old in trees.glob(f"{recipe.name}-*"):
                if old != path and old.is_dir():
                    shutil.rmtree(old)
    return path


def run_in_root(
    python: str,
    argv: list[str],
    *,
    binds: Mapping[Path, str],
    env: Mapping[str, str],
    cwd: str,
    timeout: float,
    root: Recipe | None = None,
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in the root that has ``python``, with that Python as ``python3``.

    It runs in a mount namespace of its own (``unshare``), so its mounts vanish with it and
    parallel calls share one unpacked root: /proc, the machine's /dev, a private /tmp (also
    HOME), the host's name resolution, and each host path of ``binds`` at the path it
    names inside the root. The network is the machine's own: PostgreSQL and Redis on
    loopback are reachable. Output is captured as text.

    Every mount point is made inside the namespace, after the private /tmp is mounted and
    after the binds it lies under (shallowest first): a bind under /tmp (a clone at
    /tmp/x/main binding its own paths) lands on the private /tmp instead of under it,
    hidden, and the shared root gets no empty directories of a caller's /tmp. Paths are
    quoted, so a space in any of them is only a space.

    ``root`` is another recipe than the Python's own (its suite packages ``python``);
    ``user`` (``uid:gid``) runs ``argv`` as that user instead of root. The result's
    ``args`` are ``argv``, so that a failure report names the command, not the chroot.
    """
    path = tree(root or PYTHONS[python])
    mounts = [
        f"mount -t proc proc {shlex.quote(str(path / 'proc'))}",
        f"mount --rbind /dev {shlex.quote(str(path / 'dev'))}",
        f"mount -t tmpfs tmpfs {shlex.quote(str(path / 'tmp'))}",
    ]
    files = [(Path(host_file), host_file) for host_file in HOST_FILES]
    for source, target in [*files, *sorted(binds.items(), key=lambda bind: Path(bind[1]).parts)]:
        inside = path / target.lstrip("/")
        made = f"mkdir -p {shlex.quote(str(inside if source.is_dir() else inside.parent))}"
        if not source.is_dir():
            made += f" && touch {shlex.quote(str(inside))}"
        mounts.append(f"{made} && mount --bind {shlex.quote(str(source))} {shlex.quote(str(inside))}")
    environment = {
        "PATH": "/tmp/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "SSL_CERT_FILE": str(CA_BUNDLE),
        **env,
    }
    inner = (
        f"mkdir -p /tmp/bin && ln -s /usr/bin/python{python} /tmp/bin/python3"
        f' && ln -s /usr/bin/python{python} /tmp/bin/python && cd {shlex.quote(cwd)} && exec "$@"'
    )
    as_user = [f"--userspec={user}", "--groups="] if user else []
    chroot = shlex.join(
        [
            "chroot",
            *as_user,
            str(path),
            "/usr/bin/env",
            "-i",
            *(f"{key}={value}" for key, value in environment.items()),
            "/bin/sh",
            "-c",
            inner,
            "sh",
            *argv,
        ]
    )
    script = " && ".join([*mounts, f"exec {chroot}"])
    done = processes.run(
        ["unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", script],
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(argv, done.returncode, done.stdout, done.stderr)  # a report names argv


if __name__ == "__main__":  # .ci/run makes the roots in the background while the suite starts
    made: list[str | Recipe] = [*sorted(set(PYTHONS.values())), NEWCOMER]
    for each in made:
        tree(each)
