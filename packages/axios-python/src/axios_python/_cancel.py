"""Cancellation: the CancelToken and the machinery that aborts a request in flight.

A sync request is aborted by shutting down the socket it is reading from or writing to: the
sync transport's network streams report, through a context variable, which stream the current
request is using. An async request runs in a task that the token cancels. Either way the
connection is closed, never returned to the pool.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from ._exceptions import CancelError
from ._types import Config

__all__ = ["CancelToken", "abort_stream", "bind_stream", "cancel_scope", "run_cancellable"]

T = TypeVar("T")

DEFAULT_REASON = "Request cancelled"


class CancelToken:
    """Cancels the requests it is passed to, from any thread or task.

    ::

        token = CancelToken()
        api.get("/export", cancel_token=token)   # elsewhere: token.cancel("user left")

    A call given a token that is already cancelled fails at once with ``CancelError`` and does no
    I/O. Cancelling is idempotent; the first reason wins.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._reason: str | None = None
        self._callbacks: list[Callable[[str], None]] = []

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel()`` was called."""
        return self._event.is_set()

    @property
    def reason(self) -> str | None:
        """The reason given to ``cancel()``, or ``None`` while not cancelled."""
        return self._reason

    def cancel(self, reason: str = DEFAULT_REASON) -> None:
        """Cancel every request using this token, now and in the future."""
        with self._lock:
            if self._event.is_set():
                return
            self._reason = str(reason)
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self._reason)

    def raise_if_cancelled(self, config: Config | None = None) -> None:
        """Raise ``CancelError`` if the token was cancelled."""
        if self._event.is_set():
            raise CancelError(self._reason or DEFAULT_REASON, config=config)

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds for cancellation; ``True`` if cancelled."""
        return self._event.wait(timeout)

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(reason)`` on cancellation (at once if already cancelled).

        Returns a function that unsubscribes.
        """
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._unsubscribe(callback)
        callback(self._reason or DEFAULT_REASON)
        return lambda: None

    def _unsubscribe(self, callback: Callable[[str], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    def __repr__(self) -> str:
        state = f"cancelled: {self._reason!r}" if self.cancelled else "active"
        return f"<CancelToken {state}>"


def abort_stream(stream: Any) -> None:
    """Shut down the socket under an httpcore network stream so a blocked read returns now."""
    sock = stream.get_extra_info("socket") if stream is not None else None
    shutdown = getattr(sock, "shutdown", None)  # a socket, or asyncio's TransportSocket
    if shutdown is not None:
        with contextlib.suppress(OSError):
            shutdown(socket.SHUT_RDWR)


class _Scope:
    """The cancellable state of one sync attempt: which network stream it is using."""

    __slots__ = ("cancelled", "lock", "stream")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stream: Any = None
        self.cancelled = False

    def bind(self, stream: Any) -> None:
        with self.lock:
            if self.stream is stream:
                return
            self.stream = stream
            cancelled = self.cancelled
        if cancelled:
            abort_stream(stream)

    def cancel(self, reason: str) -> None:
        with self.lock:
            self.cancelled = True
            stream = self.stream
        abort_stream(stream)


_current_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "axios_python_cancel_scope", default=None
)


def bind_stream(stream: Any) -> None:
    """Called by the sync transport's streams on every read and write."""
    scope = _current_scope.get()
    if scope is not None:
        scope.bind(stream)


@contextlib.contextmanager
def cancel_scope(token: CancelToken) -> Iterator[None]:
    """While active, cancelling ``token`` shuts down the socket the request is using."""
    scope = _Scope()
    reset = _current_scope.set(scope)
    unsubscribe = token.subscribe(scope.cancel)
    try:
        yield
    finally:
        unsubscribe()
        _current_scope.reset(reset)


async def run_cancellable(coro: Coroutine[Any, Any, T], token: CancelToken, config: Config) -> T:
    """Await ``coro`` in a task that ``token`` cancels; cancellation becomes CancelError."""
    import asyncio

    if token.cancelled:
        coro.close()
        token.raise_if_cancelled(config)
    loop = asyncio.get_running_loop()
    task = loop.create_task(coro)
    by_token = False

    def on_cancel(reason: str) -> None:
        nonlocal by_token
        by_token = True
        loop.call_soon_threadsafe(task.cancel)

    unsubscribe = token.subscribe(on_cancel)
    try:
        return await task
    except asyncio.CancelledError:
        if by_token and task.cancelled():
            raise CancelError(token.reason or DEFAULT_REASON, config=config) from None
        raise
    finally:
        unsubscribe()
