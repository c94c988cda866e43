"""AuthPlugin passes the core's conformance kit in each of its forms."""

from __future__ import annotations

from typing import Any

from axios_python import Dual
from axios_python.testing import PluginConformance
from axios_python_plugin_auth import AuthPlugin


class TestStaticTokenConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return AuthPlugin(scheme="Bearer", token="static-token")


class TestDualProviderConformance(PluginConformance):
    def make_plugin(self) -> Any:
        async def token_async() -> str:
            return "async-token"

        return AuthPlugin(token_provider=Dual(sync=lambda: "sync-token", async_=token_async))


class TestSyncProviderConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return AuthPlugin(token_provider=lambda: "sync-token")


class TestBasicConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return AuthPlugin.basic("alice", "wonderland")


class TestApiKeyHeaderConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return AuthPlugin.api_key("key-123")


class TestApiKeyQueryConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return AuthPlugin.api_key("key-123", query="api_key")
