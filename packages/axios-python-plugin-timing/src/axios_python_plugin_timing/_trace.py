"""The connection phases of one attempt, from httpcore's ``trace`` request extension.

httpcore calls the ``trace`` callback in ``extensions`` with events named
``<component>.<step>.<started|complete|failed>`` (``"connection.connect_tcp.started"``,
``"http11.send_request_headers.started"`` ...); ``AttemptTrace`` timestamps them and turns the
last request/response exchange into durations.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from typing import Any

from axios_python import Config

__all__ = ["AttemptTrace"]


def _span(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else max(0.0, end - start)


# What an event means to ``AttemptTrace.freeze``: one code per kind of event it reads.
_OTHER = 0
_EXCHANGE = 1  # send_request_headers.started: an exchange (a hop) begins
_CONNECT_START = 2
_CONNECT_END = 3
_TLS_START = 4
_TLS_END = 5
_SENT = 6  # send_request_body ended
_HEADERS = 7  # receive_response_headers ended
_BODY_START = 8
_BODY_END = 9

_STARTED = {
    "send_request_headers": _EXCHANGE,
    "connect_tcp": _CONNECT_START,
    "connect_unix_socket": _CONNECT_START,
    "start_tls": _TLS_START,
    "receive_response_body": _BODY_START,
}
_ENDED = {  # ``complete`` or ``failed``
    "connect_tcp": _CONNECT_END,
    "connect_unix_socket": _CONNECT_END,
    "start_tls": _TLS_END,
    "send_request_body": _SENT,
    "receive_response_headers": _HEADERS,
    "receive_response_body": _BODY_END,
}

#: The events of one HTTP/1.1 exchange on a kept-alive connection, the most common attempt:
#: ``freeze`` reads their times by position.
_KEPT_ALIVE_HTTP11 = [
    f"http11.{step}.{state}"
    for step in (
        "send_request_headers",
        "send_request_body",
        "receive_response_headers",
        "receive_response_body",
        "response_closed",
    )
    for state in ("started", "complete")
]

#: The code of each event name seen so far (httpcore has a few dozen names).
_CODES: dict[str, int] = {}


def _code(name: str) -> int:
    """The code of ``"<component>.<step>.<started|complete|failed>"`` (``_OTHER`` for the
    events ``freeze`` does not read), remembered."""
    step, _, state = name.partition(".")[2].rpartition(".")
    code = _STARTED.get(step, _OTHER) if state == "started" else _ENDED.get(step, _OTHER)
    if len(_CODES) < 256:  # names come from httpcore, a fixed set: the bound is a safeguard
        _CODES[name] = code
    return code


class AttemptTrace:
    """Records the trace events of one attempt, and turns them into phases when frozen.

    The callback only appends the name and the time (httpcore calls it about ten times per
    request, on the hot path); ``freeze`` reads the events in order. A new exchange starts at every
    ``send_request_headers.started`` (a redirect hop), and the connection set up just before
    it (``connect_tcp``, ``start_tls``) belongs to it.
    """

    __slots__ = ("_events",)

    def __init__(self) -> None:
        # name, time, name, time ...: one list, filled by two C calls per event
        self._events: list[Any] | None = []

    def callback(self) -> Callable[[str, Any], None]:
        """The sync ``trace`` callback: records the event name and the time."""
        events = self._events
        assert events is not None
        record = events.append
        clock = time.perf_counter

        def trace(name: str, info: Any) -> None:
            record(name)
            record(clock())

        return trace

    def freeze(self) -> dict[str, float | None]:
        """Stop recording (events of a streamed body read after the call returned are not
        counted); the phases of the last exchange (or of the connection set up)."""
        events, self._events = self._events or [], None
        names, times = events[0::2], events[1::2]  # copies: the callback may still append
        if names == _KEPT_ALIVE_HTTP11:  # what the loop below finds, read by position
            return {
                "connect": None,
                "tls": None,
                "send": max(0.0, times[3] - times[0]),
                "waiting": max(0.0, times[5] - times[3]),
                "download": max(0.0, times[7] - times[6]),
            }
        codes = _CODES
        connect = tls = connect_start = tls_start = None
        exchange = False  # whether an exchange began; its phases follow
        ex_connect = ex_tls = send_start = sent = headers = body_start = body_end = None
        for name, now in zip(names, times, strict=False):  # a name may await its time
            code = codes.get(name)
            if code is None:
                code = _code(name)
            if code == _OTHER:
                continue
            if code == _EXCHANGE:  # the connection set up just before belongs to it
                exchange, ex_connect, ex_tls, send_start = True, connect, tls, now
                sent = headers = body_start = body_end = None
                connect = tls = None
            elif code == _SENT:
                sent = now if exchange else None
            elif code == _HEADERS:
                headers = now if exchange else None
            elif code == _BODY_START:
                body_start = now if exchange else None
            elif code == _BODY_END:
                body_end = now if body_start is not None else None
            elif code == _CONNECT_START:
                connect_start = now
            elif code == _CONNECT_END:
                if connect_start is not None:
                    connect, tls, connect_start = now - connect_start, None, None
            elif code == _TLS_START:
                tls_start = now
            elif tls_start is not None:  # _TLS_END
                tls, tls_start = now - tls_start, None
        if not exchange:
            return {"connect": connect, "tls": tls}
        return {
            "connect": ex_connect,
            "tls": ex_tls,
            "send": _span(send_start, sent),
            "waiting": _span(sent, headers),
            "download": _span(body_start, body_end),
        }

    def install_sync(self, ctx: Config) -> Config:
        """``ctx`` with a sync ``trace`` extension recording here; a ``trace`` callback the
        caller set keeps being called after each event."""
        record = self.callback()
        extensions = ctx.get("extensions")
        chained = extensions.get("trace") if extensions else None
        if chained is None:
            return _with_trace(ctx, extensions, record)

        def trace(name: str, info: Mapping[str, Any]) -> None:
            record(name, info)
            chained(name, info)

        return _with_trace(ctx, extensions, trace)

    def install_async(self, ctx: Config) -> Config:
        """Like ``install_sync`` for an async request (httpcore awaits the callback)."""
        record = self.callback()
        extensions = ctx.get("extensions")
        chained = extensions.get("trace") if extensions else None

        async def trace(name: str, info: Mapping[str, Any]) -> None:
            record(name, info)
            if chained is not None:
                result = chained(name, info)
                if inspect.isawaitable(result):
                    await result

        return _with_trace(ctx, extensions, trace)


def _with_trace(ctx: Config, extensions: Any, callback: Any) -> Config:
    """A copy of ``ctx`` whose ``extensions`` (a copy of ``extensions``) hold ``callback``."""
    extensions = dict(extensions) if extensions else {}
    extensions["trace"] = callback
    ctx = ctx.copy()  # a dict's own copy: several times cheaper than {**ctx, ...}
    ctx["extensions"] = extensions
    return ctx
