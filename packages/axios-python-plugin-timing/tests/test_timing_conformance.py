"""TimingPlugin passes the plugin conformance kit."""

from __future__ import annotations

from axios_python.testing import PluginConformance
from axios_python_plugin_timing import TimingPlugin


class TestTimingConformance(PluginConformance):
    def make_plugin(self) -> TimingPlugin:
        return TimingPlugin()


class TestTimingWithCallbackConformance(PluginConformance):
    path = "/json"

    def make_plugin(self) -> TimingPlugin:
        return TimingPlugin(on_timing=lambda timings, outcome, config: None, level="DEBUG")
