"""Fixtures of the timing plugin's tests: the timing log, a checked ``Timings`` reader and a
loopback HTTPS server."""

# ruff: noqa: E402  (pytest_plugins comes first, as in every package's conftest)

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]

import http.server
import logging
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from axios_python import Response
from axios_python_plugin_timing import Timings, get_timings

#: A private key and a self-signed certificate for 127.0.0.1, valid for a century.
CERT = Path(__file__).resolve().with_name("localhost.pem")


class TimingLog:
    """The records of one logger captured during a test."""

    def __init__(self, caplog: pytest.LogCaptureFixture, name: str) -> None:
        self.caplog = caplog
        self.name = name

    @property
    def records(self) -> list[logging.LogRecord]:
        return [r for r in self.caplog.records if r.name == self.name]

    @property
    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]

    @property
    def everything(self) -> str:
        """Every record of every logger, messages and tracebacks, as one text."""
        return self.caplog.text + "\n".join(r.getMessage() for r in self.caplog.records)

    @staticmethod
    def line(url: str, result: str = "HTTP 200", method: str = "GET") -> str:
        """The seed's format, ``[GET] https://api.github.com/users/octocat — 91.4ms
        (HTTP 200)``, as a regular expression for ``url`` written out in full."""
        return rf"^\[{method}\] {re.escape(url)} — \d+\.\dms \({re.escape(result)}\)$"


@pytest.fixture
def timing_log(caplog: pytest.LogCaptureFixture) -> TimingLog:
    """The ``axios_python.timing`` records of the test, captured from DEBUG up (all loggers)."""
    caplog.set_level(logging.DEBUG)
    return TimingLog(caplog, "axios_python.timing")


@pytest.fixture
def timings_of() -> Callable[[Response], Timings]:
    """``timings_of(response)``: its ``Timings``, checked to be what ``response.timings`` is."""

    def read(response: Response) -> Timings:
        timings = get_timings(response)
        assert timings is not None
        attribute: object = response.timings  # type: ignore[attr-defined]  # what users write
        assert attribute is timings
        return timings

    return read


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 10

    def do_GET(self) -> None:
        body = b'{"secure": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERT)
        self.context = context

    def get_request(self) -> tuple[ssl.SSLSocket, object]:
        sock, address = self.socket.accept()
        sock.settimeout(10)
        # the handshake runs in the handler thread (first read), not in the accept loop
        wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, address


@dataclass(frozen=True)
class HTTPSServer:
    """A loopback HTTPS server answering every GET with ``{"secure": true}``."""

    base_url: str
    #: the certificate to verify it with (``verify=str(cert)``)
    cert: Path


@pytest.fixture
def https_server() -> Iterator[HTTPSServer]:
    server = _TLSServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield HTTPSServer(f"https://127.0.0.1:{server.server_address[1]}", CERT)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
