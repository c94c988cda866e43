"""httpx's read timeout on the aiohttp transport, with one timer per connection instead of one
per read.

httpx's ``read`` timeout limits every wait for bytes: it starts again whenever bytes arrive.
aiohttp enforces the same limit (``sock_read``) by cancelling its timer and scheduling a new one
each time bytes arrive, and once more when the request has been written: two timers made and
cancelled per request, each left in the event loop's heap until it is cleaned out, about 5% of
the transport's work per request at 32 concurrent requests.

:class:`ReadTimerHandler` keeps aiohttp's rule and its error, but moves a deadline instead: an
arrival only records when the wait may end at the latest. The connection's one timer wakes at
the deadline it was set for; if bytes came since, it sleeps again until the new deadline, and
only a deadline that has really passed fails the read as aiohttp's timer would. A new deadline
earlier than the armed one (a shorter timeout on a reused connection) re-arms the timer at once,
so a read never waits longer than its own timeout. An idle connection keeps no timer beyond its
last deadline, and a closed one none.

It subclasses aiohttp's connection protocol and overrides three of its private methods, so it is
used only where aiohttp is laid out as this module expects (checked on the first connection
pool). Elsewhere the connection keeps aiohttp's own timer, with the same behaviour at its own
cost.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp

__all__ = ["use_read_timer"]

try:
    from aiohttp.client_proto import ResponseHandler
except ImportError:  # pragma: no cover - an aiohttp laid out otherwise
    ResponseHandler = None  # type: ignore[assignment,misc]

_METHODS = ("_reschedule_timeout", "_drop_timeout", "_on_read_timeout", "connection_lost")


def _layout_ok(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether aiohttp's protocol has the methods this module overrides and a new one starts
    with the attributes they read."""
    if ResponseHandler is None:  # pragma: no cover
        return False
    if not all(callable(getattr(ResponseHandler, name, None)) for name in _METHODS):
        return False  # pragma: no cover
    try:
        protocol = ResponseHandler(loop=loop)
    except Exception:  # pragma: no cover
        return False
    return (
        getattr(protocol, "_read_timeout", ...) is None
        and getattr(protocol, "_read_timeout_handle", ...) is None
        and getattr(protocol, "_loop", None) is loop
    )


#: Whether aiohttp is laid out as this module expects: checked on the first connector.
_checked: list[bool] = []


class ReadTimerHandler(ResponseHandler):
    """aiohttp's connection protocol with its read timeout kept as a moving deadline (see the
    module's docstring)."""

    #: When the current wait for bytes times out (the loop's clock); ``None``: no wait.
    _read_deadline: float | None = None

    def _reschedule_timeout(self) -> None:
        timeout = self._read_timeout
        if not timeout:
            self._read_deadline = None
            return
        loop = self._loop
        deadline = self._read_deadline = loop.time() + timeout
        handle = self._read_timeout_handle
        if handle is None or handle.when() > deadline:
            if handle is not None:
                handle.cancel()
            self._read_timeout_handle = loop.call_at(deadline, self._read_timer_fired)

    def _drop_timeout(self) -> None:
        self._read_deadline = None  # the armed timer finds nothing to do

    def _read_timer_fired(self) -> None:
        self._read_timeout_handle = None
        deadline = self._read_deadline
        if deadline is None:
            return
        loop = self._loop
        if deadline > loop.time():  # bytes came since the timer was armed
            self._read_timeout_handle = loop.call_at(deadline, self._read_timer_fired)
            return
        self._read_deadline = None
        self._on_read_timeout()

    def connection_lost(self, exc: BaseException | None) -> None:
        handle, self._read_timeout_handle = self._read_timeout_handle, None
        if handle is not None:
            handle.cancel()
        self._read_deadline = None
        super().connection_lost(exc)


def use_read_timer(connector: aiohttp.TCPConnector) -> bool:
    """Make ``connector``'s new connections keep their read timeout with
    :class:`ReadTimerHandler`; ``False`` (and nothing changed) where aiohttp is laid out
    otherwise."""
    factory: Any = getattr(connector, "_factory", None)
    if not (
        isinstance(factory, functools.partial)
        and factory.func is ResponseHandler
        and not factory.args
        and set(factory.keywords) == {"loop"}
    ):
        return False
    if not _checked:
        _checked.append(_layout_ok(factory.keywords["loop"]))
    if not _checked[0]:
        return False  # pragma: no cover
    connector._factory = functools.partial(ReadTimerHandler, **factory.keywords)  # type: ignore[assignment]
    return True
