"""The checks every plugin must pass, as a pytest base class.

::

    from axios_python.testing import PluginConformance

    class TestMyPluginConformance(PluginConformance):
        def make_plugin(self):
            return MyPlugin(option=1)

pytest then runs every ``test_*`` method below against a fresh loopback server.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPython

from ._server import LocalServer

__all__ = ["PluginConformance", "open_sockets", "registries"]


def registries(client: AxiosPython) -> tuple[Any, ...]:
    """Everything a plugin may register on a client, as comparable values."""
    return (
        client.interceptors.request.ids,
        client.interceptors.response.ids,
        client.middleware.ids,
        client.secrets.ids,
        client.call_keys.ids,
        tuple(id(p) for p in client.plugins),
    )


def open_sockets() -> int | None:
    """How many sockets this process holds open (Linux), or ``None`` where unknown."""
    fd_dir = "/proc/self/fd"
    if not os.path.isdir(fd_dir):
        return None
    count = 0
    for name in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, name)).startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


def _threads() -> set[threading.Thread]:
    # The bridge's worker pool lives for the process on purpose; it is not a leak.
    return {t for t in threading.enumerate() if not t.name.startswith("axios-python-bridge")}


class PluginConformance:
    """Subclass it in a test module and implement ``make_plugin``.

    Override ``client_config`` to give the client options the plugin needs, ``path`` for the
    route requests go to, and set ``sync_without_event_loop = False`` if the plugin's hooks are
    async-only (first-party plugins offer both forms and keep it ``True``).
    """

    #: A sync call through the plugin must not create or touch an event loop.
    sync_without_event_loop = True
    #: The route the checks call on the loopback server.
    path = "/echo"

    def make_plugin(self) -> Any:
        """Return a new, ready-to-attach instance of the plugin under test."""
        raise NotImplementedError("implement make_plugin() to return the plugin under test")

    def client_config(self, server: LocalServer) -> dict[str, Any]:
        """Extra configuration for the client the checks create."""
        return {}

    # -- fixtures -------------------------------------------------------------------------

    @pytest.fixture
    def conformance_server(self) -> Iterator[LocalServer]:
        with LocalServer() as server:
            yield server

    def _client(self, server: LocalServer) -> AxiosPython:
        return axios_python.create(
            {"base_url": server.base_url, "timeout": 10.0, **self.client_config(server)}
        )

    # -- checks ---------------------------------------------------------------------------

    def test_plugin_has_attach(self) -> None:
        """The plugin object has a callable ``attach(client)``."""
        plugin = self.make_plugin()
        assert callable(getattr(plugin, "attach", None)), "a plugin needs attach(client)"

    def test_attach_then_remove_restores_the_client(self, conformance_server: LocalServer) -> None:
        """Removing the plugin takes away every interceptor, middleware and secret it added."""
        with self._client(conformance_server) as client:
            before = registries(client)
            plugin = self.make_plugin()
            assert client.plugin(plugin) is plugin
            assert client.plugins == (plugin,)
            client.remove_plugin(plugin)
            assert registries(client) == before, "remove_plugin left registrations behind"
            client.plugin(self.make_plugin())  # attachable again after removal

    def test_sync_call_works(self, conformance_server: LocalServer) -> None:
        """A sync call through the plugin answers 200."""
        with self._client(conformance_server) as client:
            client.plugin(self.make_plugin())
            response = client.get(self.path)
            assert response.status_code == 200
            response = client.post(self.path, json={"conformance": True})
            assert response.status_code == 200

    def test_async_call_works(self, conformance_server: LocalServer) -> None:
        """An async call through the plugin answers 200."""

        async def scenario() -> None:
            async with self._client(conformance_server) as client:
                client.plugin(self.make_plugin())
                assert (await client.async_get(self.path)).status_code == 200
                response = await client.async_post(self.path, json={"conformance": True})
                assert response.status_code == 200

        asyncio.run(scenario())

    def test_sync_call_touches_no_event_loop(
        self, conformance_server: LocalServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A sync call through the plugin creates and runs no event loop (unless the plugin
        declares async-only hooks with ``sync_without_event_loop = False``)."""
        if not self.sync_without_event_loop:
            pytest.skip("this plugin declares async-only hooks (sync_without_event_loop = False)")
        from axios_python import _bridge

        def forbidden(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("a sync call through this plugin used an event loop")

        with self._client(conformance_server) as client:
            client.plugin(self.make_plugin())
            # every way the bridge runs a coroutine goes through these two
            monkeypatch.setattr(_bridge, "_run_here", forbidden)
            monkeypatch.setattr(_bridge, "_workers", forbidden)
            monkeypatch.setattr(asyncio, "new_event_loop", forbidden)
            assert client.get(self.path).status_code == 200

    def test_close_calls_uninstall_once(
        self, conformance_server: LocalServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Closing the client calls the plugin's ``uninstall`` exactly once."""
        plugin = self.make_plugin()
        uninstall = getattr(plugin, "uninstall", None)
        calls: list[AxiosPython] = []
        if callable(uninstall):
            own = getattr(plugin, "__dict__", {})
            if "uninstall" in own:  # set on the instance: count it there

                def counting(client: AxiosPython) -> None:
                    calls.append(client)
                    uninstall(client)

                monkeypatch.setitem(own, "uninstall", counting)
            else:  # a method: count on the class (works for frozen dataclasses and slots)
                method = type(plugin).uninstall

                def counting_method(this: Any, client: AxiosPython) -> None:
                    if this is plugin:
                        calls.append(client)
                    method(this, client)

                monkeypatch.setattr(type(plugin), "uninstall", counting_method)
        client = self._client(conformance_server)
        client.plugin(plugin)
        client.get(self.path)
        client.close()
        client.close()
        assert client.plugins == ()
        if callable(uninstall):
            assert calls == [client], f"uninstall called {len(calls)} times"

    def test_nothing_leaks(self, conformance_server: LocalServer) -> None:
        """Calls on both paths and a close leave no thread or socket behind."""
        gc.collect()
        threads_before = _threads()
        sockets_before = open_sockets()

        client = self._client(conformance_server)
        client.plugin(self.make_plugin())
        for _ in range(3):
            client.get(self.path)

        async def async_part() -> set[asyncio.Task[Any]]:
            for _ in range(3):
                await client.async_get(self.path)
            await client.aclose()
            await asyncio.sleep(0)
            return asyncio.all_tasks() - {asyncio.current_task()}

        leftover_tasks = asyncio.run(async_part())
        assert not leftover_tasks, f"tasks left running: {leftover_tasks}"
        client.close()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _threads() - threads_before:
            time.sleep(0.02)
        assert not _threads() - threads_before, f"threads left: {_threads() - threads_before}"
        gc.collect()
        if sockets_before is not None:
            # the loopback server's side of a closing connection may linger for a moment
            while time.monotonic() < deadline and (open_sockets() or 0) > sockets_before:
                time.sleep(0.02)
            assert (open_sockets() or 0) <= sockets_before, "sockets left open"
