"""The core sends a request's first hop itself (``_httpx_send.py``) and gets what httpx's
``client.send`` gives: the same response, history, cookies, log line and errors, on both paths,
on the engine under test; requests with httpx auth go through ``client.send``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python import _httpx_send
from axios_python._redirects import async_cap_hop, async_guard, sync_cap_hop, sync_guard
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer, Reply


def test_the_direct_path_is_on_for_this_engine() -> None:
    assert _httpx_send._engine_parts() is not None


def _loop_route(srv: LocalServer) -> None:
    srv.route("/loop", lambda request: Reply(status=302, headers={"Location": "/loop"}))


def _bad_location_route(srv: LocalServer) -> None:
    srv.route("/bad", lambda request: Reply(status=302, headers={"Location": "http://[::1"}))


#: (method, path, follow_redirects): every way a hop can end
SCENARIOS = [
    ("GET", "/json", True),
    ("HEAD", "/json", True),
    ("GET", "/status/404", True),
    ("GET", "/cookies/set?a=1&b=2", True),
    ("GET", "/redirect?to=/cookies/set%3Fc%3D3", True),
    ("GET", "/redirect?to=/redirect%3Fto%3D/json%26status%3D307&status=301", True),
    ("POST", "/redirect?to=/echo&status=303", True),
    ("POST", "/redirect?to=/echo&status=307", True),
    ("GET", "/redirect?to=/json", False),
    ("GET", "/loop", True),
    ("GET", "/bad", True),
    ("GET", "/bad", False),
    ("GET", "dead", True),
]


def _summary(outcome: Any, client: Any) -> Any:
    if isinstance(outcome, Exception):
        request = getattr(outcome, "_request", None)
        return (type(outcome).__name__, str(outcome), None if request is None else str(request.url))
    response = outcome
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    following = response.next_request
    return (
        response.status_code,
        headers,
        response.content,
        response.default_encoding,
        str(response.request.url),
        response.request.method,
        [(h.status_code, str(h.url), h.is_closed) for h in response.history],
        None if following is None else (following.method, str(following.url)),
        sorted(client.cookies.items()),
        type(response.elapsed).__name__,
    )


@pytest.fixture(scope="module")
def dead_url() -> str:
    """A loopback URL nothing listens on any more."""
    with LocalServer() as gone:
        return gone.url("/json")


def _hooks(*, is_async: bool) -> dict[str, list[Any]]:
    if is_async:
        return {"request": [async_guard], "response": [async_cap_hop]}
    return {"request": [sync_guard], "response": [sync_cap_hop]}


def _log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == httpx.__name__]
    caplog.clear()
    return lines


@pytest.fixture(params=SCENARIOS, ids=[f"{m} {p} follow={f}" for m, p, f in SCENARIOS])
def hop(
    request: pytest.FixtureRequest,
    srv: LocalServer,
    dead_url: str,
    caplog: pytest.LogCaptureFixture,
) -> tuple[str, str, bool]:
    """One scenario: its method, URL and whether redirects are followed; httpx's log lines are
    captured."""
    _loop_route(srv)
    _bad_location_route(srv)
    caplog.set_level(logging.INFO, logger=httpx.__name__)
    method, path, follow = request.param
    return method, dead_url if path == "dead" else srv.url(path), follow


def test_sync_hops_are_what_client_send_gives(
    hop: tuple[str, str, bool], caplog: pytest.LogCaptureFixture
) -> None:
    method, url, follow = hop
    results = []
    for send in ("httpx", "core"):
        with httpx.Client(event_hooks=_hooks(is_async=False), default_encoding="latin-1") as client:
            request = client.build_request(method, url)
            try:
                if send == "httpx":
                    response = client.send(request, stream=True, follow_redirects=follow)
                else:
                    response = _httpx_send.client_send_sync(
                        client, request, auth=None, follow_redirects=follow
                    )
                response.read()
                outcome: Any = response
            except httpx.HTTPError as exc:
                outcome = exc
            results.append((_summary(outcome, client), _log_lines(caplog)))
    assert results[1] == results[0]


async def test_async_hops_are_what_client_send_gives(
    hop: tuple[str, str, bool], caplog: pytest.LogCaptureFixture
) -> None:
    method, url, follow = hop
    results = []
    for send in ("httpx", "core"):
        async with httpx.AsyncClient(
            event_hooks=_hooks(is_async=True), default_encoding="latin-1"
        ) as client:
            request = client.build_request(method, url)
            try:
                if send == "httpx":
                    response = await client.send(request, stream=True, follow_redirects=follow)
                else:
                    response = await _httpx_send.client_send_async(
                        client, request, auth=None, follow_redirects=follow
                    )
                await response.aread()
                outcome: Any = response
            except httpx.HTTPError as exc:
                outcome = exc
            results.append((_summary(outcome, client), _log_lines(caplog)))
    assert results[1] == results[0]


def _sends(monkeypatch: pytest.MonkeyPatch, kind: Any) -> list[str]:
    """Which of the two ways each request of the test was sent."""
    seen: list[str] = []
    original = kind.send

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append("client.send")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(kind, "send", spy)
    return seen


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch, mode: str) -> list[str]:
    return _sends(monkeypatch, httpx.AsyncClient if mode == "async" else httpx.Client)


def test_a_plain_call_is_sent_by_the_core(
    make: Callable[..., Caller], srv: LocalServer, sends: list[str]
) -> None:
    call = make()
    assert call("get", "/json").status_code == 200
    assert call("get", "/redirect", params={"to": "/json"}).history[0].status_code == 302
    assert sends == []


def test_an_engine_laid_out_otherwise_has_every_request_sent_by_client_send(
    make: Callable[..., Caller],
    srv: LocalServer,
    sends: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_httpx_send, "_engine_parts", lambda: None)
    call = make()
    assert call("get", "/json").status_code == 200
    assert call("get", "/redirect", params={"to": "/json"}).history[0].status_code == 302
    assert sends == ["client.send", "client.send"]


def test_httpx_auth_goes_through_client_send(
    make: Callable[..., Caller], srv: LocalServer, sends: list[str]
) -> None:
    call = make({"auth": ("user", "pass")})
    echoed = call("get", "/echo").data["headers"]
    assert echoed["authorization"] == "Basic dXNlcjpwYXNz"
    assert sends == ["client.send"]


def test_userinfo_in_the_url_goes_through_client_send(
    make: Callable[..., Caller], srv: LocalServer, sends: list[str]
) -> None:
    call = make()
    url = srv.url("/echo").replace("http://", "http://ann:s3cret@")
    echoed = call("get", url).data["headers"]
    assert echoed["authorization"] == "Basic YW5uOnMzY3JldA=="  # as httpx sends it
    assert sends == ["client.send"]


def test_what_httpx_does_to_a_response_is_done(
    make: Callable[..., Caller], srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=httpx.__name__)
    call = make()
    response = call("get", "/redirect", params={"to": "/cookies/set?flavour=oat"})
    assert response.elapsed.total_seconds() > 0
    assert [h.status_code for h in response.history] == [302]
    assert response.history[0].elapsed.total_seconds() > 0
    assert call("get", "/cookies").data == {"flavour": "oat"}  # set on the followed hop
    lines = [r.getMessage() for r in caplog.records if r.name == httpx.__name__]
    assert (
        lines[0].startswith("HTTP Request: GET http://127.0.0.1:") and '"HTTP/1.1 302' in lines[0]
    )
    assert len(lines) == 3


def test_a_failed_connect_names_its_request(make: Callable[..., Caller]) -> None:
    with LocalServer() as gone:
        url = gone.url("/json")
    call = make()
    with pytest.raises(axios_python.NetworkError) as caught:
        call("get", url)
    assert caught.value.request is not None
    assert str(caught.value.request.url) == url


def test_a_closed_client_is_refused_as_httpx_refuses_it(srv: LocalServer) -> None:
    client = httpx.Client()
    request = client.build_request("GET", srv.url("/json"))
    client.close()
    with pytest.raises(RuntimeError, match="client has been closed"):
        _httpx_send.client_send_sync(client, request, auth=None, follow_redirects=True)


def test_the_clients_hooks_run_in_order_on_every_hop(srv: LocalServer) -> None:
    import asyncio

    seen: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        seen.append(f"request {request.url.path}")

    async def on_response(response: httpx.Response) -> None:
        seen.append(f"response {response.status_code}")

    async def run() -> None:
        hooks: dict[str, list[Callable[..., Any]]] = {
            "request": [async_guard, on_request],
            "response": [on_response, async_cap_hop],
        }
        async with httpx.AsyncClient(event_hooks=hooks) as client:
            request = client.build_request("GET", srv.url("/redirect?to=/json"))
            response = await _httpx_send.client_send_async(
                client, request, auth=None, follow_redirects=True
            )
            await response.aread()

    asyncio.run(run())
    assert seen == ["request /redirect", "response 302", "request /json", "response 200"]
