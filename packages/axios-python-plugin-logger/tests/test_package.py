"""The distribution's public face: exports, version, entry point, the core's lazy import."""

from __future__ import annotations

from importlib.metadata import entry_points, requires, version

import axios_python
import axios_python_plugin_logger
from axios_python_plugin_logger import LoggerPlugin


def test_exports_and_version() -> None:
    assert sorted(axios_python_plugin_logger.__all__) == [
        "DEFAULT_LOGGER",
        "LoggerPlugin",
        "__version__",
    ]
    assert (
        axios_python_plugin_logger.__version__ == version("axios-python-plugin-logger") == "1.3.0"
    )
    assert LoggerPlugin.name == "logger"


def test_depends_on_the_core_with_the_toolkit() -> None:
    assert requires("axios-python-plugin-logger") == ["axios-python<2.0,>=1.4"]


def test_entry_point_loads_the_class() -> None:
    (point,) = [p for p in entry_points(group="axios_python.plugins") if p.name == "logger"]
    assert point.load() is LoggerPlugin


def test_the_core_resolves_the_class_lazily() -> None:
    assert axios_python.LoggerPlugin is LoggerPlugin
