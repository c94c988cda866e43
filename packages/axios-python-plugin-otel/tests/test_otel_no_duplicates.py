"""Next to opentelemetry-instrumentation-httpx, installed and active on every httpx transport
of the process: one request on the wire makes one CLIENT span, ours."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

from axios_python import FixedDelay, engine
from axios_python.testing import Caller, LocalServer

if TYPE_CHECKING:
    from conftest import Telemetry

OURS = "axios_python_plugin_otel"
THEIRS = "opentelemetry.instrumentation.httpx"


def _scopes(telemetry: Telemetry) -> list[str]:
    return [s.instrumentation_scope.name for s in telemetry.spans() if s.instrumentation_scope]


def _metric_scopes(telemetry: Telemetry) -> set[str]:
    data = telemetry.reader.get_metrics_data()
    if data is None:
        return set()
    return {
        scope.scope.name
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        if any(m.name == "http.client.request.duration" for m in scope.metrics)
    }


def test_the_instrumentor_is_active_on_the_cores_transports(
    make_caller: Callable[..., Caller],
    telemetry: Telemetry,
    httpx_instrumented: HTTPXClientInstrumentor,
) -> None:
    call = make_caller()  # no plugin: the instrumentor alone
    call.get("/echo")
    # it patches httpx's classes: on the httpx2 engine it sees nothing (docs/engines.md)
    assert _scopes(telemetry) == ([THEIRS] if engine.name == "httpx" else [])


def test_one_client_span_per_request(
    traced: Callable[..., Caller],
    telemetry: Telemetry,
    httpx_instrumented: HTTPXClientInstrumentor,
    local_server: LocalServer,
) -> None:
    call = traced()
    call.get("/echo")
    call.post("/echo", json={"a": 1})
    assert _scopes(telemetry) == [OURS, OURS]
    # the request carried our span's context, not the instrumentor's
    sent = [r.header("traceparent") for r in local_server.requests]
    assert sent == [telemetry.traceparent(s) for s in telemetry.spans()]
    assert _metric_scopes(telemetry) == {OURS}


def test_retries_and_redirects_make_one_span_per_request_on_the_wire(
    traced: Callable[..., Caller],
    telemetry: Telemetry,
    httpx_instrumented: HTTPXClientInstrumentor,
    local_server: LocalServer,
) -> None:
    call = traced({"max_retries": 2, "retry_strategy": FixedDelay(0)})
    key = f"dup-{call.mode}"
    call.get("/flaky", params={"key": key, "fail": "1", "mode": "drop"})
    call.get("/redirect", params={"to": "/echo"})
    assert len(local_server.requests) == 4
    assert _scopes(telemetry) == [OURS] * 4


def test_streamed_and_async_with_the_instrumentor(
    traced: Callable[..., Caller],
    telemetry: Telemetry,
    httpx_instrumented: HTTPXClientInstrumentor,
) -> None:
    call = traced(call_span=True)
    response = call.get("/stream", params={"lines": "3"}, stream=True)
    call.read(response)
    call.close_response(response)
    assert _scopes(telemetry) == [OURS]


def test_an_excluded_url_makes_no_span_at_all(
    traced: Callable[..., Caller],
    telemetry: Telemetry,
    httpx_instrumented: HTTPXClientInstrumentor,
) -> None:
    call = traced(excluded_urls=["/health"])
    call.get("/echo/health")
    assert telemetry.spans(None) == []
    call.get("/echo")
    assert _scopes(telemetry) == [OURS]
