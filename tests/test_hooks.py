"""The pre-generation hook: bad answers are refused in one line, leaving nothing behind;
hostile but valid free text bakes into files that still parse."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.ground import AXES, HOOKS, OPTIONS, TEMPLATE, definition, guide, jinja_env
from engine.runs.projects import Project, render

# cookiecutter.json as cookiecutter hands it to the hook (``_cookiecutter``).
DEFINITION = definition()

# The free-text variables the hook checks with its own rules (choices and flags are
# derived from cookiecutter.json below).
FREE_TEXT_RULES = (
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "github_owner",
    "coverage_fail_under",
)
VALIDATED = (
    *FREE_TEXT_RULES,
    *AXES,
)

# (variable, value, extra answers the case needs to reach the check)
REJECTED: list[tuple[str, Any, dict[str, str]]] = [
    ("project_name", "", {"project_slug": "empty-name"}),
    ("project_name", "   ", {"project_slug": "blank-name"}),
    ("project_name", "Two\nLines", {"project_slug": "two-lines"}),
    ("description", "first line\nsecond line", {}),
    ("description", "a\ttab", {}),
    ("author_name", "Nul\x00Byte", {}),
    ("author_name", "Delete\x7fMe", {}),
    ("project_slug", "my project", {}),
    ("project_slug", "-leading-dash", {"package_name": "leading_dash"}),
    ("project_slug", "org/repo", {"package_name": "repo"}),
    ("project_slug", "My-Project", {"package_name": "my_project"}),
    ("package_name", "class", {}),
    ("package_name", "import", {}),
    ("package_name", "1abc", {}),
    ("package_name", "My_Package", {}),
    ("package_name", "my-package", {}),
    ("author_email", "not-an-email", {}),
    ("author_email", "a@b", {}),
    ("author_email", "a b@example.com", {}),
    ("author_email", "bell\x07@example.com", {}),
    ("github_owner", "my_org", {}),
    ("github_owner", "my.org", {}),
    ("github_owner", "-org", {}),
    ("github_owner", "my--org", {}),
    ("github_owner", "a" * 40, {}),
    ("coverage_fail_under", "101", {}),
    ("coverage_fail_under", "-1", {}),
    ("coverage_fail_under", "abc", {}),
    ("coverage_fail_under", "100.5", {}),
    ("project_kind", "application", {}),
    ("python_version", "3.10", {}),
    ("asyncio_mode", "legacy", {}),
    ("fixture_loop_scope", "class", {}),
    ("database", "mysql", {}),
    ("cache", "memcached", {}),
    ("container_registry", "quay.io", {}),
    ("license", "GPL-3.0", {}),
    ("project_kind", "Service", {}),
    ("python_version", "3.9", {}),
    ("asyncio_mode", "AUTO", {}),
    ("fixture_loop_scope", "package", {}),
    ("database", "postgresql", {}),
    ("cache", "Redis", {}),
    ("container_registry", "ghcr", {}),
    ("license", "mit", {}),
    ("parallel_tests", "maybe", {}),
    ("parallel_tests", "2", {}),
    ("test_runner_node", "sometimes", {}),
    ("test_runner_node", "node", {}),
]


def _case_id(case: tuple[str, Any, dict[str, str]]) -> str:
    return f"{case[0]}={case[1]!r}"


def _nothing_left(output_root: Path) -> bool:
    return not [path for path in output_root.rglob("*") if path.is_file() or path.is_symlink()]


@pytest.mark.parametrize("variable", VALIDATED)
def test_every_validated_variable_has_rejected_cases(variable: str) -> None:
    assert sum(case[0] == variable for case in REJECTED) >= 2, f"add rejected cases for {variable}"


@pytest.mark.parametrize("case", REJECTED, ids=_case_id)
def test_bad_answer_is_refused_and_leaves_no_project(
    cookies: Any, tmp_path: Path, case: tuple[str, Any, dict[str, str]]
) -> None:
    variable, value, extra = case
    result = cookies.bake(template=str(TEMPLATE), extra_context={**extra, variable: value})
    assert result.exit_code != 0, f"{variable}={value!r} was accepted"
    assert result.project_path is None
    assert _nothing_left(tmp_path / "cookies"), f"{variable}={value!r} left files behind"


def _run_hook(answers: dict[str, Any], options: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Render the hook as cookiecutter does and run it on answers cookiecutter itself would not pass."""
    source = (HOOKS / "pre_gen_project.py").read_text()
    script = tmp_path / "pre_gen_project.py"
    script.write_text(jinja_env().from_string(source).render(cookiecutter=answers, _cookiecutter=options))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=60)


DEFAULT_ANSWERS = {name: option.default for name, option in OPTIONS.items()} | {
    "project_name": "Async Service",
    "project_slug": "async-service",
    "package_name": "async_service",
    "_rules": DEFINITION["_rules"],
}


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("database", "mysql", "error: database 'mysql' is not allowed: choose one of sqlite, postgres, none"),
        ("parallel_tests", "maybe", "error: parallel_tests 'maybe' is not allowed: answer true or false"),
        ("ci", "jenkins", "error: ci 'jenkins' is not allowed: choose one of github, gitlab"),
    ],
)
def test_hook_derives_choices_and_flags_from_cookiecutter_json(
    tmp_path: Path, variable: str, value: str, line: str
) -> None:
    """Cookiecutter refuses a bad choice or flag before the hook; the hook checks again from the
    original cookiecutter.json, so an option added there (``ci`` here) needs no hook edit."""
    options = {**DEFINITION, "ci": ["github", "gitlab"]}
    answers = {**DEFAULT_ANSWERS, "ci": "github", variable: value}
    completed = _run_hook(answers, options, tmp_path)
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [line]


def test_hook_accepts_the_defaults_and_hostile_free_text(tmp_path: Path) -> None:
    answers = {**DEFAULT_ANSWERS, "ci": "gitlab", "project_name": 'a """ \\ \' {x} é', "description": '\\u0000 """'}
    completed = _run_hook(answers, {**DEFINITION, "ci": ["github", "gitlab"]}, tmp_path)
    assert (completed.returncode, completed.stderr) == (0, "")


# Values at the edges of each rule that must still be accepted.
ACCEPTED = [
    ("project_slug", "0-start_and-mix"),
    ("package_name", "_private2"),
    ("package_name", "match"),  # a soft keyword is a valid import name
    ("author_email", "first.last+tag@mail.example.co.uk"),
    ("github_owner", "a" * 39),
    ("github_owner", "my-org-2"),
    ("github_owner", "MyOrg"),  # GitHub owners are case-insensitive; image names are lowercased
    ("github_owner", "My-Org-2"),
    ("coverage_fail_under", "0"),
    ("coverage_fail_under", "100"),
    ("coverage_fail_under", "87.5"),
    ("project_name", "Rocket 🚀 ß"),
]


@pytest.mark.parametrize(("variable", "value"), ACCEPTED, ids=[f"{v}={x!r}" for v, x in ACCEPTED])
def test_hook_accepts_values_at_the_edges_of_its_rules(tmp_path: Path, variable: str, value: str) -> None:
    completed = _run_hook({**DEFAULT_ANSWERS, variable: value}, DEFINITION, tmp_path)
    assert (completed.returncode, completed.stderr) == (0, "")


# Through the command line people use: the one line names the variable and the value.
CLI_CASES = [
    ("project_slug", "My Project", "use lowercase letters, digits, '-' and '_'"),
    ("package_name", "class", "Python keyword"),
    ("github_owner", "my_org", "letters, digits and single inner '-'"),
    ("coverage_fail_under", "101", "from 0 to 100"),
]


@pytest.mark.parametrize(("variable", "value", "reason"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_prints_one_line_naming_variable_and_value(tmp_path: Path, variable: str, value: str, reason: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(TEMPLATE), "--no-input", "-o", str(tmp_path), f"{variable}={value}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode != 0
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, completed.stderr
    assert errors[0].startswith(f"error: {variable} {value!r} is not allowed: ")
    assert reason in errors[0]
    # cookiecutter logs its own "Stopping generation" report to stdout; stderr is the hook's.
    assert completed.stderr.splitlines() == errors
    assert "Traceback" not in completed.stderr
    assert not any(tmp_path.iterdir()), "a refused bake left something in the output directory"


HOSTILE: dict[str, Any] = {
    "project_name": 'Quote\'s "Service" \\ {x} """ </script> é ß 日本語',
    "project_slug": "hostile-service",
    "author_name": 'O\'Brien "The" Back\\slash {x} """ é ß 日本語 🚀',
    "description": 'Says "hi", isn\'t {x} a \\path\\ """ </script> — é ß 日本語 🚀',
}


# Characters outside the Basic Multilingual Plane: an escape such as Jinja's ``tojson``
# writes them as UTF-16 surrogate pairs (``\ud83d\ude80``), valid JSON but not TOML.
ASTRAL = 'Rocket 🚀 "service" \\ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢'


def test_astral_characters_in_free_text_keep_pyproject_parsing(tmp_path: Path) -> None:
    project = render(tmp_path, project_slug="astral", description=ASTRAL, author_name=ASTRAL)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == ASTRAL
    assert pyproject["project"]["authors"][0]["name"] == ASTRAL


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("hostile"), **HOSTILE)


def _files(project: Path, *suffixes: str) -> list[Path]:
    return [path for path in project.rglob("*") if path.suffix in suffixes and ".venv" not in path.parts]


def test_hostile_free_text_round_trips_through_pyproject(hostile_project: Path) -> None:
    pyproject = tomllib.loads((hostile_project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == HOSTILE["description"]
    assert [author["name"] for author in pyproject["project"]["authors"]] == [HOSTILE["author_name"]]


def test_hostile_free_text_keeps_every_toml_python_and_yaml_file_parsing(hostile_project: Path) -> None:
    for path in _files(hostile_project, ".toml"):
        tomllib.loads(path.read_text())
    for path in _files(hostile_project, ".py"):
        compile(path.read_text(), str(path), "exec")
    for path in _files(hostile_project, ".yml", ".yaml"):
        list(yaml.safe_load_all(path.read_text()))


def test_jinja_in_an_answer_is_rendered_so_it_is_refused_cleanly(tmp_path: Path) -> None:
    """A documented limitation: cookiecutter renders every answer as Jinja, so
    ``{{ x }}`` in free text is an undefined variable and the bake stops before any file."""
    completed = subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(TEMPLATE), "--no-input", "-o", str(tmp_path), "description={{ x }}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "Unable to render variable 'description'" in completed.stdout + completed.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.suites
def test_hostile_service_runs_its_own_suite(hostile_project: Path) -> None:
    hostile = Project(hostile_project, "the hostile service")
    hostile.sync()
    hostile.pytest()


# copier asks the same questions (copier.yml, generated from cookiecutter.json); its
# validators apply the same ``_rules``, choices and flags with the same lines, whether the
# answer is typed at the prompt or given with ``--data``.


def _hook_line(answers: dict[str, Any]) -> str:
    """The hook's one line for these answers, rendered as cookiecutter does and run in-process."""
    import contextlib
    import io

    source = (HOOKS / "pre_gen_project.py").read_text()
    script = jinja_env().from_string(source).render(cookiecutter=answers, _cookiecutter=DEFINITION)
    namespace: dict[str, Any] = {"__name__": "pre_gen_project"}
    exec(compile(script, "pre_gen_project.py", "exec"), namespace)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.suppress(SystemExit):
        namespace["main"]()
    return stderr.getvalue().strip()


def _validation(answers: dict[str, Any], variable: str) -> tuple[str, dict[str, Any]]:
    """The validator of ``variable`` and what it sees, the answer given as ``--data`` gives it."""
    from engine.rendered.copier_proof import copier_questions

    validator = copier_questions()[variable]["validator"]
    context = {**answers, "_copier_conf": {"data": {variable: answers[variable]}}}
    if OPTIONS[variable].kind == "flag":
        context[variable] = bool(answers[variable])  # copier casts before validating
    return validator, context


ACCEPTED_FLAGS = [(name, value) for name, option in OPTIONS.items() if option.kind == "flag" for value in (True, False)]
COPIER_CASES = [*REJECTED, *((v, x, {}) for v, x in [*ACCEPTED, *ACCEPTED_FLAGS])]
# The spellings of yes and no that cookiecutter's command line turns into a flag's answer.
FLAG_SPELLINGS = [" Yes", "TRUE", "on", "1", "n", "Off", "0", "false"]


@functools.cache
def _copier_lines() -> dict[str, str]:
    """The validator's line for each answer below, rendered by copier itself, all in one run."""
    from engine.rendered.copier_proof import render_with_copier

    flag = "parallel_tests"
    validations = [
        *(_validation({**DEFAULT_ANSWERS, **extra, name: value}, name) for name, value, extra in COPIER_CASES),
        *(_validation({**DEFAULT_ANSWERS, flag: spelling}, flag) for spelling in FLAG_SPELLINGS),
    ]
    lines = render_with_copier(validations)
    return {json.dumps(each, sort_keys=True): line.strip() for each, line in zip(validations, lines, strict=True)}


def _copier_line(answers: dict[str, Any], variable: str) -> str:
    """The validator's line, with the answer given as ``--data`` gives it (flags uncast)."""
    return _copier_lines()[json.dumps(_validation(answers, variable), sort_keys=True)]


@pytest.mark.parametrize("case", COPIER_CASES, ids=_case_id)
def test_copier_validator_gives_the_hooks_line(case: tuple[str, Any, dict[str, str]]) -> None:
    variable, value, extra = case
    answers = {**DEFAULT_ANSWERS, **extra, variable: value}
    hook = _hook_line(answers)
    assert _copier_line(answers, variable) == hook.removeprefix("error: ")
    assert hook.startswith(f"error: {variable} ") == (case in REJECTED)


@pytest.mark.parametrize("spelling", FLAG_SPELLINGS)
def test_copier_takes_the_flag_spellings_cookiecutter_takes(spelling: str) -> None:
    from cookiecutter.prompt import YesNoPrompt

    answers = {**DEFAULT_ANSWERS, "parallel_tests": spelling}
    assert _copier_line(answers, "parallel_tests") == ""
    YesNoPrompt().process_response(spelling)  # raises InvalidResponse for a spelling it refuses


@pytest.fixture(scope="module")
def copier_questions_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """copier.yml alone: enough for copier to ask and validate, before any file is written."""
    template = tmp_path_factory.mktemp("copier-template")
    (template / "copier.yml").write_text((TEMPLATE / "copier.yml").read_text())
    return template


@pytest.mark.parametrize("case", REJECTED, ids=_case_id)
def test_copier_refuses_what_the_hook_refuses(
    copier_questions_only: Path, tmp_path: Path, case: tuple[str, Any, dict[str, str]]
) -> None:
    from copier import run_copy

    variable, value, extra = case
    with pytest.raises(ValueError, match=f"'{variable}'") as refused:
        run_copy(
            str(copier_questions_only), tmp_path / "out", data={**extra, variable: value}, defaults=True, quiet=True
        )
    hook = _hook_line({**DEFAULT_ANSWERS, **extra, variable: value})
    assert str(refused.value) == f"Validation error for question '{variable}': " + hook.removeprefix("error: ")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# What a bake prints after it: the project's path and its guide's "First steps" block
# (README.md; a library's CONTRIBUTING.md).
FIRST_STEPS_RENDERINGS = {
    "service": {},
    "postgres-redis": {"database": "postgres", "cache": "redis"},
    "library": {"project_kind": "library"},
}


def _exports(lines: list[str]) -> set[str]:
    return {line for line in lines if line.startswith("export ")}


@pytest.mark.parametrize("answers", FIRST_STEPS_RENDERINGS.values(), ids=FIRST_STEPS_RENDERINGS)
def test_a_bake_prints_its_path_and_the_readmes_first_steps(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, Any]
) -> None:
    from engine.rendered.copier_yaml import first_steps, first_steps_message

    project = render(tmp_path / "it's made here", **answers).resolve()
    printed = capfd.readouterr().out.strip("\n").splitlines()
    assert printed == first_steps_message(project), f"{answers}: the bake printed\n" + "\n".join(printed)
    assert printed[0].startswith(f"Made {project}.")

    readme = guide(project).read_text()
    steps = first_steps(readme)
    assert steps[0] == f"cd {project.name}", f"{answers}: the README's first step is {steps[0]!r}"
    assert steps.index("git init") < steps.index("uv run prek install") < steps.index("uv run pytest")
    needs_services = answers.get("database") == "postgres" or answers.get("cache") == "redis"
    assert any(line.startswith("docker compose up -d") for line in steps) == needs_services, steps
    services = readme.split("\n## Services\n", 1)[-1] if needs_services else ""
    assert _exports(steps) == _exports(services.splitlines()), f"{answers}: the exports differ from Services"


@pytest.mark.suites
@pytest.mark.parametrize("answers", [{}, {"project_kind": "library"}], ids=["service", "library"])
def test_the_readmes_first_steps_run_verbatim_in_a_fresh_bake(tmp_path: Path, answers: dict[str, Any]) -> None:
    """The block as the README shows it, run by bash from where the project was made: git init,
    uv sync, the hooks installed, the suite green, and a first commit that passes the hooks."""
    from engine.rendered.copier_yaml import first_steps
    from engine.runs.processes import GIT_ENV, git, run
    from engine.runs.projects import project_env

    project = render(tmp_path, **answers)
    block = "\n".join(first_steps(guide(project).read_text()))
    run(["bash", "-e", "-c", block], tmp_path, project_env(**GIT_ENV), timeout=900, what=f"{answers}: the first steps")
    assert (project / ".git" / "hooks" / "pre-commit").is_file(), "the hooks were not installed"
    committed = git(project, "ls-files").stdout
    assert "uv.lock" in committed.splitlines(), "the first commit does not hold uv.lock"
    left = git(project, "status", "--porcelain")
    assert left.stdout == "", f"the first steps leave files uncommitted:\n{left.stdout}"
