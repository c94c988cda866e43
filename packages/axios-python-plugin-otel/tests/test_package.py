"""The distribution's public face: exports, version, entry point, the core's lazy import, cheap
listing, and the process-wide switch."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points, requires, version
from typing import TYPE_CHECKING

import pytest

import axios_python
import axios_python_plugin_otel
from axios_python.testing import LocalServer
from axios_python_plugin_otel import OpenTelemetryPlugin

if TYPE_CHECKING:
    from conftest import GlobalTelemetry, Telemetry


def test_exports_and_version() -> None:
    assert sorted(axios_python_plugin_otel.__all__) == [
        "OpenTelemetryPlugin",
        "RequestHook",
        "ResponseHook",
        "__version__",
    ]
    assert axios_python_plugin_otel.__version__ == version("axios-python-plugin-otel") == "1.0.0"
    assert OpenTelemetryPlugin.name == "otel"


def test_depends_on_the_api_never_the_sdk() -> None:
    assert sorted(requires("axios-python-plugin-otel") or []) == [
        "axios-python<2.0,>=1.4",
        "opentelemetry-api<2,>=1.30",
        "opentelemetry-instrumentation-httpx<1,>=0.51b0; extra == 'test'",
        "opentelemetry-sdk<2,>=1.30; extra == 'test'",
        "pytest>=8; extra == 'test'",
    ]


def test_entry_point_loads_the_class() -> None:
    (point,) = [p for p in entry_points(group="axios_python.plugins") if p.name == "otel"]
    assert point.load() is OpenTelemetryPlugin


def test_the_core_resolves_the_class_lazily() -> None:
    assert axios_python.OpenTelemetryPlugin is OpenTelemetryPlugin


def test_listing_and_loading_plugins_imports_no_opentelemetry() -> None:
    code = (
        "import sys, json, axios_python.plugins\n"
        "infos = {i.name: i.status for i in axios_python.plugins.available(check=True)}\n"
        "from axios_python import OpenTelemetryPlugin\n"
        "OpenTelemetryPlugin()\n"
        "print(json.dumps([infos['otel'], [m for m in sys.modules if 'opentelemetry' in m]]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output) == ["loaded", []]


def test_attached_by_name(telemetry: Telemetry, local_server: LocalServer) -> None:
    with axios_python.create({"base_url": local_server.base_url}) as api:
        plugin = api.plugin("otel", tracer_provider=telemetry.tracer_provider)
        assert isinstance(plugin, OpenTelemetryPlugin)
        api.get("/echo")
        api.remove_plugin("otel")
        api.get("/echo")
    assert len(telemetry.spans()) == 1


def test_turned_on_for_the_whole_process(
    global_telemetry: GlobalTelemetry, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "otel")
    with axios_python.create({"base_url": local_server.base_url}) as api:
        assert [type(p) for p in api.plugins] == [OpenTelemetryPlugin]
        headers = api.get("/echo").data["headers"]
    (span,) = global_telemetry.spans()
    assert headers["traceparent"].split("-")[2] == format(span.context.span_id, "016x")
