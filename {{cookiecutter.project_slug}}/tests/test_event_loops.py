"""The helpers of tests/event_loops.py keep their promises."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from types import FrameType

import pytest
from event_loops import run_outside_loops

pytestmark = pytest.mark.unit


class Interrupted(Exception):
    """What pytest-timeout raises in the main thread when a test overruns."""


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


async def raise_lookup_error() -> None:
    raise LookupError("from the step's own loop")


def test_run_outside_loops_hands_back_what_the_step_raises() -> None:
    with pytest.raises(LookupError, match="from the step's own loop"):
        run_outside_loops(raise_lookup_error())


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_an_interrupted_wait_outside_loops_ends_at_once() -> None:
    """A step that never finishes fails its test when pytest-timeout interrupts the wait.

    The interruption is a signal to the main thread, as pytest-timeout's own. Had the wait
    joined the step's thread, it would go on waiting for the step, and the run would hang
    silently after its last test.
    """
    release = threading.Event()
    previous = signal.signal(signal.SIGUSR1, interrupt)
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(0.05, signal.pthread_kill, (main, signal.SIGUSR1))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            run_outside_loops(asyncio.to_thread(release.wait))  # a step that never finishes
    finally:
        release.set()  # so the step does finish, whatever happened above
        timer.join()
        signal.signal(signal.SIGUSR1, previous)
    assert time.monotonic() - started < 5
