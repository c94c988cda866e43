"""The conformance kit: the checks every axios_python plugin must pass, with the real SDK
recording every span and metric."""

from __future__ import annotations

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from axios_python.testing import PluginConformance
from axios_python_plugin_otel import OpenTelemetryPlugin

_exporter = InMemorySpanExporter()
_tracer_provider = TracerProvider()
_tracer_provider.add_span_processor(SimpleSpanProcessor(_exporter))
_meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])


class TestOpenTelemetryConformance(PluginConformance):
    def make_plugin(self) -> OpenTelemetryPlugin:
        return OpenTelemetryPlugin(
            tracer_provider=_tracer_provider, meter_provider=_meter_provider, call_span=True
        )


class TestOpenTelemetryConformanceGlobalProviders(PluginConformance):
    """Built with no option, as ``AXIOS_PYTHON_PLUGINS=otel`` builds it."""

    def make_plugin(self) -> OpenTelemetryPlugin:
        return OpenTelemetryPlugin()
