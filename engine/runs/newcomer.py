"""The first test module a newcomer adds to a generated project, written from what it offers.

A newcomer does not read conftest.py first: they write ``async def test_...(fixture)``
with no loop scope anywhere (no marker in auto mode, a bare ``@pytest.mark.asyncio`` in
strict mode), use the fixtures tests/conftest.py offers, combine a few, and add a fixture
shared by a module by copying the generated README's example. ``newcomer_module`` writes
that module for one rendering:

- one test per fixture the rendered conftest offers, its own and those of the modules its
  ``pytest_plugins`` registers (read with ``ast``, so a new fixture joins with no edit
  here), each *using* the value on its own loop: a request through an HTTP client, a
  query through an engine or session, a ping to Redis, a call to a factory;
- one test that combines the HTTP client, the factory{, the cache} and the live server;
- with Redis, a request through the client to the Redis-backed route, naming no other
  fixture (the app the client talks to has Redis wired in);
- the README's module-scoped async fixture, verbatim, used by two tests.

engine/runs/suites.py drops it into every test-relevant rendering before the seeded runs, so it
passes as configured, with ``-n 2`` where the project uses xdist, and in random order,
against real PostgreSQL and Redis.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.ground import guide

NAME = "tests/test_newcomer.py"

HEADER = '''"""A newcomer's first tests: the fixtures as conftest.py offers them, no loop scopes."""

import inspect
from typing import Any

import httpx
import pytest


async def use(value: Any) -> None:
    """Do with a fixture's value what a test would do with it, on this test's loop."""
    if isinstance(value, str) and value.startswith("http://"):  # a live server
        async with httpx.AsyncClient(base_url=value) as client:
            assert (await client.get("/items", headers={"Accept": "application/json"})).is_success
    elif isinstance(value, httpx.AsyncClient):
        assert (await value.get("/items")).is_success
    elif isinstance(value, httpx.MockTransport):
        async with httpx.AsyncClient(transport=value, base_url="http://api.test") as client:
            assert (await client.get("/items")).is_success
    elif hasattr(value, "list_items"):  # the library's client
        await value.list_items()
    elif hasattr(value, "ping"):  # a Redis client, the cache
        await value.ping()
    elif hasattr(value, "dispose"):  # an async engine
        async with value.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    elif hasattr(value, "exec_driver_sql"):  # an async connection
        await value.exec_driver_sql("SELECT 1")
    elif hasattr(value, "rollback"):  # an async session
        await (await value.connection()).exec_driver_sql("SELECT 1")
    elif hasattr(value, "create") and hasattr(value, "all"):  # an item repository
        await value.all()
    elif callable(value) and all(
        parameter.default is not parameter.empty or parameter.kind is parameter.VAR_KEYWORD
        for parameter in inspect.signature(value).parameters.values()
    ):  # a factory fixture
        made = value()
        if inspect.isawaitable(made):
            await made
    elif callable(value):  # an ASGI app
        transport = httpx.ASGITransport(app=value)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/items")
    else:
        assert value is not None


async def name_of_item(client: Any, item_id: int) -> str:
    if isinstance(client, httpx.AsyncClient):
        return str((await client.get(f"/items/{item_id}")).json()["name"])
    return str((await client.get_item(item_id)).name)
'''

PER_FIXTURE = """

{mark}async def test_newcomer_uses_{name}({name}: Any) -> None:
    await use({name})
"""

COMBINED = """

{mark}async def test_newcomer_combines_the_fixtures({params}) -> None:
    made = make_item(name="newcomer")
    item = await made if inspect.isawaitable(made) else made
    assert await name_of_item(client, item.id) == "newcomer"
{extra}"""

# A service with Redis: the Redis-backed route through the client, with no other fixture.
REDIS_THROUGH_THE_CLIENT = """

{mark}async def test_newcomer_reaches_redis_through_the_client(client: Any) -> None:
    assert (await client.post("/visits")).json() == {{"visits": 1}}
"""

MODULE_FIXTURE_TESTS = """

{mark}async def test_newcomer_module_fixture_first(live_client: Any) -> None:
    await use(live_client)


{mark}async def test_newcomer_module_fixture_again(live_client: Any) -> None:
    await use(live_client)
"""

FIXTURE_DECORATORS = {"fixture"}  # pytest.fixture, pytest_asyncio.fixture, called or not
LIVE_SERVERS = ("server_url", "live_api")
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
TEST_CODE = re.compile(r"^(async )?def test_|^@pytest(_asyncio)?\.fixture", re.MULTILINE)
README_EXAMPLE = "tests/test_readme_example_{number}.py"


def conftest_fixtures(project: Path) -> list[str]:
    """The names of the fixtures tests/conftest.py offers (not ``_private`` ones), in order.

    Its own, then those of the modules its ``pytest_plugins`` registers, in its order.
    """
    tests = project / "tests"
    conftest = ast.parse((tests / "conftest.py").read_text("utf-8"))
    modules = [conftest]
    modules += [
        ast.parse((tests / f"{name.replace('.', '/')}.py").read_text("utf-8")) for name in registered_plugins(conftest)
    ]
    return [name for module in modules for name in module_fixtures(module)]


def registered_plugins(module: ast.Module) -> list[str]:
    """The modules ``pytest_plugins = [...]`` names in ``module``, if it has that line."""
    for node in module.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytest_plugins" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [value] if isinstance(value, str) else list(value)
    return []


def module_fixtures(module: ast.Module) -> list[str]:
    """The public fixtures a module defines at its top level, in order."""
    names = []
    for node in module.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in FIXTURE_DECORATORS:
                names.append(node.name)
    return names


def readme_fixture_example(project: Path) -> str:
    """The generated README's example of a fixture shared by a module, as it stands there.

    A library's README is its PyPI description: the team's workflow, this example with
    it, is in its CONTRIBUTING.md.
    """
    blocks = PYTHON_BLOCK.findall(guide(project).read_text("utf-8"))
    examples = [block for block in blocks if "loop_bound(" in block]
    assert examples, f"{guide(project).name} has no ```python example that uses loop_bound("
    return str(examples[0])


def readme_test_examples(project: Path) -> list[str]:
    """The generated guide's examples of test code (a test or a fixture), as they stand.

    A library's README.md is its PyPI page; its usage example is the generated suite's own
    test (tests/test_readme.py).
    """
    blocks = PYTHON_BLOCK.findall(guide(project).read_text("utf-8"))
    examples = [str(block) for block in blocks if TEST_CODE.search(block)]
    assert examples, f"{guide(project).name} has no ```python example of a test or a fixture"
    return examples


def drop_readme_examples(project: Path) -> list[Path]:
    """Each README example of test code as a test module of its own, exactly as shown.

    Dropped before the project's hooks run, so they pass ruff and mypy as a user's test
    would, then pytest with the suite.
    """
    paths = []
    for number, example in enumerate(readme_test_examples(project), start=1):
        path = project / README_EXAMPLE.format(number=number)
        path.write_text(example, "utf-8")
        paths.append(path)
    return paths


def newcomer_module(project: Path, strict: bool) -> str:
    """The newcomer's test module for the rendering in ``project``."""
    mark = "@pytest.mark.asyncio\n" if strict else ""
    fixtures = conftest_fixtures(project)
    parts = [HEADER]
    parts += [PER_FIXTURE.format(mark=mark, name=name) for name in fixtures]
    if {"client", "make_item"} <= set(fixtures):
        params = ["client", "make_item", *(f for f in ("cache", *LIVE_SERVERS) if f in fixtures)]
        extra = "".join(f"    await use({name})\n" for name in params[2:])
        typed = ", ".join(f"{name}: Any" for name in params)
        parts.append(COMBINED.format(mark=mark, params=typed, extra=extra))
    if {"client", "cache"} <= set(fixtures):
        parts.append(REDIS_THROUGH_THE_CLIENT.format(mark=mark))
    parts.append("\n\n" + readme_fixture_example(project))
    parts.append(MODULE_FIXTURE_TESTS.format(mark=mark))
    return "".join(parts)


def drop_newcomer_module(project: Path, strict: bool) -> Path:
    path = project / NAME
    path.write_text(newcomer_module(project, strict), "utf-8")
    return path
