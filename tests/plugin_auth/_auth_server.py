"""A small loopback server for the auth tests, on the standard library only.

``/protected`` answers 200 (JSON of the credentials it received) when the request carries one of
the credentials in ``valid`` and 401 otherwise; ``/token`` is an OAuth2 token endpoint for the
client credentials grant that issues ``cc-1``, ``cc-2``, ... and makes each one valid.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["AuthServer"]

CLIENT_ID = "svc-reports"
CLIENT_SECRET = "cs-very-secret-0042"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        owner = self.server.owner
        owner.record(self.command, parts.path, dict(self.headers.items()), query)
        if parts.path == "/protected":
            presented = {
                self.headers.get("Authorization"),
                self.headers.get("X-Api-Key"),
                query.get("api_key"),
            }
            if presented & owner.valid_credentials():
                self._reply(200, {"authorization": self.headers.get("Authorization")})
            else:
                owner.count("401")
                self._reply(401, {"error": "unauthorized"}, {"WWW-Authenticate": "Bearer"})
        elif parts.path == "/token":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            status, payload = owner.issue(form, self.headers.get("Authorization"))
            self._reply(status, payload)
        else:
            self._reply(404, {"error": "not found"})

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: AuthServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner


class AuthServer:
    """The test server; every attribute may be changed by a test (``reset()`` restores it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server = _Server(self)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="auth-test-server", daemon=True
        )
        self.reset()

    def reset(self) -> None:
        with self._lock:
            #: credentials /protected accepts: Authorization values, API keys
            self.valid: set[str] = set()
            #: the token endpoint: status to fail with (None: succeed), delay, expires_in
            self.token_status: int | None = None
            self.token_delay = 0.0
            #: when set, the token endpoint waits for this event before answering
            self.token_gate: threading.Event | None = None
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
        if delay:
            time.sleep(delay)
        if gate is not None:
            gate.wait(30)
        if status is not None:
            return status, {"error": "invalid_client", "error_description": "go away"}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        with self._lock:
            self.issued += 1
            token = f"cc-{self.issued}"
            self.valid.add(f"Bearer {token}")
            payload: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
            if self.expires_in is not None:
                payload["expires_in"] = self.expires_in
        return 200, payload

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> AuthServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
