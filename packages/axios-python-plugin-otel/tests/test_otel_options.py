"""Options: hooks, excluded URLs, captured headers, the call span, the OTEL_* environment
conventions; their checks and the plugin's ``repr``."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.propagate import get_global_textmap
from opentelemetry.trace import Span, SpanKind, StatusCode

from axios_python import Dual, FixedDelay
from axios_python.engine import httpx
from axios_python.testing import Caller, LogCapture
from axios_python_plugin_otel import OpenTelemetryPlugin

if TYPE_CHECKING:
    from conftest import Telemetry


def test_request_and_response_hooks_add_attributes(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    def on_request(span: Span, request: httpx.Request) -> None:
        span.set_attribute("app.request.path", request.url.path)

    def on_response(span: Span, response: httpx.Response) -> None:
        span.set_attribute("app.response.type", response.headers["content-type"])

    call = traced(request_hook=on_request, response_hook=on_response)
    call.get("/redirect", params={"to": "/json"})
    first, hop = telemetry.spans()
    assert telemetry.attrs(first)["app.request.path"] == "/redirect"
    assert telemetry.attrs(hop)["app.request.path"] == "/json"
    assert telemetry.attrs(hop)["app.response.type"] == "application/json"


def test_a_failing_hook_is_logged_and_the_request_goes_on(
    traced: Callable[..., Caller], telemetry: Telemetry, log_capture: LogCapture
) -> None:
    def broken(span: Span, request: httpx.Request) -> None:
        raise RuntimeError("hook bug")

    call = traced(request_hook=broken)
    assert call.get("/echo").status_code == 200
    assert len(telemetry.spans()) == 1
    records = [r for r in log_capture.records if r.name == "axios_python.otel"]
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "request_hook failed" in records[0].getMessage()


def test_hooks_must_be_plain_functions() -> None:
    async def async_hook(span: Span, request: httpx.Request) -> None:
        pass

    with pytest.raises(TypeError, match=r"request_hook <.*async_hook> is an async function"):
        OpenTelemetryPlugin(request_hook=async_hook)
    with pytest.raises(TypeError, match="response_hook must be a function"):
        OpenTelemetryPlugin(response_hook="nope")  # type: ignore[arg-type]
    both = Dual(sync=lambda span, response: None, async_=async_hook)
    assert OpenTelemetryPlugin(response_hook=both).response_hook is both


def test_excluded_urls_option(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced(excluded_urls="/health$, ^http://127.0.0.1:[0-9]+/status/")
    call.get("/echo/health")
    call.get("/status/200")
    assert telemetry.spans(None) == []
    call.get("/echo/healthy")
    assert len(telemetry.spans()) == 1


def test_excluded_urls_from_the_environment(
    traced: Callable[..., Caller], telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "/json")
    monkeypatch.setenv("OTEL_PYTHON_AXIOS_PYTHON_EXCLUDED_URLS", "/text")
    call = traced(call_span=True)
    call.get("/text")  # ours wins over the generic variable
    assert telemetry.spans(None) == []
    call.get("/json")
    assert len(telemetry.spans()) == 1


def test_excluded_urls_fall_back_to_the_generic_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "/json,/text")
    plugin = OpenTelemetryPlugin()
    assert plugin.excluded_urls.search("http://h/json")
    assert repr(plugin).endswith("excluded_urls=['/json', '/text'])")


def test_captured_headers_are_redacted(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced(
        capture_request_headers=["authorization", "x-tenant", "x-partner-.*"],
        capture_response_headers="content-type,Content-Length",
        sanitize_headers=["x-partner-ref"],
    )
    call.api.secrets.register(headers=["X-Partner-Key"])
    call.get(
        "/json",
        headers={
            "Authorization": "Bearer t0ken",
            "X-Tenant": "acme",
            "X-Partner-Ref": "p-1",
            "X-Partner-Key": "k-1",
            "X-Other": "not captured",
        },
    )
    attrs = telemetry.attrs(telemetry.spans()[0])
    assert attrs["http.request.header.authorization"] == ["REDACTED"]
    assert attrs["http.request.header.x-tenant"] == ["acme"]
    assert attrs["http.request.header.x-partner-ref"] == ["REDACTED"]
    assert attrs["http.request.header.x-partner-key"] == ["REDACTED"]
    assert "http.request.header.x-other" not in attrs
    assert attrs["http.response.header.content-type"] == ["application/json"]
    assert int(attrs["http.response.header.content-length"][0]) > 0
    assert "t0ken" not in str(attrs) and "k-1" not in str(attrs)


def test_captured_headers_from_the_environment(
    traced: Callable[..., Caller], telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST", "X-Tenant")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE", "content-type")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS", "x-tenant")
    call = traced()
    call.get("/json", headers={"X-Tenant": "acme"})
    attrs = telemetry.attrs(telemetry.spans()[0])
    assert attrs["http.request.header.x-tenant"] == ["REDACTED"]
    assert attrs["http.response.header.content-type"] == ["application/json"]


def test_the_call_span_parents_every_attempt(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced({"max_retries": 2, "retry_strategy": FixedDelay(0)}, call_span=True)
    key = f"call-{call.mode}"
    call.get("/flaky", params={"key": key, "fail": "1", "mode": "drop", "api_key": "K"})
    (internal,) = telemetry.spans(SpanKind.INTERNAL)
    attempts = telemetry.spans()
    assert len(attempts) == 2
    for span in attempts:
        assert span.parent is not None and span.parent.span_id == internal.context.span_id
    attrs = telemetry.attrs(internal)
    assert internal.name == "GET"
    assert attrs["axios_python.attempts"] == 2
    assert attrs["http.response.status_code"] == 200
    assert "api_key=REDACTED" in attrs["url.full"]
    assert internal.status.status_code == StatusCode.UNSET


def test_the_call_span_records_the_calls_failure(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced({"max_retries": 1, "retry_strategy": FixedDelay(0)}, call_span=True)
    with pytest.raises(Exception, match="gave up"):
        call.get("/flaky", params={"key": f"f-{call.mode}", "fail": "9", "mode": "drop"})
    (internal,) = telemetry.spans(SpanKind.INTERNAL)
    assert telemetry.attrs(internal)["error.type"] == "RetryError"
    assert internal.status.status_code == StatusCode.ERROR
    call.get("/status/503", validate_status=None)
    _, second = telemetry.spans(SpanKind.INTERNAL)
    assert telemetry.attrs(second)["error.type"] == "503"


def test_repr_is_a_constructor_call() -> None:
    assert repr(OpenTelemetryPlugin()) == (
        "OpenTelemetryPlugin(tracer_provider=None, meter_provider=None, propagator=None, "
        "call_span=False)"
    )

    def add_tenant(span: Span, request: httpx.Request) -> None:
        pass

    from opentelemetry.sdk.trace import TracerProvider

    plugin = OpenTelemetryPlugin(
        tracer_provider=TracerProvider(),
        propagator=get_global_textmap(),
        call_span=True,
        excluded_urls=[re.compile("/health")],
        capture_request_headers="x-tenant",
        request_hook=add_tenant,
    )
    assert repr(plugin) == (
        "OpenTelemetryPlugin(tracer_provider=<TracerProvider>, meter_provider=None, "
        "propagator=<CompositePropagator>, call_span=True, excluded_urls=['/health'], "
        "capture_request_headers=['x-tenant'], "
        "request_hook=<test_repr_is_a_constructor_call.<locals>.add_tenant>)"
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"tracer_provider": "x"}, TypeError, "tracer_provider must be an OpenTelemetry Tracer"),
        ({"meter_provider": 1}, TypeError, "meter_provider must be an OpenTelemetry Meter"),
        ({"propagator": object()}, TypeError, "propagator must be an OpenTelemetry TextMap"),
        ({"call_span": "yes"}, TypeError, "call_span must be True or False, got 'yes'"),
        ({"excluded_urls": "(unclosed"}, ValueError, "not a regular expression"),
        ({"excluded_urls": 3}, TypeError, "excluded_urls must be a comma-separated str"),
        ({"capture_request_headers": [""]}, TypeError, "non-empty str patterns"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        OpenTelemetryPlugin(**options)


def test_a_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "[")
    with pytest.raises(ValueError, match=r"\$OTEL_PYTHON_EXCLUDED_URLS"):
        OpenTelemetryPlugin()
