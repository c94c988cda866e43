"""Tests of the loopback test server ``axios_python.testing.LocalServer``, using plain httpx."""

from __future__ import annotations

import email.utils
import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from axios_python.testing import LocalServer, RecordedRequest, Reply

__all__: list[str] = []


def _pattern(offset: int, length: int) -> bytes:
    return bytes((offset + i) % 251 for i in range(length))


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def client(server: LocalServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10.0) as c:
        yield c


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


class _Background:
    """Run one httpx request in a thread and keep its outcome."""

    def __init__(self, url: str, *, read_body: bool = True) -> None:
        self.response: httpx.Response | None = None
        self.error: httpx.HTTPError | None = None
        self._url = url
        self._read_body = read_body
        self.headers_received = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with (
                httpx.Client(timeout=30.0) as c,
                c.stream("GET", self._url) as response,
            ):
                self.headers_received.set()
                response.read()
                self.response = response
        except httpx.HTTPError as exc:
            self.error = exc


# -- lifecycle and addresses -----------------------------------------------------------------


def test_base_url_and_url(server: LocalServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    port = int(server.base_url.rsplit(":", 1)[1])
    assert port > 0
    assert server.url() == server.base_url + "/"
    assert server.url("/echo?a=1") == server.base_url + "/echo?a=1"
    assert server.url("echo") == server.base_url + "/echo"


def test_base_url_before_start_raises() -> None:
    srv = LocalServer()
    with pytest.raises(RuntimeError):
        _ = srv.base_url
    srv.stop()  # stopping a server that never started is a no-op


def test_start_returns_self_and_stop_is_idempotent() -> None:
    srv = LocalServer()
    assert srv.start() is srv
    with pytest.raises(RuntimeError):
        srv.start()
    assert httpx.get(srv.url("/json")).status_code == 200
    srv.stop()
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(srv.url("/json"))


def test_two_servers_get_distinct_ports() -> None:
    with LocalServer() as a, LocalServer() as b:
        assert a.base_url != b.base_url


def test_requests_is_a_copy(server: LocalServer, client: httpx.Client) -> None:
    client.get("/json")
    snapshot = server.requests
    snapshot.clear()
    assert len(server.requests) == 1


# -- /echo -----------------------------------------------------------------------------------


def test_echo_get(server: LocalServer, client: httpx.Client) -> None:
    response = client.get("/echo?a=1&a=2&b=", headers={"X-Custom": "yes"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["method"] == "GET"
    assert data["path"] == "/echo"
    assert data["query"] == {"a": ["1", "2"], "b": [""]}
    assert data["headers"]["x-custom"] == "yes"
    assert data["headers"]["host"] == server.base_url.removeprefix("http://")
    assert data["body"] == ""
    assert data["json"] is None


def test_echo_post_json_and_subpath(client: httpx.Client) -> None:
    data = client.post("/echo/deep/path", json={"k": [1, 2]}).json()
    assert data["method"] == "POST"
    assert data["path"] == "/echo/deep/path"
    assert data["json"] == {"k": [1, 2]}
    assert data["body"] == '{"k":[1,2]}'


def test_echo_non_json_and_invalid_utf8_body(client: httpx.Client) -> None:
    data = client.put("/echo", content=b"not json \xff").json()
    assert data["method"] == "PUT"
    assert data["json"] is None
    assert data["body"] == "not json \ufffd"


def test_echo_repeated_headers_are_joined(server: LocalServer, client: httpx.Client) -> None:
    data = client.get("/echo", headers=[("X-Multi", "a"), ("x-multi", "b")]).json()
    assert data["headers"]["x-multi"] == "a, b"
    recorded = server.requests[-1]
    assert ("X-Multi", "a") in recorded.headers
    assert ("x-multi", "b") in recorded.headers
    assert recorded.header("X-MULTI") == "a"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])
def test_echo_any_method(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/echo")
    assert response.status_code == 200
    assert response.json()["method"] == method


def test_head_gets_headers_without_body(client: httpx.Client) -> None:
    response = client.head("/json")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""
    # the connection is still usable afterwards
    assert client.get("/text").text == "hello world"


def test_echo_status_override(client: httpx.Client) -> None:
    response = client.post("/echo?status=418", content=b"x")
    assert response.status_code == 418
    assert response.json()["body"] == "x"


def test_echo_delay(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.get("/echo?delay=0.2")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.19


def test_request_is_recorded_before_the_delay(server: LocalServer) -> None:
    background = _Background(server.url("/echo?delay=0.5"))
    assert _wait_for(lambda: server.count("/echo") == 1, timeout=0.4)
    assert background.response is None
    background.thread.join(5)
    assert background.response is not None
    assert background.response.status_code == 200


def test_recorded_request_fields(server: LocalServer, client: httpx.Client) -> None:
    client.post("/echo/x?a=1&a=2", content=b"payload", headers={"X-Test": "V"})
    [recorded] = server.requests
    assert isinstance(recorded, RecordedRequest)
    assert recorded.method == "POST"
    assert recorded.path == "/echo/x"
    assert recorded.query == {"a": ["1", "2"]}
    assert recorded.raw_target == "/echo/x?a=1&a=2"
    assert recorded.body == b"payload"
    assert ("X-Test", "V") in recorded.headers
    assert recorded.header("x-test") == "V"
    assert recorded.header("content-length") == "7"
    assert recorded.header("missing") is None
    names = [name.lower() for name, _ in recorded.headers]
    assert names.index("host") < names.index("x-test")


def test_chunked_upload_is_recorded(server: LocalServer, client: httpx.Client) -> None:
    def parts() -> Iterator[bytes]:
        yield b"hello "
        yield b""
        yield b"chunked "
        yield b"world"

    response = client.post("/echo", content=parts())
    assert response.json()["body"] == "hello chunked world"
    recorded = server.requests[-1]
    assert recorded.header("transfer-encoding") == "chunked"
    assert recorded.header("content-length") is None
    assert recorded.body == b"hello chunked world"
    # keep-alive still works after a chunked upload
    assert client.get("/text").text == "hello world"
    assert server.connections_accepted == 1


def test_raw_chunked_upload_with_extensions_and_trailers(server: LocalServer) -> None:
    with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n"
            b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        )
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    assert raw.startswith(b"HTTP/1.1 200 ")
    assert server.requests[-1].body == b"hello world"


def test_invalid_content_length_answers_400(server: LocalServer) -> None:
    with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    assert raw.startswith(b"HTTP/1.1 400 ")


# -- /status ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 201, 400, 404, 418, 429, 500, 502, 503])
def test_status(client: httpx.Client, code: int) -> None:
    response = client.get(f"/status/{code}")
    assert response.status_code == code
    assert response.json() == {"status": code}
    assert "retry-after" not in response.headers


@pytest.mark.parametrize("code", [204, 304])
def test_status_without_body(client: httpx.Client, code: int) -> None:
    response = client.get(f"/status/{code}")
    assert response.status_code == code
    assert response.content == b""
    assert client.get("/text").text == "hello world"  # connection still in sync


def test_status_retry_after_seconds(client: httpx.Client) -> None:
    response = client.get("/status/429?retry_after=3")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"


def test_status_retry_after_http_date(client: httpx.Client) -> None:
    when = email.utils.formatdate(time.time() + 60, usegmt=True)
    response = client.get("/status/503", params={"retry_after": when})
    assert response.status_code == 503
    assert response.headers["retry-after"] == when


@pytest.mark.parametrize("target", ["/status/abc", "/status/99", "/status/700"])
def test_status_invalid(client: httpx.Client, target: str) -> None:
    assert client.get(target).status_code == 400


# -- /stall ----------------------------------------------------------------------------------


def test_stall_short(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.get("/stall?seconds=0.2")
    assert time.monotonic() - started >= 0.19
    assert response.json() == {"stalled": 0.2}


def test_stall_after_headers_short(client: httpx.Client) -> None:
    response = client.get("/stall?seconds=0.1&after_headers=1")
    assert response.status_code == 200
    assert response.headers["content-length"] == "10"
    assert len(response.content) == 10


def test_stall_after_headers_read_timeout(server: LocalServer) -> None:
    timeout = httpx.Timeout(5.0, read=0.3)
    with (
        httpx.Client(timeout=timeout) as c,
        c.stream("GET", server.url("/stall?seconds=5&after_headers=1")) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-length"] == "10"
        with pytest.raises(httpx.ReadTimeout):
            response.read()


def test_stop_interrupts_stall_promptly() -> None:
    srv = LocalServer().start()
    background = _Background(srv.url("/stall?seconds=30"))
    assert _wait_for(lambda: srv.count("/stall") == 1)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1.0
    background.thread.join(5)
    assert not background.thread.is_alive()
    assert background.response is None
    assert isinstance(background.error, httpx.TransportError)


def test_stop_interrupts_stall_after_headers() -> None:
    srv = LocalServer().start()
    background = _Background(srv.url("/stall?seconds=30&after_headers=1"))
    assert background.headers_received.wait(5)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1.0
    background.thread.join(5)
    assert isinstance(background.error, httpx.RemoteProtocolError)


def test_stop_interrupts_a_blocked_writer() -> None:
    srv = LocalServer().start()
    with (
        httpx.Client(timeout=10.0) as c,
        c.stream("GET", srv.url("/stream?size=200000000")) as response,
    ):
        assert response.status_code == 200
        time.sleep(0.2)  # let the server fill the socket buffers and block in send()
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 1.0
        with pytest.raises(httpx.TransportError):
            response.read()


# -- /drop -----------------------------------------------------------------------------------


def test_drop(server: LocalServer, client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/drop", content=b"body")
    assert server.count("/drop") == 1
    assert server.requests[-1].body == b"body"
    # the client recovers on a new connection
    assert client.get("/json").status_code == 200
    assert server.connections_accepted == 2


# -- /stream ---------------------------------------------------------------------------------


def test_stream_default(client: httpx.Client) -> None:
    with client.stream("GET", "/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        body = response.read()
    assert len(body) == 1024 * 1024
    assert body == _pattern(0, len(body))


def test_stream_size_and_chunk(client: httpx.Client) -> None:
    body = client.get("/stream?size=1000&chunk=7").content
    assert body == _pattern(0, 1000)
    assert client.get("/stream?size=0").content == b""


def test_stream_delay(client: httpx.Client) -> None:
    started = time.monotonic()
    received: list[bytes] = []
    with client.stream("GET", "/stream?size=30&chunk=10&delay=0.1") as response:
        received.extend(response.iter_bytes())
    assert time.monotonic() - started >= 0.19
    assert b"".join(received) == _pattern(0, 30)


def test_stream_lines(client: httpx.Client) -> None:
    with client.stream("GET", "/stream?lines=5") as response:
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["transfer-encoding"] == "chunked"
        lines = list(response.iter_lines())
    assert lines == [f"line {i}" for i in range(5)]


def test_stream_http10_falls_back_to_close_delimited(server: LocalServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))
    conn._http_vsn = 10  # type: ignore[attr-defined]
    conn._http_vsn_str = "HTTP/1.0"  # type: ignore[attr-defined]
    try:
        conn.request("GET", "/stream?size=5000&chunk=1000")
        response = conn.getresponse()
        assert response.getheader("transfer-encoding") is None
        assert response.read() == _pattern(0, 5000)
    finally:
        conn.close()


# -- /flaky ----------------------------------------------------------------------------------


def test_flaky_status_mode(server: LocalServer, client: httpx.Client) -> None:
    first = client.get("/flaky")
    second = client.get("/flaky")
    third = client.get("/flaky")
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert "retry-after" not in first.headers
    assert third.json() == {"key": "default", "attempt": 3}
    assert client.get("/flaky").json() == {"key": "default", "attempt": 4}


def test_flaky_options_and_keys(client: httpx.Client) -> None:
    url = "/flaky?key=a&fail=1&status=429&retry_after=2"
    failed = client.get(url)
    assert failed.status_code == 429
    assert failed.headers["retry-after"] == "2"
    assert client.get(url).json() == {"key": "a", "attempt": 2}
    # another key has its own counter
    assert client.get("/flaky?key=b&fail=1").status_code == 503
    assert client.get("/flaky?key=b&fail=1").json() == {"key": "b", "attempt": 2}
    assert client.get("/flaky?key=c&fail=0").json() == {"key": "c", "attempt": 1}


def test_flaky_drop_mode(server: LocalServer, client: httpx.Client) -> None:
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/flaky?key=d&mode=drop")
    assert client.get("/flaky?key=d&mode=drop").json() == {"key": "d", "attempt": 3}
    assert server.count("/flaky") == 3


def test_flaky_invalid_mode(client: httpx.Client) -> None:
    assert client.get("/flaky?mode=explode").status_code == 400


def test_reset_clears_state(server: LocalServer, client: httpx.Client) -> None:
    client.get("/flaky?fail=1")
    client.get("/count")
    assert server.count("/flaky") == 1
    assert server.connections_accepted == 1
    server.reset()
    assert server.requests == []
    assert server.count("/flaky") == 0
    assert server.count("/count") == 0
    assert server.connections_accepted == 0
    assert client.get("/flaky?fail=1").status_code == 503
    assert client.get("/count").json() == {"path": "/count", "hits": 1}


# -- fixed content ---------------------------------------------------------------------------


def test_json(client: httpx.Client) -> None:
    response = client.get("/json")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"hello": "world", "items": [1, 2, 3]}


def test_text(client: httpx.Client) -> None:
    response = client.get("/text")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "hello world"


def test_bytes(client: httpx.Client) -> None:
    response = client.get("/bytes?size=70000")
    assert response.headers["content-length"] == "70000"
    assert response.content == _pattern(0, 70000)
    assert client.get("/bytes?size=0").content == b""
    assert len(client.get("/bytes").content) == 1024


def test_not_found(client: httpx.Client) -> None:
    response = client.get("/nowhere?x=1")
    assert response.status_code == 404
    assert response.json() == {"error": "not found", "path": "/nowhere"}


# -- /redirect -------------------------------------------------------------------------------


def test_redirect_relative(client: httpx.Client) -> None:
    response = client.get("/redirect", params={"to": "/json"})
    assert response.status_code == 302
    assert response.headers["location"] == "/json"
    followed = client.get("/redirect", params={"to": "/json"}, follow_redirects=True)
    assert followed.json() == {"hello": "world", "items": [1, 2, 3]}


def test_redirect_to_another_server(server: LocalServer, client: httpx.Client) -> None:
    with LocalServer() as other:
        target = other.url("/echo/landed")
        response = client.post(
            "/redirect", params={"to": target, "status": "307"}, content=b"x", follow_redirects=True
        )
        assert response.status_code == 200
        assert str(response.url) == target
        assert response.json()["method"] == "POST"
        assert other.count("/echo/landed") == 1
    assert server.count("/redirect") == 1


# -- cookies ---------------------------------------------------------------------------------


def test_cookies_set(client: httpx.Client) -> None:
    response = client.get("/cookies/set?a=1&b=two")
    assert response.status_code == 200
    assert response.json() == {"a": "1", "b": "two"}
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=two; Path=/"]
    assert client.get("/cookies").json() == {"a": "1", "b": "two"}


def test_cookies_from_header(client: httpx.Client) -> None:
    assert client.get("/cookies").json() == {}
    response = client.get("/cookies", headers={"Cookie": "x=1; y=2;  z=three"})
    assert response.json() == {"x": "1", "y": "2", "z": "three"}


# -- /count ----------------------------------------------------------------------------------


def test_count(server: LocalServer, client: httpx.Client) -> None:
    assert client.get("/count").json() == {"path": "/count", "hits": 1}
    assert client.get("/count?x=1").json() == {"path": "/count", "hits": 2}
    assert server.count("/count") == 2
    assert server.count("/count?ignored=1") == 2
    assert server.count("/elsewhere") == 0


def test_count_with_delay_concurrently(server: LocalServer, client: httpx.Client) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        hits = list(pool.map(lambda _: client.get("/count?delay=0.3").json()["hits"], range(20)))
    assert sorted(hits) == list(range(1, 21))
    assert time.monotonic() - started < 3.0
    assert server.count("/count") == 20


# -- connections and concurrency -------------------------------------------------------------


def test_keep_alive_reuses_one_connection(server: LocalServer) -> None:
    with httpx.Client() as c:
        assert c.get(server.url("/echo")).status_code == 200
        assert c.post(server.url("/echo"), content=b"x" * 1000).status_code == 200
        assert c.get(server.url("/stream?size=100000")).status_code == 200
        assert c.get(server.url("/json")).status_code == 200
    assert server.connections_accepted == 1
    with httpx.Client() as other:
        other.get(server.url("/json"))
    assert server.connections_accepted == 2


def test_200_concurrent_requests_through_one_client(server: LocalServer) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with httpx.Client(base_url=server.base_url, limits=limits, timeout=20.0) as c:
        barrier = threading.Barrier(200)

        def call(i: int) -> int:
            barrier.wait()
            response = c.get("/echo", params={"i": str(i), "delay": "0.05"})
            assert response.json()["query"]["i"] == [str(i)]
            return response.status_code

        with ThreadPoolExecutor(max_workers=200) as pool:
            statuses = list(pool.map(call, range(200)))
    assert statuses == [200] * 200
    assert server.count("/echo") == 200


def test_500_concurrent_keep_alive_connections(server: LocalServer) -> None:
    port = int(server.base_url.rsplit(":", 1)[1])
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=20) for _ in range(500)]
    try:
        for round_number in range(2):
            for index, conn in enumerate(connections):
                conn.request("GET", f"/echo?i={index}")
            for index, conn in enumerate(connections):
                response = conn.getresponse()
                assert response.status == 200
                assert f'"i": ["{index}"]' in response.read().decode()
            assert server.count("/echo") == 500 * (round_number + 1)
    finally:
        for conn in connections:
            conn.close()
    assert server.connections_accepted == 500


def test_16_threads_hammering(server: LocalServer) -> None:
    paths = ["/json", "/text", "/echo?x=1", "/bytes?size=5000", "/stream?size=20000", "/count"]

    def worker(_: int) -> int:
        done = 0
        with httpx.Client(base_url=server.base_url, timeout=20.0) as c:
            for i in range(60):
                response = c.get(paths[i % len(paths)])
                assert response.status_code == 200
                done += 1
        return done

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert sum(pool.map(worker, range(16))) == 16 * 60
    assert len(server.requests) == 16 * 60
    assert server.count("/count") == 16 * 10


def test_no_thread_left_behind_after_stop() -> None:
    before = set(threading.enumerate())
    srv = LocalServer().start()
    idle_clients = [httpx.Client() for _ in range(5)]
    try:
        for c in idle_clients:  # idle keep-alive connections, each holding a handler thread
            c.get(srv.url("/json"))
        stalled = [_Background(srv.url("/stall?seconds=30")) for _ in range(3)]
        assert _wait_for(lambda: srv.count("/stall") == 3)
        assert threading.active_count() > len(before)
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 1.0
        for background in stalled:
            background.thread.join(5)
            assert isinstance(background.error, httpx.TransportError)
    finally:
        for c in idle_clients:
            c.close()

    def only_old_threads_left() -> bool:
        # Compared as sets, so threads of other tests' servers ending meanwhile do not matter.
        return set(threading.enumerate()) <= before

    assert _wait_for(only_old_threads_left, timeout=1.0)
    assert threading.active_count() <= len(before)


def test_restart_after_stop() -> None:
    srv = LocalServer()
    with srv:
        httpx.get(srv.url("/json"))
    with srv:
        assert httpx.get(srv.url("/json")).status_code == 200
    assert srv.count("/json") == 2


# -- custom routes ------------------------------------------------------------------------


def test_custom_routes(server: LocalServer, client: httpx.Client) -> None:
    seen: list[RecordedRequest] = []

    def users(request: RecordedRequest) -> Reply:
        seen.append(request)
        return Reply(201, json={"host": request.header("host")}, headers={"X-Custom": "1"})

    server.route("/users", users)
    server.route("/files", lambda r: Reply(body="in " + r.path), prefix=True)
    server.route("/json", lambda r: Reply(body=b"\x00shadowed"))  # ahead of the built-in
    response = client.post(server.url("/users"), json={"a": 1})
    assert response.status_code == 201 and response.headers["x-custom"] == "1"
    assert response.json() == {"host": server.base_url.removeprefix("http://")}
    assert seen[0].body == b'{"a":1}' and server.count("/users") == 1
    nested = client.get(server.url("/files/a/b.txt"))
    assert nested.text == "in /files/a/b.txt"
    assert nested.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get(server.url("/json")).content == b"\x00shadowed"
    server.remove_route("/json")
    assert client.get(server.url("/json")).json()["hello"] == "world"
    with pytest.raises(ValueError, match="starts with '/'"):
        server.route("users", users)


def test_custom_route_drop_delay_and_chunks(server: LocalServer, client: httpx.Client) -> None:
    server.route("/gone", lambda r: Reply(drop=True))
    server.route("/slow", lambda r: Reply(chunks=[b"ab", b"cd"], chunk_delay=0.05, delay=0.05))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(server.url("/gone"))
    slow = client.get(server.url("/slow"))
    assert slow.content == b"abcd" and slow.headers["content-length"] == "4"


def test_custom_route_can_cut_a_response_or_close_keep_alive() -> None:
    with LocalServer() as server:
        server.route("/cut", lambda request: Reply(body=b"x" * 100_000, reset_after=1_000))
        server.route("/idle-close", lambda request: Reply(body=b"ok", close_after=True))
        with httpx.Client(base_url=server.base_url) as client, pytest.raises(httpx.ReadError):
            client.get("/cut")
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"GET /idle-close HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while chunk := sock.recv(4096):  # ends when the server closes the connection
                received += chunk
        assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"\r\n\r\nok")
        assert b"connection: close" not in received.lower()  # it closed without saying so
