"""RedisCachePlugin passes the plugin conformance kit against a real redis-server (its second
GET is a hit from Redis: the checks then also prove that a sync hit touches no event loop and
that no connection, thread or task is left behind)."""

from __future__ import annotations

import pytest

from axios_python.testing import PluginConformance
from axios_python_plugin_redis_cache import RedisCachePlugin

from .conftest import RedisServer  # type: ignore[import-not-found]


class TestRedisCacheConformance(PluginConformance):
    url = ""
    namespace = ""

    @pytest.fixture(autouse=True)
    def _redis(self, redis_server: RedisServer, namespace: str) -> None:
        self.url = redis_server.url
        self.namespace = namespace

    def make_plugin(self) -> RedisCachePlugin:
        return RedisCachePlugin(self.url, namespace=self.namespace)
