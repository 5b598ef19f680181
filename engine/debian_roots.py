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
that the images are built from (engine/images.py). Roots are cached between runs on the
same machine under ``TEMPLATE_CACHE`` (/var/cache/cookiecutter-async-python), remade
each ISO week so sid's Pythons stay current, and made under a file lock so that parallel
test workers make each one once. A run never depends on the cache: a missing root is made.
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
from pathlib import Path

from filelock import FileLock

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


def _recipe(suite: str) -> tuple[str, list[str]]:
    """A key naming what goes into a suite's root this week, and mmdebstrap's arguments."""
    packages = [*PACKAGES, *(f"python{python}" for python in suite_pythons(suite))]
    year, week, _ = datetime.date.today().isocalendar()
    arguments = [
        "--variant=minbase",  # Debian's required packages and apt, as the official images
        "--quiet",
        f"--include={','.join(packages)}",
        # sid's Release file can be past its Valid-Until date on a snapshot mirror.
        '--aptopt=Acquire::Check-Valid-Until "false"',
        f"--customize-hook=copy-in {CA_BUNDLE} {CA_BUNDLE.parent}",
        suite,
    ]
    digest = hashlib.sha256(repr((arguments, MIRROR, year, week)).encode()).hexdigest()[:12]
    return f"{suite}-{digest}", arguments


def tarball(suite: str) -> Path:
    """The root filesystem of one Debian suite with its Pythons, as a tarball (cached)."""
    key, arguments = _recipe(suite)
    roots = CACHE / "roots"
    roots.mkdir(parents=True, exist_ok=True)
    path = roots / f"{key}.tar"
    with FileLock(roots / f"{suite}.lock"):
        if not path.exists():
            partial = roots / f".{key}.tar"  # mmdebstrap tells the format by the suffix
            done = subprocess.run(
                ["mmdebstrap", *arguments, str(partial), MIRROR],
                capture_output=True, text=True, check=False,
            )
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise RuntimeError(f"mmdebstrap {suite} failed:\n{done.stdout}\n{done.stderr}")
            partial.rename(path)
            for old in roots.glob(f"{suite}-*.tar"):  # last week's
                if old != path:
                    old.unlink()
    return path


def tree(suite: str) -> Path:
    """The same root unpacked into a directory (cached; shared, so treat it as read-only)."""
    source = tarball(suite)
    trees = CACHE / "trees"
    trees.mkdir(parents=True, exist_ok=True)
    path = trees / source.stem
    with FileLock(trees / f"{suite}.lock"):
        if not path.exists():
            partial = Path(tempfile.mkdtemp(dir=trees, prefix=f".{source.stem}-"))
            subprocess.run(
                ["tar", "-x", "--numeric-owner", "-f", str(source), "-C", str(partial)],
                check=True, capture_output=True,
            )
            partial.rename(path)
            for old in trees.glob(f"{suite}-*"):
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
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in the root that has ``python``, with that Python as ``python3``.

    It runs in a mount namespace of its own (``unshare``), so its mounts vanish with it and
    parallel calls share one unpacked root: /proc, the machine's /dev, a private /tmp (also
    HOME), the host's name resolution, and each host path of ``binds`` at the path it
    names inside the root. The network is the machine's own: PostgreSQL and Redis on
    loopback are reachable. Output is captured as text.
    """
    root = tree(PYTHONS[python])
    mounts = [
        f"mount -t proc proc {root}/proc",
        f"mount --rbind /dev {root}/dev",
        f"mount -t tmpfs tmpfs {root}/tmp",
    ]
    for host_file in HOST_FILES:
        mounts.append(f"touch {root}{host_file} && mount --bind {host_file} {root}{host_file}")
    for source, target in binds.items():
        inside = root / target.lstrip("/")
        if source.is_dir():
            inside.mkdir(parents=True, exist_ok=True)
        else:
            inside.parent.mkdir(parents=True, exist_ok=True)
            inside.touch(exist_ok=True)
        mounts.append(f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(inside))}")
    environment = {
        "PATH": "/tmp/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "SSL_CERT_FILE": str(CA_BUNDLE),
        **env,
    }
    inner = (
        f"mkdir -p /tmp/bin && ln -s /usr/bin/python{python} /tmp/bin/python3"
        f" && ln -s /usr/bin/python{python} /tmp/bin/python && cd {shlex.quote(cwd)} && exec \"$@\""
    )
    chroot = shlex.join(
        ["chroot", str(root), "/usr/bin/env", "-i", *(f"{key}={value}" for key, value in environment.items()),
         "/bin/sh", "-c", inner, "sh", *argv]
    )
    script = " && ".join([*mounts, f"exec {chroot}"])
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", script],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


if __name__ == "__main__":  # .ci/run makes the roots in the background while the suite starts
    for each in sorted(set(PYTHONS.values())):
        tree(each)
