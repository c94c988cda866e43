"""axios-python-plugin-otel: OpenTelemetry traces and metrics for axios_python, per the stable
HTTP semantic conventions.

::

    import axios_python
    from axios_python_plugin_otel import OpenTelemetryPlugin

    api = axios_python.create({"base_url": "https://api.example.com", "max_retries": 2})
    api.plugin(OpenTelemetryPlugin())     # the global tracer and meter providers
    api.get("/users")                     # one CLIENT span per request on the wire

The entry point ``otel`` also lets ``create({"plugins": ["otel"]})`` and
``AXIOS_PYTHON_PLUGINS=otel`` build it by name. Importing this package does not import
OpenTelemetry: that happens when the plugin first attaches.
"""

from __future__ import annotations

from ._plugin import OpenTelemetryPlugin, RequestHook, ResponseHook
from ._version import __version__

__all__ = ["OpenTelemetryPlugin", "RequestHook", "ResponseHook", "__version__"]
