"""Fixtures of the cache plugin's tests: an origin whose answers (headers, validators,
failures) each test sets per path on the loopback server (``origin``), a clock the test moves
instead of sleeping (``clock``), and helpers to wait for a state and run calls together.

The server's request counter (``origin.hits(path)``) proves what reached the origin.
"""

# ruff: noqa: E402  (pytest_plugins comes first, as in every package's conftest)

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from axios_python import Response
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply

#: Seconds a test waits for a state it expects; never reached when all is well.
DEADLINE = 30.0


class Clock:
    """A clock the test moves: ``clock()`` is the time, ``clock.advance(seconds)`` moves it.
    It starts at the real time, so the origin's ``Date`` headers agree with it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Spec:
    """What the origin answers on one path."""

    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    #: the body; by default JSON ``{"hit": n, ...}`` (n counts the requests of the path)
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    #: hold each request until this event is set
    gate: threading.Event | None = None
    #: close the connection without answering
    drop: bool = False


class Origin:
    """Paths under ``/o/`` of the loopback server answering what the test set with
    ``set(name, ...)``: by default 200 JSON ``{"hit": n, "path", "authorization", "accept"}``.
    A request whose ``If-None-Match`` matches the path's ``etag`` (or whose
    ``If-Modified-Since`` equals its ``last_modified``) gets a 304 with the path's headers."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.specs: dict[str, Spec] = {}
        self.lock = threading.Lock()
        server.route("/o", self._answer, prefix=True)

    def set(self, name: str, **options: Any) -> str:
        """Set what ``/o/name`` answers; returns that path."""
        path = f"/o/{name}"
        with self.lock:
            self.specs[path] = Spec(**options)
        return path

    def hits(self, path: str) -> int:
        """How many requests reached ``path``."""
        return self.server.count(path)

    def requests(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.server.requests if r.path == path]

    def _answer(self, request: RecordedRequest) -> Reply:
        with self.lock:
            spec = self.specs.get(request.path, Spec())
        if spec.delay:
            time.sleep(spec.delay)
        if spec.gate is not None:
            spec.gate.wait(DEADLINE)
        if spec.drop:
            return Reply(drop=True)
        headers = dict(spec.headers)
        if spec.etag is not None:
            headers["ETag"] = spec.etag
        if spec.last_modified is not None:
            headers["Last-Modified"] = spec.last_modified
        not_modified = (spec.etag is not None and request.header("if-none-match") == spec.etag) or (
            spec.last_modified is not None
            and request.header("if-modified-since") == spec.last_modified
        )
        if not_modified:
            return Reply(status=304, headers=headers)
        if spec.body is not None:
            return Reply(status=spec.status, body=spec.body, headers=headers)
        payload = {
            "hit": self.hits(request.path),
            "path": request.path,
            "authorization": request.header("authorization"),
            "accept": request.header("accept"),
        }
        return Reply(status=spec.status, json=payload, headers=headers)


@pytest.fixture
def origin(local_server: LocalServer) -> Iterator[Origin]:
    """The ``/o/`` paths of the session's server, for this test."""
    made = Origin(local_server)
    yield made
    local_server.remove_route("/o")


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves (give it to the plugin as ``clock=``)."""
    return Clock()


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the expected state"
        time.sleep(0.005)


def _release_when(condition: Callable[[], bool], gate: threading.Event) -> threading.Thread:
    """Set ``gate`` (on a thread of its own) once ``condition()`` holds."""

    def watch() -> None:
        try:
            _until(condition)
        finally:
            gate.set()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def release_when() -> Callable[[Callable[[], bool], threading.Event], threading.Thread]:
    """``release_when(condition, gate)``: set ``gate`` from a thread once ``condition()``
    holds (the test's own thread may be blocked in the calls that wait for it)."""
    return _release_when


def _settle(caller: Caller, condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds, running the caller's event loop meanwhile (an async
    caller's background tasks only run while its loop does)."""
    if not caller.is_async:
        _until(condition)
        return

    async def wait() -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            assert time.monotonic() < deadline, "timed out waiting for the expected state"
            await asyncio.sleep(0.005)

    caller.run(wait())


@pytest.fixture
def settle() -> Callable[[Caller, Callable[[], bool]], None]:
    """``settle(caller, condition)``: see ``_settle``."""
    return _settle


@pytest.fixture
def until() -> Callable[[Callable[[], bool]], None]:
    """``until(condition)``: wait (on this thread) until ``condition()`` holds."""
    return _until


def _together(caller: Caller, count: int, url: str, **options: Any) -> list[Response]:
    """``count`` GETs of ``url`` at the same time on the caller's path: threads released
    together, or tasks gathered."""
    if caller.is_async:
        api = caller.api

        async def gathered() -> list[Response]:
            return list(
                await asyncio.gather(*(api.async_get(url, **options) for _ in range(count)))
            )

        return caller.run(gathered())
    barrier = threading.Barrier(count)

    def one(_: int) -> Response:
        barrier.wait()
        return caller.api.get(url, **options)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def together() -> Callable[..., list[Response]]:
    """``together(caller, count, url, **options)``: see ``_together``."""
    return _together


def statuses(responses: Sequence[Response]) -> list[str]:
    """The cache status of each response."""
    return [r.cache.status for r in responses]  # type: ignore[attr-defined]


@pytest.fixture(name="statuses")
def statuses_fixture() -> Callable[[Sequence[Response]], list[str]]:
    """``statuses(responses)``: the cache status of each response."""
    return statuses


def header_map(response: Response) -> Mapping[str, str]:
    return dict(response.headers)
