"""scientific-python's repo-review passes on every distinct rendering of what it reads.

sp-repo-review (pinned in this repository's dev group) encodes what many maintainers agree
a well-set-up Python repository looks like. It reads the contents of a few files
(``REVIEWED``) and only looks for the presence of others (README, LICENSE, ``.gitignore``,
``docs/``, ``tests/``, ``src/<package>/``), which every combination has (engine/verdicts/expected.py).
So the reviewed files are rendered in memory for every combination of the options, the
way tests/test_ci_files.py renders the CI files; each distinct set is written once, beside
placeholders for the files whose presence is all that counts, and reviewed once. A real
bake proves the shortcut faithful. A failure names the combination and the check, with
what the check wants; a check that does not fit is ignored in the generated pyproject's
``[tool.repo-review.ignore]``, with its reason.
"""

from __future__ import annotations

import copy
import functools
import importlib.metadata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from repo_review.processor import process

from engine.ground import Combination, combination_id
from engine.rendered.renderings import REVIEWED, reviewed_renderings, shared_names
from engine.runs.projects import render

# Present in every combination (engine/verdicts/expected.py); repo-review only looks for them.
PRESENT = ("README.md", "LICENSE", ".gitignore", "docs/", "tests/", "src/package/")
SHARDS = 4


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """The reviewed files, and placeholders for what repo-review only looks for."""
    root.mkdir(parents=True)
    for name in PRESENT:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.write_text("present in every rendering\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def quick_review() -> Iterator[None]:
    """repo-review as it is, minus work repeated across thousands of reviews.

    Most of a review is parsing the same few YAML files again and reading the same entry
    points again; both are pure, so they are memoised (on the text, on the group) for
    this module's run only. Callers get their own copy of each parsed document.
    """
    parsed: dict[str, Any] = {}
    original_entry_points = importlib.metadata.entry_points

    def safe_load(stream: Any) -> Any:
        text = stream if isinstance(stream, str | bytes) else stream.read()
        key = text.decode() if isinstance(text, bytes) else text
        if key not in parsed:
            parsed[key] = yaml.load(key, Loader=yaml.CSafeLoader)
        return copy.deepcopy(parsed[key])

    @functools.cache
    def entry_points(**selection: Any) -> Any:
        return original_entry_points(**selection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml, "safe_load", safe_load)
        patch.setattr(importlib.metadata, "entry_points", entry_points)
        yield


def failures(root: Path) -> list[str]:
    return [
        f"{result.name} ({result.description}): {' '.join(result.err_msg.split(chr(10) * 2)[0].split())}"
        for result in process(root).results
        if result.result is False
    ]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_repo_review_passes_every_distinct_rendering(shard: int, tmp_path: Path, quick_review: None) -> None:
    problems = []
    for index, (digest, (combination, files)) in enumerate(sorted(reviewed_renderings().items())):
        if index % SHARDS != shard:
            continue
        found = failures(write_tree(tmp_path / digest[:16], files))
        problems += [f"{combination_id(combination)}: {failure}" for failure in found]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize(
    "combination",
    [{}, {"project_kind": "library", "python_version": "3.14", "container_registry": "docker.io"}],
    ids=["defaults", "library-3.14-dockerhub"],
)
def test_review_of_the_rendered_files_matches_a_real_bake(
    tmp_path: Path, combination: Combination, quick_review: None
) -> None:
    project = render(tmp_path / "bake", **shared_names(), **combination)  # as renderings() names them
    full = {(r.name, r.result, r.skip_reason) for r in process(project).results}
    files = {name: (project / name).read_text() for name in REVIEWED if (project / name).is_file()}
    files.update(
        {path.relative_to(project).as_posix(): path.read_text() for path in (project / ".github").rglob("*.yml")}
    )
    alone = write_tree(tmp_path / "alone", files)
    assert {(r.name, r.result, r.skip_reason) for r in process(alone).results} == full
    assert files in [each for _, each in reviewed_renderings().values()]
