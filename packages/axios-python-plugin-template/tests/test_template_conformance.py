"""The conformance kit: the checks every axios_python plugin must pass."""

from __future__ import annotations

from axios_python.testing import PluginConformance
from axios_python_plugin_template import TemplatePlugin


class TestTemplateConformance(PluginConformance):
    def make_plugin(self) -> TemplatePlugin:
        return TemplatePlugin(value="conformance")
