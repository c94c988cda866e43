"""A small stdlib HTTP server that plays the third-party APIs the seed posts call.

The seed posts talk to ``api.example.com``, ``api.github.com``, ``api.stripe.com``,
``api.thirdparty.com`` and ``service.local``. The tests route those hosts to this server
(``redirect`` keeps the ``Host`` header), and the server answers by host and path with plausible
JSON, so every sample runs as written:

=============================  =======================================================
``GET /users``                 GitHub (``Host: api.github.com``): a list of users;
                               any other host: ``{"data": [...]}`` (an envelope)
``POST /users``                201 ``{"data": {"id": ..., **body}}``
``GET /users/<login>``         a GitHub user; unknown logins 404 like GitHub
``GET /users/<login>/repos``   ``{"total_count": n, "items": [...]}``; unknown: 404
``POST /charges``,             a Stripe charge; without ``amount`` 400 with a Stripe
``POST /v1/charges``           ``invalid_request_error``
``GET /reports/<name>.csv``    a CSV export, one row every ``export_delay`` seconds
``GET /inventory``             ``{"items": [...]}`` (for retry tests with ``drop_next``)
=============================  =======================================================

Every request is recorded as a :class:`Hit`. ``delay`` slows every answer down,
``drop_next(path, n)`` closes the connection without answering the next ``n`` hits of a path.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

__all__ = ["OCTOCAT", "OCTOCAT_REPOS", "USERS", "FakeApis", "Hit"]

USERS: list[dict[str, Any]] = [
    {"id": 1, "name": "Grace Hopper", "email": "grace@example.com"},
    {"id": 2, "name": "Linus Torvalds", "email": "linus@example.com"},
]

OCTOCAT: dict[str, Any] = {
    "login": "octocat",
    "id": 583231,
    "type": "User",
    "name": "The Octocat",
    "company": "@github",
    "public_repos": 8,
    "html_url": "https://github.com/octocat",
}

OCTOCAT_REPOS: list[dict[str, Any]] = [
    {"id": 1296269, "name": "Hello-World", "full_name": "octocat/Hello-World", "fork": False},
    {"id": 132935648, "name": "boysenberry-repo-1", "full_name": "octocat/boysenberry-repo-1"},
]

EXPORT_ROWS = 20


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    method: str
    host: str  # the Host header, without the port
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or ``None``."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: list[Hit] = field(default_factory=list)
    drops: dict[str, int] = field(default_factory=dict)
    arrived: threading.Condition = field(default_factory=threading.Condition)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeApis

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients that cancel or time out break connections on purpose."""


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apis/1.0"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection is closed after this many seconds

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""

    @property
    def owner(self) -> FakeApis:
        server = self.server
        assert isinstance(server, _Server)
        return server.owner

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, POST, ...) goes to one dispatcher.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        hit = Hit(
            method=self.command,
            host=host,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        owner = self.owner
        if owner._record(hit):
            self._drop()
            return
        if owner.delay and not owner._sleep(owner.delay):
            self._drop()
            return
        self._route(hit)

    # -- answers --------------------------------------------------------------------------

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _not_found(self, hit: Hit) -> None:
        if hit.host == "api.github.com":
            self._json(
                404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
            )
        else:
            self._json(404, {"error": "not found", "path": hit.path})

    # -- routes ---------------------------------------------------------------------------

    def _route(self, hit: Hit) -> None:
        segments = [s for s in hit.path.split("/") if s]
        if segments == ["users"]:
            self._users(hit)
        elif len(segments) == 2 and segments[0] == "users" and hit.method == "GET":
            self._github_user(hit, segments[1])
        elif len(segments) == 3 and segments[0] == "users" and segments[2] == "repos":
            self._github_repos(hit, segments[1])
        elif segments in (["charges"], ["v1", "charges"]) and hit.method == "POST":
            self._stripe_charge(hit)
        elif len(segments) == 2 and segments[0] == "reports" and segments[1].endswith(".csv"):
            self._export()
        elif segments == ["inventory"]:
            self._json(200, {"items": [{"sku": "A-1", "stock": 4}, {"sku": "B-2", "stock": 0}]})
        else:
            self._not_found(hit)

    def _users(self, hit: Hit) -> None:
        if hit.method == "POST":
            created = {
                "id": next(self.owner._user_ids),
                **(json.loads(hit.body) if hit.body else {}),
            }
            self._json(201, {"data": created})
        elif hit.host == "api.github.com":
            self._json(200, [{"login": "octocat", "id": 583231}, {"login": "hubot", "id": 1}])
        else:
            self._json(200, {"data": USERS, "meta": {"page": 1, "total": len(USERS)}})

    def _github_user(self, hit: Hit, login: str) -> None:
        if login != "octocat":
            self._not_found(hit)
            return
        self._json(200, OCTOCAT)

    def _github_repos(self, hit: Hit, login: str) -> None:
        if login != "octocat":
            self._not_found(hit)
            return
        self._json(200, {"total_count": len(OCTOCAT_REPOS), "items": OCTOCAT_REPOS})

    def _stripe_charge(self, hit: Hit) -> None:
        params: dict[str, Any]
        if "json" in (hit.header("content-type") or ""):
            params = json.loads(hit.body)
        else:
            params = dict(parse_qsl(hit.body.decode()))
        if "amount" not in params:
            error = {
                "type": "invalid_request_error",
                "message": "Missing required param: amount.",
                "param": "amount",
            }
            self._json(400, {"error": error})
            return
        charge = {
            "id": f"ch_{next(self.owner._charge_ids):08d}",
            "object": "charge",
            "amount": int(params["amount"]),
            "currency": params.get("currency", "usd"),
            "status": "succeeded",
        }
        self._json(200, charge)

    def _export(self) -> None:
        rows = [b"id,amount,currency\n"]
        rows += [b"%d,%d,usd\n" % (i, i * 100) for i in range(1, EXPORT_ROWS + 1)]
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(sum(len(r) for r in rows)))
        self.end_headers()
        delay = self.owner.export_delay
        for index, row in enumerate(rows):
            if index and delay and not self.owner._sleep(delay):
                self._drop()
                return
            self.wfile.write(row)
            self.wfile.flush()


class FakeApis:
    """The fake third-party APIs; use as a context manager (``with FakeApis() as apis:``)."""

    def __init__(self) -> None:
        self._state = _State()
        self._stopping = threading.Event()
        self._user_ids = itertools.count(len(USERS) + 1)
        self._charge_ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        #: Seconds to wait before answering any request.
        self.delay = 0.0
        #: Seconds between two rows of a CSV export.
        self.export_delay = 0.0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeApis:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)

    def __enter__(self) -> FakeApis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "FakeApis is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- behaviour knobs ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the hits and the pending drops; back to no delays."""
        with self._state.lock:
            self._state.hits.clear()
            self._state.drops.clear()
        self._user_ids = itertools.count(len(USERS) + 1)
        self._charge_ids = itertools.count(1)
        self.delay = 0.0
        self.export_delay = 0.0

    def drop_next(self, path: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` requests for ``path``."""
        with self._state.lock:
            self._state.drops[path] = times

    # -- what was received ----------------------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """Every request received since the last reset, in arrival order."""
        with self._state.lock:
            return list(self._state.hits)

    def hits_for(self, path: str, method: str | None = None) -> list[Hit]:
        """The requests received for ``path`` (and ``method``, when given)."""
        return [h for h in self.hits if h.path == path and (method is None or h.method == method)]

    def wait_for(self, path: str, timeout: float = 5.0) -> bool:
        """Block until a request for ``path`` arrived; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._state.arrived:
            while not self.hits_for(path):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._state.arrived.wait(remaining)
        return True

    # -- used by the handler --------------------------------------------------------------

    def _record(self, hit: Hit) -> bool:
        """Record ``hit``; return whether its connection must be dropped."""
        with self._state.lock:
            self._state.hits.append(hit)
            drops = self._state.drops.get(hit.path, 0)
            if drops:
                self._state.drops[hit.path] = drops - 1
        with self._state.arrived:
            self._state.arrived.notify_all()
        return drops > 0

    def _sleep(self, seconds: float) -> bool:
        """Sleep, unless the server stops first (then ``False``)."""
        return not self._stopping.wait(seconds)
