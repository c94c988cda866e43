"""Credentials go to the origin of the call only: never along a redirect to another origin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

import axios_python
from axios_python.testing import LocalServer
from axios_python_plugin_auth import AuthPlugin

PLUGINS: dict[str, tuple[Callable[[], AuthPlugin], str, str]] = {
    "bearer": (lambda: AuthPlugin(token="b-token"), "authorization", "Bearer b-token"),
    "basic": (lambda: AuthPlugin.basic("u", "p"), "authorization", "Basic dTpw"),
    "api-key-header": (lambda: AuthPlugin.api_key("h-key"), "x-api-key", "h-key"),
    "api-key-custom-header": (
        lambda: AuthPlugin.api_key("c-key", header="X-Service-Key"),
        "x-service-key",
        "c-key",
    ),
}


def make(srv: LocalServer, plugin: AuthPlugin, **config: Any) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0, **config})
    api.plugin(plugin)
    return api


def redirect_to(url: str, status: int = 302) -> str:
    return f"/redirect?status={status}&to={quote(url, safe='')}"


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_no_credentials_to_another_origin_sync(
    srv: LocalServer, other: LocalServer, kind: str
) -> None:
    factory, header, value = PLUGINS[kind]
    api = make(srv, factory())
    response = api.get(redirect_to(other.url("/echo")))
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [302]
    assert srv.requests[0].header(header) == value  # the origin got it
    assert other.requests[0].header(header) is None  # the other origin did not
    assert header not in response.data["headers"]
    api.close()


@pytest.mark.parametrize("kind", sorted(PLUGINS))
async def test_no_credentials_to_another_origin_async(
    srv: LocalServer, other: LocalServer, kind: str
) -> None:
    factory, header, value = PLUGINS[kind]
    api = make(srv, factory())
    response = await api.async_get(redirect_to(other.url("/echo"), status=307))
    assert response.status_code == 200
    assert srv.requests[0].header(header) == value
    assert other.requests[0].header(header) is None
    await api.aclose()


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_same_origin_redirect_keeps_the_credentials(srv: LocalServer, kind: str) -> None:
    factory, header, value = PLUGINS[kind]
    api = make(srv, factory())
    response = api.get(redirect_to("/echo/next"))
    assert response.data["path"] == "/echo/next"
    assert [r.header(header) for r in srv.requests] == [value, value]
    api.close()


def test_query_key_not_sent_to_another_origin(srv: LocalServer, other: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("q-key", query="api_key"))
    response = api.get(redirect_to(other.url("/echo?x=1")))
    assert response.data["query"] == {"x": ["1"]}
    assert srv.requests[0].query["api_key"] == ["q-key"]
    api.close()


async def test_query_key_kept_on_same_origin_redirect_async(srv: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("q-key", query="api_key"))
    response = await api.async_get(redirect_to("/echo?x=1"))
    assert response.data["query"] == {"x": ["1"], "api_key": ["q-key"]}
    await api.aclose()


def test_back_to_the_origin_after_another_one(srv: LocalServer, other: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("round-trip"))
    final = srv.url("/echo/back")
    response = api.get(redirect_to(other.url(redirect_to(final))))
    assert response.data["path"] == "/echo/back"
    assert [r.header("x-api-key") for r in srv.requests] == ["round-trip", "round-trip"]
    assert [r.header("x-api-key") for r in other.requests] == [None]
    assert len(response.history) == 2
    api.close()


def test_303_after_post_becomes_a_get_without_body(srv: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("k"))
    response = api.post(redirect_to("/echo", status=303), json={"a": 1})
    assert (response.data["method"], response.data["body"]) == ("GET", "")
    assert "content-type" not in response.data["headers"]
    api.close()


async def test_307_after_post_keeps_method_and_body_async(srv: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("k"))
    response = await api.async_post(redirect_to("/echo", status=307), json={"a": 1})
    assert (response.data["method"], response.data["json"]) == ("POST", {"a": 1})
    assert response.data["headers"]["x-api-key"] == "k"
    await api.aclose()


def test_follow_redirects_off_returns_the_redirect(srv: LocalServer) -> None:
    api = make(srv, AuthPlugin.api_key("k"), follow_redirects=False)
    response = api.get(redirect_to("/echo"))
    assert response.status_code == 302
    assert srv.count("/echo") == 0
    api.close()


def test_too_many_redirects(srv: LocalServer) -> None:
    target = "/echo"
    for _ in range(21):
        target = redirect_to(target)
    api = make(srv, AuthPlugin.api_key("k"))
    with pytest.raises(axios_python.TooManyRedirects, match="Exceeded maximum allowed redirects"):
        api.get(target)
    assert srv.count("/redirect") == 21
    api.close()
