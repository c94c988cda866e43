"""CachePlugin passes the plugin conformance kit (its second GET of a path is a hit: the
checks then also prove that a hit in a sync call touches no event loop and leaks nothing)."""

from __future__ import annotations

from axios_python.testing import PluginConformance
from axios_python_plugin_cache import CachePlugin


class TestCacheConformance(PluginConformance):
    def make_plugin(self) -> CachePlugin:
        return CachePlugin()


class TestCacheWithStaleModesConformance(PluginConformance):
    path = "/json"

    def make_plugin(self) -> CachePlugin:
        return CachePlugin(ttl=0.5, max_size=4, stale_while_revalidate=30, stale_if_error=60)
