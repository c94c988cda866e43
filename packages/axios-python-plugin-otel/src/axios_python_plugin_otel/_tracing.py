"""The instrumentation: one CLIENT span per request on the wire, the context made current and
propagated, the ``http.client.*`` metrics. Imported when the plugin first attaches (it loads
``opentelemetry``), never when plugins are listed.

The span model, per call::

    [INTERNAL  GET]                      only with call_span=True: the whole call, retries and
     │                                   back-off waits included
     ├── CLIENT GET  attempt 1           started when the attempt starts, current while the
     │                                   layers below run (attempt middleware, transport)
     ├── CLIENT GET  attempt 1, hop 2    a redirect hop (resend_count=1): a sibling, not a child
     └── CLIENT GET  attempt 2           the retry (resend_count=2)

Each attempt's first span starts in the attempt middleware, before anything below it runs, so
spans made below nest under it. The core's hop observer (``observe_hops``) tells of every
request of the attempt: the first one fills in the span started for it; each further one
(a redirect hop, an authentication round, the core's resend on a fresh connection after a
pooled one was closed by the server) ends the previous span and starts a sibling, which is
made current for the transport below. A span ends when its answer has been read: at the next
hop (httpx reads a followed redirect's body first), when the attempt returns (the body was read
by the core), or, for ``stream=True``, when the body is read to its end or the response is
closed (``_stream.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.context import (
    _SUPPRESS_HTTP_INSTRUMENTATION_KEY,
    _SUPPRESS_INSTRUMENTATION_KEY,
)
from opentelemetry.metrics import _internal as _metrics_internal
from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context

from axios_python import (
    AsyncNext,
    AxiosPythonError,
    CancelError,
    Config,
    HeaderDict,
    HTTPStatusError,
    Response,
    Secrets,
    SyncNext,
    call_state,
    display_url,
    observe_hops,
    wire_url,
)
from axios_python.engine import httpx
from axios_python.redaction import scrub

from . import _semconv as sc
from ._stream import AsyncSpanStream, SyncSpanStream
from ._version import __version__

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import Histogram, MeterProvider
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.trace import Span, TracerProvider

    from ._settings import Patterns

__all__ = ["SCOPE", "Instrumentation", "error_type"]

log = logging.getLogger("axios_python.otel")

#: The instrumentation scope: the tracer's and the meter's name.
SCOPE = "axios_python_plugin_otel"
#: What secrets in ``url.full`` and captured headers show as (the conventions' value).
MASK = "REDACTED"
#: ``error.type`` of a request the core sent again at once, on a fresh connection, because the
#: pooled keep-alive connection it went out on had been closed by the server before any byte
#: of the answer (the only case in which one attempt sends a request twice without an answer
#: in between): httpx's error for it.
STALE_CONNECTION = "RemoteProtocolError"
#: The longest span status description (an error message) kept.
_DESCRIPTION_LIMIT = 512

_TRANSPORT_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


def _cancelled(ctx: Config | None) -> bool:
    token = None if ctx is None else ctx.get("cancel_token")
    return token is not None and bool(token.cancelled)


def error_type(exc: BaseException, ctx: Config | None = None) -> str:
    """``error.type`` for an exception: ``CancelError`` for whatever the call's cancelled
    ``CancelToken`` caused (as the core does: the caller gets a ``CancelError``), the name of
    the transport error the core translated (``ConnectError``, ``ReadTimeout``,
    ``RemoteProtocolError``: the names opentelemetry-instrumentation-httpx reports), else the
    exception's own (``ContentTooLarge``, ``CancelledError`` for a cancelled task, a hook's
    ``ValueError``)."""
    if isinstance(exc, (CancelError, asyncio.CancelledError, *_TRANSPORT_ERRORS)) and _cancelled(
        ctx
    ):
        return CancelError.__qualname__
    cause = exc.__cause__
    if (
        isinstance(exc, AxiosPythonError)
        and not isinstance(exc, CancelError)
        and isinstance(cause, _TRANSPORT_ERRORS)
    ):
        return type(cause).__qualname__
    return type(exc).__qualname__


#: Whether the environment names a provider for the API to load (read once, at import: such
#: variables are set before a process starts, for auto-instrumentation).
_PROVIDERS_FROM_ENV = any(
    name in os.environ for name in ("OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER")
)
_UNKNOWN: Any = object()


def _global_unset(module: Any, name: str) -> bool | None:
    """Whether the API's global provider ``module.name`` is unset (``None`` when that cannot be
    told without the API's getter). ``get_tracer_provider()`` and ``get_meter_provider()`` look
    for their environment variable on each call while no provider is set, which costs more
    than the rest of an idle call together; the variable the getter reads (private: if it is
    renamed, the getter is asked) tells the same when the environment names no provider."""
    if _PROVIDERS_FROM_ENV:
        return None
    provider = getattr(module, name, _UNKNOWN)
    return None if provider is _UNKNOWN else provider is None


def _no_tracer_provider() -> bool:
    """Whether no global tracer provider is set: the API hands out its stand-in."""
    unset = _global_unset(trace, "_TRACER_PROVIDER")
    if unset is not None:
        return unset
    return isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def _no_meter_provider() -> bool:
    """Whether no global meter provider is set: ``metrics.get_meter_provider()`` is still the
    API's stand-in (a private class; if it is renamed, metering is taken as possible)."""
    unset = _global_unset(_metrics_internal, "_METER_PROVIDER")
    if unset is not None:
        return unset
    return type(metrics.get_meter_provider()).__name__ == "_ProxyMeterProvider"


def suppressed() -> bool:
    """Whether instrumentation is suppressed here (an instrumentation above ours, an exporter
    sending, or our own span above this call)."""
    current = otel_context.get_current()  # what get_value reads, read once for both keys
    return bool(
        current.get(_SUPPRESS_HTTP_INSTRUMENTATION_KEY)
        or current.get(_SUPPRESS_INSTRUMENTATION_KEY)
    )


def _server_port(url: httpx.URL) -> int | None:
    return url.port or sc.DEFAULT_PORTS.get(url.scheme)


class _CallRecord:
    """What one call's hooks share (``call_state(ctx).slot(instrumentation, _CallRecord)``)."""

    __slots__ = ("call_span", "deferred", "pending", "sent")

    def __init__(self) -> None:
        #: CLIENT spans started so far in this call: the next one's ``resend_count``
        self.sent = 0
        #: the INTERNAL span of the call (``call_span=True``)
        self.call_span: Span | None = None
        #: the exchange of a streamed response still being read
        self.pending: _Exchange | None = None
        #: the call returned while ``pending`` was open: its end ends the call span
        self.deferred = False


class _Exchange:
    """One request on the wire: its span, its clock and its metric attributes."""

    __slots__ = (
        "answered",
        "attempt",
        "declared",
        "ended",
        "finalizer",
        "method",
        "metric_attributes",
        "recording",
        "request_size",
        "response",
        "span",
        "started",
        "url",
    )

    def __init__(
        self,
        attempt: _Attempt,
        span: Span,
        method: str,
        url: httpx.URL | None,
        attributes: dict[str, Any],
    ) -> None:
        self.attempt = attempt
        self.span = span
        self.method = method
        self.url = url
        self.metric_attributes = attributes
        self.recording = span.is_recording()
        self.started = time.perf_counter()
        self.answered = False
        self.ended = False
        #: ends the span of a streamed response dropped unclosed (detached when it ends)
        self.finalizer: weakref.finalize[Any, Any] | None = None
        self.request_size: int | None = None
        #: a streamed response's Content-Length, its size if it is closed before the end
        self.declared: int | None = None
        #: the httpx response whose headers arrived, until the span ends
        self.response: httpx.Response | None = None

    def fail(self, exc: BaseException) -> None:
        """Record ``exc`` as the reason this request failed (``error.type``, span status ERROR,
        an exception event whose text has the call's secret values scrubbed)."""
        status = None if self.response is None else self.response.status_code
        if isinstance(exc, HTTPStatusError) and status is not None and status >= 400:
            return  # the status code is the error, recorded with the answer
        name = error_type(exc, self.attempt.ctx)
        self.metric_attributes[sc.ERROR_TYPE] = name
        if not self.recording:
            return
        span = self.span
        values = self.attempt.secret_values()
        message = scrub(str(exc), values, mask=MASK)
        span.set_attribute(sc.ERROR_TYPE, name)
        span.set_status(Status(StatusCode.ERROR, message[:_DESCRIPTION_LIMIT] or name))
        import traceback

        stack = scrub(
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            values,
            mask=MASK,
        )
        span.record_exception(
            exc,
            attributes={"exception.message": message, "exception.stacktrace": stack},
            escaped=True,
        )

    def end(self, exc: BaseException | None = None, body_size: int | None = None) -> None:
        """End the span (once) and record the metrics; ``body_size``: the response body's
        bytes when they were counted."""
        if self.ended:
            return
        self.ended = True
        if self.finalizer is not None:
            self.finalizer.detach()  # the response no longer keeps this exchange alive
            self.finalizer = None
        if exc is not None:
            self.fail(exc)
        response = self.response
        self.response = None
        if body_size is None:
            body_size = self.declared if response is None else _body_size(response)
        self.span.end()
        attempt = self.attempt
        attempt.instrumentation.record(self, time.perf_counter() - self.started, body_size)
        record = attempt.record
        if record.pending is self:
            record.pending = None
            if record.deferred:
                record.deferred = False
                attempt.instrumentation.end_call_span(record, exc, attempt.ctx)

    # -- a streamed body (``_stream.StreamWatcher``) ---------------------------------------

    def stream_done(self, size: int) -> None:
        self.end(body_size=size)

    def stream_failed(self, exc: BaseException) -> None:
        self.end(exc)

    def stream_closed(self) -> None:
        if not self.ended and _cancelled(self.attempt.ctx):
            # the core raised CancelError between two chunks, then the response was closed
            self.end(CancelError("Request cancelled"))
        else:
            self.end()

    def abandoned(self) -> None:
        """The streamed response was garbage-collected unclosed (the core closed its
        connection and warned): end the span now."""
        self.end()


def _body_size(response: httpx.Response) -> int | None:
    """The bytes of a response body, where known: counted when it was read to its end, else
    the declared ``Content-Length``."""
    if response.is_stream_consumed and response.is_closed:
        return response.num_bytes_downloaded
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit():
        return int(declared)
    return None


class _Attempt:
    """One attempt: the hop observer the core tells of every request it sends, and the spans
    of those requests."""

    __slots__ = (
        "context",
        "count",
        "ctx",
        "current",
        "hop_context",
        "hop_token",
        "instrumentation",
        "parent",
        "record",
        "secrets",
        "suppressed",
    )

    def __init__(
        self,
        instrumentation: Instrumentation,
        ctx: Config,
        record: _CallRecord,
        secrets: Secrets,
        parent: Context,
    ) -> None:
        self.instrumentation = instrumentation
        self.ctx = ctx
        self.record = record
        self.secrets = secrets
        self.parent = parent
        #: the parent context with HTTP instrumentation suppressed below our spans
        self.suppressed = otel_context.set_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY, True, parent)
        #: the context of the attempt's first span (made current by the middleware)
        self.context: Context = self.suppressed
        self.count = 0
        self.current: _Exchange | None = None
        self.hop_context: Context | None = None
        self.hop_token: object | None = None

    def secret_values(self) -> set[str]:
        return self.secrets.secret_values(self.ctx)

    # -- the hop observer ------------------------------------------------------------------

    def on_request(self, request: httpx.Request) -> None:
        try:
            self._request(request)
        except Exception:
            log.exception("OpenTelemetryPlugin failed to trace a request; it was sent as is")

    def on_response(self, response: httpx.Response) -> None:
        try:
            self._response(response)
        except Exception:
            log.exception("OpenTelemetryPlugin failed to trace a response; it is used as is")

    def _request(self, request: httpx.Request) -> None:
        inst = self.instrumentation
        self.count += 1
        exchange = self.current
        if self.count == 1 and exchange is not None:
            context = self.context
            if (exchange.recording or inst.metering) and (
                exchange.url is None or request.url != exchange.url
            ):
                exchange.url = request.url
                inst.url_attributes(exchange, request.url, self.secrets)
            if request.method != exchange.method:
                exchange.method = request.method
                inst.method_attributes(exchange, request.method)
        else:
            if exchange is not None and not exchange.ended:
                if exchange.answered:
                    exchange.end()
                else:
                    exchange.metric_attributes[sc.ERROR_TYPE] = STALE_CONNECTION
                    if exchange.recording:
                        exchange.span.set_attribute(sc.ERROR_TYPE, STALE_CONNECTION)
                        exchange.span.set_status(
                            Status(
                                StatusCode.ERROR,
                                "the pooled connection was closed by the server before it "
                                "answered; sent again on a fresh connection",
                            )
                        )
                    exchange.end()
            self.leave_hop()
            exchange = self.current = inst.start(self, request.method, request.url, self.parent)
            context = self.hop_context = set_span_in_context(exchange.span, self.suppressed)
            self.hop_token = otel_context.attach(context)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit():
            exchange.request_size = int(length)
        if exchange.recording:
            inst.request_attributes(exchange, request, self.secrets)
        inst.inject(request.headers, context)

    def _response(self, response: httpx.Response) -> None:
        exchange = self.current
        if exchange is None or exchange.ended:
            return
        exchange.answered = True
        exchange.response = response
        self.instrumentation.response_attributes(exchange, response, self.secrets)

    def leave_hop(self) -> None:
        """Detach the context a hop made current, where it was made current (the hooks may
        run in a copy of the middleware's context: that copy is gone with its task)."""
        token = self.hop_token
        if token is not None:
            self.hop_token = None
            if otel_context.get_current() is self.hop_context:
                otel_context.detach(token)  # type: ignore[arg-type]
        self.hop_context = None

    # -- the end of the attempt ------------------------------------------------------------

    def failed(self, exc: BaseException) -> None:
        self.leave_hop()
        exchange = self.current
        if exchange is not None:
            exchange.end(exc)

    def returned(self, response: Response, *, is_async: bool) -> None:
        self.leave_hop()
        exchange = self.current
        if exchange is None or exchange.ended:
            return
        if not exchange.answered and isinstance(response, Response):
            # a layer below answered without sending (a mock, a short-circuit)
            exchange.answered = True
            self.instrumentation.response_attributes(exchange, response, self.secrets)
        if self.ctx.get("stream") and not response.is_closed and not response.is_stream_consumed:
            self._follow_stream(exchange, response, is_async=is_async)
            return
        if exchange.response is None:
            exchange.response = response
        exchange.end()

    def _follow_stream(self, exchange: _Exchange, response: Response, *, is_async: bool) -> None:
        """End the span when the streamed body is read to its end or the response closed."""
        exchange.response = None  # the response must stay collectable
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit():
            exchange.declared = int(declared)
        if is_async:
            response.stream = AsyncSpanStream(response.stream, exchange)
        else:
            response.stream = SyncSpanStream(response.stream, exchange)
        exchange.finalizer = weakref.finalize(response, exchange.abandoned)
        self.record.pending = exchange


class Instrumentation:
    """The tracer, the instruments and the middleware of one ``OpenTelemetryPlugin``."""

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None,
        meter_provider: MeterProvider | None,
        propagator: TextMapPropagator | None,
        excluded_urls: Patterns,
        capture_request_headers: Patterns,
        capture_response_headers: Patterns,
        sanitize_headers: Patterns,
        known_methods: frozenset[str],
        request_hook: Callable[[Span, httpx.Request], object] | None,
        response_hook: Callable[[Span, httpx.Response], object] | None,
    ) -> None:
        self.tracer = trace.get_tracer(
            SCOPE, __version__, tracer_provider, schema_url=sc.SCHEMA_URL
        )
        #: an explicit no-op tracer records nothing: no attribute is computed for it
        self.tracing = not isinstance(self.tracer, trace.NoOpTracer)
        meter = metrics.get_meter(SCOPE, __version__, meter_provider, schema_url=sc.SCHEMA_URL)
        self.metering = not isinstance(meter, metrics.NoOpMeter)
        #: the tracer and the meter follow the process's global providers (which an operator
        #: may set up at any time): while neither is set, nothing records (see ``idle``)
        self._follows_globals = tracer_provider is None and (
            meter_provider is None or not self.metering
        )
        self.duration: Histogram = meter.create_histogram(
            sc.HTTP_CLIENT_REQUEST_DURATION,
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=sc.DURATION_BUCKETS,
        )
        self.request_body_size: Histogram = meter.create_histogram(
            sc.HTTP_CLIENT_REQUEST_BODY_SIZE,
            unit="By",
            description="Size of HTTP client request bodies.",
        )
        self.response_body_size: Histogram = meter.create_histogram(
            sc.HTTP_CLIENT_RESPONSE_BODY_SIZE,
            unit="By",
            description="Size of HTTP client response bodies.",
        )
        self.propagator = propagator
        self.excluded_urls = excluded_urls
        self.capture_request_headers = capture_request_headers
        self.capture_response_headers = capture_response_headers
        self.sanitize_headers = sanitize_headers
        self.known_methods = known_methods
        self.request_hook = request_hook
        self.response_hook = response_hook

    # -- middleware ------------------------------------------------------------------------

    def _excluded(self, ctx: Config) -> bool:
        if not self.excluded_urls:
            return False
        try:
            url = str(wire_url(ctx))
        except Exception:
            return False
        return self.excluded_urls.search(url)

    def _begin(self, ctx: Config) -> _Attempt | None:
        """Start the attempt's first span; ``None`` for an excluded URL."""
        if self._excluded(ctx):
            return None
        state = call_state(ctx)
        record = state.slot(self, _CallRecord)
        parent = otel_context.get_current()
        attempt = _Attempt(self, ctx, record, state.secrets, parent)
        url: httpx.URL | None = None
        if self.tracing or self.metering:
            # at the span's start, for samplers; with nothing recording, the request's own URL
            # (``on_request``) is all that is needed
            try:
                url = wire_url(ctx)
            except Exception:
                url = None
        exchange = attempt.current = self.start(attempt, ctx["method"], url, parent)
        attempt.context = set_span_in_context(exchange.span, attempt.suppressed)
        observe_hops(ctx, attempt)
        return attempt

    def idle(self) -> bool:
        """Whether nothing can record now: the tracer and meter are the API's stand-ins for
        global providers that nobody has set (no SDK in the process). Asked on every call, so
        setting the SDK up later starts the spans with the next call."""
        return (
            self._follows_globals
            and _no_tracer_provider()
            and (not self.metering or _no_meter_provider())
        )

    def _propagated(self, ctx: Config) -> Config:
        """``ctx`` with the current trace context in its headers, for an idle instrumentation:
        what the propagator writes without a recording span (an incoming request's trace
        context and baggage, made current by a server's instrumentation), as a recording span
        would have it written on each request. Most often nothing: ``ctx`` itself (an empty
        context, the common case, has nothing to propagate: it is not handed to the
        propagator, which costs more than the rest of an idle call)."""
        context = otel_context.get_current()
        if not context or (self.excluded_urls and self._excluded(ctx)):
            return ctx
        carrier: dict[str, str] = {}
        self.inject(carrier, context)
        if not carrier:
            return ctx
        headers = HeaderDict(ctx["headers"])
        headers.update(carrier)
        ctx = ctx.copy()
        ctx["headers"] = headers
        return ctx

    def attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        if suppressed():
            return next_fn(ctx)
        if self.idle():
            return next_fn(self._propagated(ctx))
        attempt = self._begin(ctx)
        if attempt is None:
            return self._excluded_sync(ctx, next_fn)
        token = otel_context.attach(attempt.context)
        try:
            response = next_fn(ctx)
        except BaseException as exc:
            attempt.failed(exc)
            raise
        finally:
            attempt.leave_hop()
            otel_context.detach(token)
        attempt.returned(response, is_async=False)
        return response

    async def attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        if suppressed():
            return await next_fn(ctx)
        if self.idle():
            return await next_fn(self._propagated(ctx))
        attempt = self._begin(ctx)
        if attempt is None:
            return await self._excluded_async(ctx, next_fn)
        token = otel_context.attach(attempt.context)
        try:
            response = await next_fn(ctx)
        except BaseException as exc:
            attempt.failed(exc)
            raise
        finally:
            attempt.leave_hop()
            otel_context.detach(token)
        attempt.returned(response, is_async=True)
        return response

    def _excluded_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        token = otel_context.attach(
            otel_context.set_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY, True)
        )
        try:
            return next_fn(ctx)
        finally:
            otel_context.detach(token)

    async def _excluded_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        token = otel_context.attach(
            otel_context.set_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY, True)
        )
        try:
            return await next_fn(ctx)
        finally:
            otel_context.detach(token)

    # -- the optional call span ------------------------------------------------------------

    def _begin_call(self, ctx: Config) -> tuple[_CallRecord, Span] | None:
        if self._excluded(ctx):
            return None
        state = call_state(ctx)
        record = state.slot(self, _CallRecord)
        method = ctx["method"]
        known = method if method in self.known_methods else sc.OTHER
        attributes: dict[str, Any] | None = None
        if self.tracing:
            attributes = {sc.HTTP_REQUEST_METHOD: known}
            if known != method:
                attributes[sc.HTTP_REQUEST_METHOD_ORIGINAL] = method
            try:
                url = wire_url(ctx)
            except Exception:
                pass
            else:
                attributes[sc.URL_FULL] = display_url(url, state.secrets, mask=MASK)
                attributes[sc.SERVER_ADDRESS] = url.host
                port = _server_port(url)
                if port is not None:
                    attributes[sc.SERVER_PORT] = port
        span = self.start_span(
            known if known != sc.OTHER else "HTTP",
            SpanKind.INTERNAL,
            attributes,
            otel_context.get_current(),
        )
        record.call_span = span
        return record, span

    def call_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        if suppressed() or self.idle():
            return next_fn(ctx)
        begun = self._begin_call(ctx)
        if begun is None:
            return next_fn(ctx)
        record, span = begun
        token = otel_context.attach(set_span_in_context(span))
        try:
            response = next_fn(ctx)
        except BaseException as exc:
            self._call_failed(ctx, record, span, exc)
            raise
        finally:
            otel_context.detach(token)
        self._call_returned(ctx, record, span, response)
        return response

    async def call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        if suppressed() or self.idle():
            return await next_fn(ctx)
        begun = self._begin_call(ctx)
        if begun is None:
            return await next_fn(ctx)
        record, span = begun
        token = otel_context.attach(set_span_in_context(span))
        try:
            response = await next_fn(ctx)
        except BaseException as exc:
            self._call_failed(ctx, record, span, exc)
            raise
        finally:
            otel_context.detach(token)
        self._call_returned(ctx, record, span, response)
        return response

    def _call_failed(
        self, ctx: Config, record: _CallRecord, span: Span, exc: BaseException
    ) -> None:
        if span.is_recording():
            span.set_attribute("axios_python.attempts", call_state(ctx).attempts)
            response = getattr(exc, "response", None)
            if isinstance(response, httpx.Response):
                span.set_attribute(sc.HTTP_RESPONSE_STATUS_CODE, response.status_code)
            status = None if response is None else response.status_code
            if isinstance(exc, HTTPStatusError) and status is not None and status >= 400:
                name = str(status)
            else:
                name = error_type(exc, ctx)
            span.set_attribute(sc.ERROR_TYPE, name)
            message = scrub(str(exc), call_state(ctx).secrets.secret_values(ctx), mask=MASK)
            span.set_status(Status(StatusCode.ERROR, message[:_DESCRIPTION_LIMIT] or name))
        record.call_span = None
        span.end()

    def _call_returned(
        self, ctx: Config, record: _CallRecord, span: Span, response: Response
    ) -> None:
        if span.is_recording():
            span.set_attribute("axios_python.attempts", call_state(ctx).attempts)
            status = response.status_code
            span.set_attribute(sc.HTTP_RESPONSE_STATUS_CODE, status)
            if status >= 400:
                span.set_attribute(sc.ERROR_TYPE, str(status))
                span.set_status(Status(StatusCode.ERROR))
        if record.pending is not None:
            record.deferred = True  # ends with the streamed body
            return
        record.call_span = None
        span.end()

    def end_call_span(self, record: _CallRecord, exc: BaseException | None, ctx: Config) -> None:
        """End the call span that waited for the streamed body of its last request."""
        span = record.call_span
        if span is None:
            return
        record.call_span = None
        if exc is not None and span.is_recording():
            name = error_type(exc, ctx)
            span.set_attribute(sc.ERROR_TYPE, name)
            span.set_status(Status(StatusCode.ERROR, name))
        span.end()

    # -- spans -----------------------------------------------------------------------------

    def start(
        self, attempt: _Attempt, method: str, url: httpx.URL | None, parent: Context
    ) -> _Exchange:
        """Start the span of one request (the attempt's first, or a later hop)."""
        record = attempt.record
        resend = record.sent
        record.sent = resend + 1
        known = method if method in self.known_methods else sc.OTHER
        metric_attributes: dict[str, Any] = {sc.HTTP_REQUEST_METHOD: known}
        if url is not None:
            metric_attributes[sc.SERVER_ADDRESS] = url.host
            port = _server_port(url)
            if port is not None:
                metric_attributes[sc.SERVER_PORT] = port
        attributes: dict[str, Any] | None = None
        if self.tracing:
            attributes = {
                sc.HTTP_REQUEST_METHOD: known,
                sc.SERVER_ADDRESS: metric_attributes.get(sc.SERVER_ADDRESS),
                sc.SERVER_PORT: metric_attributes.get(sc.SERVER_PORT),
            }
            if url is not None:
                attributes[sc.URL_FULL] = display_url(url, attempt.secrets, mask=MASK)
            if known != method:
                attributes[sc.HTTP_REQUEST_METHOD_ORIGINAL] = method
            if resend:
                attributes[sc.HTTP_REQUEST_RESEND_COUNT] = resend
            attributes = {k: v for k, v in attributes.items() if v is not None}
        span = self.start_span(
            known if known != sc.OTHER else "HTTP", SpanKind.CLIENT, attributes, parent
        )
        return _Exchange(attempt, span, method, url, metric_attributes)

    def start_span(
        self, name: str, kind: SpanKind, attributes: dict[str, Any] | None, parent: Context
    ) -> Span:
        """A span under ``parent``. Where the tracer gives the invalid span (the no-op tracer
        of ``opentelemetry-api`` before 1.40), the caller's span context takes its place, so
        the trace still goes on below and in the propagated headers."""
        span = self.tracer.start_span(name, context=parent, kind=kind, attributes=attributes)
        if not span.get_span_context().is_valid:
            outer = trace.get_current_span(parent).get_span_context()
            if outer.is_valid:
                span = trace.NonRecordingSpan(outer)
        return span

    def url_attributes(self, exchange: _Exchange, url: httpx.URL, secrets: Secrets) -> None:
        """The URL the request went to, where it was not known when the span started or a
        layer below changed it."""
        attributes = exchange.metric_attributes
        attributes[sc.SERVER_ADDRESS] = url.host
        port = _server_port(url)
        if port is not None:
            attributes[sc.SERVER_PORT] = port
        if exchange.recording:
            span = exchange.span
            span.set_attribute(sc.URL_FULL, display_url(url, secrets, mask=MASK))
            span.set_attribute(sc.SERVER_ADDRESS, url.host)
            if port is not None:
                span.set_attribute(sc.SERVER_PORT, port)

    def method_attributes(self, exchange: _Exchange, method: str) -> None:
        known = method if method in self.known_methods else sc.OTHER
        exchange.metric_attributes[sc.HTTP_REQUEST_METHOD] = known
        span = exchange.span
        span.update_name(known if known != sc.OTHER else "HTTP")
        span.set_attribute(sc.HTTP_REQUEST_METHOD, known)
        if known != method:
            span.set_attribute(sc.HTTP_REQUEST_METHOD_ORIGINAL, method)

    def request_attributes(
        self, exchange: _Exchange, request: httpx.Request, secrets: Secrets
    ) -> None:
        span = exchange.span
        agent = request.headers.get("user-agent")
        if agent is not None:
            span.set_attribute(sc.USER_AGENT_ORIGINAL, agent)
        if self.capture_request_headers:
            self._capture(span, request.headers, self.capture_request_headers, secrets, True)
        hook = self.request_hook
        if hook is not None:
            try:
                hook(span, request)
            except Exception:
                log.exception("OpenTelemetryPlugin request_hook failed")

    def response_attributes(
        self, exchange: _Exchange, response: httpx.Response, secrets: Secrets
    ) -> None:
        status = response.status_code
        version = response.http_version
        version = version[5:] if version.startswith("HTTP/") else version
        attributes = exchange.metric_attributes
        attributes[sc.HTTP_RESPONSE_STATUS_CODE] = status
        attributes[sc.NETWORK_PROTOCOL_VERSION] = version
        if status >= 400:
            attributes[sc.ERROR_TYPE] = str(status)
        if not exchange.recording:
            return
        span = exchange.span
        span.set_attribute(sc.HTTP_RESPONSE_STATUS_CODE, status)
        span.set_attribute(sc.NETWORK_PROTOCOL_VERSION, version)
        if status >= 400:
            span.set_attribute(sc.ERROR_TYPE, str(status))
            span.set_status(Status(StatusCode.ERROR))
        stream = response.extensions.get("network_stream")
        if stream is not None:
            try:
                peer = stream.get_extra_info("server_addr")
            except Exception:
                peer = None
            if isinstance(peer, tuple) and len(peer) >= 2:
                span.set_attribute(sc.NETWORK_PEER_ADDRESS, str(peer[0]))
                span.set_attribute(sc.NETWORK_PEER_PORT, int(peer[1]))
        if self.capture_response_headers:
            self._capture(span, response.headers, self.capture_response_headers, secrets, False)
        hook = self.response_hook
        if hook is not None:
            try:
                hook(span, response)
            except Exception:
                log.exception("OpenTelemetryPlugin response_hook failed")

    def _capture(
        self,
        span: Span,
        headers: httpx.Headers,
        wanted: Patterns,
        secrets: Secrets,
        request: bool,
    ) -> None:
        """``http.{request,response}.header.<name>`` for the wanted headers, each value masked
        when the client's definition of secret (or the sanitize list) says so."""
        found: dict[str, list[str]] = {}
        for name, value in secrets.redact_headers(headers, mask=MASK):
            lower = name.lower()
            if not wanted.fullmatch(lower):
                continue
            if value != MASK and self.sanitize_headers.fullmatch(lower):
                value = MASK
            found.setdefault(lower, []).append(value)
        for lower, values in found.items():
            key = (
                sc.request_header_attribute(lower)
                if request
                else sc.response_header_attribute(lower)
            )
            span.set_attribute(key, values)

    def inject(self, headers: httpx.Headers | dict[str, str], context: Context) -> None:
        """Put the trace context (traceparent, tracestate, baggage) in a request's headers
        (or a dict of them)."""
        propagator = self.propagator
        if propagator is None:
            from opentelemetry import propagate

            propagator = propagate.get_global_textmap()
        propagator.inject(headers, context=context)

    # -- metrics ---------------------------------------------------------------------------

    def record(self, exchange: _Exchange, duration: float, body_size: int | None) -> None:
        if not self.metering:
            return
        attributes = exchange.metric_attributes
        self.duration.record(max(duration, 0.0), attributes)
        if exchange.request_size is not None:
            self.request_body_size.record(exchange.request_size, attributes)
        if body_size is not None:
            self.response_body_size.record(body_size, attributes)
