"""The conformance kit: the checks every axios_python plugin must pass."""

from __future__ import annotations

from axios_python_plugin_template import TemplatePlugin

from axios_python.testing import PluginConformance


class TestTemplateConformance(PluginConformance):
    def make_plugin(self) -> TemplatePlugin:
        return TemplatePlugin(value="conformance")
