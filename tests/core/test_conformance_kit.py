"""The conformance kit passes a well-behaved plugin and catches misbehaving ones."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import pytest

from axios_python import AxiosPython, Dual, Response
from axios_python.testing import PluginConformance

pytest_plugins = ["pytester"]


class WellBehaved:
    """Offers both forms of its middleware and one interceptor."""

    name = "well-behaved"

    def attach(self, client: AxiosPython) -> None:
        client.use(Dual(sync=self._sync, async_=self._async))
        client.interceptors.request.use(self._stamp)

    def uninstall(self, client: AxiosPython) -> None:
        pass

    def _stamp(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Well"] = "1"
        return config

    def _sync(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def _async(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        return await next_fn(ctx)  # type: ignore[no-any-return]


class TestWellBehavedConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return WellBehaved()


@dataclass(frozen=True)
class FrozenHeaderPlugin:
    """A correct plugin written as a frozen dataclass, with a secret header and an uninstall."""

    value: str
    header: str = "X-Frozen-Ref"
    uninstalled: list[AxiosPython] = field(default_factory=list)

    def attach(self, client: AxiosPython) -> None:
        client.secrets.register(headers=[self.header])
        client.interceptors.request.use(self._stamp)

    def uninstall(self, client: AxiosPython) -> None:
        self.uninstalled.append(client)

    def _stamp(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"][self.header] = self.value
        return config


class TestFrozenDataclassConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return FrozenHeaderPlugin("v")


def test_removal_also_takes_the_secret_registrations_back() -> None:
    import axios_python

    with axios_python.create() as client:
        client.plugin(FrozenHeaderPlugin("v"))
        assert client.secrets.is_secret_header("X-Frozen-Ref") and client.secrets.ids
        client.remove_plugin(client.plugins[0])
        assert client.secrets.ids == ()


_BAD = textwrap.dedent(
    """
    import threading, time
    from axios_python.testing import PluginConformance

    class SneakyRegistration:
        # registers on first request, outside attach(): removal cannot take it back
        def attach(self, client):
            self.client = client
            client.use(self._first)

        def _first(self, ctx, next_fn):
            self.client.interceptors.request.use(lambda c: c)
            return next_fn(ctx)

    class AsyncOnly:
        def attach(self, client):
            async def mw(ctx, next_fn):
                return await next_fn(ctx)
            client.use(mw)

    class LeaksAThread:
        def attach(self, client):
            stop = threading.Event()
            threading.Thread(target=stop.wait, args=(30,), daemon=True).start()

    class TestSneaky(PluginConformance):
        path = "/echo"
        def make_plugin(self):
            return SneakyRegistration()
        def test_attach_then_remove_restores_the_client(self, conformance_server):
            client = self._client(conformance_server)
            plugin = client.plugin(self.make_plugin())
            client.get("/echo")
            before_remove = len(client.interceptors.request)
            client.remove_plugin(plugin)
            client.close()
            assert len(client.interceptors.request) == 0, "residue"

    class TestAsyncOnly(PluginConformance):
        def make_plugin(self):
            return AsyncOnly()

    class TestLeaks(PluginConformance):
        def make_plugin(self):
            return LeaksAThread()
    """
)


def test_kit_reports_misbehaving_plugins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad=_BAD)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    result.stdout.fnmatch_lines(
        [
            "*TestSneaky::test_attach_then_remove_restores_the_client*",
            "*TestAsyncOnly::test_sync_call_touches_no_event_loop*",
            "*TestLeaks::test_nothing_leaks*",
        ]
    )
    assert outcomes["failed"] == 3
