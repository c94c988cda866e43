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
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from axios_python.testing import LocalServer, RecordedRequest, Reply
from axios_python_plugin_redis_cache.testing import RedisServer, redis_server_binary

#: Seconds a test waits for a state it expects; never reached when all is well.
DEADLINE = 30.0

__all__ = ["DEADLINE", "Origin", "RedisServer"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server shared by the session's tests (each test uses its own namespace)."""
    server = RedisServer(redis_server_binary()).start()
    yield server
    server.stop()


@pytest.fixture
def make_redis() -> Iterator[Callable[..., RedisServer]]:
    """``make_redis(*args)``: a redis-server of this test's own (extra command-line ``args``,
    e.g. ``"--requirepass", "pw"``), stopped after the test."""
    made: list[RedisServer] = []

    def factory(*args: str) -> RedisServer:
        server = RedisServer(redis_server_binary(), *args).start()
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


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)
