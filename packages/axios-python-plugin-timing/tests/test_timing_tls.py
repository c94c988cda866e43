"""The TLS phase, against a loopback HTTPS server (a self-signed certificate for 127.0.0.1
kept next to this file, valid for a century)."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import axios_python
from axios_python_plugin_timing import TimingPlugin, Timings, get_timings

CERT = Path(__file__).with_name("localhost.pem")  # private key and certificate


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

    def log_message(self, format: str, *args: object) -> None:
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
        return self.context.wrap_socket(
            sock, server_side=True, do_handshake_on_connect=False
        ), address


@pytest.fixture
def https_url() -> Iterator[str]:
    server = _TLSServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _check(first: Timings, second: Timings) -> None:
    assert first.connect is not None and first.tls is not None and first.tls > 0
    assert second.connect is None and second.tls is None  # reused connection: no handshake
    assert second.waiting is not None and second.download is not None


def test_tls_phase_sync(https_url: str) -> None:
    api = axios_python.create({"base_url": https_url, "verify": str(CERT), "timeout": 10.0})
    api.plugin(TimingPlugin())
    first, second = api.get("/secure"), api.get("/secure")
    api.close()
    assert first.data == {"secure": True}
    t1, t2 = get_timings(first), get_timings(second)
    assert t1 is not None and t2 is not None
    _check(t1, t2)


async def test_tls_phase_async(https_url: str) -> None:
    api = axios_python.create({"base_url": https_url, "verify": str(CERT), "timeout": 10.0})
    api.plugin(TimingPlugin())
    first, second = await api.async_get("/secure"), await api.async_get("/secure")
    await api.aclose()
    assert first.data == {"secure": True}
    t1, t2 = get_timings(first), get_timings(second)
    assert t1 is not None and t2 is not None
    _check(t1, t2)
