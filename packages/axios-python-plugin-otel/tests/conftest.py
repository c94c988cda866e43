"""Fixtures of the otel plugin's tests: the real OpenTelemetry SDK (an in-memory span exporter
and metric reader per test), the httpx instrumentation installed and active, the global
providers set once per process, and callers of both paths with the plugin attached."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from axios_python.testing import Caller, LocalServer
from axios_python_plugin_otel import OpenTelemetryPlugin

pytest_plugins = ["axios_python.testing.fixtures"]


class Telemetry:
    """An SDK tracer provider and meter provider whose output a test reads back."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def plugin(self, **options: Any) -> OpenTelemetryPlugin:
        """The plugin, exporting here."""
        return OpenTelemetryPlugin(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, **options
        )

    def spans(self, kind: SpanKind | None = SpanKind.CLIENT) -> list[ReadableSpan]:
        """The finished spans (of ``kind``; ``None``: all), in the order they started."""
        found = [s for s in self.exporter.get_finished_spans() if kind is None or s.kind == kind]
        return sorted(found, key=lambda s: s.start_time or 0)

    def wait_for_spans(self, count: int, kind: SpanKind | None = SpanKind.CLIENT) -> None:
        deadline = time.monotonic() + 10
        while len(self.spans(kind)) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def points(self, name: str) -> list[HistogramDataPoint]:
        """The histogram points of the metric ``name`` (cumulative since the test started)."""
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        found: list[HistogramDataPoint] = []
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)  # type: ignore[arg-type]
        return found

    @staticmethod
    def traceparent(span: ReadableSpan) -> str:
        """The ``traceparent`` header a request sent under ``span`` carries."""
        context = span.get_span_context()
        assert context is not None
        return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"

    @staticmethod
    def attrs(span: ReadableSpan) -> dict[str, Any]:
        """A span's attributes as a plain dict (sequences as lists)."""
        return {
            k: list(v) if isinstance(v, Sequence) and not isinstance(v, str) else v
            for k, v in (span.attributes or {}).items()
        }

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """A fresh SDK pipeline for the test."""
    telemetry = Telemetry()
    yield telemetry
    telemetry.shutdown()


@pytest.fixture
def traced(make_caller: Callable[..., Caller], telemetry: Telemetry) -> Callable[..., Caller]:
    """``traced(config=None, **plugin_options)``: a caller (sync, then async) for an instance
    with the plugin attached, exporting to ``telemetry``."""

    def factory(config: Mapping[str, Any] | None = None, **options: Any) -> Caller:
        plugins = [*(config or {}).get("plugins", ()), telemetry.plugin(**options)]
        return make_caller({**(config or {}), "plugins": plugins})

    return factory


@pytest.fixture
def httpx_instrumented(telemetry: Telemetry) -> Iterator[HTTPXClientInstrumentor]:
    """opentelemetry-instrumentation-httpx installed and active on every httpx transport,
    exporting to the same pipeline; uninstrumented after the test."""
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


class GlobalTelemetry:
    """The process's global providers (an SDK set once); the spans a test made there."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def spans(self) -> list[ReadableSpan]:
        return sorted(self.exporter.get_finished_spans(), key=lambda s: s.start_time or 0)


_global: GlobalTelemetry | None = None


@pytest.fixture
def global_telemetry() -> GlobalTelemetry:
    """The global tracer and meter providers: set once in this process (OpenTelemetry allows
    no second time), cleared for each test."""
    global _global
    if _global is None:
        if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            raise RuntimeError("something else set the global tracer provider")
        _global = GlobalTelemetry()
        trace.set_tracer_provider(_global.tracer_provider)
        metrics.set_meter_provider(_global.meter_provider)
    _global.exporter.clear()
    return _global


@pytest.fixture
def routes(local_server: LocalServer) -> Iterator[Callable[..., None]]:
    """``routes(path, handler)``: a custom route on the session's server for this test."""
    added: list[str] = []

    def add(path: str, handler: Any) -> None:
        local_server.route(path, handler)
        added.append(path)

    yield add
    for path in added:
        local_server.remove_route(path)
