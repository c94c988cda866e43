"""TimingPlugin: how long each call took, attempt by attempt and phase by phase.

Two middleware cooperate:

* a call-scoped one measures the whole call (retries and back-off waits included), builds the
  ``Timings``, sets ``response.timings``, logs one line and feeds ``on_timing``;
* an attempt-scoped one measures every attempt and passes an httpcore ``trace`` callback
  (through the ``extensions`` config key) that timestamps the connection phases.

They find each other through a context variable that the call middleware sets for the duration
of the call, so concurrent calls in threads or tasks never mix their measurements.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from axios_python import AsyncNext, Config, Dual, SyncNext

if TYPE_CHECKING:
    from axios_python import AxiosPython, Response

__all__ = ["OnTiming", "TimingPlugin", "Timings", "get_timings"]


#: ``on_timing(timings, response_or_error, config)``: a plain function, or a ``Dual`` whose
#: ``async_`` form is awaited in async calls.
OnTiming = Callable[["Timings", Any, Config], object] | Dual

_LOG_FORMAT = "[%s] %s — %.1fms (%s)"


@dataclass(frozen=True)
class Timings:
    """How long one call took. Every duration is in seconds (``time.perf_counter`` clock).

    ``total`` and ``attempts`` describe the call; the phase fields describe the final attempt's
    exchange with the server (the last hop when redirects were followed). A phase that did not
    happen is ``None``: ``connect`` and ``tls`` on a reused keep-alive connection, ``tls`` over
    plain http, every phase when no request reached the transport (a cache hit, a deduplicated
    follower, a mock middleware), ``download`` for ``stream=True`` (see ``TimingPlugin``).
    """

    #: The whole call as the middleware saw it: every attempt, every back-off wait between them
    #: and whatever the middleware registered after this plugin did.
    total: float
    #: The duration of each attempt, in order (one entry per try; empty when no attempt ran).
    attempts: tuple[float, ...]
    #: Opening the TCP connection, DNS resolution included.
    connect: float | None = None
    #: The TLS handshake.
    tls: float | None = None
    #: Writing the request (headers and body) to the connection.
    send: float | None = None
    #: From the request being sent to the response headers being received (time to first byte).
    waiting: float | None = None
    #: Reading the response body.
    download: float | None = None
    #: When the call started, as a Unix timestamp (``time.time()``), for metrics systems.
    started_at: float = 0.0

    @property
    def retries(self) -> int:
        """How many attempts followed the first one."""
        return max(0, len(self.attempts) - 1)


def get_timings(obj: object) -> Timings | None:
    """The ``Timings`` the plugin attached to a response or an error, or ``None``.

    Same as ``response.timings`` (or ``error.timings``), but typed for static checkers.
    """
    value = getattr(obj, "timings", None)
    return value if isinstance(value, Timings) else None


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


class _AttemptTrace:
    """Timestamps httpcore trace events (``"http11.send_request_headers.started"``, ...).

    Event names are ``<component>.<step>.<started|complete|failed>``; a new exchange starts at
    every ``send_request_headers.started`` (a redirect hop), and the connection set up just
    before it (``connect_tcp``, ``start_tls``) belongs to it.
    """

    __slots__ = ("_connect", "_exchange", "_frozen", "_starts", "_tls")

    def __init__(self) -> None:
        self._starts: dict[str, float] = {}
        self._connect: float | None = None
        self._tls: float | None = None
        self._exchange: _Exchange | None = None
        self._frozen = False

    def event(self, name: str) -> None:
        if self._frozen:
            return  # a streamed body read after the call returned
        now = time.perf_counter()
        step, _, state = name.partition(".")[2].rpartition(".")
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

    def sync_callback(self, chained: Any) -> Callable[[str, Mapping[str, Any]], None]:
        """The ``trace`` extension for a sync request; calls the user's own callback too."""

        def trace(name: str, info: Mapping[str, Any]) -> None:
            self.event(name)
            if chained is not None:
                chained(name, info)

        return trace

    def async_callback(self, chained: Any) -> Callable[[str, Mapping[str, Any]], Awaitable[None]]:
        """The ``trace`` extension for an async request (httpcore awaits it)."""

        async def trace(name: str, info: Mapping[str, Any]) -> None:
            self.event(name)
            if chained is not None:
                result = chained(name, info)
                if inspect.isawaitable(result):
                    await result

        return trace


class _CallRecord:
    """What the attempt middleware reports to the call middleware of the same call."""

    __slots__ = ("attempts", "phases", "start", "started_at")

    def __init__(self) -> None:
        self.started_at = time.time()
        self.start = time.perf_counter()
        self.attempts: list[float] = []
        self.phases: dict[str, float | None] = {}

    def add_attempt(self, duration: float, phases: dict[str, float | None]) -> None:
        self.attempts.append(duration)
        self.phases = phases

    def finish(self) -> Timings:
        total = time.perf_counter() - self.start
        return Timings(
            total=total,
            attempts=tuple(self.attempts),
            started_at=self.started_at,
            **self.phases,
        )


def _check_level(level: Any) -> int:
    if isinstance(level, bool):
        raise TypeError(f"level must be a logging level (int) or its name, got {level!r}")
    if isinstance(level, int):
        return level
    if isinstance(level, str):
        number = logging.getLevelName(level.upper())
        if isinstance(number, int):
            return number
        raise ValueError(
            f"level {level!r} is not a logging level name; accepted: DEBUG, INFO, WARNING, "
            "ERROR, CRITICAL (or an int)"
        )
    raise TypeError(f"level must be a logging level (int) or its name, got {level!r}")


def _check_on_timing(on_timing: Any) -> tuple[Any, Any]:
    """The (sync, async) forms of ``on_timing``; the async form may be ``None``."""
    if on_timing is None:
        return None, None
    sync_form = getattr(on_timing, "sync", None)
    async_form = getattr(on_timing, "async_", None)
    if callable(sync_form) and callable(async_form):
        return sync_form, async_form
    if not callable(on_timing):
        raise TypeError(
            "on_timing must be a function f(timings, response_or_error, config) or a "
            f"Dual(sync=..., async_=...) of two, got {on_timing!r}"
        )
    if inspect.iscoroutinefunction(on_timing):
        raise TypeError(
            f"on_timing {on_timing!r} is an async function, which a sync call could only run on "
            "an event loop; pass a plain function, or Dual(sync=..., async_=...) to have the "
            "async form awaited in async calls"
        )
    return on_timing, None


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _request_url(ctx: Config) -> str:
    """The URL as httpx sends it (``params`` included)."""
    url, params = str(ctx.get("url")), ctx.get("params")
    try:
        return str(httpx.URL(url) if params is None else httpx.URL(url, params=params))
    except (httpx.InvalidURL, TypeError, ValueError):
        return url


class TimingPlugin:
    """Measures every call and reports it three ways.

    * ``response.timings`` (``error.timings`` on failure): a frozen ``Timings`` with the
      call's ``total`` (retries and back-off waits included), the duration of each attempt and
      the connection phases of the final attempt (``connect``, ``tls``, ``send``, ``waiting``,
      ``download``), taken from httpcore's ``trace`` extension.
    * One log line per call on ``logger_name`` at ``level``, as in the plugin-authoring guide::

          [GET] https://api.github.com/users/octocat — 91.4ms (HTTP 200)

      (a failed call ends with ``(failed: NetworkError)``).
    * ``on_timing(timings, response_or_error, config)``, for metrics: called after every call,
      failed ones included. A plain function runs in sync and async calls; give a ``Dual`` to
      have an async form awaited in async calls. An exception it raises is logged on the timing
      logger and does not fail the request.

    ``stream=True``: the call returns when the response headers arrive, so ``total`` and the
    last attempt end there and ``download`` is ``None``; reading the body is the caller's time.

    Options:
        logger_name: the logger the line goes to (default ``"axios_python.timing"``).
        level: the level of the line, an int or a name (default ``INFO``).
        log: ``False`` turns the log line off.
        on_timing: the metrics callback described above.
        trace: ``False`` leaves the ``trace`` extension alone (no phases, only durations).
    """

    name = "timing"

    def __init__(
        self,
        logger_name: str = "axios_python.timing",
        *,
        level: int | str = logging.INFO,
        log: bool = True,
        on_timing: OnTiming | None = None,
        trace: bool = True,
    ) -> None:
        if not isinstance(logger_name, str) or not logger_name:
            raise TypeError(f"logger_name must be a non-empty string, got {logger_name!r}")
        self.logger = logging.getLogger(logger_name)
        self.level = _check_level(level)
        self.log = _check_bool("log", log)
        self.trace = _check_bool("trace", trace)
        self.on_timing = on_timing
        self._on_timing_sync, self._on_timing_async = _check_on_timing(on_timing)
        self._current: contextvars.ContextVar[_CallRecord | None] = contextvars.ContextVar(
            f"axios_python_timing_{id(self)}", default=None
        )

    def __repr__(self) -> str:
        return f"<TimingPlugin logger={self.logger.name!r} level={self.level}>"

    # -- plugin contract ------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the call-scoped and the attempt-scoped middleware on ``client``."""
        client.use(Dual(sync=self._call_sync, async_=self._call_async))
        client.use(Dual(sync=self._attempt_sync, async_=self._attempt_async), scope="attempt")

    def uninstall(self, client: AxiosPython) -> None:
        """Nothing to release: the plugin holds no resources beyond its middleware."""

    # -- call scope -----------------------------------------------------------------------

    def _call_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        record = _CallRecord()
        reset = self._current.set(record)
        try:
            response = next_fn(ctx)
        except Exception as exc:
            self._current.reset(reset)
            self._finish_sync(record.finish(), exc, ctx)
            raise
        self._current.reset(reset)
        self._finish_sync(record.finish(), response, ctx)
        return response

    async def _call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        record = _CallRecord()
        reset = self._current.set(record)
        try:
            response = await next_fn(ctx)
        except (Exception, asyncio.CancelledError) as exc:
            self._current.reset(reset)
            await self._finish_async(record.finish(), exc, ctx)
            raise
        self._current.reset(reset)
        await self._finish_async(record.finish(), response, ctx)
        return response

    def _finish_sync(self, timings: Timings, outcome: Any, ctx: Config) -> None:
        self._publish(timings, outcome, ctx)
        if self._on_timing_sync is not None:
            try:
                self._on_timing_sync(timings, outcome, ctx)
            except Exception:
                self.logger.exception("on_timing callback %r failed", self.on_timing)

    async def _finish_async(self, timings: Timings, outcome: Any, ctx: Config) -> None:
        self._publish(timings, outcome, ctx)
        callback = self._on_timing_async or self._on_timing_sync
        if callback is not None:
            try:
                result = callback(timings, outcome, ctx)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                self.logger.exception("on_timing callback %r failed", self.on_timing)

    def _publish(self, timings: Timings, outcome: Any, ctx: Config) -> None:
        with contextlib.suppress(AttributeError):  # an exception type with __slots__
            outcome.timings = timings
        if self.log and self.logger.isEnabledFor(self.level):
            if isinstance(outcome, BaseException):
                result = f"failed: {type(outcome).__name__}"
            else:
                result = f"HTTP {outcome.status_code}"
            self.logger.log(
                self.level,
                _LOG_FORMAT,
                str(ctx.get("method", "")).upper(),
                _request_url(ctx),
                timings.total * 1000,
                result,
            )

    # -- attempt scope --------------------------------------------------------------------

    @staticmethod
    def _with_trace(ctx: Config, callback: Any) -> Config:
        extensions = dict(ctx.get("extensions") or {})
        extensions["trace"] = callback
        return {**ctx, "extensions": extensions}

    @staticmethod
    def _chained(ctx: Config) -> Any:
        extensions = ctx.get("extensions")
        return extensions.get("trace") if extensions else None

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        record = self._current.get()
        tracer = _AttemptTrace()
        if self.trace:
            ctx = self._with_trace(ctx, tracer.sync_callback(self._chained(ctx)))
        start = time.perf_counter()
        try:
            return next_fn(ctx)
        finally:
            if record is not None:
                record.add_attempt(time.perf_counter() - start, tracer.freeze())

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        record = self._current.get()
        tracer = _AttemptTrace()
        if self.trace:
            ctx = self._with_trace(ctx, tracer.async_callback(self._chained(ctx)))
        start = time.perf_counter()
        try:
            return await next_fn(ctx)
        finally:
            if record is not None:
                record.add_attempt(time.perf_counter() - start, tracer.freeze())
