"""Running a coroutine to completion from synchronous code, without ``asyncio.run`` per call.

A sync call only comes here when a component in its path is async-only. The coroutine runs on
an event loop owned by the calling thread and reused for every later call from that thread. When
the calling thread already runs a loop (a sync call made from async code, or a nested bridge),
the coroutine runs on a worker thread's own loop instead while the caller waits.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ._handoff import Handoff

if TYPE_CHECKING:
    import asyncio

__all__ = ["run_sync"]

T = TypeVar("T")

_local = threading.local()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed() or loop.is_running():
        return
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


class _LoopHolder:
    """Owns one thread's loop; the loop is closed when the thread (and so this holder) ends."""

    def __init__(self) -> None:
        import asyncio

        # Made in an empty context: a loop keeps the context it was made in (its wake-up
        # reader's), and this loop outlives the call that happens to make it.
        self.loop = contextvars.Context().run(asyncio.new_event_loop)
        # The sync remainder of a call runs inside this loop's task by design: under
        # ``python -X dev`` that must not be reported as a slow callback.
        self.loop.slow_callback_duration = 3600.0
        weakref.finalize(self, _close_loop, self.loop)


def _thread_loop() -> asyncio.AbstractEventLoop:
    holder: _LoopHolder | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _LoopHolder()
        _local.holder = holder
    return holder.loop


def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    return _thread_loop().run_until_complete(coro)


def _workers() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(
                    max_workers=32, thread_name_prefix="axios-python-bridge"
                )
    return _executor


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, from synchronous code."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(coro)
    handoff: Handoff[T] = Handoff(_run_here, coro)
    _workers().submit(handoff).result()
    return handoff.take()
