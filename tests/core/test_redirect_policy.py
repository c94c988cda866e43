"""The core follows redirects and decides per hop what may cross an origin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

import axios_python
from axios_python import Response, add_redirect_hook, may_receive_credentials, observe_hops
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer


def to(url: str, status: int = 302) -> str:
    return f"/redirect?status={status}&to={quote(url, safe='')}"


CREDENTIALS = {
    "Authorization": "Bearer B-1",
    "Proxy-Authorization": "Basic P-2",
    "X-Api-Key": "K-3",
    "X-Auth-Token": "T-4",
    "X-Service-Key": "S-5",
    "X-Tenant-Ref": "R-6",  # registered on the client below
}


@pytest.mark.parametrize("target", ["port", "host"])
def test_no_credential_reaches_another_origin(
    make_caller: Callable[..., Caller],
    local_server: LocalServer,
    other_server: LocalServer,
    target: str,
) -> None:
    call = make_caller({"headers": CREDENTIALS, "cookies": {"sid": "C-7"}, "auth": ("u", "A-8")})
    call.api.secrets.register(headers=["X-Tenant-Ref"])
    where = other_server.url("/echo") if target == "port" else "http://other.test/echo"
    response = call.get(to(where), cookies={"call": "C-9"}, headers={"X-Plain": "kept"})
    assert response.status_code == 200
    first, hop = local_server.requests[0], other_server.requests[0]
    for name in CREDENTIALS:
        assert first.header(name) is not None, name
    sent = " ".join(f"{k}: {v}" for k, v in hop.headers)
    for secret in ("B-1", "P-2", "K-3", "T-4", "S-5", "R-6", "C-7", "A-8", "C-9"):
        assert secret not in sent, (secret, sent)
    assert hop.header("x-plain") == "kept"


def test_same_origin_hops_keep_credentials(
    make_caller: Callable[..., Caller], local_server: LocalServer
) -> None:
    call = make_caller({"headers": {"X-Api-Key": "K"}})
    call.get(to("/echo/next"))
    assert [r.header("x-api-key") for r in local_server.requests] == ["K", "K"]


def test_back_to_the_origin_after_another_one_the_header_is_gone_for_good(
    make_caller: Callable[..., Caller], local_server: LocalServer, other_server: LocalServer
) -> None:
    call = make_caller({"headers": {"X-Api-Key": "K"}})
    back = local_server.url("/echo/back")
    call.get(to(f"http://other.test{to(back)}"))
    assert [r.header("x-api-key") for r in local_server.requests] == ["K", None]


def test_a_redirect_hook_runs_only_on_hops_that_may_carry_credentials(
    make_caller: Callable[..., Caller], local_server: LocalServer, other_server: LocalServer
) -> None:
    seen: list[str] = []

    def sign(ctx: dict[str, Any], next_fn: Any) -> Response:
        def hook(request: httpx.Request) -> None:
            seen.append(request.url.host)
            request.url = request.url.copy_merge_params({"sig": f"for-{request.url.path}"})

        add_redirect_hook(ctx, hook)
        return next_fn(ctx)  # type: ignore[no-any-return]

    call = make_caller()
    call.api.use(sign, scope="attempt")
    call.get(to(to("http://other.test/echo/far")))
    assert seen == ["127.0.0.1"]  # the same-origin hop, not the first request, not other.test
    assert local_server.requests[1].query["sig"] == ["for-/redirect"]
    assert "sig" not in other_server.requests[0].query


def test_validate_status_sees_the_final_answer(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"validate_status": lambda status: status < 300})
    response = call.get(to("/echo/landed"))
    assert response.status_code == 200 and [r.status_code for r in response.history] == [302]


def test_the_rule() -> None:
    origin = ("http", "h", 80)
    assert may_receive_credentials(origin, httpx.URL("http://h/x"))
    assert may_receive_credentials(origin, httpx.URL("https://h/x"))  # upgrade, same host
    assert not may_receive_credentials(origin, httpx.URL("https://h:8443/x"))
    assert not may_receive_credentials(origin, httpx.URL("http://h:81/x"))
    assert not may_receive_credentials(origin, httpx.URL("http://evil.h/x"))
    assert not may_receive_credentials(("https", "h", 443), httpx.URL("http://h/x"))


def test_a_sync_client_with_follow_redirects_off_returns_the_redirect(
    make_caller: Callable[..., Caller],
) -> None:
    response = make_caller({"follow_redirects": False}).get(to("/echo"))
    assert response.status_code == 302


def test_the_hook_is_per_attempt(api: axios_python.AxiosPython, srv: LocalServer) -> None:
    # the ctx of one attempt carries its hooks; the next call starts with none
    def once(ctx: dict[str, Any], next_fn: Any) -> Response:
        if ctx["url"].startswith("/redirect"):
            add_redirect_hook(ctx, lambda request: request.headers.__setitem__("X-Hop", "1"))
        return next_fn(ctx)  # type: ignore[no-any-return]

    api.use(once, scope="attempt")
    api.get(to("/echo/a"))
    api.get("/echo/plain")
    assert [r.header("x-hop") for r in srv.requests] == [None, "1", None]


def test_hop_observers_see_every_request_and_answer(
    make_caller: Callable[..., Caller], other_server: LocalServer
) -> None:
    seen: list[tuple[str, Any]] = []

    class Observer:
        def on_request(self, request: httpx.Request) -> None:
            seen.append(
                ("request", (request.url.host, request.url.path, "x-api-key" in request.headers))
            )

        def on_response(self, response: httpx.Response) -> None:
            seen.append(("response", response.status_code))

    def observe(ctx: dict[str, Any], next_fn: Any) -> Response:
        observe_hops(ctx, Observer())
        return next_fn(ctx)  # type: ignore[no-any-return]

    call = make_caller({"headers": {"X-Api-Key": "k"}})
    call.api.use(observe, scope="attempt")
    call.get(to(to("http://other.test/echo/far")))
    assert seen == [
        ("request", ("127.0.0.1", "/redirect", True)),
        ("response", 302),
        ("request", ("127.0.0.1", "/redirect", True)),
        ("response", 302),
        ("request", ("other.test", "/echo/far", False)),  # after the policy removed the key
        ("response", 200),
    ]
