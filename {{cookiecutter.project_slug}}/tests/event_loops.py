"""The one rule for event loops in this suite, as two helpers.

A test and every async fixture it uses run on one event loop: the loop whose scope
``asyncio_default_fixture_loop_scope`` in pyproject.toml names (the tests' default says
the same). So:

- what is bound to a loop (an engine and its connections, a Redis client, an HTTP
  client) is cached no wider than that loop: ``scope=loop_bound("module")``;
- what must outlive a loop (a test database, its seed, a live server) is made outside
  pytest-asyncio's loops, in a sync fixture: ``run_outside_loops(coroutine)`` for async
  set-up work, a thread of its own for a server.

No test or fixture names a ``loop_scope`` of its own (README: "Event loops").
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, Literal

import pytest

ScopeName = Literal["function", "class", "module", "package", "session"]
SCOPES: tuple[ScopeName, ...] = ("function", "class", "module", "package", "session")


def loop_bound(widest: ScopeName) -> Callable[[str, pytest.Config], ScopeName]:
    """The scope for a fixture bound to the event loop: ``widest``, or the loop's if narrower.

    ``@pytest_asyncio.fixture(scope=loop_bound("module"))`` is cached per module when the
    loops live that long, and per test when each test has its own loop.
    """

    def scope(fixture_name: str, config: pytest.Config) -> ScopeName:
        loop: ScopeName = config.getini("asyncio_default_fixture_loop_scope")
        return min(widest, loop, key=SCOPES.index)

    return scope


def run_outside_loops(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` on a loop of its own, in a thread of its own, and return its result.

    For sync fixtures whose set-up is async (creating and seeding a test database): the
    work is done, and its loop closed, before any test's loop sees the result.

    Nothing ever joins that thread (a daemon): when the wait is interrupted, by
    pytest-timeout or Ctrl-C, the wait ends there and the report says where. A step that
    never finishes (a ``DROP DATABASE`` the server never answers) fails its test; joined,
    as a ``ThreadPoolExecutor`` joins its threads, it would hold the run after its last
    test for as long as the step hangs, with nothing printed.
    """
    done: Future[Any] = Future()

    def run() -> None:
        try:
            done.set_result(asyncio.run(coroutine))
        except BaseException as error:  # raised again in the waiting thread, by result()
            done.set_exception(error)

    threading.Thread(target=run, name="run_outside_loops", daemon=True).start()
    return done.result()
