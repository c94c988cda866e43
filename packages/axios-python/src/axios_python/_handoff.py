"""Work handed to a pool's worker thread that leaves nothing of the call behind there.

A pool's work item keeps its job, the job's arguments and its result until the worker thread
moves on to the next one; on a busy machine that can be after the caller has dropped the
response. A ``Handoff`` gives its context and arguments up as it starts and its result up when
the caller takes it, so a dropped response is freed at once, as everywhere else in the core.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Handoff"]

T = TypeVar("T")


class Handoff(Generic[T]):
    """``fn(*args)`` to run once on another thread, in a copy of the caller's context.

    Submit the handoff itself (it takes no arguments and returns ``None``); once the pool's
    future is done, ``take()`` returns what ``fn`` returned.
    """

    __slots__ = ("_args", "_context", "_fn", "_result")

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._context: contextvars.Context | None = contextvars.copy_context()
        self._fn: Callable[..., T] | None = fn
        self._args: tuple[Any, ...] = args
        self._result: list[T] = []

    def __call__(self) -> None:
        context, fn, args = self._context, self._fn, self._args
        assert context is not None and fn is not None, "a Handoff runs once"
        self._context = self._fn = None
        self._args = ()
        self._result.append(context.run(fn, *args))

    def take(self) -> T:
        """What ``fn`` returned; the handoff keeps no reference to it afterwards."""
        return self._result.pop()
