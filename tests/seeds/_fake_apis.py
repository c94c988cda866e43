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
It is one catch-all custom route on the core's :class:`~axios_python.testing.LocalServer`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from axios_python.testing import LocalServer, RecordedRequest, Reply

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


def _not_found(hit: Hit) -> Reply:
    if hit.host == "api.github.com":
        return Reply(
            404, json={"message": "Not Found", "documentation_url": "https://docs.github.com"}
        )
    return Reply(404, json={"error": "not found", "path": hit.path})


class FakeApis:
    """The fake third-party APIs; use as a context manager (``with FakeApis() as apis:``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition()
        self._hits: list[Hit] = []
        self._drops: dict[str, int] = {}
        self._user_ids = itertools.count(len(USERS) + 1)
        self._charge_ids = itertools.count(1)
        self._server = LocalServer()
        self._server.route("/", self._handle, prefix=True)
        #: Seconds to wait before answering any request.
        self.delay = 0.0
        #: Seconds between two rows of a CSV export.
        self.export_delay = 0.0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeApis:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeApis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    # -- behaviour knobs ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the hits and the pending drops; back to no delays."""
        with self._lock:
            self._hits.clear()
            self._drops.clear()
        self._user_ids = itertools.count(len(USERS) + 1)
        self._charge_ids = itertools.count(1)
        self.delay = 0.0
        self.export_delay = 0.0

    def drop_next(self, path: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` requests for ``path``."""
        with self._lock:
            self._drops[path] = times

    # -- what was received ----------------------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """Every request received since the last reset, in arrival order."""
        with self._lock:
            return list(self._hits)

    def hits_for(self, path: str, method: str | None = None) -> list[Hit]:
        """The requests received for ``path`` (and ``method``, when given)."""
        return [h for h in self.hits if h.path == path and (method is None or h.method == method)]

    def wait_for(self, path: str, timeout: float = 5.0) -> bool:
        """Block until a request for ``path`` arrived; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not self.hits_for(path):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrived.wait(remaining)
        return True

    # -- the route ------------------------------------------------------------------------

    def _handle(self, request: RecordedRequest) -> Reply:
        hit = Hit(
            method=request.method,
            host=(request.header("Host") or "").rsplit(":", 1)[0],
            path=request.path,
            query=request.query,
            headers={k.lower(): v for k, v in request.headers},
            body=request.body,
        )
        with self._lock:
            self._hits.append(hit)
            drops = self._drops.get(hit.path, 0)
            if drops:
                self._drops[hit.path] = drops - 1
        with self._arrived:
            self._arrived.notify_all()
        if drops:
            return Reply(drop=True)
        reply = self._route(hit)
        return dataclasses.replace(reply, delay=self.delay) if self.delay else reply

    def _route(self, hit: Hit) -> Reply:
        segments = [s for s in hit.path.split("/") if s]
        if segments == ["users"]:
            return self._users(hit)
        if len(segments) == 2 and segments[0] == "users" and hit.method == "GET":
            return Reply(json=OCTOCAT) if segments[1] == "octocat" else _not_found(hit)
        if len(segments) == 3 and segments[0] == "users" and segments[2] == "repos":
            if segments[1] != "octocat":
                return _not_found(hit)
            return Reply(json={"total_count": len(OCTOCAT_REPOS), "items": OCTOCAT_REPOS})
        if segments in (["charges"], ["v1", "charges"]) and hit.method == "POST":
            return self._stripe_charge(hit)
        if len(segments) == 2 and segments[0] == "reports" and segments[1].endswith(".csv"):
            return self._export()
        if segments == ["inventory"]:
            return Reply(json={"items": [{"sku": "A-1", "stock": 4}, {"sku": "B-2", "stock": 0}]})
        return _not_found(hit)

    def _users(self, hit: Hit) -> Reply:
        if hit.method == "POST":
            created = {"id": next(self._user_ids), **(json.loads(hit.body) if hit.body else {})}
            return Reply(201, json={"data": created})
        if hit.host == "api.github.com":
            return Reply(json=[{"login": "octocat", "id": 583231}, {"login": "hubot", "id": 1}])
        return Reply(json={"data": USERS, "meta": {"page": 1, "total": len(USERS)}})

    def _stripe_charge(self, hit: Hit) -> Reply:
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
            return Reply(400, json={"error": error})
        charge = {
            "id": f"ch_{next(self._charge_ids):08d}",
            "object": "charge",
            "amount": int(params["amount"]),
            "currency": params.get("currency", "usd"),
            "status": "succeeded",
        }
        return Reply(json=charge)

    def _export(self) -> Reply:
        rows = [b"id,amount,currency\n"]
        rows += [b"%d,%d,usd\n" % (i, i * 100) for i in range(1, EXPORT_ROWS + 1)]
        return Reply(
            content_type="text/csv; charset=utf-8", chunks=rows, chunk_delay=self.export_delay
        )
