"""Every process the engine starts: one runner, one failure report, git, and timings.

A command that must succeed and does not raises ``Failed`` (an AssertionError, so a test
that runs it fails with the report rather than errors): the command, where it ran, its
exit code and the tail of what it printed, the same for a bake's ``uv sync``, a buildah
step or a ``git commit``. A command whose failure is a verdict to look at (a probe that
must fail, say) is run with ``check=False`` and its result read by the caller.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# How much of a failed command's output a report shows: its last lines, where the error is.
STDOUT_TAIL = 120
STDERR_TAIL = 60

# Who commits in the throwaway repositories the engine makes, whatever the machine's git says.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Failed(AssertionError):
    """A command that had to succeed did not; the message is its ``report``."""


def tail(text: str, lines: int) -> str:
    """The last ``lines`` lines of ``text``, saying how many were left out."""
    kept = text.rstrip("\n").splitlines()
    if len(kept) <= lines:
        return "\n".join(kept)
    return "\n".join([f"[... {len(kept) - lines} earlier lines]", *kept[-lines:]])


def report(done: subprocess.CompletedProcess[str], what: str = "", cwd: Path | str | None = None) -> str:
    """One failed command, the same everywhere: what it was, where, its exit code, its output's tail.

    ``what`` says what the command was for (a combination, a step) when its argv alone
    would not.
    """
    command = shlex.join(str(arg) for arg in done.args) if isinstance(done.args, Sequence) else str(done.args)
    head = f"{what}: `{command}`" if what else f"`{command}`"
    where = f" in {cwd}" if cwd is not None else ""
    parts = [f"{head}{where} exited {done.returncode}"]
    for name, text, lines in (("stdout", done.stdout, STDOUT_TAIL), ("stderr", done.stderr, STDERR_TAIL)):
        if text and text.strip():
            parts.append(f"--- {name} ---\n{tail(text, lines)}")
    return "\n".join(parts)


# How long one command may take before it fails: a hung step fails, never waits.
TIMEOUT = 600


def run(
    argv: Sequence[str | Path],
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float | None = TIMEOUT,
    check: bool = True,
    what: str = "",
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv``, capturing its output as text; with ``check``, raise ``Failed`` unless it exits 0.

    ``env`` None: this process's environment. ``timeout`` None: as long as it takes.
    """
    done = subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise Failed(report(done, what, cwd))
    return done


def committer_env() -> dict[str, str]:
    """This process's environment, but git commits as the engine's own committer (``GIT_ENV``),
    nothing of the machine's: for git and for the tools that commit (cruft, copier)."""
    return {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"} | GIT_ENV


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``repo`` (see ``committer_env``)."""
    return run(["git", *args], repo, committer_env(), check=check)


def add_all(repo: Path) -> None:
    """Stage every file of ``repo``, making it a repository (branch ``main``) if it is not one."""
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")


def commit_all(repo: Path, message: str) -> None:
    """Commit every file of ``repo`` (see ``add_all``)."""
    add_all(repo)
    git(repo, "commit", "--quiet", "--message", message)


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


@dataclass
class Timings:
    """Wall and CPU seconds (of the processes started meanwhile) of each measured part, in order."""

    parts: dict[str, tuple[float, float]] = field(default_factory=dict)

    @contextmanager
    def measure(self, part: str) -> Iterator[None]:
        """Add the time the block takes to ``part`` (a part measured twice adds up)."""
        wall, cpu = time.monotonic(), _children_cpu()
        try:
            yield
        finally:
            spent = (time.monotonic() - wall, _children_cpu() - cpu)
            old = self.parts.get(part, (0.0, 0.0))
            self.parts[part] = (old[0] + spent[0], old[1] + spent[1])

    def __str__(self) -> str:
        return ", ".join(f"{name} {wall:.1f}s wall/{cpu:.1f}s CPU" for name, (wall, cpu) in self.parts.items())
