"""DedupePlugin passes the plugin conformance kit."""

from __future__ import annotations

from axios_python.testing import PluginConformance
from axios_python_plugin_dedupe import DedupePlugin


class TestDedupeConformance(PluginConformance):
    def make_plugin(self) -> DedupePlugin:
        return DedupePlugin()


class TestDedupeOnCountConformance(PluginConformance):
    path = "/count"

    def make_plugin(self) -> DedupePlugin:
        return DedupePlugin(
            ignore_headers=["X-B3-TraceId"],
            vary_key=lambda ctx: "everyone",
            methods=["GET", "HEAD", "OPTIONS"],
        )
