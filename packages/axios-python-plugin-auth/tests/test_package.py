"""The distribution's public face: exports, version, entry point, the core's lazy import."""

from __future__ import annotations

from importlib.metadata import entry_points, version

import axios_python
import axios_python_plugin_auth
from axios_python_plugin_auth import AuthPlugin


def test_exports_and_version() -> None:
    assert "AuthPlugin" in axios_python_plugin_auth.__all__
    assert axios_python_plugin_auth.__version__ == version("axios-python-plugin-auth")
    assert AuthPlugin.name == "auth"


def test_entry_point_loads_the_class() -> None:
    (point,) = [p for p in entry_points(group="axios_python.plugins") if p.name == "auth"]
    assert point.load() is AuthPlugin


def test_the_core_resolves_the_class_lazily() -> None:
    assert axios_python.AuthPlugin is AuthPlugin
