"""Interceptor registries and the promise-like chain they run in."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterator
from typing import Any, NamedTuple

from ._exceptions import AxiosPythonError, InterceptorError
from ._hooks import Dual, Hook, as_hook, call_async, call_sync, check_validated

__all__ = ["InterceptorManager", "Interceptors", "run_chain_async", "run_chain_sync"]

_ids = itertools.count(1)


class Handler(NamedTuple):
    """One registered interceptor pair."""

    id: int
    fulfilled: Hook | None
    rejected: Hook | None
    validated: bool = False


class InterceptorManager:
    """Request or response interceptors of one instance, run in registration order.

    ``on_fulfilled`` receives the config (request) or the Response (response) and returns it or a
    replacement. ``on_rejected`` receives the error raised so far in the chain and may recover by
    returning a value, or raise. Either may be a plain or an ``async def`` function.

    ``checked`` says whether the core validates the config the request interceptors return:
    unless every one of them was registered with ``validated=True``.
    """

    def __init__(
        self, kind: str, on_change: Callable[[str, InterceptorManager, int], None]
    ) -> None:
        self._kind = kind
        self._on_change = on_change
        self._handlers: tuple[Handler, ...] = ()
        self.checked = False

    def use(
        self,
        on_fulfilled: Callable[..., Any] | Dual | None = None,
        on_rejected: Callable[..., Any] | Dual | None = None,
        *,
        validated: bool = False,
    ) -> int:
        """Register an interceptor; returns an id for ``eject``.

        ``validated=True`` (for plugins, on the hot path of every call) promises that the
        interceptor returns the config it got or a whole copy of it, whose changed keys hold
        values it checked itself (or headers, which the core checks as it sends them). When
        every request interceptor says so, the core takes what they return as it is and skips
        comparing it with the config before them. Leave it ``False`` (the default) for anything
        that puts on the config a value it did not check.
        """
        if on_fulfilled is None and on_rejected is None:
            raise TypeError(f"{self._kind} interceptor: give on_fulfilled, on_rejected or both")
        fulfilled = None if on_fulfilled is None else as_hook(on_fulfilled, "on_fulfilled")
        rejected = None if on_rejected is None else as_hook(on_rejected, "on_rejected")
        handler = Handler(next(_ids), fulfilled, rejected, check_validated(validated))
        self._set((*self._handlers, handler))
        self._on_change("use", self, handler.id)
        return handler.id

    def eject(self, interceptor_id: int) -> bool:
        """Remove the interceptor registered under ``interceptor_id``; ``False`` if unknown."""
        kept = tuple(h for h in self._handlers if h.id != interceptor_id)
        found = len(kept) != len(self._handlers)
        self._set(kept)
        if found:
            self._on_change("eject", self, interceptor_id)
        return found

    def clear(self) -> None:
        """Remove every interceptor of this kind."""
        for handler in self._handlers:
            self.eject(handler.id)

    def _set(self, handlers: tuple[Handler, ...]) -> None:
        self._handlers = handlers
        self.checked = not all(h.validated for h in handlers)

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids of the registered interceptors, in order."""
        return tuple(h.id for h in self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._handlers)

    def __repr__(self) -> str:
        return f"<InterceptorManager {self._kind} ({len(self._handlers)})>"


class Interceptors:
    """``api.interceptors.request`` and ``api.interceptors.response``."""

    def __init__(self, on_change: Callable[[str, InterceptorManager, int], None]) -> None:
        self.request = InterceptorManager("request", on_change)
        self.response = InterceptorManager("response", on_change)


def _config_of(value: Any) -> Any:
    """The request config a chain value carries (the config itself, or a response's or an
    error's)."""
    if isinstance(value, dict):
        return value
    return getattr(value, "config", None)


def _wrap(exc: Exception, given: Exception | None, kind: str, value: Any) -> Exception:
    if exc is given or isinstance(exc, AxiosPythonError):
        return exc
    error = InterceptorError(
        f"{kind} interceptor raised {type(exc).__name__}: {exc}",
        original=exc,
        config=_config_of(value),
    )
    error.__cause__ = exc
    return error


def _returned(value: Any, expected: type, hook: Hook, kind: str) -> Exception | None:
    if isinstance(value, expected):
        return None
    what = "the config dict" if kind == "request" else "a Response"
    return InterceptorError(
        f"{kind} interceptor {hook.original!r} returned {value!r}; it must return {what}",
        original=TypeError(f"expected {expected.__name__}, got {type(value).__name__}"),
    )


#: One step of a chain: the hook to call and its argument.
_Step = tuple[Hook, Any]


def _chain(
    handlers: tuple[Handler, ...],
    kind: str,
    expected: type,
    value: Any,
    error: Exception | None,
) -> Generator[_Step, Any, Any]:
    """The chain's logic, once for both paths: yields each call to make and is sent its result
    (or thrown its exception); returns the final value or raises the final error."""
    for handler in handlers:
        hook = handler.fulfilled if error is None else handler.rejected
        if hook is None:
            continue
        given = error
        try:
            value = yield hook, value if given is None else given
        except Exception as exc:
            error = _wrap(exc, given, kind, value if given is None else _config_of(given))
        else:
            error = _returned(value, expected, hook, kind)
    if error is not None:
        raise error
    return value


def run_chain_sync(
    handlers: tuple[Handler, ...],
    kind: str,
    expected: type,
    value: Any,
    error: Exception | None,
) -> Any:
    """Run ``handlers`` like a promise chain: each ``on_fulfilled`` gets the value so far, each
    ``on_rejected`` the error so far and may recover; return the final value or raise."""
    if error is None:  # the usual chain, every hook fulfilled, runs without the generator
        for index, handler in enumerate(handlers):
            hook = handler.fulfilled
            if hook is None:
                continue
            try:
                value = call_sync(hook, value)
            except Exception as exc:
                error = _wrap(exc, None, kind, value)
            else:
                error = _returned(value, expected, hook, kind)
            if error is not None:  # the rest of the chain, from the next handler, as below
                handlers = handlers[index + 1 :]
                break
        else:
            return value
    steps = _chain(handlers, kind, expected, value, error)
    try:
        hook, argument = next(steps)
        while True:
            try:
                result = call_sync(hook, argument)
            except Exception as exc:
                hook, argument = steps.throw(exc)
            else:
                hook, argument = steps.send(result)
    except StopIteration as done:
        return done.value


async def run_chain_async(
    handlers: tuple[Handler, ...],
    kind: str,
    expected: type,
    value: Any,
    error: Exception | None,
) -> Any:
    """``run_chain_sync`` for async calls: the same chain, hooks awaited."""
    steps = _chain(handlers, kind, expected, value, error)
    try:
        hook, argument = next(steps)
        while True:
            try:
                result = await call_async(hook, argument)
            except Exception as exc:
                hook, argument = steps.throw(exc)
            else:
                hook, argument = steps.send(result)
    except StopIteration as done:
        return done.value
