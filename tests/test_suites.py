"""The generated projects' own suites, run for real, once per test-relevant rendering.

One item per runnable twin (see engine/verdicts/matrix.py); twins whose renderings turn out the
same (a library ignores database and cache, say) share one run: the first to claim the
fingerprint runs it, the others prove they are byte-for-byte that rendering. What a run
does is engine/runs/suites.py's ``check_rendering``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.ground import combination_id
from engine.runs import suites
from engine.runs.processes import Failed
from engine.runs.suites import Runners, check_rendering, claim
from engine.verdicts.matrix import fingerprint, twins


def _shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory every xdist worker of this session sees."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / name
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def runners() -> Iterator[Runners]:
    started = Runners()
    yield started
    started.close()


@pytest.mark.suites
@pytest.mark.parametrize("combo", twins(), ids=combination_id)
def test_generated_suite_passes(
    combo: dict[str, Any],
    cookies_session: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    runners: Runners,
) -> None:
    result = cookies_session.bake(extra_context=combo)
    assert result.exception is None, f"bake failed: {result.exception}"
    digest = fingerprint(result.project_path)
    if not claim(_shared_dir(tmp_path_factory, "suites-claimed"), digest):
        request.node.user_properties.append(("same-rendering", digest))
        return
    request.node.user_properties.append(("suite", digest))
    check_rendering(
        result.project_path,
        combination_id(combo),
        result.context["package_name"],
        digest,
        workdir=_shared_dir(tmp_path_factory, "suites"),
        claims=_shared_dir(tmp_path_factory, "claimed"),
        runners=runners,
    )


def test_a_forked_run_that_hangs_fails_and_leaves_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung run of a warm runner fails the check in bounded time, naming where it ran,
    and its runner and the forked pytest under it are killed, not left waiting."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_hangs.py").write_text("import time\n\n\ndef test_hangs():\n    time.sleep(300)\n")
    monkeypatch.setattr(suites, "TIMEOUT", 3)
    runners = Runners()
    request = {
        "cwd": str(project),
        "package": "none",
        "log": str(project / "runs.log"),
        "runs": [["-p", "no:cacheprovider"]],
    }
    with pytest.raises(Failed, match=f"pytest runs in {project} still running after 3 s, killed"):
        runners.run(venv, dict(os.environ), request)
    runner = runners.started[venv]
    assert runner.poll() is not None
    assert not running_in_group(runner.pid), "the runner's process group still runs"
    runners.close()


def running_in_group(group: int) -> list[int]:
    """The processes of a process group still running: a killed child whose parent died
    first stays a zombie until init reaps it, and runs nothing."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone while we looked
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return running
