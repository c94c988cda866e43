"""A real ``redis-server`` for tests: started on a free loopback port, without persistence,
stopped after. What this package's tests and the documentation's samples run against; use it
in your own tests of code that caches in Redis.

::

    from axios_python_plugin_redis_cache.testing import RedisServer, redis_server_binary

    @pytest.fixture(scope="session")
    def redis_url():
        server = RedisServer(redis_server_binary()).start()
        yield server.url
        server.stop()
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any

__all__ = ["RedisServer", "redis_server_binary"]

#: Seconds to wait for the server to start or stop.
DEADLINE = 30.0


def redis_server_binary() -> str:
    """The ``redis-server`` to start. When there is none, a pytest failure in CI
    (``CI=true``: a test that needs Redis must not pass by being skipped) and a skip elsewhere."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if found is None:
        import pytest

        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    """A TCP port free on the loopback interface (nothing listens on it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A ``redis-server`` process on a loopback port, no persistence; ``args`` are more
    command-line options (``"--requirepass", "pw"``). ``kill()`` then ``start()`` restarts it
    on the same port (empty); ``pause()``/``resume()`` stop it answering (SIGSTOP/SIGCONT)."""

    def __init__(
        self, binary: str = "redis-server", *args: str, tls: tuple[str, str] | None = None
    ) -> None:
        self.binary = binary
        self.args = args
        #: (certificate file, key file): serve TLS only (``rediss://``), no plain port
        self.tls = tls
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="axios-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0`` (``rediss://`` with TLS)."""
        return f"{'rediss' if self.tls else 'redis'}://127.0.0.1:{self.port}/0"

    def _ports(self) -> list[str]:
        if self.tls is None:
            return ["--port", str(self.port)]
        cert, key = self.tls
        return [
            "--port", "0",
            "--tls-port", str(self.port),
            "--tls-cert-file", cert,
            "--tls-key-file", key,
            "--tls-ca-cert-file", cert,
            "--tls-auth-clients", "no",
        ]  # fmt: skip

    def _answers(self) -> bool:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
        try:
            if self.tls is not None:
                import ssl

                context = ssl.create_default_context(cafile=self.tls[0])
                sock = context.wrap_socket(sock, server_hostname="localhost")
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        finally:
            sock.close()

    def start(self) -> RedisServer:
        """Start it and wait until it answers."""
        self.process = subprocess.Popen(
            [
                self.binary,
                *self._ports(),
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
                if self._answers():
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start ({self.process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.01)

    def kill(self) -> None:
        """Kill it (SIGKILL) and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(DEADLINE)

    def pause(self) -> None:
        """Stop it answering (SIGSTOP): connections open, commands time out."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server answer again."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def client(self, **options: Any) -> Any:
        """A sync redis-py client of the server."""
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, **options)

    def stop(self) -> None:
        """Stop it and remove its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(DEADLINE)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"<RedisServer {self.url}>"
