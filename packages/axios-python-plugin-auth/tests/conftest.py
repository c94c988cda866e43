"""Fixtures of the auth plugin's tests: a token-checking server and a second origin."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

import axios_python
from axios_python.testing import LocalServer, RecordedRequest, Reply

pytest_plugins = ["axios_python.testing.fixtures"]


class AuthServer:
    """The test server: ``/protected`` answers 200 (JSON of the credentials it received) when
    the request carries one of the credentials in ``valid`` and 401 otherwise; ``/token`` is an
    OAuth2 token endpoint for the client credentials grant of ``CLIENT_ID``/``CLIENT_SECRET``
    that issues ``cc-1``, ``cc-2``, ... and makes each one valid. Every attribute may be changed
    by a test (``reset()`` restores it)."""

    CLIENT_ID = "svc-reports"
    CLIENT_SECRET = "cs-very-secret-0042"

    def __init__(self, server: LocalServer) -> None:
        self._lock = threading.Lock()
        self._server = server
        server.route("/protected", self._protected)
        server.route("/token", self._token)
        self.reset()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def reset(self) -> None:
        with self._lock:
            #: credentials /protected accepts: Authorization values, API keys
            self.valid: set[str] = set()
            #: the token endpoint: status to fail with (None: succeed), delay, expires_in
            self.token_status: int | None = None
            #: the OAuth ``error`` code a failing token endpoint answers with
            self.token_error = "invalid_client"
            self.token_delay = 0.0
            #: when set, the token endpoint waits for this event before answering
            self.token_gate: threading.Event | None = None
            #: set when a token request arrives (before it waits for ``token_gate``)
            self.token_requested = threading.Event()
            self.expires_in: Any = 3600
            self.issued = 0
            self.token_forms: list[dict[str, str]] = []
            self.token_auth: list[str | None] = []
            self.requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
            self.counters: dict[str, int] = {}

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- state, shared with the handler threads -------------------------------------------

    def valid_credentials(self) -> set[str]:
        with self._lock:
            return set(self.valid)

    def accept(self, *credentials: str) -> None:
        with self._lock:
            self.valid.update(credentials)

    def revoke_all(self) -> None:
        with self._lock:
            self.valid.clear()

    def record(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, str]
    ) -> None:
        with self._lock:
            self.requests.append((method, path, headers, query))

    def count(self, name: str) -> None:
        with self._lock:
            self.counters[name] = self.counters.get(name, 0) + 1

    def hits(self, name: str) -> int:
        with self._lock:
            return self.counters.get(name, 0)

    def issue(self, form: dict[str, str], authorization: str | None) -> tuple[int, Any]:
        with self._lock:
            self.token_forms.append(form)
            self.token_auth.append(authorization)
            delay, status, gate = self.token_delay, self.token_status, self.token_gate
            error = self.token_error
            self.token_requested.set()
        if delay:
            time.sleep(delay)
        if gate is not None:
            gate.wait(30)
        if status is not None:
            return status, {"error": error, "error_description": "go away"}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        if (client_id, secret) != (self.CLIENT_ID, self.CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        with self._lock:
            self.issued += 1
            token = f"cc-{self.issued}"
            self.valid.add(f"Bearer {token}")
            payload: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
            if self.expires_in is not None:
                payload["expires_in"] = self.expires_in
        return 200, payload

    # -- routes ---------------------------------------------------------------------------

    def _protected(self, request: RecordedRequest) -> Reply:
        query = {k: v[0] for k, v in request.query.items()}
        self.record(request.method, request.path, dict(request.headers), query)
        authorization = request.header("Authorization")
        presented = {authorization, request.header("X-Api-Key"), query.get("api_key")}
        if presented & self.valid_credentials():
            return Reply(json={"authorization": authorization})
        self.count("401")
        return Reply(401, json={"error": "unauthorized"}, headers={"WWW-Authenticate": "Bearer"})

    def _token(self, request: RecordedRequest) -> Reply:
        query = {k: v[0] for k, v in request.query.items()}
        self.record(request.method, request.path, dict(request.headers), query)
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        status, payload = self.issue(form, request.header("Authorization"))
        return Reply(status, json=payload)


@pytest.fixture(scope="session")
def _auth_server() -> Iterator[AuthServer]:
    with LocalServer() as server:
        yield AuthServer(server)


@pytest.fixture
def auth_server(_auth_server: AuthServer) -> AuthServer:
    """The session's AuthServer, its state reset."""
    _auth_server.reset()
    return _auth_server


@pytest.fixture
def other(other_server: LocalServer) -> LocalServer:
    """The shipped ``other_server``: another origin (another port, or the host ``other.test``)
    than ``local_server``."""
    return other_server


@pytest.fixture
def srv(local_server: LocalServer) -> LocalServer:
    """The shipped ``local_server`` (reset for each test), by a short name."""
    return local_server


@pytest.fixture
def new_api() -> Callable[..., axios_python.AxiosPython]:
    """``new_api(server, plugin, **config)``: a new instance whose ``base_url`` is ``server``'s,
    with ``plugin`` attached. The test closes it (``aclose()`` on its own loop when async)."""

    def make(server: Any, plugin: Any, **config: Any) -> axios_python.AxiosPython:
        api = axios_python.create({"base_url": server.base_url, "timeout": 10.0, **config})
        api.plugin(plugin)
        return api

    return make
