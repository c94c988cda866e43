"""``http.client.request.duration`` and the body sizes, per request on the wire, with the
conventions' attributes and buckets; the global providers when none is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.trace import NoOpTracerProvider

import axios_python
from axios_python import FixedDelay
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_otel import OpenTelemetryPlugin

if TYPE_CHECKING:
    from conftest import GlobalTelemetry, Telemetry


def _key(attributes: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(dict(attributes).items()))


BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)


def test_duration_per_request_with_the_conventions_attributes(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    strategy = FixedDelay(0, retry_on_status=[503])
    call = traced({"max_retries": 1, "retry_strategy": strategy})
    call.get("/flaky", params={"key": f"m-{call.mode}", "fail": "1"})
    call.get("/echo")
    port = int(local_server.base_url.rsplit(":", 1)[1])
    common = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "network.protocol.version": "1.1",
    }
    points = {_key(p.attributes or {}): p for p in telemetry.points("http.client.request.duration")}
    ok = points[_key({**common, "http.response.status_code": 200})]
    failed = points[_key({**common, "http.response.status_code": 503, "error.type": "503"})]
    assert (ok.count, failed.count) == (2, 1)
    assert tuple(ok.explicit_bounds) == BUCKETS
    assert 0 < ok.sum < 10
    # url.scheme is opt-in for client metrics in the conventions: not recorded


def test_failures_carry_error_type(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced({"timeout": 0.2})
    with pytest.raises(axios_python.TimeoutError):
        call.get("/stall", params={"seconds": "2"})
    (point,) = telemetry.points("http.client.request.duration")
    assert point.attributes is not None
    assert point.attributes["error.type"] == "ReadTimeout"
    assert "http.response.status_code" not in point.attributes


def test_body_sizes_where_known(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced()
    call.post("/echo", content=b"x" * 1234)
    call.get("/bytes", params={"size": "5000"})
    (sent,) = telemetry.points("http.client.request.body.size")
    assert (sent.count, sent.sum) == (1, 1234)  # the GET declared no body
    received = {
        dict(p.attributes or {})["http.request.method"]: p
        for p in telemetry.points("http.client.response.body.size")
    }
    assert received["GET"].sum == 5000
    assert received["POST"].sum > 1234  # the echo of it


def test_the_global_providers_when_none_is_given(
    global_telemetry: GlobalTelemetry, local_server: LocalServer
) -> None:
    with axios_python.create(
        {"base_url": local_server.base_url, "plugins": [OpenTelemetryPlugin()]}
    ) as api:
        api.get("/echo")
    (span,) = global_telemetry.spans()
    assert span.name == "GET"
    data = global_telemetry.reader.get_metrics_data()
    assert data is not None
    names = {
        metric.name
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }
    assert "http.client.request.duration" in names


def test_no_op_providers_record_nothing_and_pass_the_context_on(
    telemetry: Telemetry, local_server: LocalServer
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("test")
    plugin = OpenTelemetryPlugin(
        tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider()
    )
    with axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api:
        with tracer.start_as_current_span("incoming") as parent:
            headers = api.get("/echo").data["headers"]
        assert "traceparent" not in api.get("/echo").data["headers"]
    (incoming,) = telemetry.spans(None)  # ours made none
    assert headers["traceparent"] == telemetry.traceparent(incoming)
    assert parent.get_span_context().span_id == incoming.context.span_id


def test_metrics_without_tracing(
    make_caller: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    plugin = OpenTelemetryPlugin(
        tracer_provider=NoOpTracerProvider(), meter_provider=telemetry.meter_provider
    )
    call = make_caller({"plugins": [plugin]})
    call.get("/redirect", params={"to": "/echo"})
    port = int(local_server.base_url.rsplit(":", 1)[1])
    points = telemetry.points("http.client.request.duration")
    statuses = [dict(p.attributes or {})["http.response.status_code"] for p in points]
    assert sorted(statuses, key=str) == [200, 302]
    for point in points:
        assert point.attributes is not None
        assert point.attributes["server.address"] == "127.0.0.1"
        assert point.attributes["server.port"] == port
    assert telemetry.spans(None) == []
