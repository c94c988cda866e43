"""OpenTelemetryPlugin: options, ``repr`` and ``attach``. OpenTelemetry itself is imported when
the plugin first attaches (``_tracing.py``), so listing and loading plugins stays cheap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axios_python import Dual, describe_callable, hook_forms

from ._settings import (
    ENV_CAPTURE_REQUEST,
    ENV_CAPTURE_RESPONSE,
    ENV_EXCLUDED,
    ENV_EXCLUDED_ANY,
    ENV_SANITIZE,
    Patterns,
    known_methods,
    patterns,
)

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.trace import Span, TracerProvider

    from axios_python import AxiosPython
    from axios_python.engine import httpx

    from ._tracing import Instrumentation

__all__ = ["OpenTelemetryPlugin", "RequestHook", "ResponseHook"]

#: ``request_hook(span, request)``: called before each request goes on the wire.
RequestHook = Callable[["Span", "httpx.Request"], object]
#: ``response_hook(span, response)``: called when the headers of each answer arrive.
ResponseHook = Callable[["Span", "httpx.Response"], object]

#: Query parameters the OpenTelemetry conventions mask in ``url.full`` that the core's built-in
#: definition of secret does not already cover (``Signature``, ``sig``, ``X-Goog-Signature``
#: and the ``X-Amz-*`` ones it does): registered on the client while the plugin is attached.
EXTRA_SECRET_PARAMS = ("AWSAccessKeyId",)


def _provider(value: Any, what: str, method: str) -> Any:
    if value is not None and not callable(getattr(value, method, None)):
        raise TypeError(
            f"{what} must be an OpenTelemetry {what.replace('_', ' ').title().replace(' ', '')} "
            f"(an object with {method}()), or None for the global one; got a "
            f"{type(value).__name__}"
        )
    return value


def _hook(value: Any, what: str) -> Callable[..., object] | None:
    if value is None:
        return None
    sync_form, _ = hook_forms(value, what)
    if sync_form is None:
        raise TypeError(
            f"{what} {describe_callable(value)} is an async function; span hooks run while the "
            "request is being sent and must not wait: pass a plain function f(span, "
            f"{'request' if 'request' in what else 'response'})"
        )
    return sync_form


def _shown(value: Any) -> str:
    return "None" if value is None else f"<{type(value).__qualname__}>"


class OpenTelemetryPlugin:
    """Traces and measures every request an ``AxiosPython`` instance sends, per the stable
    OpenTelemetry HTTP semantic conventions.

    * One CLIENT span per request on the wire: each attempt, each redirect hop, each resend,
      named by its method, with ``http.request.resend_count`` on every one after the first of
      the call; current while the layers below run, so spans made there nest under it.
    * The trace context (``traceparent``, ``tracestate``, baggage) goes into every request's
      headers, by the global propagator or ``propagator``.
    * ``stream=True``: the span ends when the body has been read to its end or the response is
      closed, and records an error raised while reading.
    * ``http.client.request.duration`` (and the body sizes where known) per request on the wire.
    * While our span runs, HTTP instrumentation below it is suppressed (OpenTelemetry's
      ``suppress_http_instrumentation`` key): next to ``opentelemetry-instrumentation-httpx``
      a request makes one CLIENT span. A call made where HTTP instrumentation is suppressed
      (under another instrumentation's span) makes none.

    Options:
        tracer_provider, meter_provider: where spans and metrics go (default: the global ones,
            looked up when used, so a provider set later is honoured).
        propagator: a ``TextMapPropagator`` (default: the global one, ``OTEL_PROPAGATORS``).
        call_span: ``True`` adds an INTERNAL span per call that parents its attempts (off by
            default: the conventions ask for no logical HTTP client span).
        excluded_urls: regular expressions (a list, or one comma-separated str) searched in the
            URL; a matching call makes no span. Default:
            ``$OTEL_PYTHON_AXIOS_PYTHON_EXCLUDED_URLS``, else ``$OTEL_PYTHON_EXCLUDED_URLS``.
        capture_request_headers, capture_response_headers: header names (regular
            expressions, case-insensitive) recorded as ``http.request.header.<name>`` /
            ``http.response.header.<name>``; credential headers show ``REDACTED``. Default:
            ``$OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST`` / ``..._RESPONSE``.
        sanitize_headers: more header names whose captured values show ``REDACTED``. Default:
            ``$OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS``.
        request_hook: ``f(span, request)``, called before each request is sent (a recording
            span only), to add attributes; it must not block.
        response_hook: ``f(span, response)``, called when each answer's headers arrive.
    """

    #: The entry-point name: ``api.plugin("otel")`` and ``AXIOS_PYTHON_PLUGINS=otel``.
    name = "otel"

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        propagator: TextMapPropagator | None = None,
        call_span: bool = False,
        excluded_urls: str | list[Any] | tuple[Any, ...] | None = None,
        capture_request_headers: str | list[Any] | tuple[Any, ...] | None = None,
        capture_response_headers: str | list[Any] | tuple[Any, ...] | None = None,
        sanitize_headers: str | list[Any] | tuple[Any, ...] | None = None,
        request_hook: RequestHook | Dual | None = None,
        response_hook: ResponseHook | Dual | None = None,
    ) -> None:
        import re

        self.tracer_provider = _provider(tracer_provider, "tracer_provider", "get_tracer")
        self.meter_provider = _provider(meter_provider, "meter_provider", "get_meter")
        if propagator is not None and not callable(getattr(propagator, "inject", None)):
            raise TypeError(
                "propagator must be an OpenTelemetry TextMapPropagator (an object with "
                f"inject()), or None for the global one; got a {type(propagator).__name__}"
            )
        self.propagator = propagator
        if not isinstance(call_span, bool):
            raise TypeError(f"call_span must be True or False, got {call_span!r}")
        self.call_span = call_span
        self.excluded_urls: Patterns = patterns(
            excluded_urls, "excluded_urls", (ENV_EXCLUDED, ENV_EXCLUDED_ANY)
        )
        self.capture_request_headers: Patterns = patterns(
            capture_request_headers,
            "capture_request_headers",
            (ENV_CAPTURE_REQUEST,),
            flags=re.IGNORECASE,
        )
        self.capture_response_headers: Patterns = patterns(
            capture_response_headers,
            "capture_response_headers",
            (ENV_CAPTURE_RESPONSE,),
            flags=re.IGNORECASE,
        )
        self.sanitize_headers: Patterns = patterns(
            sanitize_headers, "sanitize_headers", (ENV_SANITIZE,), flags=re.IGNORECASE
        )
        self.request_hook = request_hook
        self.response_hook = response_hook
        self._request_hook = _hook(request_hook, "request_hook")
        self._response_hook = _hook(response_hook, "response_hook")
        self._known_methods = known_methods()
        self._instrumentation: Instrumentation | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        shown = [
            f"tracer_provider={_shown(self.tracer_provider)}",
            f"meter_provider={_shown(self.meter_provider)}",
            f"propagator={_shown(self.propagator)}",
            f"call_span={self.call_span!r}",
        ]
        for name in (
            "excluded_urls",
            "capture_request_headers",
            "capture_response_headers",
            "sanitize_headers",
        ):
            value: Patterns = getattr(self, name)
            if value:
                shown.append(f"{name}={value!r}")
        for name in ("request_hook", "response_hook"):
            hook = getattr(self, name)
            if hook is not None:
                shown.append(f"{name}={describe_callable(hook)}")
        return f"OpenTelemetryPlugin({', '.join(shown)})"

    def instrumentation(self) -> Instrumentation:
        """The tracer, instruments and middleware (built on first use; imports OpenTelemetry)."""
        built = self._instrumentation
        if built is None:
            with self._lock:
                built = self._instrumentation
                if built is None:
                    from ._tracing import Instrumentation

                    built = self._instrumentation = Instrumentation(
                        tracer_provider=self.tracer_provider,
                        meter_provider=self.meter_provider,
                        propagator=self.propagator,
                        excluded_urls=self.excluded_urls,
                        capture_request_headers=self.capture_request_headers,
                        capture_response_headers=self.capture_response_headers,
                        sanitize_headers=self.sanitize_headers,
                        known_methods=self._known_methods,
                        request_hook=self._request_hook,
                        response_hook=self._response_hook,
                    )
        return built

    def attach(self, client: AxiosPython) -> None:
        """Register the middleware (and the query names the conventions mask in ``url.full``);
        the client records them for ``remove_plugin`` and ``close``."""
        instrumentation = self.instrumentation()
        client.secrets.register(params=EXTRA_SECRET_PARAMS)
        if self.call_span:
            client.use(
                Dual(sync=instrumentation.call_sync, async_=instrumentation.call_async),
                validated=True,  # headers and the core's hop observer only
            )
        client.use(
            Dual(sync=instrumentation.attempt_sync, async_=instrumentation.attempt_async),
            scope="attempt",
            validated=True,
        )
