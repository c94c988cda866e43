"""Which credential goes where, on the sync and the async path."""

from __future__ import annotations

import asyncio
import base64
import threading
from typing import Any, cast

import pytest

import axios_python
from axios_python import Dual, FixedDelay
from axios_python.testing import LocalServer
from axios_python_plugin_auth import AuthPlugin


def client(srv: LocalServer, plugin: AuthPlugin, **config: Any) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0, **config})
    api.plugin(plugin)
    return api


def sent_headers(srv: LocalServer, name: str) -> list[str | None]:
    return [r.header(name) for r in srv.requests]


class Counter:
    """A token provider: ``token-1``, ``token-2``, ... one per call."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
            return f"token-{self.calls}"


def test_static_token_sync(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(scheme="Bearer", token="abc"))
    assert api.get("/echo").data["headers"]["authorization"] == "Bearer abc"
    api.close()


async def test_static_token_async(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(scheme="Token", token="abc"))
    assert (await api.async_get("/echo")).data["headers"]["authorization"] == "Token abc"
    await api.aclose()


def test_empty_scheme_sends_the_bare_token(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(scheme="", token="raw-token"))
    assert api.get("/echo").data["headers"]["authorization"] == "raw-token"
    api.close()


def test_the_plugin_replaces_an_authorization_header_set_by_hand(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(token="from-plugin"), headers={"authorization": "old"})
    assert api.get("/echo").data["headers"]["authorization"] == "Bearer from-plugin"
    api.close()


def test_provider_is_asked_on_every_attempt_sync(srv: LocalServer) -> None:
    provider = Counter()
    api = client(srv, AuthPlugin(token_provider=provider))
    response = api.get(
        "/flaky?key=sync&fail=2",
        max_retries=3,
        retry_strategy=FixedDelay(0.0, retry_on_status=[503]),
    )
    assert response.data["attempt"] == 3
    assert sent_headers(srv, "authorization") == [
        "Bearer token-1",
        "Bearer token-2",
        "Bearer token-3",
    ]
    api.get("/echo")
    assert provider.calls == 4
    api.close()


async def test_provider_is_asked_on_every_attempt_async(srv: LocalServer) -> None:
    provider = Counter()
    api = client(srv, AuthPlugin(token_provider=provider))
    response = await api.async_get(
        "/flaky?key=async&fail=1&mode=drop", max_retries=2, retry_strategy=FixedDelay(0.0)
    )
    assert response.data["attempt"] == 2
    assert sent_headers(srv, "authorization") == ["Bearer token-1", "Bearer token-2"]
    await api.aclose()


def test_dual_provider_sync_form_in_sync_calls(srv: LocalServer) -> None:
    calls: list[str] = []

    def sync_form() -> str:
        calls.append("sync")
        return "from-sync"

    async def async_form() -> str:
        calls.append("async")
        return "from-async"

    api = client(srv, AuthPlugin(token_provider=Dual(sync=sync_form, async_=async_form)))
    assert api.get("/echo").data["headers"]["authorization"] == "Bearer from-sync"

    async def in_async() -> str:
        return str((await api.async_get("/echo")).data["headers"]["authorization"])

    assert asyncio.run(in_async()) == "Bearer from-async"
    assert calls == ["sync", "async"]
    api.close()


async def test_dual_provider_async_form_in_async_calls(srv: LocalServer) -> None:
    async def async_form() -> str:
        await asyncio.sleep(0)
        return "from-async"

    api = client(srv, AuthPlugin(token_provider=Dual(sync=lambda: "from-sync", async_=async_form)))
    assert (await api.async_get("/echo")).data["headers"]["authorization"] == "Bearer from-async"
    await api.aclose()


def test_async_only_provider_works_in_sync_calls(srv: LocalServer) -> None:
    async def provider() -> str:
        await asyncio.sleep(0)
        return "async-only"

    api = client(srv, AuthPlugin(token_provider=provider))
    assert api.get("/echo").data["headers"]["authorization"] == "Bearer async-only"
    api.close()


async def test_sync_provider_works_in_async_calls(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(token_provider=lambda: "plain"))
    assert (await api.async_get("/echo")).data["headers"]["authorization"] == "Bearer plain"
    await api.aclose()


async def test_a_sync_provider_returning_an_awaitable_is_awaited_in_async_calls(
    srv: LocalServer,
) -> None:
    async def fetch() -> str:
        return "awaited"

    api = client(srv, AuthPlugin(token_provider=lambda: fetch()))
    assert (await api.async_get("/echo")).data["headers"]["authorization"] == "Bearer awaited"
    await api.aclose()


def test_a_sync_provider_returning_an_awaitable_in_a_sync_call_is_an_error(
    srv: LocalServer,
) -> None:
    async def fetch() -> str:
        return "never"

    api = client(srv, AuthPlugin(token_provider=lambda: fetch()))
    # the call's credential is asked for by the plugin's request interceptor: its failure
    # surfaces as the core's InterceptorError, chaining the provider's error
    with pytest.raises(
        axios_python.InterceptorError, match="returned an awaitable in a sync call"
    ) as info:
        api.get("/echo")
    assert isinstance(info.value.__cause__, TypeError)
    assert srv.requests == []
    api.close()


def test_provider_returning_a_non_string_is_an_error(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin(token_provider=lambda: None))
    with pytest.raises(
        axios_python.InterceptorError, match="token_provider's token must be a str, got a NoneType"
    ) as info:
        api.get("/echo")
    assert isinstance(info.value.__cause__, TypeError)
    api.close()


def test_basic_auth(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.basic("alice", "wonder:land"))
    header = api.get("/echo").data["headers"]["authorization"]
    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "alice:wonder:land"
    api.close()


async def test_basic_auth_async(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.basic("bob", ""))
    header = (await api.async_get("/echo")).data["headers"]["authorization"]
    assert header == "Basic " + base64.b64encode(b"bob:").decode()
    await api.aclose()


def test_api_key_in_the_default_header(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.api_key("k-1"))
    headers = api.get("/echo").data["headers"]
    assert headers["x-api-key"] == "k-1"
    assert "authorization" not in headers
    api.close()


async def test_api_key_in_a_named_header_async(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.api_key("k-2", header="X-Custom-Key"))
    assert (await api.async_get("/echo")).data["headers"]["x-custom-key"] == "k-2"
    await api.aclose()


def test_api_key_in_the_query_keeps_other_params(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.api_key("k-3", query="api_key"))
    data = api.get("/echo?page=2", params={"q": "x y"}).data
    assert data["query"] == {"page": ["2"], "q": ["x y"], "api_key": ["k-3"]}
    api.close()


async def test_api_key_in_the_query_async_replaces_a_given_one(srv: LocalServer) -> None:
    api = client(srv, AuthPlugin.api_key(lambda: "k-4", query="api_key"))
    data = (await api.async_get("/echo", params=[("api_key", "mine"), ("a", "1")])).data
    assert data["query"] == {"api_key": ["k-4"], "a": ["1"]}
    await api.aclose()


def test_one_plugin_on_two_clients(srv: LocalServer) -> None:
    plugin = AuthPlugin(token="shared")
    first, second = client(srv, plugin), client(srv, plugin)
    first.close()
    assert second.get("/echo").data["headers"]["authorization"] == "Bearer shared"
    second.close()


def test_removing_the_plugin_stops_sending_credentials(srv: LocalServer) -> None:
    plugin = AuthPlugin(token="gone")
    api = client(srv, plugin)
    api.remove_plugin("auth")
    assert "authorization" not in api.get("/echo").data["headers"]
    api.close()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: AuthPlugin(), ValueError, "exactly one of them"),
        (lambda: AuthPlugin(token="a", token_provider=lambda: "b"), ValueError, "exactly one"),
        (lambda: AuthPlugin(scheme="Bad Scheme", token="a"), ValueError, "'Bad Scheme'"),
        (lambda: AuthPlugin(token=""), ValueError, "token is empty"),
        (lambda: AuthPlugin(token="a\r\nX-Evil: 1"), ValueError, "line break"),
        (lambda: AuthPlugin(token=cast(Any, 42)), TypeError, "token must be a str, got a int"),
        (lambda: AuthPlugin(token_provider="vault"), TypeError, "got a str"),
        (lambda: AuthPlugin(token="a", refresh_on_401=cast(Any, "yes")), TypeError, "'yes'"),
        (lambda: AuthPlugin.basic("a:b", "c"), ValueError, "without ':'"),
        (lambda: AuthPlugin.basic("a", cast(Any, None)), TypeError, "password must be a str"),
        (lambda: AuthPlugin.api_key("k", header="X", query="q"), ValueError, "not both"),
        (lambda: AuthPlugin.api_key("k", header="Bad Header"), ValueError, "'Bad Header'"),
        (lambda: AuthPlugin.api_key("k", query=""), ValueError, "parameter name"),
    ],
)
def test_bad_options_are_rejected_with_what_is_accepted(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(")):
        make()
