"""Plugins at the edges of a client's life (issue 8, defect 13): removing one that is not
attached, attaching after close, a constructor whose plugins fail half way, and messages that
never show what a plugin was built with."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPython, ConfigError, PluginError, UnknownPluginError
from axios_python.testing import Caller, LocalServer


class Stamp:
    """Stamps a header; records its uninstalls (and the client it was attached to)."""

    def __init__(self, name: str = "stamp", *, request: str | None = None) -> None:
        self.name = name
        self.request = request
        self.events: list[str] = []
        self.client: AxiosPython | None = None

    def attach(self, client: AxiosPython) -> None:
        self.client = client
        client.interceptors.request.use(self._stamp)
        client.use(lambda ctx, next_fn: next_fn(ctx))
        client.secrets.register(headers=["X-Stamp-Token"])
        if self.request is not None:  # a plugin that talks to the network while attaching
            client.get(self.request)
        self.events.append("attach")

    def uninstall(self, client: AxiosPython) -> None:
        self.events.append("uninstall")

    def _stamp(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"][f"X-{self.name}"] = "1"
        return config

    def __repr__(self) -> str:
        return "Stamp(token='s3cr3t-in-repr')"


class Refuses:
    name = "refuses"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def attach(self, client: AxiosPython) -> None:
        client.interceptors.request.use(lambda c: c)
        raise self.error


# -- remove_plugin ----------------------------------------------------------------------------


def test_removing_a_plugin_that_is_not_attached_is_a_plugin_error(call: Caller) -> None:
    call.api.plugin(Stamp("one"))
    call.api.plugin(Stamp("two"))
    with pytest.raises(UnknownPluginError) as info:
        call.api.remove_plugin("nope")
    error = info.value
    assert isinstance(error, PluginError) and isinstance(error, LookupError)
    assert "'nope'" in str(error) and "attached: 'one', 'two'" in str(error)
    with pytest.raises(UnknownPluginError, match="<Stamp object>") as info:
        call.api.remove_plugin(Stamp("three"))  # an object: named by type, never by repr
    assert "s3cr3t" not in str(info.value)
    assert call.get("/echo").data["headers"]["x-one"] == "1"  # nothing was touched


# -- after close ------------------------------------------------------------------------------


def _close(call: Caller) -> None:
    if call.is_async:
        call.run(call.api.aclose())
    else:
        call.api.close()


def test_a_closed_client_takes_no_plugins(call: Caller) -> None:
    _close(call)
    plugin = Stamp()
    with pytest.raises(PluginError, match="closed and takes no plugins") as info:
        call.api.plugin(plugin)
    assert "s3cr3t" not in str(info.value)
    assert plugin.events == [] and call.api.plugins == ()
    with pytest.raises(PluginError, match="closed and takes no plugins"):
        call.api.plugin("timing")  # by name: nothing is built either
    # middleware and interceptors may still be registered: they hold nothing and never run,
    # because a closed client refuses every request
    call.api.use(lambda ctx, next_fn: next_fn(ctx))
    call.api.interceptors.request.use(lambda config: config)
    with pytest.raises(axios_python.AxiosPythonError, match="closed"):
        call.get("/echo")


# -- a constructor whose plugins fail ---------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "error_type"),
    [
        (Refuses(RuntimeError("no config")), RuntimeError),
        (Refuses(SystemExit(3)), SystemExit),
        ("no-such-plugin", UnknownPluginError),
        (("timing", "not options"), ConfigError),
        (object(), TypeError),
    ],
    ids=["attach-raises", "attach-exits", "unknown-name", "bad-entry", "not-a-plugin"],
)
def test_a_failing_constructor_uninstalls_every_plugin_it_attached(
    mode: str, srv: LocalServer, bad: Any, error_type: type[BaseException]
) -> None:
    first, second = Stamp("first", request=srv.url("/echo")), Stamp("second")
    config = {"base_url": srv.base_url, "plugins": [first, second, bad]}
    with pytest.raises(error_type) as info:
        axios_python.create(config)
    if isinstance(bad, Refuses):
        assert info.value is bad.error  # the original error, not a wrapper
    assert first.events == ["attach", "uninstall"] and second.events == ["attach", "uninstall"]
    client = first.client
    assert client is not None and client.is_closed
    assert client.plugins == ()
    assert not client.interceptors.request.ids and not client.middleware.ids
    assert client.secrets.registered == (frozenset(), frozenset())
    # what it opened (the pool of first's request) is closed: the client refuses calls
    with pytest.raises(axios_python.AxiosPythonError, match="closed"):
        _get(client, mode)


def _get(client: AxiosPython, mode: str) -> None:
    if mode == "async":
        asyncio.run(client.async_get("/echo"))
    else:
        client.get("/echo")


def test_a_failing_process_wide_hook_also_undoes_the_constructor(srv: LocalServer) -> None:
    import axios_python.plugins as plugins

    events: list[str] = []

    class Operator:
        @plugins.hookimpl
        def axios_python_client_created(self, client: AxiosPython) -> None:
            raise RuntimeError("operator hook failed")

        @plugins.hookimpl
        def axios_python_client_closed(self, client: AxiosPython) -> None:
            events.append("closed")

    operator = Operator()
    plugins.register(operator)
    try:
        plugin = Stamp()
        with pytest.raises(RuntimeError, match="operator hook failed"):
            axios_python.create({"plugins": [plugin]})
        assert plugin.events == ["attach", "uninstall"]
        assert events == ["closed"]  # the hooks that heard of the client hear it is gone
    finally:
        plugins.manager().unregister(operator)


# -- messages never show plugin options ---------------------------------------------------------


def test_messages_never_show_what_a_plugin_was_built_with(api: AxiosPython) -> None:
    shown: list[str] = []
    with pytest.raises(TypeError) as info:
        api.plugin("auth", token="s3cr3t-token", bogus=1)
    assert "['bogus', 'token']" in str(info.value)
    error: BaseException | None = info.value
    while error is not None:  # the whole chain, as a traceback would print it
        shown.append("".join(traceback.format_exception_only(type(error), error)))
        error = error.__cause__ or error.__context__
    with pytest.raises(TypeError) as info:
        api.plugin(Stamp(), value="s3cr3t")
    shown.append(str(info.value))
    plugin = api.plugin(Stamp())
    with pytest.raises(ValueError, match="already attached") as value_info:
        api.plugin(plugin)
    shown.append(str(value_info.value))
    with pytest.raises(TypeError, match="is not a plugin") as info:
        api.plugin({"token": "s3cr3t"})
    shown.append(str(info.value))
    with pytest.raises(ConfigError, match=r"\('auth', str\)") as config_info:
        axios_python.create({"plugins": [("auth", "s3cr3t")]})
    shown.append(str(config_info.value))
    for text in shown:
        assert "s3cr3t" not in text, text
