"""The plugin's behaviour, on the sync and the async path, against a local server."""

from __future__ import annotations

import asyncio

import pytest

import axios_python
import axios_python.plugins
from axios_python import FixedDelay
from axios_python.testing import LocalServer
from axios_python_plugin_template import TemplatePlugin


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The loopback server of axios_python.testing.fixtures (see conftest.py)."""
    return local_server


def test_stamps_the_header_and_counts_sync(server: LocalServer) -> None:
    plugin = TemplatePlugin(value="checkout/2.1")
    config = {"base_url": server.base_url, "max_retries": 2, "retry_strategy": FixedDelay(0)}
    with axios_python.create(config) as api:
        api.plugin(plugin)
        assert api.get("/echo").data["headers"]["x-request-source"] == "checkout/2.1"
        api.get("/flaky", params={"key": "sync", "fail": "2", "mode": "drop"})
    assert (plugin.calls, plugin.attempts) == (2, 4)


def test_stamps_the_header_and_counts_async(server: LocalServer) -> None:
    plugin = TemplatePlugin(value="async", header="X-Source")

    async def scenario() -> str:
        config = {"base_url": server.base_url, "max_retries": 1, "retry_strategy": FixedDelay(0)}
        async with axios_python.create(config) as api:
            api.plugin(plugin)
            await api.async_get("/flaky", params={"key": "async", "fail": "1", "mode": "drop"})
            response = await api.async_get("/echo")
            return str(response.data["headers"]["x-source"])

    assert asyncio.run(scenario()) == "async"
    assert (plugin.calls, plugin.attempts) == (2, 3)


def test_discovered_by_name(server: LocalServer) -> None:
    names = {info.name for info in axios_python.plugins.available()}
    assert "template" in names
    with axios_python.create({"base_url": server.base_url}) as api:
        plugin = api.plugin("template", value="by-name")
        assert isinstance(plugin, TemplatePlugin)
        assert api.get("/echo").data["headers"]["x-request-source"] == "by-name"
        api.remove_plugin("template")
        assert "x-request-source" not in api.get("/echo").data["headers"]


def test_bad_options_are_named() -> None:
    with pytest.raises(ValueError, match="value must be a non-empty str, got ''"):
        TemplatePlugin(value="")
    with pytest.raises(ValueError, match="header must be a header name"):
        TemplatePlugin(header="X: y")
