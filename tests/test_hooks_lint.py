"""The hooks pass the repository's own ruff and strict mypy, as the scripts cookiecutter runs.

The hooks are Jinja templates (cookiecutter renders a hook before it runs it), so the root
configuration leaves hooks/ out of ``ruff`` and ``mypy``: their source is not the Python that
runs. Here they are rendered as a bake renders them, with the default answers, and the
rendered scripts are held to the same configuration (pyproject.toml) as engine/ and tests/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.ground import HOOKS, TEMPLATE, context, definition, jinja_env

CONFIG = str(TEMPLATE / "pyproject.toml")
TOOLS = {
    "ruff check": ["ruff", "check", "--config", CONFIG],
    "ruff format": ["ruff", "format", "--check", "--diff", "--config", CONFIG],
    "mypy": ["mypy", "--config-file", CONFIG],
}


@pytest.fixture(scope="module")
def rendered_hooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Each hook rendered with cookiecutter's context and environment for a default bake."""
    folder = tmp_path_factory.mktemp("hooks")
    answers = {"cookiecutter": context(), "_cookiecutter": definition()}
    env = jinja_env()
    rendered = []
    for hook in sorted(HOOKS.glob("*.py")):
        script = folder / hook.name
        script.write_text(env.from_string(hook.read_text()).render(**answers))
        rendered.append(script)
    return rendered


@pytest.mark.parametrize("tool", TOOLS)
def test_rendered_hooks_pass_the_repositorys_lint_and_type_checks(tool: str, rendered_hooks: list[Path]) -> None:
    command = [sys.executable, "-m", *TOOLS[tool]]
    if tool == "mypy":  # a cache of its own: xdist's workers may run mypy at the same time
        command += ["--cache-dir", str(rendered_hooks[0].parent / ".mypy_cache")]
    done = subprocess.run(
        [*command, *map(str, rendered_hooks)], capture_output=True, text=True, timeout=120, check=False
    )
    names = ", ".join(f"hooks/{hook.name}" for hook in rendered_hooks)
    assert done.returncode == 0, f"{tool} on {names} rendered with the default answers:\n{done.stdout}{done.stderr}"
