"""OAuth2 client credentials against a real loopback token endpoint."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import axios_python
from axios_python import AxiosPythonError
from axios_python_plugin_auth import AuthError, AuthPlugin, _sources

from ._auth_server import CLIENT_ID, CLIENT_SECRET, AuthServer


def cc(server: AuthServer, **options: object) -> AuthPlugin:
    return AuthPlugin.client_credentials(
        server.url("/token"),
        CLIENT_ID,
        CLIENT_SECRET,
        **options,  # type: ignore[arg-type]
    )


def make(server: AuthServer, plugin: AuthPlugin) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": server.base_url, "timeout": 10.0})
    api.plugin(plugin)
    return api


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


def test_token_is_fetched_once_and_reused_sync(auth_server: AuthServer) -> None:
    api = make(
        auth_server, cc(auth_server, scope=["reports:read", "reports:write"], audience="api")
    )
    for _ in range(3):
        assert api.get("/protected").data == {"authorization": "Bearer cc-1"}
    assert auth_server.token_forms == [
        {
            "grant_type": "client_credentials",
            "scope": "reports:read reports:write",
            "audience": "api",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    ]
    api.close()


async def test_token_is_fetched_once_and_reused_async(auth_server: AuthServer) -> None:
    api = make(auth_server, cc(auth_server))
    for _ in range(3):
        assert (await api.async_get("/protected")).data == {"authorization": "Bearer cc-1"}
    assert auth_server.issued == 1
    await api.aclose()


def test_client_secret_basic_sends_the_secret_in_a_header(auth_server: AuthServer) -> None:
    api = make(auth_server, cc(auth_server, auth_method="client_secret_basic"))
    assert api.get("/protected").status_code == 200
    assert auth_server.token_forms == [{"grant_type": "client_credentials"}]
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert auth_server.token_auth == [f"Basic {expected}"]
    api.close()


def test_the_token_request_does_not_go_through_the_users_client(auth_server: AuthServer) -> None:
    api = make(auth_server, cc(auth_server))
    seen: list[str] = []

    def spy(config: dict[str, object]) -> dict[str, object]:
        seen.append(str(config["url"]))
        return config

    api.interceptors.request.use(spy)
    api.get("/protected")
    assert seen == ["/protected"]
    assert [r[1] for r in auth_server.requests] == ["/token", "/protected"]
    api.close()


def test_token_is_refreshed_after_it_expires(auth_server: AuthServer) -> None:
    auth_server.expires_in = 1  # refreshed half-way through its lifetime at the latest
    api = make(auth_server, cc(auth_server))
    assert api.get("/protected").data == {"authorization": "Bearer cc-1"}
    time.sleep(1.1)
    assert api.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2
    api.close()


def test_refresh_margin_before_expiry(auth_server: AuthServer, clock: FakeClock) -> None:
    auth_server.expires_in = 300
    api = make(auth_server, cc(auth_server, refresh_margin=60))
    api.get("/protected")
    clock.advance(239)  # 61 s left: still kept
    api.get("/protected")
    assert auth_server.issued == 1
    clock.advance(2)  # 59 s left: inside the margin, refreshed ahead of its expiry
    assert api.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2
    api.close()


async def test_refresh_margin_before_expiry_async(
    auth_server: AuthServer, clock: FakeClock
) -> None:
    auth_server.expires_in = "120"  # some servers send a string
    api = make(auth_server, cc(auth_server, refresh_margin=30))
    await api.async_get("/protected")
    clock.advance(89)
    await api.async_get("/protected")
    assert auth_server.issued == 1
    clock.advance(2)
    assert (await api.async_get("/protected")).data == {"authorization": "Bearer cc-2"}
    await api.aclose()


def test_ahead_of_time_refresh_lets_the_others_use_the_valid_token(
    auth_server: AuthServer, clock: FakeClock
) -> None:
    auth_server.expires_in = 100
    api = make(auth_server, cc(auth_server, refresh_margin=30))
    api.get("/protected")
    clock.advance(80)  # inside the margin, not expired
    auth_server.token_gate = gate = threading.Event()  # the token endpoint hangs until set
    with ThreadPoolExecutor(8) as pool:
        refresher = pool.submit(api.get, "/protected")
        deadline = time.monotonic() + 30
        while not auth_server.token_forms[1:]:  # the refresh is under way
            assert time.monotonic() < deadline, "the refresh never reached the token endpoint"
            time.sleep(0.01)
        others = [pool.submit(api.get, "/protected") for _ in range(6)]
        seen = [f.result(timeout=30).data["authorization"] for f in others]
        gate.set()
        assert refresher.result(timeout=30).data == {"authorization": "Bearer cc-2"}
    assert seen == ["Bearer cc-1"] * 6  # nobody waited for the slow token endpoint
    assert auth_server.issued == 2
    api.close()


def test_a_failing_ahead_of_time_refresh_keeps_the_valid_token(
    auth_server: AuthServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    auth_server.expires_in = 100
    api = make(auth_server, cc(auth_server, refresh_margin=30))
    api.get("/protected")
    clock.advance(80)
    auth_server.token_status = 503
    assert api.get("/protected").data == {"authorization": "Bearer cc-1"}
    assert "refreshing the OAuth2 token ahead of its expiry failed" in caplog.text
    assert "HTTP 503" in caplog.text
    clock.advance(30)  # now expired: the failure is the caller's
    with pytest.raises(AuthError):
        api.get("/protected")
    assert CLIENT_SECRET not in caplog.text
    api.close()


def test_token_without_expires_in_is_kept_until_a_401(auth_server: AuthServer) -> None:
    auth_server.expires_in = None
    api = make(auth_server, cc(auth_server))
    assert api.get("/protected").data == {"authorization": "Bearer cc-1"}
    auth_server.revoke_all()
    assert api.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert api.get("/protected").data == {"authorization": "Bearer cc-2"}
    assert auth_server.issued == 2
    api.close()


async def test_401_fetches_a_new_token_async(auth_server: AuthServer) -> None:
    api = make(auth_server, cc(auth_server))
    await api.async_get("/protected")
    auth_server.revoke_all()
    assert (await api.async_get("/protected")).data == {"authorization": "Bearer cc-2"}
    await api.aclose()


def test_16_threads_fetch_one_token(auth_server: AuthServer) -> None:
    auth_server.token_delay = 0.2
    api = make(auth_server, cc(auth_server))
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: api.get("/protected").data["authorization"], range(16)))
    assert results == ["Bearer cc-1"] * 16
    assert len(auth_server.token_forms) == 1
    api.close()


async def test_50_tasks_fetch_one_token(auth_server: AuthServer) -> None:
    auth_server.token_delay = 0.2
    api = make(auth_server, cc(auth_server))
    responses = await asyncio.gather(*(api.async_get("/protected") for _ in range(50)))
    assert {r.data["authorization"] for r in responses} == {"Bearer cc-1"}
    assert len(auth_server.token_forms) == 1
    await api.aclose()


def test_50_tasks_after_a_revocation_cause_one_token_request(auth_server: AuthServer) -> None:
    api = make(auth_server, cc(auth_server))
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


@pytest.mark.parametrize("status", [400, 401, 500])
def test_failing_token_endpoint_raises_auth_error(auth_server: AuthServer, status: int) -> None:
    auth_server.token_status = status
    api = make(auth_server, cc(auth_server))
    with pytest.raises(AuthError) as caught:
        api.get("/protected")
    error = caught.value
    assert isinstance(error, AxiosPythonError)
    assert str(error).startswith(
        f"token endpoint {auth_server.url('/token')} answered HTTP {status}"
    )
    assert "(invalid_client)" in str(error)
    assert (error.url, error.status_code) == (auth_server.url("/token"), status)
    assert CLIENT_SECRET not in repr(error) + str(error)
    assert [r[1] for r in auth_server.requests] == ["/token"]  # nothing sent without a token
    api.close()


async def test_failing_token_endpoint_raises_auth_error_async(auth_server: AuthServer) -> None:
    auth_server.token_status = 403
    api = make(auth_server, cc(auth_server))
    with pytest.raises(AuthError, match="answered HTTP 403 Forbidden"):
        await api.async_get("/protected")
    await api.aclose()


def test_wrong_secret_is_reported_without_the_secret(auth_server: AuthServer) -> None:
    plugin = AuthPlugin.client_credentials(auth_server.url("/token"), CLIENT_ID, "wrong-secret-99")
    api = make(auth_server, plugin)
    with pytest.raises(AuthError, match="HTTP 401") as caught:
        api.get("/protected")
    assert "wrong-secret-99" not in str(caught.value)
    api.close()


def test_a_200_without_access_token_is_an_auth_error(auth_server: AuthServer) -> None:
    api = make(auth_server, AuthPlugin.client_credentials(auth_server.url("/protected"), "a", "b"))
    auth_server.accept("nothing")
    with pytest.raises(AuthError, match="answered HTTP 401"):
        api.get("/protected")
    api.close()


def test_unreachable_token_endpoint(auth_server: AuthServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/oauth/token"
    api = make(auth_server, AuthPlugin.client_credentials(url, CLIENT_ID, CLIENT_SECRET))
    with pytest.raises(AuthError) as caught:
        api.get("/protected")
    error = caught.value
    assert str(error).startswith(f"token request to {url} failed: NetworkError")
    assert error.status_code is None
    cause = error.__cause__
    assert isinstance(cause, axios_python.NetworkError)
    assert cause.config is None and cause.request is None  # they held the secret
    api.close()


def test_the_token_url_is_shown_without_credentials_or_query() -> None:
    plugin = AuthPlugin.client_credentials(
        "https://user:pw@auth.example.com/token?tenant=t1", CLIENT_ID, CLIENT_SECRET
    )
    assert repr(plugin) == (
        "AuthPlugin.client_credentials(token_url='https://auth.example.com/token', "
        f"client_id='{CLIENT_ID}', client_secret=***)"
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
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **options,
    }
    with pytest.raises(error, match=message) as caught:
        AuthPlugin.client_credentials(**arguments)  # type: ignore[arg-type]
    assert CLIENT_SECRET not in str(caught.value)


def test_close_releases_the_token_client(auth_server: AuthServer) -> None:
    plugin = cc(auth_server)
    api = make(auth_server, plugin)
    api.get("/protected")
    http = plugin._source._http
    assert http is not None and not http.is_closed
    api.close()
    assert http.is_closed
