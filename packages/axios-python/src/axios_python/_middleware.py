"""Middleware registries (call and attempt scope) and the onion that runs them."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ._bridge import run_sync
from ._config import completed
from ._handoff import Handoff
from ._hooks import Hook, as_hook, check_validated
from ._types import Config

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

    from ._models import Response

__all__ = ["MiddlewareManager", "Scope", "dispatch_async", "dispatch_sync"]

Scope = Literal["call", "attempt"]
SCOPES: tuple[Scope, ...] = ("call", "attempt")

_ids = itertools.count(1)


class Entry(NamedTuple):
    """One registered middleware."""

    id: int
    scope: Scope
    hook: Hook


class MiddlewareManager:
    """The middleware of one instance, in two scopes.

    ``call`` middleware wraps the whole call once, retries and back-off waits included;
    ``attempt`` middleware runs around every attempt (signing, per-attempt spans, token refresh).
    Within a scope, middleware runs in registration order, outermost first.

    ``check_call`` and ``check_attempt`` say whether the core validates the config at the
    inner end of a scope: unless every middleware of the scope was registered with
    ``validated=True``.
    """

    def __init__(self, on_change: Callable[[str, MiddlewareManager, int], None]) -> None:
        self._on_change = on_change
        self._entries: tuple[Entry, ...] = ()
        self.call: tuple[Hook, ...] = ()
        self.attempt: tuple[Hook, ...] = ()
        self.check_call = False
        self.check_attempt = False

    def use(self, fn: Any, *, scope: Scope = "call", validated: bool = False) -> int:
        """Register ``fn(ctx, next_fn)`` in ``scope``; returns an id for ``eject``.
        ``validated=True``: see ``AxiosPython.use``."""
        if scope not in SCOPES:
            raise ValueError(f"middleware scope must be 'call' or 'attempt', got {scope!r}")
        hook = as_hook(fn, "middleware")
        validated = check_validated(validated)
        entry = Entry(next(_ids), scope, Hook(hook.original, hook.sync, hook.async_, validated))
        self._set((*self._entries, entry))
        self._on_change("use", self, entry.id)
        return entry.id

    def eject(self, middleware_id: int) -> bool:
        """Remove the middleware registered under ``middleware_id``; ``False`` if unknown."""
        kept = tuple(e for e in self._entries if e.id != middleware_id)
        found = len(kept) != len(self._entries)
        self._set(kept)
        if found:
            self._on_change("eject", self, middleware_id)
        return found

    def clear(self) -> None:
        """Remove every middleware of both scopes."""
        for entry in self._entries:
            self.eject(entry.id)

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids of the registered middleware, in order."""
        return tuple(e.id for e in self._entries)

    def _set(self, entries: tuple[Entry, ...]) -> None:
        self._entries = entries
        self.call = tuple(e.hook for e in entries if e.scope == "call")
        self.attempt = tuple(e.hook for e in entries if e.scope == "attempt")
        self.check_call = not all(hook.validated for hook in self.call)
        self.check_attempt = not all(hook.validated for hook in self.attempt)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<MiddlewareManager call={len(self.call)} attempt={len(self.attempt)}>"


def _passed(ctx: Config, config: Any, hook: Hook) -> Config:
    """What a middleware passed to ``next_fn``: ``ctx`` itself (changed in place or not), or a
    new dict, whose missing keys come from ``ctx`` (what changed is validated at the leaf).
    A middleware registered ``validated=True`` passes ``ctx`` or a whole copy it does not use
    again: taken as it is."""
    if config is ctx or (hook.validated and type(config) is dict):
        return config
    if not isinstance(config, Mapping):
        raise TypeError(
            f"next_fn(ctx) takes the request configuration (a dict), got a "
            f"{type(config).__name__}: pass the ctx your middleware received, or a changed copy"
        )
    return completed(config, ctx)


def dispatch_sync(
    chain: tuple[Hook, ...], index: int, ctx: Config, leaf: Callable[[Config], Response]
) -> Response:
    """Run ``chain[index:]`` around ``leaf`` in a sync call."""
    return _layer_sync(chain, index, ctx, leaf, None, ctx)


def _layer_sync(
    chain: tuple[Hook, ...],
    index: int,
    given: Config,
    leaf: Callable[[Config], Response],
    above: Hook | None,
    config: Any,
) -> Response:
    """The layer ``index`` of a sync call, given ``config`` by the layer ``above`` (which
    received ``given``). Each layer's ``next_fn`` is a ``partial`` of this function, so a layer
    costs one Python frame besides the middleware's own."""
    ctx = config if config is given or above is None else _passed(given, config, above)
    if index == len(chain):
        return leaf(ctx)
    hook = chain[index]
    next_fn = partial(_layer_sync, chain, index + 1, ctx, leaf, hook)
    if hook.sync is not None:
        return hook.sync(ctx, next_fn)  # type: ignore[no-any-return]

    async def next_async(config: Config) -> Response:
        return next_fn(config)

    assert hook.async_ is not None
    return run_sync(hook.async_(ctx, next_async))  # type: ignore[no-any-return]


async def dispatch_async(
    chain: tuple[Hook, ...],
    index: int,
    ctx: Config,
    leaf: Callable[[Config], Awaitable[Response]],
) -> Response:
    """Run ``chain[index:]`` around ``leaf`` in an async call."""
    return await _layer_async(chain, index, ctx, leaf, None, ctx)


async def _layer_async(
    chain: tuple[Hook, ...],
    index: int,
    given: Config,
    leaf: Callable[[Config], Awaitable[Response]],
    above: Hook | None,
    config: Any,
) -> Response:
    """The layer ``index`` of an async call (see ``_layer_sync``)."""
    ctx = config if config is given or above is None else _passed(given, config, above)
    if index == len(chain):
        return await leaf(ctx)
    hook = chain[index]
    next_fn = partial(_layer_async, chain, index + 1, ctx, leaf, hook)
    if hook.async_ is not None:
        return await hook.async_(ctx, next_fn)  # type: ignore[no-any-return]

    # A sync-only middleware in an async call runs on a worker thread; its next_fn hands the
    # rest of the chain back to this loop and waits for it.
    assert hook.sync is not None
    import asyncio

    loop = asyncio.get_running_loop()
    offloaded = _Offloaded(loop, ctx, next_fn)
    handoff: Handoff[Response] = Handoff(hook.sync, ctx, offloaded.next_blocking)
    worker = loop.run_in_executor(None, handoff)
    try:
        await worker
    except asyncio.CancelledError:
        # The awaiting task was cancelled (a CancelToken, task.cancel(), wait_for, a failing
        # all()): cancel what the worker thread started on this loop (the request: its
        # connection is closed), and wait for that, so nothing runs on after the caller left.
        await offloaded.cancel()
        raise
    return handoff.take()


class _Offloaded:
    """What the worker thread running one sync-only middleware started on the call's loop.

    Only the loop's thread changes it; the worker thread reads ``cancelled`` to fail at once,
    and the loop checks it again before starting anything, so no lock is needed.
    """

    __slots__ = ("cancelled", "ctx", "loop", "next_fn", "tasks")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        ctx: Config,
        next_fn: Callable[[Config], Coroutine[Any, Any, Response]],
    ) -> None:
        self.loop = loop
        self.ctx = ctx
        self.next_fn = next_fn
        self.cancelled = False
        self.tasks: set[asyncio.Task[Response]] = set()

    def _error(self) -> Exception:
        from ._exceptions import CancelError

        token = self.ctx.get("cancel_token")
        if token is not None and token.cancelled:
            return CancelError(token.reason or "Request cancelled", config=self.ctx)
        return CancelError("Request cancelled: the awaiting task was cancelled", config=self.ctx)

    def next_blocking(self, config: Config) -> Response:
        """The middleware's ``next_fn``, called on the worker thread: runs the rest of the chain
        as a task on the loop and waits for it; raises CancelError at once once cancelled."""
        import concurrent.futures

        if self.cancelled:
            raise self._error()
        done: concurrent.futures.Future[Response] = concurrent.futures.Future()

        def start() -> None:  # on the loop, in a copy of the worker's context
            if self.cancelled:
                done.set_exception(self._error())
                return
            task = self.loop.create_task(self.next_fn(config))
            self.tasks.add(task)
            task.add_done_callback(lambda task: self._finished(task, done))

        self.loop.call_soon_threadsafe(start)
        return done.result()

    def _finished(
        self, task: asyncio.Task[Response], done: concurrent.futures.Future[Response]
    ) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            done.set_exception(self._error())
        elif (error := task.exception()) is not None:
            done.set_exception(error)
        else:
            done.set_result(task.result())

    async def cancel(self) -> None:
        import asyncio

        self.cancelled = True
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
