"""A real ASGI server (uvicorn) on loopback for the framework integration tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn


class Served:
    """An ASGI application served by uvicorn in a thread; ``stop()`` is a graceful shutdown
    (the server stops accepting, finishes the requests in flight, then runs the lifespan's
    shutdown)."""

    def __init__(self, app: Any) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app, lifespan="on", log_level="warning", timeout_graceful_shutdown=10
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True

    def join(self) -> None:
        self._thread.join(15)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Any], Served]]:
    """Serve an ASGI app on a free loopback port; stopped (gracefully) after the test."""
    started: list[Served] = []

    def start(app: Any) -> Served:
        served = Served(app)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()
    for served in started:
        served.join()
