"""A project made with cruft takes a later template change with `cruft update`, for real.

The template is copied as it is on disk (git-tracked files, uncommitted edits included)
into a throwaway git repository; cruft makes a project from it, the template then changes
a line the project carries (the pytest timeout), and the project is refreshed. Everything
is a local path: no network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from engine.ground import OPTIONS
from engine.runs.processes import commit_all, committer_env, run
from engine.runs.projects import Project, render
from engine.runs.template_repo import copy_template

pytestmark = pytest.mark.suites

CRUFT = str(Path(sys.executable).parent / "cruft")
PYPROJECT = "{{cookiecutter.project_slug}}/pyproject.toml"
OLD_TIMEOUT = 'timeout = "30"\n'
NEW_TIMEOUT = 'timeout = "45"\n'  # the template's change
LOCAL_TIMEOUT = 'timeout = "60"\n'  # the project's own edit of the same line
# Application code, the team's own from the first commit: a refresh leaves it alone
# (``[tool.cruft] skip``, copier's ``_skip_if_exists``) even when the template changes it.
APP_CODE = "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/__init__.py"
APP_DOCSTRING = '"""The top-level package: its version and nothing else, so importing it stays cheap."""'


def sh(*argv: str, cwd: Path, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """A command of the refresh (cruft, copier, git), committing as the tests' own committer."""
    return run(argv, cwd, committer_env(), check=check, input=input)


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path} no longer has exactly one {old!r}"
    path.write_text(text.replace(old, new))


def change_template(template: Path) -> None:
    """One template commit: the pytest timeout, and the application code's docstring."""
    _replace_once(template / PYPROJECT, OLD_TIMEOUT, NEW_TIMEOUT)
    _replace_once(template / APP_CODE, APP_DOCSTRING, '"""Changed by the template."""')
    commit_all(template, f"Template change: {NEW_TIMEOUT.strip()}, and the app code")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(template repository, project made from it by cruft at its first commit, committed)."""
    root = tmp_path_factory.mktemp("refresh")
    template = copy_template(root / "template")
    output = root / "made"
    output.mkdir()
    sh(CRUFT, "create", str(template), "--no-input", "--output-dir", str(output), cwd=root)
    (project,) = output.iterdir()
    assert (project / ".cruft.json").is_file()
    assert not (project / ".git").exists(), "generation must not make a git repository"
    commit_all(project, "Made from the template")
    sh(CRUFT, "check", cwd=project)  # up to date when made
    change_template(template)
    return template, project


DELETED = "src/async_service/py.typed"


def delete_app_file(project: Path) -> None:
    """The team's own change to the application code: a file of it deleted."""
    (project / DELETED).unlink()
    commit_all(project, "We ship no type information")


def copy_project(made: tuple[Path, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(made[1], tmp_path / made[1].name, symlinks=True))


def hygiene_test(project: Path) -> subprocess.CompletedProcess[str]:
    """The project's tests/test_repository_hygiene.py, alone, with no project install."""
    ini = project.parent / "hygiene.ini"
    ini.write_text("[pytest]\n")
    return run(
        [
            sys.executable, "-m", "pytest", "-q", "-c", str(ini), "--rootdir", str(project),
            "--noconftest", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
            "-W", "ignore::pytest.PytestUnknownMarkWarning",
            str(project / "tests" / "test_repository_hygiene.py"),
        ],
        project, check=False, timeout=60,
    )  # fmt: skip


def test_hygiene_passes_over_what_is_not_the_projects(made: tuple[Path, Path], tmp_path: Path) -> None:
    """What tools and servers leave in the tree while the suite runs is not the project's:
    a conflict marker under .hypothesis (whose temporary files another xdist worker renames
    away mid-walk), a link to nothing, a link to a file outside the project (git keeps the
    link, not the file) and a pipe (reading it would hang the test) leave the hygiene test
    green."""
    project = copy_project(made, tmp_path)
    marked = b"<" * 7 + b" not the project's\n"
    cache = project / ".hypothesis" / "constants"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "entry").write_bytes(marked)
    (tmp_path / "shared.env").write_bytes(marked)
    (project / ".env").symlink_to(tmp_path / "shared.env")
    (project / "vanished").symlink_to(project / "gone")
    os.mkfifo(project / "server.pipe")
    hygiene = hygiene_test(project)
    assert hygiene.returncode == 0, hygiene.stdout


def test_update_applies_a_template_change_and_the_suite_still_passes(made: tuple[Path, Path], tmp_path: Path) -> None:
    project = copy_project(made, tmp_path)
    delete_app_file(project)
    outdated = sh(CRUFT, "check", cwd=project, check=False)
    assert outdated.returncode != 0, f"cruft check missed the template's change:\n{outdated.stdout}"

    assert_update_applies_the_change(project, [CRUFT, "update", "-y"], ".cruft.json")
    sh(CRUFT, "check", cwd=project)
    assert_suite_passes(project)


def assert_update_applies_the_change(project: Path, update: list[str], answers_file: str) -> None:
    """``update`` (cruft's or copier's) brings the template's change, and nothing more: the
    answers file and pyproject.toml change, the team's application code and its deletion of
    an app file stand. The refresh is committed."""
    sh(*update, cwd=project)
    pyproject = (project / "pyproject.toml").read_text()
    assert NEW_TIMEOUT in pyproject and OLD_TIMEOUT not in pyproject
    status = sh("git", "status", "--porcelain", cwd=project).stdout.splitlines()
    assert sorted(line[3:] for line in status) == [answers_file, "pyproject.toml"]
    assert APP_DOCSTRING in (project / "src" / "async_service" / "__init__.py").read_text()  # never refreshed
    assert not (project / DELETED).exists(), "the refresh brought back a file the team deleted"
    commit_all(project, "Refresh from the template")


def assert_suite_passes(project: Path) -> None:
    """The refreshed project syncs and its own suite passes, as the user runs it."""
    refreshed = Project(project, f"{project.name}, refreshed from the template")
    refreshed.sync()
    refreshed.pytest()


def assert_hygiene_refuses(project: Path, named: str) -> None:
    """The project's hygiene test fails on what a half-applied refresh left, naming the file."""
    hygiene = hygiene_test(project)
    assert hygiene.returncode == 1, f"a half-applied refresh passes:\n{hygiene.stdout}"
    assert named in hygiene.stdout, hygiene.stdout


def test_a_project_made_with_plain_cookiecutter_refreshes_once_linked(made: tuple[Path, Path], tmp_path: Path) -> None:
    """The generated README's link step: a plain `cookiecutter` bake has no .cruft.json;
    `cruft link` at the template commit it was made from gives it one, and the template's
    later change then reaches it through `cruft check` and `cruft update`."""
    template = made[0]
    first = sh("git", "rev-list", "--max-parents=0", "HEAD", cwd=template).stdout.strip()
    then = tmp_path / "template-then"
    sh("git", "clone", "-q", str(template), str(then), cwd=tmp_path)
    sh("git", "checkout", "-q", first, cwd=then)
    project = render(tmp_path, template=then)
    assert not (project / ".cruft.json").exists()
    commit_all(project, "Made with cookiecutter")

    # As the README says: the questions answered as at the bake (the defaults here), then
    # the commit the project was made from at cruft's last prompt.
    linked = sh(CRUFT, "link", str(template), cwd=project, input="\n" * len(OPTIONS) + first + "\n")
    assert json.loads((project / ".cruft.json").read_text())["commit"] == first, linked.stdout
    commit_all(project, "Link to the template")
    outdated = sh(CRUFT, "check", cwd=project, check=False)
    assert outdated.returncode != 0, f"cruft check missed the template's change:\n{outdated.stdout}"
    sh(CRUFT, "update", "-y", cwd=project)
    assert NEW_TIMEOUT in (project / "pyproject.toml").read_text()


def edit_locally(project: Path) -> Path:
    """The team's own timeout in pyproject.toml, committed, where the template changes it too."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(OLD_TIMEOUT, LOCAL_TIMEOUT))
    commit_all(project, "Our own timeout")
    assert hygiene_test(project).returncode == 0  # clean before the refresh
    return pyproject


def test_update_that_conflicts_with_a_local_edit_fails_the_project_loudly(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_project(made, tmp_path)
    pyproject = edit_locally(project)

    update = sh(CRUFT, "update", "-y", cwd=project, check=False)
    # In a git repository cruft merges three-way (`git apply -3`): the conflict is left as
    # markers in the file, reported on stderr, and the exit status is still 0.
    text = pyproject.read_text()
    rejected = sorted(p.relative_to(project).as_posix() for p in project.rglob("*.rej"))
    assert "<<<<<<<" in text or rejected, f"conflict not left to see:\n{update.stderr}"
    assert "conflict" in (update.stdout + update.stderr).lower() or rejected, update.stderr

    assert_hygiene_refuses(project, "pyproject.toml")
    if "<<<<<<<" in text:
        with pytest.raises(tomllib.TOMLDecodeError):
            tomllib.loads(text)


def test_update_outside_git_leaves_rej_files_that_fail_the_project(made: tuple[Path, Path], tmp_path: Path) -> None:
    project = copy_project(made, tmp_path)
    shutil.rmtree(project / ".git")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(OLD_TIMEOUT, LOCAL_TIMEOUT))

    update = sh(CRUFT, "update", "-y", cwd=project, check=False)
    assert (project / "pyproject.toml.rej").is_file(), f"no .rej file:\n{update.stderr}"
    assert LOCAL_TIMEOUT in pyproject.read_text()  # the local edit stands; nothing half-merged

    assert_hygiene_refuses(project, "pyproject.toml.rej")


# The same refresh with copier: `copier update` regenerates the project at the template
# version it was made from, and merges the template's changes since then three ways.
COPIER = str(Path(sys.executable).parent / "copier")


@pytest.fixture(scope="module")
def made_by_copier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(template repository, project made from it by copier at its first commit, committed).

    The template is named by a relative path, as from a local clone (`copier copy
    ./cookiecutter-async-python my-service`): the answers file records the absolute path, so
    that `copier update`, run in the project, finds the template.
    """
    root = tmp_path_factory.mktemp("copier-refresh")
    template = copy_template(root / "template")
    project = root / "made" / "async-service"
    sh(COPIER, "copy", "--defaults", "--quiet", "./template", "made/async-service", cwd=root)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(template.resolve()), answers
    assert not (project / ".cruft.json").exists()
    commit_all(project, "Made from the template")
    change_template(template)
    return template, project


def test_copier_update_applies_a_template_change_and_the_suite_still_passes(
    made_by_copier: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_project(made_by_copier, tmp_path)
    delete_app_file(project)
    assert_update_applies_the_change(project, [COPIER, "update", "--defaults", "--quiet"], ".copier-answers.yml")
    assert_suite_passes(project)


def test_copier_update_that_conflicts_with_a_local_edit_fails_the_project_loudly(
    made_by_copier: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_project(made_by_copier, tmp_path)
    pyproject = edit_locally(project)

    sh(COPIER, "update", "--defaults", "--quiet", "--conflict", "inline", cwd=project, check=False)
    text = pyproject.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text, f"no conflict markers:\n{text}"
    assert_hygiene_refuses(project, "pyproject.toml")
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
