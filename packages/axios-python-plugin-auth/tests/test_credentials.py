"""Which credential goes where, on the sync and the async path."""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from collections.abc import Callable
from typing import Any, cast

import pytest

import axios_python
from axios_python import Dual, FixedDelay
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_auth import AuthPlugin

MakeCaller = Callable[..., Caller]
NewApi = Callable[..., axios_python.AxiosPython]


def caller(make_caller: MakeCaller, plugin: AuthPlugin, **config: Any) -> Caller:
    return make_caller({"plugins": [plugin], **config})


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


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [
        (AuthPlugin(scheme="Bearer", token="abc"), "Bearer abc"),
        (AuthPlugin(scheme="Token", token="abc"), "Token abc"),
        (AuthPlugin(scheme="", token="raw-token"), "raw-token"),
    ],
)
def test_static_token(make_caller: MakeCaller, plugin: AuthPlugin, expected: str) -> None:
    call = caller(make_caller, plugin)
    assert call.get("/echo").data["headers"]["authorization"] == expected


def test_the_plugin_replaces_an_authorization_header_set_by_hand(
    make_caller: MakeCaller,
) -> None:
    call = caller(make_caller, AuthPlugin(token="from-plugin"), headers={"authorization": "old"})
    assert call.get("/echo").data["headers"]["authorization"] == "Bearer from-plugin"


def test_provider_is_asked_on_every_attempt(make_caller: MakeCaller, srv: LocalServer) -> None:
    provider = Counter()
    call = caller(make_caller, AuthPlugin(token_provider=provider))
    response = call.get(
        "/flaky?key=every-attempt&fail=2",
        max_retries=3,
        retry_strategy=FixedDelay(0.0, retry_on_status=[503]),
    )
    assert response.data["attempt"] == 3
    assert sent_headers(srv, "authorization") == [
        "Bearer token-1",
        "Bearer token-2",
        "Bearer token-3",
    ]
    call.get("/echo")
    assert provider.calls == 4


def test_a_fixed_token_is_on_every_attempt(make_caller: MakeCaller, srv: LocalServer) -> None:
    call = caller(make_caller, AuthPlugin(token="abc"))
    response = call.get(
        "/flaky?key=fixed-every-attempt&fail=2",
        max_retries=3,
        retry_strategy=FixedDelay(0.0, retry_on_status=[503]),
    )
    assert response.data["attempt"] == 3
    assert sent_headers(srv, "authorization") == ["Bearer abc"] * 3


def test_provider_is_asked_again_after_a_dropped_connection(
    make_caller: MakeCaller, srv: LocalServer
) -> None:
    call = caller(make_caller, AuthPlugin(token_provider=Counter()))
    response = call.get(
        "/flaky?key=dropped&fail=1&mode=drop", max_retries=2, retry_strategy=FixedDelay(0.0)
    )
    assert response.data["attempt"] == 2
    assert sent_headers(srv, "authorization") == ["Bearer token-1", "Bearer token-2"]


def test_dual_provider_uses_the_form_of_the_call(make_caller: MakeCaller) -> None:
    calls: list[str] = []

    def sync_form() -> str:
        calls.append("sync")
        return "from-sync"

    async def async_form() -> str:
        await asyncio.sleep(0)
        calls.append("async")
        return "from-async"

    call = caller(make_caller, AuthPlugin(token_provider=Dual(sync=sync_form, async_=async_form)))
    expected = "async" if call.is_async else "sync"
    assert call.get("/echo").data["headers"]["authorization"] == f"Bearer from-{expected}"
    assert calls == [expected]


def test_async_only_provider(make_caller: MakeCaller) -> None:
    async def provider() -> str:
        await asyncio.sleep(0)
        return "async-only"

    call = caller(make_caller, AuthPlugin(token_provider=provider))
    assert call.get("/echo").data["headers"]["authorization"] == "Bearer async-only"


def test_sync_provider(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin(token_provider=lambda: "plain"))
    assert call.get("/echo").data["headers"]["authorization"] == "Bearer plain"


@pytest.mark.parametrize(
    ("returns", "message"),
    [
        ("an awaitable", "returned an awaitable in a sync call"),
        ("None", "token_provider's token must be a str, got a NoneType"),
    ],
)
def test_a_provider_returning_no_token_fails_the_call(
    make_caller: MakeCaller, srv: LocalServer, returns: str, message: str
) -> None:
    async def fetch() -> str:
        return "awaited"

    provider = (lambda: fetch()) if returns == "an awaitable" else (lambda: None)
    call = caller(make_caller, AuthPlugin(token_provider=provider))
    if call.is_async and returns == "an awaitable":  # an async call awaits it
        assert call.get("/echo").data["headers"]["authorization"] == "Bearer awaited"
        return
    # the call's credential is asked for by the plugin's request interceptor: its failure
    # surfaces as the core's InterceptorError, chaining the provider's error
    with pytest.raises(axios_python.InterceptorError, match=message) as info:
        call.get("/echo")
    assert isinstance(info.value.__cause__, TypeError)
    assert srv.requests == []


@pytest.mark.parametrize(("user", "password"), [("alice", "wonder:land"), ("bob", "")])
def test_basic_auth(make_caller: MakeCaller, user: str, password: str) -> None:
    call = caller(make_caller, AuthPlugin.basic(user, password))
    header = call.get("/echo").data["headers"]["authorization"]
    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"{user}:{password}"


def test_api_key_in_the_default_header(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k-1"))
    headers = call.get("/echo").data["headers"]
    assert headers["x-api-key"] == "k-1"
    assert "authorization" not in headers


def test_api_key_in_a_named_header(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k-2", header="X-Custom-Key"))
    assert call.get("/echo").data["headers"]["x-custom-key"] == "k-2"


def test_api_key_in_the_query_keeps_other_params(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k-3", query="api_key"))
    data = call.get("/echo?page=2", params={"q": "x y"}).data
    assert data["query"] == {"page": ["2"], "q": ["x y"], "api_key": ["k-3"]}


def test_api_key_in_the_query_replaces_a_given_one(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key(lambda: "k-4", query="api_key"))
    data = call.get("/echo?api_key=in-url", params=[("api_key", "mine"), ("a", "1")]).data
    assert data["query"] == {"api_key": ["k-4"], "a": ["1"]}


@pytest.mark.parametrize(
    ("plugin", "headers", "params"),
    [
        (AuthPlugin.api_key("k", header="X-Tenant-Pass"), ["x-tenant-pass"], []),
        (AuthPlugin.api_key("k", query="ticket"), [], ["ticket"]),
    ],
)
def test_the_credential_name_is_registered_as_secret_while_attached(
    srv: LocalServer, plugin: AuthPlugin, headers: list[str], params: list[str], new_api: NewApi
) -> None:
    api = new_api(srv, plugin)
    registered = api.secrets.registered
    assert (sorted(registered[0]), sorted(registered[1])) == (headers, params)
    assert api.secrets.is_secret_header("X-Tenant-Pass") == bool(headers)
    assert api.secrets.is_secret_param("ticket") == bool(params)
    api.remove_plugin("auth")
    assert api.secrets.registered == (frozenset(), frozenset())
    api.close()


def test_one_plugin_on_two_clients(srv: LocalServer, new_api: NewApi) -> None:
    plugin = AuthPlugin(token="shared")
    first, second = new_api(srv, plugin), new_api(srv, plugin)
    first.close()
    assert second.get("/echo").data["headers"]["authorization"] == "Bearer shared"
    second.close()


def test_removing_the_plugin_stops_sending_credentials(srv: LocalServer, new_api: NewApi) -> None:
    plugin = AuthPlugin(token="gone")
    api = new_api(srv, plugin)
    api.remove_plugin("auth")
    assert "authorization" not in api.get("/echo").data["headers"]
    api.close()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: AuthPlugin(), ValueError, "exactly one of them"),
        (lambda: AuthPlugin(token="a", token_provider=lambda: "b"), ValueError, "exactly one"),
        (lambda: AuthPlugin(scheme="Bad Scheme", token="a"), ValueError, "'Bad Scheme'"),
        (lambda: AuthPlugin(scheme=cast(Any, 5), token="a"), ValueError, "or '' for none"),
        (lambda: AuthPlugin(scheme=cast(Any, None), token="a"), ValueError, "got None"),
        (lambda: AuthPlugin(token=""), ValueError, "token is empty"),
        (lambda: AuthPlugin(token="a\r\nX-Evil: 1"), ValueError, "line break"),
        (lambda: AuthPlugin(token=cast(Any, 42)), TypeError, "token must be a str, got a int"),
        (lambda: AuthPlugin(token_provider="vault"), TypeError, "Dual(sync=..., async_=...)"),
        (lambda: AuthPlugin(token="a", refresh_on_401=cast(Any, "yes")), TypeError, "'yes'"),
        (lambda: AuthPlugin.basic("a:b", "c"), ValueError, "without ':'"),
        (lambda: AuthPlugin.basic("a", cast(Any, None)), TypeError, "password must be a str"),
        (lambda: AuthPlugin.api_key("k", header="X", query="q"), ValueError, "not both"),
        (lambda: AuthPlugin.api_key("k", header="Bad Header"), ValueError, "'Bad Header'"),
        (lambda: AuthPlugin.api_key("k", query=""), ValueError, "parameter name"),
        (lambda: AuthPlugin.api_key(b"k"), TypeError, "key must be a function"),
    ],
)
def test_bad_options_are_rejected_with_what_is_accepted(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda secret: AuthPlugin(token_provider=secret),
        lambda secret: AuthPlugin.api_key(secret.encode()),
    ],
)
def test_a_secret_passed_as_a_provider_is_not_echoed(make: Any) -> None:
    """A key given where a provider was expected is named by its type, never shown."""
    with pytest.raises(TypeError) as caught:
        make("sk-live-0123456789")
    assert "sk-live" not in str(caught.value)
    assert caught.value.__context__ is None
