"""close()/aclose(), context managers, and plugins attached with api.plugin()."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPython, PluginUninstallWarning, Response
from axios_python.testing import Caller, LocalServer


class HeaderPlugin:
    """Registers one interceptor of each kind and a middleware of each scope."""

    name = "header"

    def __init__(self) -> None:
        self.uninstalled = 0

    def attach(self, client: AxiosPython) -> None:
        client.interceptors.request.use(self._stamp)
        client.interceptors.response.use(self._mark)
        client.use(self._call)
        client.use(self._attempt, scope="attempt")

    def uninstall(self, client: AxiosPython) -> None:
        self.uninstalled += 1

    def _stamp(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Plugin"] = "on"
        return config

    def _mark(self, response: Response) -> Response:
        response.headers["X-Seen-By-Plugin"] = "1"
        return response

    def _call(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn(ctx)  # type: ignore[no-any-return]

    def _attempt(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn(ctx)  # type: ignore[no-any-return]


def _registries(api: AxiosPython) -> tuple[Any, ...]:
    return (api.interceptors.request.ids, api.interceptors.response.ids, api.middleware.ids)


def test_plugin_attach_and_remove_restores_the_client(call: Caller) -> None:
    api = call.api
    api.interceptors.request.use(lambda c: c)
    before = _registries(api)
    plugin = HeaderPlugin()
    assert api.plugin(plugin) is plugin
    assert api.plugins == (plugin,)
    assert call.get("/echo").data["headers"]["x-plugin"] == "on"
    assert api.remove_plugin("header") is plugin
    assert _registries(api) == before
    assert plugin.uninstalled == 1
    assert "x-plugin" not in call.get("/echo").data["headers"]
    assert not api.plugins


def test_close_uninstalls_once_in_reverse_order(srv: LocalServer) -> None:
    order: list[str] = []

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def attach(self, client: AxiosPython) -> None:
            pass

        def uninstall(self, client: AxiosPython) -> None:
            order.append(self.name)

    api = axios_python.create({"base_url": srv.base_url, "plugins": [Named("a"), Named("b")]})
    api.plugin(Named("c"))
    api.close()
    api.close()
    assert order == ["c", "b", "a"]


def test_failing_uninstall_is_reported_and_does_not_stop_the_others(srv: LocalServer) -> None:
    class Broken:
        def attach(self, client: AxiosPython) -> None:
            pass

        def uninstall(self, client: AxiosPython) -> None:
            raise RuntimeError("flush failed")

    survivor = HeaderPlugin()
    api = axios_python.create({"base_url": srv.base_url})
    api.plugin(survivor)
    api.plugin(Broken())
    with pytest.warns(PluginUninstallWarning, match="flush failed"):
        api.close()
    assert survivor.uninstalled == 1


def test_attaching_the_same_instance_twice_is_an_error(api: AxiosPython) -> None:
    plugin = HeaderPlugin()
    api.plugin(plugin)
    with pytest.raises(ValueError, match="already attached"):
        api.plugin(plugin)


def test_not_a_plugin_is_named(api: AxiosPython) -> None:
    with pytest.raises(TypeError, match="is not a plugin"):
        api.plugin(object())


def test_failed_attach_rolls_back(api: AxiosPython) -> None:
    before = _registries(api)

    class HalfAttached:
        def attach(self, client: AxiosPython) -> None:
            client.interceptors.request.use(lambda c: c)
            raise RuntimeError("config missing")

    with pytest.raises(RuntimeError, match="config missing"):
        api.plugin(HalfAttached())
    assert _registries(api) == before
    assert not api.plugins


def test_install_is_a_deprecated_alias(api: AxiosPython) -> None:
    class Legacy:
        def install(self, client: AxiosPython) -> None:
            client.interceptors.request.use(lambda c: c)

    with pytest.warns(DeprecationWarning, match="rename it to attach"):
        api.plugin(Legacy())
    assert len(api.interceptors.request) == 1


def test_removing_an_unknown_plugin_lists_attached(api: AxiosPython) -> None:
    api.plugin(HeaderPlugin())
    with pytest.raises(LookupError, match="'header'"):
        api.remove_plugin("cache")


def test_context_managers(srv: LocalServer) -> None:
    with axios_python.create({"base_url": srv.base_url}) as api:
        assert api.get("/json").ok
    assert api.is_closed


async def test_async_context_manager(srv: LocalServer) -> None:
    async with axios_python.create({"base_url": srv.base_url}) as api:
        assert (await api.async_get("/json")).ok
        assert api.get("/json").ok  # the sync path of the same instance
    assert api.is_closed
    await api.aclose()  # idempotent


def test_close_releases_sockets(srv: LocalServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        api = axios_python.create({"base_url": srv.base_url})
        for _ in range(3):
            api.get("/json")
        api.close()
    assert api.is_closed


def test_one_instance_across_several_asyncio_runs_leaks_nothing(srv: LocalServer) -> None:
    import asyncio
    import gc

    api = axios_python.create({"base_url": srv.base_url})
    for _ in range(3):
        assert asyncio.run(api.async_get("/json")).status_code == 200
        gc.collect()  # an unclosed socket would surface here as a ResourceWarning (an error)
    assert api.get("/json").status_code == 200
    api.close()
    gc.collect()


@pytest.mark.parametrize("connections", [1, 4])
def test_sync_close_inside_a_coroutine_closes_its_connections_before_asyncio_run_ends(
    srv: LocalServer, connections: int
) -> None:
    """close() (not aclose) as the last thing a coroutine does: asyncio.run() cancels the
    closing task it leaves, before or while it closes the pool one connection at a time."""
    import asyncio
    import gc

    api = axios_python.create({"base_url": srv.base_url})

    async def main() -> None:
        await asyncio.gather(*(api.async_get("/echo?delay=0.05") for _ in range(connections)))
        api.close()

    asyncio.run(main())
    gc.collect()  # an unclosed socket would surface here as a ResourceWarning (an error)
    assert api.is_closed


def test_failing_uninstall_under_warnings_as_errors_still_closes_everything(
    srv: LocalServer,
) -> None:
    class Broken:
        def attach(self, client: AxiosPython) -> None:
            pass

        def uninstall(self, client: AxiosPython) -> None:
            raise RuntimeError("flush failed")

    survivor = HeaderPlugin()
    api = axios_python.create({"base_url": srv.base_url, "plugins": [survivor, Broken()]})
    api.get("/json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PluginUninstallWarning, match="flush failed"):
            api.close()
    assert survivor.uninstalled == 1
    assert api.is_closed
    with pytest.raises(axios_python.AxiosPythonError, match="closed"):
        api.get("/json")
