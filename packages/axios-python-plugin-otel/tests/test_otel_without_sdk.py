"""Without an SDK (the plugin installed, nobody set up tracing), the plugin records nothing and
costs next to nothing, yet passes on a trace context it did not make, as the OpenTelemetry API
promises; once an operator sets the SDK up, the next call is traced.

OpenTelemetry lets a process set its global providers once, and other tests here set them, so
each scenario runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

from opentelemetry import metrics, trace

_PRELUDE = """
import asyncio, json
from opentelemetry import baggage, metrics, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
import axios_python
from axios_python.testing import LocalServer
from axios_python_plugin_otel import OpenTelemetryPlugin

INCOMING = SpanContext(
    trace_id=0x0AF7651916CD43DD8448EB211C80319C, span_id=0xB7AD6B7169203331,
    is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED),
)

def incoming():
    context = trace.set_span_in_context(NonRecordingSpan(INCOMING))
    return otel_context.attach(baggage.set_baggage("tenant", "acme", context))

import contextlib

@contextlib.contextmanager
def instance(**plugin_options):
    # an instance with the plugin, calling a local server of its own
    with LocalServer() as server, axios_python.create(
        {"base_url": server.base_url, "plugins": [OpenTelemetryPlugin(**plugin_options)]}
    ) as api:
        yield api

def both(api, path, **options):
    sync = api.get(path, **options)
    async def go():
        return await api.async_get(path, **options)
    return [sync, asyncio.run(go())]
"""


def _run(body: str, **environ: str) -> Any:
    script = _PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **environ},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_nothing_is_added_to_a_request_when_nothing_is_current() -> None:
    result = _run(
        """
        with instance() as api:
            responses = both(api, "/echo")
            print(json.dumps([sorted(r.data["headers"]) for r in responses]))
        """
    )
    for names in result:
        assert "traceparent" not in names and "baggage" not in names


def test_an_incoming_trace_context_and_baggage_go_on_to_every_hop() -> None:
    result = _run(
        """
        with instance() as api:
            token = incoming()
            try:
                responses = both(api, "/redirect", params={"to": "/echo"})
            finally:
                otel_context.detach(token)
            after = api.get("/echo").data["headers"]
            print(json.dumps({
                "sent": [
                    [r.data["headers"].get("traceparent"), r.data["headers"].get("baggage"),
                     len(r.history)]
                    for r in responses
                ],
                "after": after.get("traceparent"),
            }))
        """
    )
    assert isinstance(result, dict)
    expected = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert result["sent"] == [[expected, "tenant=acme", 1], [expected, "tenant=acme", 1]]
    assert result["after"] is None  # the context was the caller's, and it was detached


def test_an_excluded_url_gets_no_trace_context() -> None:
    result = _run(
        """
        with instance(excluded_urls=["/echo"]) as api:
            token = incoming()
            try:
                responses = both(api, "/echo")
            finally:
                otel_context.detach(token)
            print(json.dumps([r.data["headers"].get("traceparent") for r in responses]))
        """
    )
    assert result == [None, None]


def test_the_sdk_set_up_after_the_first_call_traces_the_next() -> None:
    result = _run(
        """
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        with instance() as api:
            before = both(api, "/echo")
            exporter = InMemorySpanExporter()
            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
            reader = InMemoryMetricReader()
            metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
            after = both(api, "/echo")
            spans = exporter.get_finished_spans()
            data = reader.get_metrics_data()
            counts = [
                point.count
                for resource in data.resource_metrics
                for scope in resource.scope_metrics
                for metric in scope.metrics
                if metric.name == "http.client.request.duration"
                for point in metric.data.data_points
            ]
            print(json.dumps({
                "spans": [s.name for s in spans],
                "traceparents": [
                    r.data["headers"].get("traceparent") is not None for r in before + after
                ],
                "sent_by_span": [
                    r.data["headers"]["traceparent"].split("-")[2] for r in after
                ] == [format(s.context.span_id, "016x") for s in spans],
                "durations": sum(counts),
            }))
        """
    )
    assert result == {
        "spans": ["GET", "GET"],
        "traceparents": [False, False, True, True],
        "sent_by_span": True,
        "durations": 2,
    }


def test_the_api_stand_ins_the_idle_check_relies_on() -> None:
    """``Instrumentation.idle`` recognises unset global providers by the API's stand-ins: the
    public ``trace.ProxyTracerProvider``, and the meter side's private ``_ProxyMeterProvider``
    by name (if it is renamed, the plugin takes metering as possible: correct, only slower,
    and this test says so)."""
    tracer_side = _run(
        """
        print(json.dumps([
            type(trace.get_tracer_provider()).__name__,
            type(metrics.get_meter_provider()).__name__,
        ]))
        """
    )
    assert tracer_side == ["ProxyTracerProvider", "_ProxyMeterProvider"]
    # the variables the API's getters read, which the idle check reads instead of calling them
    # (they look for an environment variable on every call): None until a provider is set
    variables = _run(
        """
        from opentelemetry.metrics import _internal as metrics_internal
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.trace import TracerProvider
        unset = [trace._TRACER_PROVIDER is None, metrics_internal._METER_PROVIDER is None]
        trace.set_tracer_provider(TracerProvider())
        metrics.set_meter_provider(MeterProvider())
        set_ = [trace._TRACER_PROVIDER is None, metrics_internal._METER_PROVIDER is None]
        print(json.dumps([unset, set_]))
        """
    )
    assert variables == [[True, True], [False, False]]


def test_a_provider_named_by_the_environment_is_used() -> None:
    """``OTEL_PYTHON_TRACER_PROVIDER`` names a provider the API loads on first use: the plugin
    is not idle then, and its span's context goes on the request."""
    result = _run(
        """
        with instance() as api:
            print(json.dumps([
                r.data["headers"].get("traceparent") is not None for r in both(api, "/echo")
            ]))
        """,
        OTEL_PYTHON_TRACER_PROVIDER="sdk_tracer_provider",
    )
    assert result == [True, True]
    assert trace.ProxyTracerProvider.__module__.startswith("opentelemetry.trace")
    assert hasattr(metrics, "get_meter_provider")
