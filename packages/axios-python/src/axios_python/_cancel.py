"""Cancellation: the CancelToken and the machinery that aborts a request in flight.

A sync request is aborted wherever it blocks: the sync transport (``_tracking.py``) reports,
through a context variable, the socket it is connecting, the stream it is reading from or
writing to, and how to wake it while it waits for a connection from the pool; cancelling shuts
the socket down or wakes the waiter. An async request runs in a task that the token cancels.
Either way the connection is closed, never returned to the pool.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from ._exceptions import CancelError
from ._types import Config

__all__ = [
    "CancelToken",
    "abort_stream",
    "bind_stream",
    "cancel_scope",
    "current_scope",
    "run_cancellable",
]

T = TypeVar("T")

DEFAULT_REASON = "Request cancelled"

#: Where a failing ``CancelToken`` subscriber is reported.
logger = logging.getLogger("axios_python.cancel")


def _notify(callback: Callable[[str], None], reason: str) -> BaseException | None:
    """Call one subscriber; an ``Exception`` it raises is logged, anything else returned."""
    try:
        callback(reason)
    except Exception:
        from ._hooks import describe_callable

        logger.exception(
            "CancelToken subscriber %s raised; cancellation went on", describe_callable(callback)
        )
    except BaseException as exc:  # KeyboardInterrupt, SystemExit: raised once all have run
        return exc
    return None


def _notify_all(callbacks: list[Callable[[str], None]], reason: str) -> None:
    first: BaseException | None = None
    for callback in callbacks:
        error = _notify(callback, reason)
        first = first or error
    if first is not None:
        raise first


class CancelToken:
    """Cancels the requests it is passed to, from any thread or task.

    ::

        token = CancelToken()
        api.get("/export", cancel_token=token)   # elsewhere: token.cancel("user left")

    A call given a token that is already cancelled fails at once with ``CancelError`` and does no
    I/O. Cancelling is idempotent; the first reason wins. A token can be passed to any number of
    calls, one after the other or at once; once cancelled it stays cancelled.

    Subscribers (``subscribe``) are called in order, every one of them: one that raises is
    logged with its traceback on the ``axios_python.cancel`` logger (level ERROR) and never
    stops the others, nor the cancellation itself; ``cancel()`` does not raise.
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
        """Cancel every request using this token, now and in the future.

        Every subscriber runs; one that raises is logged (``axios_python.cancel``), never
        raised here.
        """
        with self._lock:
            if self._event.is_set():
                return
            self._reason = str(reason)
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        _notify_all(callbacks, self._reason)

    def raise_if_cancelled(self, config: Config | None = None) -> None:
        """Raise ``CancelError`` if the token was cancelled."""
        if self._event.is_set():
            raise CancelError(self._reason or DEFAULT_REASON, config=config)

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds for cancellation; ``True`` if cancelled."""
        return self._event.wait(timeout)

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(reason)`` on cancellation (at once if already cancelled).

        Returns a function that unsubscribes. A callback that raises is logged on the
        ``axios_python.cancel`` logger and does not stop the other subscribers. A cancellation
        racing with the unsubscribe may still call the callback once, as it returns.
        """
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._unsubscribe(callback)
        _notify_all([callback], self._reason or DEFAULT_REASON)
        return lambda: None

    def _unsubscribe(self, callback: Callable[[str], None]) -> None:
        with self._lock:
            # by identity: two equal callbacks (bound methods of equal objects) stay apart
            for index, registered in enumerate(self._callbacks):
                if registered is callback:
                    del self._callbacks[index]
                    return

    def __repr__(self) -> str:
        state = f"cancelled: {self._reason!r}" if self.cancelled else "active"
        return f"<CancelToken {state}>"


def abort_stream(stream: Any) -> None:
    """Shut down the socket under an httpcore network stream so a blocked read returns now."""
    sock = stream.get_extra_info("socket") if stream is not None else None
    _shutdown(sock)


def _shutdown(sock: Any) -> None:
    shutdown = getattr(sock, "shutdown", None)  # a socket, or asyncio's TransportSocket
    if shutdown is not None:
        with contextlib.suppress(OSError):
            shutdown(socket.SHUT_RDWR)


def _abort(target: Any) -> None:
    if isinstance(target, socket.socket):
        _shutdown(target)  # a socket still connecting: connect() fails at once
    else:
        abort_stream(target)


class _Scope:
    """The cancellable state of one sync attempt, while it runs: the socket or network stream
    it is using (shut down on cancellation) and, while it waits for a connection from the pool,
    how to wake it. Once closed (the attempt returned), a late cancellation touches nothing:
    the connection may already serve another request."""

    __slots__ = ("active", "cancelled", "lock", "target", "waiter")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.target: Any = None
        self.waiter: Callable[[], None] | None = None
        self.cancelled = False
        self.active = True

    def bind(self, stream: Any) -> None:
        """``stream`` (a network stream) is in use; shut down at once if already cancelled."""
        with self.lock:
            if self.target is stream:
                return
            self.target = stream
            cancelled = self.cancelled
        if cancelled:
            abort_stream(stream)

    def connecting(self, sock: socket.socket) -> bool:
        """``sock`` is about to connect; ``False`` (do not connect) if already cancelled."""
        with self.lock:
            if self.cancelled:
                return False
            self.target = sock
            return True

    def waiting(self, wake: Callable[[], None]) -> bool:
        """The attempt is about to wait for a pooled connection; cancelling calls ``wake()``
        (without this scope's lock held). ``False`` if already cancelled."""
        with self.lock:
            if self.cancelled:
                return False
            self.waiter = wake
            return True

    def cancel(self, reason: str) -> None:
        with self.lock:
            if not self.active or self.cancelled:
                return
            self.cancelled = True
            target, waiter = self.target, self.waiter
        if waiter is not None:
            waiter()
        _abort(target)

    def close(self) -> None:
        with self.lock:
            self.active = False
            self.target = self.waiter = None


_current_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "axios_python_cancel_scope", default=None
)


def current_scope() -> _Scope | None:
    """The cancel scope of the sync attempt running in this context, if it has a token."""
    return _current_scope.get()


def bind_stream(stream: Any) -> None:
    """Called by the sync transport's streams on every read and write."""
    scope = _current_scope.get()
    if scope is not None:
        scope.bind(stream)


@contextlib.contextmanager
def cancel_scope(token: CancelToken) -> Iterator[None]:
    """While active, cancelling ``token`` aborts what the sync request is blocked on."""
    scope = _Scope()
    reset = _current_scope.set(scope)
    unsubscribe = token.subscribe(scope.cancel)
    try:
        yield
    finally:
        unsubscribe()
        scope.close()
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
        with contextlib.suppress(RuntimeError):  # the loop closed: the task is gone with it
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
