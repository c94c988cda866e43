"""OAuth2 client credentials against a real loopback token endpoint."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPythonError
from axios_python.testing import Caller, LogCapture
from axios_python_plugin_auth import AuthError, AuthPlugin, _sources

MakeCaller = Callable[..., Caller]
NewApi = Callable[..., axios_python.AxiosPython]

#: The client secret of the tests that need no token endpoint.
SECRET = "cs-without-a-server-7"


def cc(server: Any, **options: object) -> AuthPlugin:
    return AuthPlugin.client_credentials(
        server.url("/token"),
        server.CLIENT_ID,
        server.CLIENT_SECRET,
        **options,  # type: ignore[arg-type]
    )


def on(server: Any, make_caller: MakeCaller, plugin: AuthPlugin) -> Caller:
    return make_caller({"base_url": server.base_url, "plugins": [plugin]})


class FakeClock:
    """Stands in for time.monotonic in the plugin's token bookkeeping."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_sources, "clock", fake)
    return fake


def test_token_is_fetched_once_and_reused(auth_server: Any, make_caller: MakeCaller) -> None:
    plugin = cc(auth_server, scope=["reports:read", "reports:write"], audience="api")
    call = on(auth_server, make_caller, plugin)
    for _ in range(3):
        assert call.get("/protected").data == {"authorization": "Bearer cc-1"}
    assert auth_server.token_forms == [
        {
            "grant_type": "client_credentials",
            "scope": "reports:read reports:write",
            "audience": "api",
            "client_id": auth_server.CLIENT_ID,
            "client_secret": auth_server.CLIENT_SECRET,
        }
    ]


def test_client_secret_basic_sends_the_secret_in_a_header(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    call = on(auth_server, make_caller, cc(auth_server, auth_method="client_secret_basic"))
    assert call.get("/protected").status_code == 200
    assert auth_server.token_forms == [{"grant_type": "client_credentials"}]
    pair = f"{auth_server.CLIENT_ID}:{auth_server.CLIENT_SECRET}"
    assert auth_server.token_auth == [f"Basic {base64.b64encode(pair.encode()).decode()}"]


def test_the_token_request_does_not_go_through_the_users_client(
    auth_server: Any, new_api: NewApi
) -> None:
    api = new_api(auth_server, cc(auth_server))
    seen: list[str] = []

    def spy(config: dict[str, object]) -> dict[str, object]:
        seen.append(str(config["url"]))
        return config

    api.interceptors.request.use(spy)
    api.get("/protected")
    assert seen == ["/protected"]
    assert [r[1] for r in auth_server.requests] == ["/token", "/protected"]
    api.close()


def test_token_is_refreshed_after_it_expires(
    auth_server: Any, make_caller: MakeCaller, clock: FakeClock
) -> None:
    auth_server.expires_in = 1  # refreshed half-way through its lifetime at the latest
    call = on(auth_server, make_caller, cc(auth_server))
    assert call.get("/protected").data == {"authorization": "Bearer cc-1"}
    clock.advance(1.1)
    assert call.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2


@pytest.mark.parametrize("expires_in", [300, "300"])  # some servers send a string
def test_refresh_margin_before_expiry(
    auth_server: Any, make_caller: MakeCaller, clock: FakeClock, expires_in: Any
) -> None:
    auth_server.expires_in = expires_in
    call = on(auth_server, make_caller, cc(auth_server, refresh_margin=60))
    call.get("/protected")
    clock.advance(239)  # 61 s left: still kept
    call.get("/protected")
    assert auth_server.issued == 1
    clock.advance(2)  # 59 s left: inside the margin, refreshed ahead of its expiry
    assert call.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2


def test_ahead_of_time_refresh_lets_the_others_use_the_valid_token(
    auth_server: Any, clock: FakeClock, new_api: NewApi
) -> None:
    auth_server.expires_in = 100
    api = new_api(auth_server, cc(auth_server, refresh_margin=30))
    api.get("/protected")
    clock.advance(80)  # inside the margin, not expired
    auth_server.token_gate = gate = threading.Event()  # the token endpoint hangs until set
    with ThreadPoolExecutor(8) as pool:
        auth_server.token_requested.clear()
        refresher = pool.submit(api.get, "/protected")
        assert auth_server.token_requested.wait(30), "the refresh never reached the endpoint"
        others = [pool.submit(api.get, "/protected") for _ in range(6)]
        seen = [f.result(timeout=30).data["authorization"] for f in others]
        gate.set()
        assert refresher.result(timeout=30).data == {"authorization": "Bearer cc-2"}
    assert seen == ["Bearer cc-1"] * 6  # nobody waited for the slow token endpoint
    assert auth_server.issued == 2
    api.close()


def test_a_failing_ahead_of_time_refresh_keeps_the_valid_token(
    auth_server: Any, clock: FakeClock, log_capture: LogCapture, new_api: NewApi
) -> None:
    auth_server.expires_in = 100
    api = new_api(auth_server, cc(auth_server, refresh_margin=30))
    api.get("/protected")
    clock.advance(80)
    auth_server.token_status = 503
    assert api.get("/protected").data == {"authorization": "Bearer cc-1"}
    (warning,) = [r for r in log_capture.records if r.levelno == logging.WARNING]
    assert "refreshing the OAuth2 token ahead of its expiry failed" in warning.getMessage()
    assert "HTTP 503" in warning.getMessage()
    clock.advance(30)  # now expired: the failure is the caller's
    with pytest.raises(AuthError):
        api.get("/protected")
    assert auth_server.CLIENT_SECRET not in log_capture.text()
    api.close()


def test_token_without_expires_in_is_kept_until_a_401(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    auth_server.expires_in = None
    call = on(auth_server, make_caller, cc(auth_server))
    assert call.get("/protected").data == {"authorization": "Bearer cc-1"}
    auth_server.revoke_all()
    assert call.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert call.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2


def test_16_threads_fetch_one_token(auth_server: Any, new_api: NewApi) -> None:
    auth_server.token_delay = 0.2
    api = new_api(auth_server, cc(auth_server))
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: api.get("/protected").data["authorization"], range(16)))
    assert results == ["Bearer cc-1"] * 16
    assert len(auth_server.token_forms) == 1
    api.close()


async def test_50_tasks_fetch_one_token(auth_server: Any, new_api: NewApi) -> None:
    auth_server.token_delay = 0.2
    api = new_api(auth_server, cc(auth_server))
    responses = await asyncio.gather(*(api.async_get("/protected") for _ in range(50)))
    assert {r.data["authorization"] for r in responses} == {"Bearer cc-1"}
    assert len(auth_server.token_forms) == 1
    await api.aclose()


def test_50_tasks_after_a_revocation_cause_one_token_request(
    auth_server: Any, new_api: NewApi
) -> None:
    api = new_api(auth_server, cc(auth_server))
    api.get("/protected")
    auth_server.revoke_all()
    auth_server.token_delay = 0.1

    async def burst() -> list[int]:
        responses = await asyncio.gather(*(api.async_get("/protected") for _ in range(50)))
        await api.aclose()
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 50
    assert len(auth_server.token_forms) == 2
    api.close()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"), (500, "Internal")],
)
def test_failing_token_endpoint_raises_auth_error(
    auth_server: Any, make_caller: MakeCaller, status: int, reason: str
) -> None:
    auth_server.token_status = status
    call = on(auth_server, make_caller, cc(auth_server))
    with pytest.raises(AuthError) as caught:
        call.get("/protected")
    error = caught.value
    assert isinstance(error, AxiosPythonError)
    assert str(error).startswith(
        f"token endpoint {auth_server.url('/token')} answered HTTP {status} {reason}"
    )
    assert "(invalid_client)" in str(error)
    assert (error.url, error.status_code) == (auth_server.url("/token"), status)
    assert auth_server.CLIENT_SECRET not in repr(error) + str(error)
    assert [r[1] for r in auth_server.requests] == ["/token"]  # nothing sent without a token


def test_wrong_secret_is_reported_without_the_secret(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    token_url = auth_server.url("/token")
    plugin = AuthPlugin.client_credentials(token_url, auth_server.CLIENT_ID, "wrong-secret-99")
    call = on(auth_server, make_caller, plugin)
    with pytest.raises(AuthError, match="HTTP 401") as caught:
        call.get("/protected")
    assert "wrong-secret-99" not in str(caught.value)


def test_an_error_code_echoing_the_secret_is_scrubbed(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    """The endpoint's ``error`` is the only text the plugin takes from outside the core."""
    auth_server.token_error = f"invalid_client {auth_server.CLIENT_SECRET}"
    auth_server.token_status = 400
    call = on(auth_server, make_caller, cc(auth_server))
    with pytest.raises(AuthError, match=r"\(invalid_client \*\*\*\)") as caught:
        call.get("/protected")
    assert auth_server.CLIENT_SECRET not in str(caught.value)


def test_a_200_without_access_token_is_an_auth_error(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    plugin = AuthPlugin.client_credentials(auth_server.url("/protected"), "a", "b")
    call = on(auth_server, make_caller, plugin)
    auth_server.accept("nothing")
    with pytest.raises(AuthError, match="answered HTTP 401"):
        call.get("/protected")


def test_unreachable_token_endpoint(auth_server: Any, make_caller: MakeCaller) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/oauth/token"
    secret = auth_server.CLIENT_SECRET
    call = on(auth_server, make_caller, AuthPlugin.client_credentials(url, "id-1", secret))
    with pytest.raises(AuthError) as caught:
        call.get("/protected")
    error = caught.value
    assert str(error).startswith(f"token request to {url} failed: NetworkError")
    assert secret not in str(error)
    assert error.status_code is None
    cause = error.__cause__
    assert isinstance(cause, axios_python.NetworkError)
    assert cause.config is None and cause.request is None  # they held the secret


def test_the_token_url_is_shown_without_credentials_or_query() -> None:
    plugin = AuthPlugin.client_credentials(
        "https://user:pw@auth.example.com/token?tenant_sig=t1", "id-1", SECRET
    )
    assert repr(plugin) == (
        "AuthPlugin.client_credentials(token_url='https://***:***@auth.example.com/token', "
        "client_id='id-1', client_secret=***)"
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"token_url": "/token"}, ValueError, "absolute http"),
        ({"client_id": ""}, ValueError, "client_id is empty"),
        ({"client_secret": None}, TypeError, "client_secret must be a str"),
        ({"scope": [1]}, TypeError, "scope must be a str or an iterable of str"),
        ({"audience": 5}, TypeError, "audience must be a str"),
        ({"refresh_margin": -1}, ValueError, "refresh_margin must be a number >= 0"),
        ({"timeout": "slow"}, ValueError, "timeout must be a number"),
        ({"auth_method": "jwt"}, ValueError, "'client_secret_post', 'client_secret_basic'"),
        ({"extra_params": {"a": 1}}, TypeError, "extra_params must be a dict of str"),
    ],
)
def test_bad_options(options: dict[str, object], error: type[Exception], message: str) -> None:
    arguments: dict[str, object] = {
        "token_url": "https://auth.example.com/token",
        "client_id": "id-1",
        "client_secret": SECRET,
        **options,
    }
    with pytest.raises(error, match=message) as caught:
        AuthPlugin.client_credentials(**arguments)  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)


def test_close_releases_the_token_client(auth_server: Any, new_api: NewApi) -> None:
    plugin = cc(auth_server)
    api = new_api(auth_server, plugin)
    api.get("/protected")
    http = plugin._source._http
    assert http is not None and not http.is_closed
    api.close()
    assert http.is_closed
