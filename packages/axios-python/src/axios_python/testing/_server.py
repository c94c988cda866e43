"""A loopback HTTP/1.1 test server built on the standard library only.

:class:`LocalServer` runs a threaded ``http.server`` in a daemon thread and exposes a fixed
set of routes that are handy for exercising an HTTP client: echoing requests, arbitrary
status codes, stalls, dropped connections, chunked streams, flaky endpoints, redirects,
cookies and a hit counter.  Every request is recorded as a :class:`RecordedRequest`.

Routes (any method unless noted; ``HEAD`` gets the headers without a body):

``/echo``, ``/echo/...``
    200 JSON ``{"method", "path", "query", "headers", "body", "json"}``.
    ``?status=N`` answers with status N instead, ``?delay=S`` sleeps first.
``/status/<code>``
    that status with JSON ``{"status": code}`` (no body for 204/304);
    ``?retry_after=V`` adds ``Retry-After: V``.
``/stall?seconds=S``
    sleeps S seconds (default 30) then answers 200 ``{"stalled": S}``; with
    ``?after_headers=1`` sends the headers (``Content-Length: 10``) and stalls before the body.
``/drop``
    reads the request and closes the connection without answering.
``/stream?size=N&chunk=M&delay=D``
    chunked ``application/octet-stream`` of N bytes (default 1 MiB) in M-byte chunks
    (default 65536) with D seconds between chunks; byte ``i`` is ``i % 251``.
    ``?lines=K`` streams ``"line 0\\n"`` ... ``"line K-1\\n"`` as ``text/plain`` instead.
``/flaky?key=K&fail=N&status=S&retry_after=V&mode=M``
    the first N hits (default 2) for key K fail, with status S (default 503) or, with
    ``mode=drop``, by closing the connection; later hits answer ``{"key", "attempt"}``.
``/json``, ``/text``, ``/bytes?size=N``
    fixed JSON, ``hello world`` and N pattern bytes (default 1024).
``/redirect?to=URL&status=302``
    redirect to URL (default ``/echo``).
``/cookies/set?name=value&...``, ``/cookies``
    set cookies from the query / report the cookies the request carried.
``/count?delay=S``
    ``{"path": "/count", "hits": n}``.

Anything else answers 404 ``{"error": "not found", "path": ...}``.

Delays are interrupted by :meth:`LocalServer.stop`; an interrupted request gets no response.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import selectors
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, parse_qsl, urlsplit

if TYPE_CHECKING:  # typing.Self is 3.11+; only the type checker needs it
    from typing_extensions import Self

__all__ = ["LocalServer", "RecordedRequest", "Reply", "RouteHandler"]

_CYCLE = bytes(range(251))
_MAX_LINE = 65536
_NO_BODY_STATUSES = frozenset({204, 304})
_STALL_BODY = b"0123456789"
_JOIN_TIMEOUT = 2.0


def _pattern(offset: int, length: int) -> bytes:
    """Return ``length`` bytes of the deterministic pattern (byte ``i`` is ``i % 251``)."""
    if length <= 0:
        return b""
    start = offset % 251
    repeats = (start + length) // 251 + 1
    return (_CYCLE * repeats)[start : start + length]


def _number(value: float) -> int | float:
    """Return ``value`` as an ``int`` when it is integral, so JSON shows ``30`` not ``30.0``."""
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class RecordedRequest:
    """One request received by a :class:`LocalServer`, recorded once its body was read.

    Attributes:
        method: The request method as sent (``"GET"``, ``"POST"``...).
        path: The request path, without the query string (not percent-decoded).
        query: The parsed query string (blank values kept), in order.
        raw_target: The request target as sent (path plus ``?query``).
        headers: The request headers as received: original case, in order, repeats kept.
        body: The full request body (de-chunked for chunked uploads).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    raw_target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


_NO_JSON: Any = object()


@dataclass(frozen=True)
class Reply:
    """What a custom route (:meth:`LocalServer.route`) answers.

    Attributes:
        status: The status code.
        body: The body (``str`` is sent UTF-8 encoded).
        json: When given, the body is this value as JSON (``application/json``).
        headers: Extra response headers, a mapping or ``(name, value)`` pairs.
        content_type: The ``Content-Type``; by default JSON, ``text/plain; charset=utf-8``
            for ``str`` bodies, ``application/octet-stream`` for bytes.
        delay: Seconds to wait before answering (cut short by :meth:`LocalServer.stop`).
        chunks: Send the body as these pieces (``Content-Length`` is their total), waiting
            ``chunk_delay`` seconds between two of them: a slow download.
        chunk_delay: See ``chunks``.
        drop: Close the connection without answering.
        reset_after: Announce the whole body (``Content-Length``), send only its first
            ``reset_after`` bytes, then reset the connection (TCP RST): a response cut off in
            the middle.
        close_after: After the whole response, close the connection without saying so (no
            ``Connection: close``): a server that drops idle keep-alive connections.
    """

    status: int = 200
    body: bytes | str = b""
    json: Any = _NO_JSON
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    content_type: str | None = None
    delay: float = 0.0
    chunks: Sequence[bytes] | None = None
    chunk_delay: float = 0.0
    drop: bool = False
    reset_after: int | None = None
    close_after: bool = False


#: A custom route: receives the recorded request, returns what to answer.
RouteHandler = Callable[[RecordedRequest], Reply]


class _BadRequest(Exception):
    """Raised by a route when a query parameter is invalid; answered with 400."""


class _Aborted(Exception):
    """Raised when a delay was interrupted by ``stop()``; the connection is dropped."""


class _ThreadingHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Threaded HTTP server that tracks its connections and handler threads."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: LocalServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.owner = owner
        self.stopping = threading.Event()
        self.track_lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.handler_threads: set[threading.Thread] = set()
        self._serial = 0
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(address, _Handler)
        except BaseException:
            self._wake_reader.close()
            self._wake_writer.close()
            raise

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup ``HTTPServer.server_bind`` performs."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else bytes(host).decode()
        self.server_port = int(port)

    def serve(self) -> None:
        """Accept connections until :meth:`wake` is called after ``stopping`` was set.

        Unlike ``serve_forever`` this does not poll: ``stop()`` wakes it up at once.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self.stopping.is_set():
                ready = selector.select()
                if self.stopping.is_set():
                    break
                if any(key.fileobj is self for key, _ in ready):
                    self._accept()

    def _accept(self) -> None:
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except Exception:  # never let one bad connection kill the accept loop
            self.shutdown_request(request)

    def wake(self) -> None:
        """Wake the :meth:`serve` loop so it notices ``stopping``."""
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")

    def server_close(self) -> None:
        """Close the listening socket and the wake-up socket pair."""
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Serve ``request`` in a tracked daemon thread (or refuse it while stopping)."""
        sock = cast(socket.socket, request)
        with self.track_lock:
            if self.stopping.is_set():
                refuse = True
            else:
                refuse = False
                self._serial += 1
                thread = threading.Thread(
                    target=self.process_request_thread,
                    args=(request, client_address),
                    name=f"axios-python-testserver-conn-{self._serial}",
                    daemon=True,
                )
                self.connections.add(sock)
                self.handler_threads.add(thread)
                self.owner._connection_accepted()
        if refuse:
            self.shutdown_request(request)
            return
        try:
            thread.start()
        except RuntimeError:
            with self.track_lock:
                self.handler_threads.discard(thread)
            self.shutdown_request(request)

    def process_request_thread(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Handle one connection, then forget its thread."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.track_lock:
                self.handler_threads.discard(threading.current_thread())

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        """Untrack the connection before closing it, so ``stop()`` never touches a closed fd."""
        with self.track_lock:
            self.connections.discard(cast(socket.socket, request))
        super().shutdown_request(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Stay quiet: broken connections are expected in tests."""

    def close_connections(self) -> None:
        """Shut down every open client connection, waking handlers blocked on I/O."""
        with self.track_lock:
            for sock in self.connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, deadline: float) -> None:
        """Wait (until ``deadline``, a ``time.monotonic()`` value) for handler threads."""
        while True:
            with self.track_lock:
                pending = [t for t in self.handler_threads if t.is_alive()]
            if not pending:
                return
            for thread in pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                thread.join(remaining)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Request handler implementing the test routes."""

    protocol_version = "HTTP/1.1"
    server_version = "axios-python-testserver/1.0"
    sys_version = ""
    disable_nagle_algorithm = True

    # Set for each request by ``_dispatch``.
    _path: str
    _query_string: str
    _query: dict[str, list[str]]
    _body: bytes

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr logging."""

    @property
    def _srv(self) -> _ThreadingHTTPServer:
        return cast(_ThreadingHTTPServer, self.server)

    # -- plumbing -------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """Read one request and dispatch it to a route, whatever the method."""
        try:
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
            if len(self.raw_requestline) > _MAX_LINE:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(414)
                self.close_connection = True
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._dispatch()
            self.wfile.flush()
        except (OSError, ValueError):
            # Timeouts, resets, writes after stop() shut the socket down...
            self.close_connection = True

    def _dispatch(self) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            path, query_string = parts.path or "/", parts.query
        else:
            path, _, query_string = target.partition("?")
        self._path = path
        self._query_string = query_string
        self._query = parse_qs(query_string, keep_blank_values=True)
        try:
            self._body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            self._send_json(400, {"error": str(exc)}, [("Connection", "close")])
            return
        recorded = RecordedRequest(
            method=self.command,
            path=path,
            query={key: list(values) for key, values in self._query.items()},
            raw_target=target,
            headers=[(str(k), str(v)) for k, v in self.headers.items()],
            body=self._body,
        )
        owner = self._srv.owner
        hits = owner._record(recorded)
        try:
            handler = owner._custom_route(path)
            if handler is not None:
                self._answer(handler(recorded))
            else:
                self._route(path, hits)
        except _BadRequest as exc:
            self._send_json(400, {"error": str(exc), "path": path})
        except _Aborted:
            self._drop()

    def _read_body(self) -> bytes:
        transfer_encoding = self.headers.get("Transfer-Encoding", "")
        if "chunked" in transfer_encoding.lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header.strip())
        except ValueError:
            raise _BadRequest("invalid Content-Length") from None
        if length < 0:
            raise _BadRequest("invalid Content-Length")
        return self._read_exact(length)

    def _read_exact(self, length: int) -> bytes:
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            raise ConnectionError("connection closed while reading the request body")
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            raise ConnectionError("connection closed while reading a chunked body")
        if len(line) > _MAX_LINE:
            raise _BadRequest("chunk line too long")
        return line

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise _BadRequest("invalid chunk size") from None
            if size < 0:
                raise _BadRequest("invalid chunk size")
            if size == 0:
                break
            parts.append(self._read_exact(size))
            if self._read_line().strip():
                raise _BadRequest("missing CRLF after chunk data")
        while self._read_line().strip():  # trailer section
            pass
        return b"".join(parts)

    def _sleep(self, seconds: float) -> None:
        """Sleep ``seconds``; raise :class:`_Aborted` if ``stop()`` interrupts the wait."""
        stopping = self._srv.stopping
        if stopping.wait(seconds) if seconds > 0 else stopping.is_set():
            raise _Aborted

    def _drop(self) -> None:
        """Close the connection without (any more of) a response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self) -> None:
        """Abort the connection: the peer sees a reset (RST), not an orderly close."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in headers or []:
            self.send_header(name, value)
        has_body = status not in _NO_BODY_STATUSES and status >= 200
        if has_body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if has_body and body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(
        self, status: int, payload: object, headers: list[tuple[str, str]] | None = None
    ) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _start_stream(self, content_type: str) -> bool:
        """Send 200 headers for a streamed body; return whether chunked encoding is used."""
        chunked = self.request_version != "HTTP/1.0"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        return chunked

    def _write_chunk(self, data: bytes, chunked: bool) -> None:
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))
        else:
            self.wfile.write(data)

    # -- query helpers --------------------------------------------------------------------

    def _param(self, name: str) -> str | None:
        values = self._query.get(name)
        return values[0] if values else None

    def _param_str(self, name: str, default: str) -> str:
        value = self._param(name)
        return default if value is None else value

    def _param_int(self, name: str, default: int, minimum: int = 0) -> int:
        value = self._param(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise _BadRequest(f"invalid {name}: {value!r}") from None
        if number < minimum:
            raise _BadRequest(f"invalid {name}: {value!r}")
        return number

    def _param_float(self, name: str, default: float) -> float:
        value = self._param(name)
        if value is None or value == "":
            return default
        try:
            number = float(value)
        except ValueError:
            raise _BadRequest(f"invalid {name}: {value!r}") from None
        if not 0 <= number < float("inf"):
            raise _BadRequest(f"invalid {name}: {value!r}")
        return number

    def _param_status(self, name: str, default: int) -> int:
        status = self._param_int(name, default)
        return _check_status(status)

    # -- routes ---------------------------------------------------------------------------

    def _route(self, path: str, hits: int) -> None:
        if path == "/echo" or path.startswith("/echo/"):
            self._route_echo()
        elif path.startswith("/status/"):
            self._route_status(path[len("/status/") :])
        elif path == "/stall":
            self._route_stall()
        elif path == "/drop":
            self._drop()
        elif path == "/stream":
            self._route_stream()
        elif path == "/flaky":
            self._route_flaky()
        elif path == "/json":
            self._send_json(200, {"hello": "world", "items": [1, 2, 3]})
        elif path == "/text":
            self._send(200, b"hello world", "text/plain; charset=utf-8")
        elif path == "/bytes":
            size = self._param_int("size", 1024)
            self._send(200, _pattern(0, size), "application/octet-stream")
        elif path == "/redirect":
            self._route_redirect()
        elif path == "/cookies/set":
            self._route_cookies_set()
        elif path == "/cookies":
            self._route_cookies()
        elif path == "/count":
            self._sleep(self._param_float("delay", 0.0))
            self._send_json(200, {"path": "/count", "hits": hits})
        else:
            self._send_json(404, {"error": "not found", "path": path})

    def _answer(self, reply: Reply) -> None:
        """Send what a custom route returned."""
        self._sleep(reply.delay)
        if reply.drop:
            self._drop()
            return
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        content_type = reply.content_type
        if reply.json is not _NO_JSON:
            body = json.dumps(reply.json).encode()
            content_type = content_type or "application/json"
        elif content_type is None:
            text = isinstance(reply.body, str)
            content_type = "text/plain; charset=utf-8" if text else "application/octet-stream"
        headers = list(
            reply.headers.items() if isinstance(reply.headers, Mapping) else reply.headers
        )
        if reply.reset_after is not None:
            self.send_response(reply.status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: reply.reset_after])
            self._reset()
            return
        if reply.chunks is None:
            self._send(reply.status, body, content_type, headers)
            if reply.close_after:
                self._drop()
            return
        self.send_response(reply.status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(sum(len(c) for c in reply.chunks)))
        self.end_headers()
        for index, chunk in enumerate(reply.chunks):
            if index:
                self._sleep(reply.chunk_delay)
            self.wfile.write(chunk)
            self.wfile.flush()

    def _route_echo(self) -> None:
        status = self._param_status("status", 200)
        delay = self._param_float("delay", 0.0)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        parsed: object = None
        if self._body:
            try:
                parsed = json.loads(self._body)
            except ValueError:
                parsed = None
        payload = {
            "method": self.command,
            "path": self._path,
            "query": self._query,
            "headers": headers,
            "body": self._body.decode("utf-8", errors="replace"),
            "json": parsed,
        }
        self._sleep(delay)
        self._send_json(status, payload)

    def _route_status(self, code_text: str) -> None:
        try:
            status = _check_status(int(code_text.rstrip("/")))
        except ValueError:
            raise _BadRequest(f"invalid status code: {code_text!r}") from None
        retry_after = self._param("retry_after")
        headers = [] if retry_after is None else [("Retry-After", retry_after)]
        self._send_json(status, {"status": status}, headers)

    def _route_stall(self) -> None:
        seconds = self._param_float("seconds", 30.0)
        if self._param_str("after_headers", "0") not in ("", "0", "false", "no"):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(_STALL_BODY)))
            self.end_headers()
            self.wfile.flush()
            self._sleep(seconds)
            if self.command != "HEAD":
                self.wfile.write(_STALL_BODY)
            return
        self._sleep(seconds)
        self._send_json(200, {"stalled": _number(seconds)})

    def _route_stream(self) -> None:
        delay = self._param_float("delay", 0.0)
        lines = self._param("lines")
        if lines is not None:
            count = self._param_int("lines", 0)
            chunked = self._start_stream("text/plain; charset=utf-8")
            if self.command == "HEAD":
                self._finish_stream(chunked, head=True)
                return
            for index in range(count):
                if index and delay:
                    self._sleep(delay)
                self._write_chunk(f"line {index}\n".encode(), chunked)
            self._finish_stream(chunked)
            return
        size = self._param_int("size", 1024 * 1024)
        chunk = self._param_int("chunk", 65536, minimum=1)
        chunked = self._start_stream("application/octet-stream")
        if self.command == "HEAD":
            self._finish_stream(chunked, head=True)
            return
        for offset in range(0, size, chunk):
            if offset and delay:
                self._sleep(delay)
            self._write_chunk(_pattern(offset, min(chunk, size - offset)), chunked)
        self._finish_stream(chunked)

    def _finish_stream(self, chunked: bool, head: bool = False) -> None:
        if chunked and not head:
            self.wfile.write(b"0\r\n\r\n")
        if not chunked:
            self._drop()

    def _route_flaky(self) -> None:
        key = self._param_str("key", "default")
        fail = self._param_int("fail", 2)
        status = self._param_status("status", 503)
        retry_after = self._param("retry_after")
        mode = self._param_str("mode", "status")
        if mode not in ("status", "drop"):
            raise _BadRequest(f"invalid mode: {mode!r}")
        attempt = self._srv.owner._flaky_hit(key)
        if attempt > fail:
            self._send_json(200, {"key": key, "attempt": attempt})
        elif mode == "drop":
            self._drop()
        else:
            headers = [] if retry_after is None else [("Retry-After", retry_after)]
            payload = {"key": key, "attempt": attempt, "error": "flaky failure"}
            self._send_json(status, payload, headers)

    def _route_redirect(self) -> None:
        location = self._param_str("to", "/echo")
        status = self._param_status("status", 302)
        self._send_json(status, {"location": location}, [("Location", location)])

    def _route_cookies_set(self) -> None:
        pairs = parse_qsl(self._query_string, keep_blank_values=True)
        headers = [("Set-Cookie", f"{name}={value}; Path=/") for name, value in pairs]
        self._send_json(200, dict(pairs), headers)

    def _route_cookies(self) -> None:
        cookies: dict[str, str] = {}
        for header in self.headers.get_all("Cookie") or []:
            for item in str(header).split(";"):
                name, _, value = item.strip().partition("=")
                if name:
                    cookies[name.strip()] = value.strip()
        self._send_json(200, cookies)


def _check_status(status: int) -> int:
    if not 200 <= status <= 599:
        raise _BadRequest(f"unsupported status code: {status}")
    return status


class LocalServer:
    """A threaded HTTP/1.1 test server on the loopback interface.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with LocalServer() as server:
            httpx.get(server.url("/echo"))
            assert server.count("/echo") == 1

    Every request is recorded in :attr:`requests` as soon as its body has been read.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Configure the address; nothing is bound until :meth:`start`."""
        self._host = host
        self._port = port
        self._state_lock = threading.Lock()
        self._lifecycle_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._path_hits: dict[str, int] = {}
        self._flaky_hits: dict[str, int] = {}
        self._connections = 0
        self._httpd: _ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None
        self._routes: dict[str, RouteHandler] = {}
        self._prefix_routes: dict[str, RouteHandler] = {}

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> LocalServer:
        """Bind (port 0 picks a free port), serve in a daemon thread and return ``self``."""
        with self._lifecycle_lock:
            if self._httpd is not None:
                raise RuntimeError("LocalServer is already running")
            httpd = _ThreadingHTTPServer((self._host, self._port), self)
            host, port = httpd.server_name, httpd.server_port
            shown = f"[{host}]" if ":" in host else host
            self._base_url = f"http://{shown}:{port}"
            thread = threading.Thread(
                target=httpd.serve,
                name=f"axios-python-testserver-{port}",
                daemon=True,
            )
            try:
                thread.start()
            except BaseException:
                httpd.server_close()
                raise
            self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        """Stop serving; safe to call repeatedly.

        Interrupts every pending delay, closes the listening socket, shuts down every open
        client connection and waits (bounded) for the server and handler threads to end.
        """
        with self._lifecycle_lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is None or thread is None:
                return
            deadline = time.monotonic() + _JOIN_TIMEOUT
            with httpd.track_lock:
                httpd.stopping.set()
            httpd.wake()
            thread.join(max(0.0, deadline - time.monotonic()))
            httpd.server_close()
            httpd.close_connections()
            httpd.join_handlers(deadline)

    def __enter__(self) -> Self:
        """Start the server (if not running yet) and return it."""
        if self._httpd is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    # -- addresses ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the server (kept after :meth:`stop`)."""
        if self._base_url is None:
            raise RuntimeError("LocalServer has not been started")
        return self._base_url

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` (which may carry a query string) on this server."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    # -- custom routes --------------------------------------------------------------------

    def route(self, path: str, handler: RouteHandler, *, prefix: bool = False) -> None:
        """Answer ``path`` with ``handler(request) -> Reply``, ahead of the built-in routes.

        With ``prefix=True`` the route also answers every path below ``path`` (``"/"`` takes
        every request). Requests to custom routes are recorded and counted like any other.
        ::

            server.route("/users/octocat", lambda request: Reply(json={"login": "octocat"}))
        """
        if not path.startswith("/"):
            raise ValueError(f"a route path starts with '/', got {path!r}")
        with self._state_lock:
            (self._prefix_routes if prefix else self._routes)[path] = handler

    def route_paths(self) -> frozenset[str]:
        """The paths of the custom routes (exact and prefix)."""
        with self._state_lock:
            return frozenset(self._routes) | frozenset(self._prefix_routes)

    def remove_route(self, path: str) -> None:
        """Forget the custom route of ``path`` (exact or prefix)."""
        with self._state_lock:
            self._routes.pop(path, None)
            self._prefix_routes.pop(path, None)

    def _custom_route(self, path: str) -> RouteHandler | None:
        with self._state_lock:
            handler = self._routes.get(path)
            if handler is not None or not self._prefix_routes:
                return handler
            for prefix, candidate in self._prefix_routes.items():
                base = prefix.rstrip("/")
                if path in (prefix, base) or path.startswith(base + "/"):
                    return candidate
        return None

    # -- recorded state -------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in arrival order."""
        with self._state_lock:
            return list(self._requests)

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections the server accepted (since start or :meth:`reset`)."""
        with self._state_lock:
            return self._connections

    def count(self, path: str) -> int:
        """How many requests hit exactly ``path`` (the query string is ignored)."""
        path = path.partition("?")[0]
        with self._state_lock:
            return self._path_hits.get(path, 0)

    def reset(self) -> None:
        """Forget recorded requests, hit and connection counters and ``/flaky`` state."""
        with self._state_lock:
            self._requests.clear()
            self._path_hits.clear()
            self._flaky_hits.clear()
            self._connections = 0

    def _record(self, request: RecordedRequest) -> int:
        """Record ``request``; return the hit count of its path including this one."""
        with self._state_lock:
            self._requests.append(request)
            hits = self._path_hits.get(request.path, 0) + 1
            self._path_hits[request.path] = hits
            return hits

    def _flaky_hit(self, key: str) -> int:
        with self._state_lock:
            attempt = self._flaky_hits.get(key, 0) + 1
            self._flaky_hits[key] = attempt
            return attempt

    def _connection_accepted(self) -> None:
        with self._state_lock:
            self._connections += 1

    def __repr__(self) -> str:
        state = "running" if self._httpd is not None else "stopped"
        return f"<LocalServer {self._base_url or 'unbound'} {state}>"
