"""Hooks in either form: a plain function, a coroutine function, or a ``Dual`` of both.

The pipeline asks for the form that fits the call: a sync call uses the sync form and touches no
event loop unless a hook only has an async form; an async call awaits the async form.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._bridge import run_sync

__all__ = ["Dual", "Hook", "as_hook", "call_async", "call_sync", "describe_callable", "hook_forms"]


@dataclass(frozen=True)
class Dual:
    """A hook offered in both forms; the pipeline calls ``sync`` in sync calls and awaits
    ``async_`` in async calls. Any object with callable ``sync`` and ``async_`` attributes works
    the same way.

    ::

        api.use(Dual(sync=timing_sync, async_=timing_async))
    """

    sync: Callable[..., Any]
    async_: Callable[..., Any]


class Hook:
    """A registered hook, split into its sync and async forms (either may be ``None``)."""

    __slots__ = ("async_", "original", "sync", "validated")

    def __init__(
        self,
        original: Any,
        sync: Callable[..., Any] | None,
        async_: Callable[..., Any] | None,
        validated: bool = False,
    ) -> None:
        self.original = original
        self.sync = sync
        self.async_ = async_
        #: registered with ``validated=True`` (middleware): what it passes on is used as is
        self.validated = validated

    def __repr__(self) -> str:
        return f"Hook({self.original!r})"


def _is_coroutine_function(fn: Any) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004
    return call is not None and inspect.iscoroutinefunction(call)


def as_hook(fn: Any, what: str) -> Hook:
    """Classify ``fn`` once, at registration; ``what`` names it in the error for a bad value."""
    if isinstance(fn, Hook):
        return fn
    sync_form = getattr(fn, "sync", None)
    async_form = getattr(fn, "async_", None)
    if callable(sync_form) and callable(async_form):
        return Hook(fn, sync_form, async_form)
    if not callable(fn):
        raise TypeError(
            f"{what} must be a function, an async function or a Dual(sync=..., async_=...); "
            f"got {fn!r} ({type(fn).__name__})"
        )
    if _is_coroutine_function(fn):
        return Hook(fn, None, fn)
    return Hook(fn, fn, None)


def check_validated(validated: Any) -> bool:
    """``validated=`` of a registration (middleware, request interceptor): a bool."""
    if not isinstance(validated, bool):
        raise TypeError(f"validated must be True or False, got {validated!r}")
    return validated


def hook_forms(
    fn: Any, what: str = "hook"
) -> tuple[Callable[..., Any] | None, Callable[..., Any] | None]:
    """The ``(sync, async_)`` forms of a hook given as a plain function, a coroutine function
    or a ``Dual`` (any object with callable ``sync`` and ``async_``); the missing form is
    ``None``. A ``TypeError`` names ``what`` and the bad value.

    ::

        sync_form, async_form = hook_forms(on_token, "token_provider")
    """
    forms = getattr(fn, "sync", None), getattr(fn, "async_", None)
    if not callable(fn) and not all(callable(form) for form in forms):
        # the type only: a value passed here by mistake may be a secret (a token, not a
        # function returning one); nothing chained that would show it either
        raise TypeError(
            f"{what} must be a function, an async function or a Dual(sync=..., async_=...); "
            f"got a {type(fn).__name__}"
        )
    hook = as_hook(fn, what)
    return hook.sync, hook.async_


def describe_callable(fn: Any) -> str:
    """``<qualname>`` of a callable (``Dual(sync=<...>, async_=<...>)`` for a ``Dual``), for a
    ``__repr__`` or a message: never the repr of a bound method's object, which may hold
    secrets."""
    if isinstance(fn, Dual):
        return f"Dual(sync={describe_callable(fn.sync)}, async_={describe_callable(fn.async_)})"
    return f"<{getattr(fn, '__qualname__', None) or type(fn).__qualname__}>"


#: Types a hook returned whose instances are never awaitable (a dict, ``None``, a Response):
#: learnt from results, so the usual result costs a set lookup instead of an ABC check.
_PLAIN_RESULTS: set[type] = {dict, type(None)}


def _awaitable(result: Any) -> bool:
    """``inspect.isawaitable(result)``, remembered by type (a generator-based coroutine is
    awaitable by a flag of its own: generators are never remembered)."""
    kind = type(result)
    if kind in _PLAIN_RESULTS:
        return False
    if inspect.isawaitable(result):
        return True
    if kind is not types.GeneratorType and len(_PLAIN_RESULTS) < 256:  # a few types in all
        _PLAIN_RESULTS.add(kind)
    return False


def call_sync(hook: Hook, *args: Any) -> Any:
    """Call ``hook`` from synchronous code."""
    if hook.sync is not None:
        result = hook.sync(*args)
        if _awaitable(result):
            return run_sync(_await(result))
        return result
    assert hook.async_ is not None
    return run_sync(hook.async_(*args))


async def call_async(hook: Hook, *args: Any) -> Any:
    """Call ``hook`` from asynchronous code."""
    if hook.async_ is not None:
        return await hook.async_(*args)
    assert hook.sync is not None
    result = hook.sync(*args)
    if _awaitable(result):
        return await result
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable
