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


class _Exchange:
    """The phases of one request/response exchange within an attempt."""

    __slots__ = (
        "body_end",
        "body_start",
        "connect",
        "headers_end",
        "send_end",
        "send_start",
        "tls",
    )

    def __init__(self, connect: float | None, tls: float | None, send_start: float) -> None:
        self.connect = connect
        self.tls = tls
        self.send_start = send_start
        self.send_end: float | None = None
        self.headers_end: float | None = None
        self.body_start: float | None = None
        self.body_end: float | None = None


def _span(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else max(0.0, end - start)


#: ``(step, state)`` of the event names seen so far (httpcore has a few dozen).
_PARSED: dict[str, tuple[str, str]] = {}


def _parse(name: str) -> tuple[str, str]:
    """``("send_request_headers", "started")`` of ``"http11.send_request_headers.started"``."""
    parsed = _PARSED.get(name)
    if parsed is None:
        step, _, state = name.partition(".")[2].rpartition(".")
        parsed = (step, state)
        if len(_PARSED) < 256:  # names come from httpcore, a fixed set: the bound is a safeguard
            _PARSED[name] = parsed
    return parsed


class AttemptTrace:
    """Records the trace events of one attempt, and turns them into phases when frozen.

    The callback only appends ``(name, time)`` (httpcore calls it about ten times per request,
    on the hot path); ``freeze`` reads the events in order. A new exchange starts at every
    ``send_request_headers.started`` (a redirect hop), and the connection set up just before
    it (``connect_tcp``, ``start_tls``) belongs to it.
    """

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: list[tuple[str, float]] | None = []

    def callback(self) -> Callable[[str, Any], None]:
        """The sync ``trace`` callback: records the event name and the time."""
        events = self._events
        assert events is not None
        record = events.append
        clock = time.perf_counter

        def trace(name: str, info: Any) -> None:
            record((name, clock()))

        return trace

    def freeze(self) -> dict[str, float | None]:
        """Stop recording (events of a streamed body read after the call returned are not
        counted); the phases of the last exchange (or of the connection set up)."""
        events, self._events = self._events or [], None
        starts: dict[str, float] = {}
        connect: float | None = None
        tls: float | None = None
        exchange: _Exchange | None = None
        for name, now in events[:]:  # a copy: the callback may still append
            step, state = _parse(name)
            if state == "started":
                starts[step] = now
                if step == "send_request_headers":
                    exchange = _Exchange(connect, tls, now)
                    connect = tls = None
                elif step == "receive_response_body" and exchange is not None:
                    exchange.body_start = now
                continue
            start = starts.pop(step, None)
            if start is None:
                continue
            if step in ("connect_tcp", "connect_unix_socket"):
                connect, tls = now - start, None
            elif step == "start_tls":
                tls = now - start
            elif exchange is not None:
                if step == "send_request_body":
                    exchange.send_end = now
                elif step == "receive_response_headers":
                    exchange.headers_end = now
                elif step == "receive_response_body":
                    exchange.body_end = now
        if exchange is None:
            return {"connect": connect, "tls": tls}
        return {
            "connect": exchange.connect,
            "tls": exchange.tls,
            "send": _span(exchange.send_start, exchange.send_end),
            "waiting": _span(exchange.send_end, exchange.headers_end),
            "download": _span(exchange.body_start, exchange.body_end),
        }

    def install_sync(self, ctx: Config) -> Config:
        """``ctx`` with a sync ``trace`` extension recording here; a ``trace`` callback the
        caller set keeps being called after each event."""
        record = self.callback()
        chained = _chained(ctx)
        if chained is None:
            return _with_trace(ctx, record)

        def trace(name: str, info: Mapping[str, Any]) -> None:
            record(name, info)
            chained(name, info)

        return _with_trace(ctx, trace)

    def install_async(self, ctx: Config) -> Config:
        """Like ``install_sync`` for an async request (httpcore awaits the callback)."""
        record = self.callback()
        chained = _chained(ctx)

        async def trace(name: str, info: Mapping[str, Any]) -> None:
            record(name, info)
            if chained is not None:
                result = chained(name, info)
                if inspect.isawaitable(result):
                    await result

        return _with_trace(ctx, trace)


def _chained(ctx: Config) -> Any:
    extensions = ctx.get("extensions")
    return extensions.get("trace") if extensions else None


def _with_trace(ctx: Config, callback: Any) -> Config:
    extensions = dict(ctx.get("extensions") or {})
    extensions["trace"] = callback
    ctx = ctx.copy()  # a dict's own copy: several times cheaper than {**ctx, ...}
    ctx["extensions"] = extensions
    return ctx
