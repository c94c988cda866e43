"""Redirects are followed by the core: credentials go to the origin of the call only, and the
plugin adds its own credential to a hop only where the core's policy allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer, redirect
from axios_python_plugin_auth import AuthPlugin

MakeCaller = Callable[..., Caller]

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

#: Credentials of the call itself, beside the plugin's: none may reach another origin.
CALL_HEADERS = {
    "X-Auth-Token": "xat-1",
    "Proxy-Authorization": "Basic cHJveHk6cHc=",
    "X-Service-Key": "svc-1",
}
CREDENTIAL_HEADERS = (
    "authorization",
    "x-auth-token",
    "proxy-authorization",
    "x-service-key",
    "x-api-key",
    "cookie",
)


def redirect_to(url: str, status: int = 302) -> str:
    return f"/redirect?status={status}&to={quote(url, safe='')}"


def caller(make_caller: MakeCaller, plugin: AuthPlugin, **config: Any) -> Caller:
    return make_caller({"plugins": [plugin], **config})


# -- the defects of issue 7 -------------------------------------------------------------------


@pytest.mark.parametrize("target", ["other-port", "other-host"])
def test_api_key_plugin_lets_no_credential_reach_another_origin(
    make_caller: MakeCaller, srv: LocalServer, other: LocalServer, target: str
) -> None:
    """Before: the plugin followed redirects itself, hop by hop, so the core's guard never saw
    them: ``auth=``, every credential header but the key, and the call's cookies went along."""
    # other.test is routed to the other server: the cookie jar (scoped by host, not port) has
    # nothing for it, so the call's own cookies are what could leak; on 127.0.0.1 the jar's
    # cookie for the origin would go to the other port too
    where = other.url("/echo") if target == "other-port" else "http://other.test/echo"
    with redirect(other.base_url, hosts=["other.test"]):
        call = caller(make_caller, AuthPlugin.api_key("k-1"))
        call.get("/cookies/set", params={"jar": "j-1"})
        response = call.get(
            redirect_to(where), auth=("u", "p"), headers=CALL_HEADERS, cookies={"sid": "c-1"}
        )
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [302]
    sent = srv.requests[1]  # the origin got every credential
    assert sent.header("x-api-key") == "k-1"
    assert sent.header("authorization") == "Basic dTpw"
    assert sent.header("x-auth-token") == "xat-1"
    assert "sid=c-1" in (sent.header("cookie") or "")
    (hop,) = other.requests
    assert {name: hop.header(name) for name in CREDENTIAL_HEADERS} == dict.fromkeys(
        CREDENTIAL_HEADERS
    )


def test_query_key_plugin_lets_no_credential_reach_another_origin(
    make_caller: MakeCaller, srv: LocalServer, other: LocalServer
) -> None:
    call = caller(make_caller, AuthPlugin.api_key("q-key", query="api_key"))
    response = call.get(redirect_to(other.url("/echo?x=1")), auth=("u", "p"), headers=CALL_HEADERS)
    assert response.data["query"] == {"x": ["1"]}
    assert srv.requests[0].query["api_key"] == ["q-key"]
    (hop,) = other.requests
    assert [hop.header(name) for name in CREDENTIAL_HEADERS] == [None] * len(CREDENTIAL_HEADERS)


@pytest.mark.parametrize("where", ["same-origin", "other-origin"])
def test_validate_status_does_not_reject_a_followed_redirect(
    make_caller: MakeCaller, other: LocalServer, where: str
) -> None:
    """Before: with the plugin following redirects itself, every hop went through
    ``validate_status``, so the 302 became an HTTPStatusError."""
    call = caller(
        make_caller, AuthPlugin.api_key("k-1"), validate_status=lambda status: status < 300
    )
    target = "/echo" if where == "same-origin" else other.url("/echo")
    response = call.get(redirect_to(target))
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [302]


def test_validate_status_still_rejects_the_final_response(make_caller: MakeCaller) -> None:
    call = caller(
        make_caller, AuthPlugin.api_key("k-1"), validate_status=lambda status: status < 300
    )
    with pytest.raises(axios_python.HTTPStatusError, match="HTTP 404"):
        call.get(redirect_to("/status/404"))


# -- what the plugin's credential does along redirects ----------------------------------------


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_no_credentials_to_another_origin(
    make_caller: MakeCaller, srv: LocalServer, other: LocalServer, kind: str
) -> None:
    factory, header, value = PLUGINS[kind]
    call = caller(make_caller, factory())
    response = call.get(redirect_to(other.url("/echo"), status=307))
    assert response.status_code == 200
    assert srv.requests[0].header(header) == value  # the origin got it
    assert other.requests[0].header(header) is None  # the other origin did not
    assert header not in response.data["headers"]


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_same_origin_redirect_keeps_the_credentials(
    make_caller: MakeCaller, srv: LocalServer, kind: str
) -> None:
    factory, header, value = PLUGINS[kind]
    call = caller(make_caller, factory())
    response = call.get(redirect_to("/echo/next"))
    assert response.data["path"] == "/echo/next"
    assert [r.header(header) for r in srv.requests] == [value, value]


def test_query_key_is_added_to_a_same_origin_hop(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("q-key", query="api_key"))
    response = call.get(redirect_to("/echo?x=1"))
    assert response.data["query"] == {"x": ["1"], "api_key": ["q-key"]}


def test_query_key_in_the_location_is_left_alone(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("q-key", query="api_key"))
    response = call.get(redirect_to("/echo?api_key=from-location"))
    assert response.data["query"] == {"api_key": ["from-location"]}


@pytest.mark.parametrize("placement", ["header", "query"])
def test_back_to_the_origin_after_another_one(
    make_caller: MakeCaller, srv: LocalServer, other: LocalServer, placement: str
) -> None:
    plugin = (
        AuthPlugin.api_key("round-trip")
        if placement == "header"
        else AuthPlugin.api_key("round-trip", query="api_key")
    )
    call = caller(make_caller, plugin)
    response = call.get(redirect_to(other.url(redirect_to(srv.url("/echo/back")))))
    assert response.data["path"] == "/echo/back"
    assert len(response.history) == 2

    def key(request: Any) -> Any:
        if placement == "header":
            return request.header("x-api-key")
        return request.query.get("api_key", [None])[0]

    assert [key(r) for r in srv.requests] == ["round-trip", "round-trip"]
    assert [key(r) for r in other.requests] == [None]


def test_303_after_post_becomes_a_get_without_body(
    make_caller: MakeCaller, srv: LocalServer
) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k"))
    response = call.post(redirect_to("/echo", status=303), json={"a": 1})
    assert (response.data["method"], response.data["body"]) == ("GET", "")
    assert response.data["headers"]["x-api-key"] == "k"


def test_307_after_post_keeps_method_and_body(make_caller: MakeCaller) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k"))
    response = call.post(redirect_to("/echo", status=307), json={"a": 1})
    assert (response.data["method"], response.data["json"]) == ("POST", {"a": 1})
    assert response.data["headers"]["x-api-key"] == "k"


def test_follow_redirects_off_returns_the_redirect(
    make_caller: MakeCaller, srv: LocalServer
) -> None:
    call = caller(make_caller, AuthPlugin.api_key("k"), follow_redirects=False)
    response = call.get(redirect_to("/echo"))
    assert response.status_code == 302
    assert srv.count("/echo") == 0


def test_a_401_from_another_origin_is_not_refreshed(
    make_caller: MakeCaller, other: LocalServer
) -> None:
    asked: list[bool] = []

    def provider(refresh: bool = False) -> str:
        asked.append(refresh)
        return "k"

    call = caller(make_caller, AuthPlugin.api_key(provider))
    response = call.get(redirect_to(other.url("/status/401")))
    assert response.status_code == 401
    assert asked == [False]  # that origin never saw the key: a fresh one would not help
