"""Fixtures of the Redis cache's tests: a real ``redis-server`` on a free loopback port
(``redis_server``, shared by the session; ``make_redis`` for a test's own server, to kill,
pause, restart or protect with a password), a namespace per test, and an origin on the
loopback server whose request counter proves what reached it.

In CI (``CI=true``) a missing ``redis-server`` fails the tests; elsewhere they are skipped.
"""

# ruff: noqa: E402  (pytest_plugins comes first, as in every package's conftest)

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]

import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from axios_python.testing import LocalServer, RecordedRequest, Reply

#: Seconds a test waits for a state it expects; never reached when all is well.
DEADLINE = 30.0


def redis_binary() -> str:
    """The ``redis-server`` to start: fails in CI when there is none, skips elsewhere."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if found is None:
        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A ``redis-server`` process on a loopback port, no persistence. ``kill()``/``start()``
    restart it on the same port; ``pause()``/``resume()`` stop it answering (SIGSTOP)."""

    def __init__(self, binary: str, *args: str) -> None:
        self.binary = binary
        self.args = args
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="axios-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", self.dir,
                "--loglevel", "warning",
                *self.args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    answer = sock.recv(64)
                    if answer.startswith((b"+PONG", b"-NOAUTH")):
                        return self
            except OSError:
                pass
            assert self.process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.01)

    def kill(self) -> None:
        """Kill it (SIGKILL) and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(DEADLINE)

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def client(self, **options: Any) -> Any:
        """A sync redis-py client of the server (for the test to look or meddle)."""
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, **options)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(DEADLINE)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server shared by the session's tests (each test uses its own namespace)."""
    server = RedisServer(redis_binary()).start()
    yield server
    server.stop()


@pytest.fixture
def make_redis() -> Iterator[Callable[..., RedisServer]]:
    """``make_redis(*args)``: a redis-server of this test's own (extra command-line ``args``,
    e.g. ``"--requirepass", "pw"``), stopped after the test."""
    made: list[RedisServer] = []

    def factory(*args: str) -> RedisServer:
        server = RedisServer(redis_binary(), *args).start()
        made.append(server)
        return server

    yield factory
    for server in made:
        server.stop()


_namespaces = itertools.count()


@pytest.fixture
def namespace() -> str:
    """A key prefix no other test uses."""
    return f"t{os.getpid()}-{next(_namespaces)}"


class Origin:
    """Paths under ``/r/`` of the loopback server: 200 JSON ``{"hit": n, "path", ...}`` with
    the headers set for the path, after an optional delay or gate."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.headers: dict[str, dict[str, str]] = {}
        self.gates: dict[str, threading.Event] = {}
        self.bodies: dict[str, bytes] = {}
        server.route("/r", self._answer, prefix=True)

    def set(
        self,
        name: str,
        headers: dict[str, str] | None = None,
        *,
        gate: threading.Event | None = None,
        body: bytes | None = None,
    ) -> str:
        path = f"/r/{name}"
        self.headers[path] = {"Cache-Control": "max-age=60", **(headers or {})}
        if gate is not None:
            self.gates[path] = gate
        if body is not None:
            self.bodies[path] = body
        return path

    def hits(self, path: str) -> int:
        return self.server.count(path)

    def _answer(self, request: RecordedRequest) -> Reply:
        gate = self.gates.get(request.path)
        if gate is not None:
            gate.wait(DEADLINE)
        headers = self.headers.get(request.path, {})
        body = self.bodies.get(request.path)
        if body is not None:
            return Reply(status=200, body=body, headers=headers)
        payload = {
            "hit": self.hits(request.path),
            "path": request.path,
            "authorization": request.header("authorization"),
        }
        return Reply(status=200, json=payload, headers=headers)


@pytest.fixture
def origin(local_server: LocalServer) -> Iterator[Origin]:
    made = Origin(local_server)
    yield made
    local_server.remove_route("/r")


def _until(condition: Callable[[], bool], deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "timed out waiting for the expected state"
        time.sleep(0.005)


@pytest.fixture
def until() -> Callable[[Callable[[], bool]], None]:
    """``until(condition)``: wait until ``condition()`` holds."""
    return _until
