"""The connection phases of one attempt, from httpcore's ``trace`` request extension.

httpcore calls the ``trace`` callback in ``extensions`` with events named
``<component>.<step>.<started|complete|failed>`` (``"connection.connect_tcp.started"``,
``"http11.send_request_headers.started"`` ...); ``AttemptTrace`` timestamps them and turns the
last request/response exchange into durations.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping
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
    step, _, state = name.partition(".")[2].rpartition(".")
    if len(_PARSED) < 256:  # names come from httpcore, a fixed set: the bound is a safeguard
        _PARSED[name] = (step, state)
    return step, state


class AttemptTrace:
    """Records the trace events of one attempt.

    A new exchange starts at every ``send_request_headers.started`` (a redirect hop), and the
    connection set up just before it (``connect_tcp``, ``start_tls``) belongs to it.
    """

    __slots__ = ("_connect", "_exchange", "_frozen", "_starts", "_tls")

    def __init__(self) -> None:
        self._starts: dict[str, float] = {}
        self._connect: float | None = None
        self._tls: float | None = None
        self._exchange: _Exchange | None = None
        self._frozen = False

    def event(self, name: str, info: Mapping[str, Any] | None = None) -> None:
        """Timestamp the httpcore event ``name`` (a sync ``trace`` callback itself: ``info``
        is not needed)."""
        if self._frozen:
            return  # a streamed body read after the call returned
        now = time.perf_counter()
        parsed = _PARSED.get(name)
        if parsed is None:
            parsed = _parse(name)
        step, state = parsed
        if state == "started":
            self._starts[step] = now
            if step == "send_request_headers":
                self._exchange = _Exchange(self._connect, self._tls, now)
                self._connect = self._tls = None
            elif step == "receive_response_body" and self._exchange is not None:
                self._exchange.body_start = now
            return
        start = self._starts.pop(step, None)
        if start is None:
            return
        if step in ("connect_tcp", "connect_unix_socket"):
            self._connect = now - start
            self._tls = None
        elif step == "start_tls":
            self._tls = now - start
        elif self._exchange is not None:
            if step == "send_request_body":
                self._exchange.send_end = now
            elif step == "receive_response_headers":
                self._exchange.headers_end = now
            elif step == "receive_response_body":
                self._exchange.body_end = now

    def freeze(self) -> dict[str, float | None]:
        """Stop recording; the phases of the last exchange (or of the connection set up)."""
        self._frozen = True
        exchange = self._exchange
        if exchange is None:
            return {"connect": self._connect, "tls": self._tls}
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
        chained = _chained(ctx)
        if chained is None:
            return _with_trace(ctx, self.event)

        def trace(name: str, info: Mapping[str, Any]) -> None:
            self.event(name)
            chained(name, info)

        return _with_trace(ctx, trace)

    def install_async(self, ctx: Config) -> Config:
        """Like ``install_sync`` for an async request (httpcore awaits the callback)."""
        chained = _chained(ctx)

        async def trace(name: str, info: Mapping[str, Any]) -> None:
            self.event(name)
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
