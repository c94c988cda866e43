"""The high-throughput async transport, ``create({"transport": "aiohttp"})``: only the wire
changes. Every call below goes through aiohttp on a real loopback server and keeps what the
default transport gives: request bodies (bytes, JSON, streamed) and headers exactly as httpx
builds them, streamed responses, cookies, redirects under the core's credential policy, timeouts,
retries of dropped connections, cancellation, ``max_content_length``, gzip decoding,
middleware; errors translated to the same axios_python errors; a clear refusal of what aiohttp
cannot do; every connection closed with the instance, on every event loop it served."""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import socket
import ssl
import threading
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import (
    CancelError,
    CancelToken,
    ConfigError,
    ContentTooLarge,
    NetworkError,
)
from axios_python import TimeoutError as AxiosTimeoutError
from axios_python.engine import httpx
from axios_python.testing import LocalServer, Reply

AIOHTTP = {"transport": "aiohttp"}


@pytest.fixture
def api(local_server: LocalServer) -> Iterator[axios_python.AxiosPython]:
    instance = axios_python.create({"base_url": local_server.base_url, "timeout": 10.0, **AIOHTTP})
    yield instance
    instance.close()


@pytest.fixture(autouse=True)
def sent_through_aiohttp(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the aiohttp transport sent, in order."""
    from axios_python._aiohttp import AiohttpTransport

    sent: list[str] = []
    real = AiohttpTransport.handle_async_request

    async def spy(self: AiohttpTransport, request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return await real(self, request)

    monkeypatch.setattr(AiohttpTransport, "handle_async_request", spy)
    return sent


async def test_requests_and_bodies_go_out_as_httpx_builds_them(
    api: axios_python.AxiosPython, local_server: LocalServer, sent_through_aiohttp: list[str]
) -> None:
    got = await api.async_get("/json", params={"q": "a b"}, headers={"X-Trace": "1"})
    assert got.status_code == 200 and got.data == {"hello": "world", "items": [1, 2, 3]}
    assert sent_through_aiohttp == [local_server.url("/json?q=a+b")]

    echoed = (await api.async_post("/echo", json={"a": 1})).data
    assert echoed["json"] == {"a": 1}
    headers = echoed["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("axios-python/")  # not aiohttp's own
    assert "aiohttp" not in str(headers)

    async def chunks() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"def"

    streamed = (await api.async_put("/echo", content=chunks())).data
    assert streamed["body"] == "abcdef"
    assert streamed["headers"]["transfer-encoding"] == "chunked"

    form = (await api.async_post("/echo", data={"k": "v w"})).data
    assert form["body"] == "k=v+w"
    assert [r.header("x-trace") for r in local_server.requests][:1] == ["1"]


#: Requests whose headers aiohttp would complete its own way: no body, a body without a
#: ``Content-Type``, the default headers removed.
HEADER_SHAPES: list[tuple[str, dict[str, Any]]] = [
    *((method, {}) for method in ("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH")),
    *((method, {"content": b"raw"}) for method in ("GET", "DELETE", "POST")),
    ("POST", {"json": {"a": 1}}),
    ("GET", {"headers": {"User-Agent": None, "Accept": None, "Accept-Encoding": None}}),
    ("POST", {"content": b"x", "headers": {"Content-Type": None}}),
]


@pytest.mark.parametrize(("method", "options"), HEADER_SHAPES)
async def test_the_headers_sent_are_the_ones_httpx_sends(
    local_server: LocalServer, method: str, options: dict[str, Any]
) -> None:
    """aiohttp adds ``User-Agent``, ``Accept``, ``Accept-Encoding`` and ``Content-Type`` where
    a request lacks them; it must add none that httpx's transport would not send."""
    sent = []
    for config in ({}, AIOHTTP):
        async with axios_python.create({"base_url": local_server.base_url, **config}) as api:
            await api.async_request(method, "/echo", **options)
        received = local_server.requests[-1].headers
        sent.append(sorted((name.lower(), value) for name, value in received))
    default, fast = sent
    if method == "DELETE" and "content" not in options:  # aiohttp's own rule (documented)
        assert ("content-length", "0") in fast
        fast.remove(("content-length", "0"))
    assert fast == default


async def test_the_request_target_is_the_one_httpx_sends(local_server: LocalServer) -> None:
    """aiohttp must not escape again (or unescape) what httpx already normalised: the request
    line carries exactly the target httpx's own transport sends."""
    targets = [
        "/echo/a%7Eb/%2F/%e2%82%AC?x=%41&y=a+b&z=%25&w=a/b?c",
        "/echo/~user/(a)!$&'*+,;=:@?q=[1]",
        "/echo/ünï?q=é€ &r=`{}`",
    ]
    for target in targets:
        for config in ({}, AIOHTTP):
            async with axios_python.create({"base_url": local_server.base_url, **config}) as api:
                await api.async_get(target)
        default, fast = local_server.requests[-2:]
        assert fast.raw_target == default.raw_target, target


async def test_credentials_in_the_url_are_sent_as_httpx_sends_them(
    local_server: LocalServer,
) -> None:
    """httpx turns a URL's userinfo into a Basic ``Authorization`` header and sends the URL
    without it; aiohttp, handed both, refused the call with a bare ``ValueError``."""
    url = local_server.url("/echo").replace("http://", "http://ann:s3cr%40t@")
    for config in ({}, AIOHTTP):
        async with axios_python.create(config) as api:
            await api.async_get(url)
    default, fast = local_server.requests[-2:]
    assert fast.raw_target == default.raw_target == "/echo"
    assert fast.header("authorization") == default.header("authorization")
    assert default.header("authorization") == "Basic YW5uOnMzY3JAdA=="


@pytest.mark.parametrize("pairs_read", [True, False])
async def test_header_bytes_go_out_as_httpx_sends_them_where_aiohttp_can(
    local_server: LocalServer, pairs_read: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiohttp writes header text as UTF-8: a UTF-8 value given as bytes goes out byte for
    byte as httpx's transport sends it, even beside one that is not UTF-8; a value that is not
    UTF-8 (a non-ASCII str, which the core sends as Latin-1, or Latin-1 bytes) keeps its
    characters and goes out as their UTF-8. The same where the headers' pairs cannot be read
    from httpx's own list (``pairs_read=False``)."""
    from axios_python import _aiohttp

    monkeypatch.setattr(_aiohttp, "LOWER_KEYS_KEPT", pairs_read)
    utf8: dict[str, str | bytes] = {"X-Name": "Zoë €".encode(), "X-Plain": b"a b", "X-Str": "a"}
    for config in ({}, AIOHTTP):
        async with axios_python.create(config) as api:
            await api.async_get(local_server.url("/echo"), headers=utf8)
    default, fast = local_server.requests[-2:]
    assert fast.headers[-3:] == default.headers[-3:]
    assert fast.header("x-name") == "Zoë €".encode().decode("iso-8859-1")  # as received

    latin: dict[str, str | bytes] = {"X-Text": "Zoë", "X-Bytes": "été".encode("latin-1"), **utf8}
    for config in ({}, AIOHTTP):
        async with axios_python.create(config) as api:
            await api.async_get(local_server.url("/echo"), headers=latin)
    default, fast = local_server.requests[-2:]
    assert default.header("x-text") == "Zoë"  # httpx's transport: the Latin-1 byte
    assert fast.header("x-text") == "Zoë".encode().decode("iso-8859-1")  # aiohttp: UTF-8
    assert fast.header("x-bytes") == "été".encode().decode("iso-8859-1")
    assert fast.headers[-3:] == default.headers[-3:]  # the UTF-8 ones beside them: unchanged


async def test_a_streamed_response_is_read_in_pieces_and_closing_early_frees_the_connection(
    api: axios_python.AxiosPython, sent_through_aiohttp: list[str]
) -> None:
    size = 3 * 1024 * 1024
    async with await api.async_get(f"/stream?size={size}&chunk=65536", stream=True) as response:
        assert len(sent_through_aiohttp) == 1
        total = 0
        async for piece in response.aiter_bytes():
            assert len(piece) <= 64 * 1024
            total += len(piece)
    assert total == size
    for _ in range(3):  # stopped after the first piece: the connection is dropped, not reused
        async with await api.async_get(f"/stream?size={size}", stream=True) as response:
            async for _piece in response.aiter_bytes():
                break
    assert (await api.async_get("/json")).status_code == 200


async def test_cookies_and_redirects_keep_the_core_policy(
    api: axios_python.AxiosPython, local_server: LocalServer, other_server: LocalServer
) -> None:
    await api.async_get("/cookies/set", params={"session": "abc"})
    assert (await api.async_get("/cookies")).data == {"session": "abc"}

    secret = {"Authorization": "Bearer s3cret"}
    same = await api.async_get("/redirect", params={"to": "/echo"}, headers=secret)
    assert same.data["headers"]["authorization"] == "Bearer s3cret"
    away = await api.async_get("/redirect", params={"to": "http://other.test/echo"}, headers=secret)
    assert away.status_code == 200 and away.data["path"] == "/echo"
    assert "authorization" not in away.data["headers"]  # stripped on the way to another origin
    assert other_server.requests[-1].header("authorization") is None


async def test_timeouts_and_network_errors_are_the_same_axios_errors(
    api: axios_python.AxiosPython,
) -> None:
    key = "s3cret" + "-key"  # (the traceback shows this line's source, not the value)
    with pytest.raises(AxiosTimeoutError) as timed_out:
        await api.async_get(f"/stall?seconds=10&api_key={key}", timeout=0.3)
    assert isinstance(timed_out.value.__cause__, httpx.ReadTimeout)
    shown = "".join(traceback.format_exception(timed_out.value))
    assert "s3cret-key" not in shown  # aiohttp's own message holds the URL: never shown

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(NetworkError) as refused:
        await api.async_get(f"http://127.0.0.1:{port}/nothing")
    assert isinstance(refused.value.__cause__, httpx.ConnectError)

    with pytest.raises(NetworkError) as dropped:  # the request went out: not a connect error
        await api.async_post("/drop", json={"n": 1})
    assert isinstance(dropped.value.__cause__, httpx.RemoteProtocolError)


async def test_a_dropped_connection_is_retried_like_with_httpx(
    api: axios_python.AxiosPython,
) -> None:
    response = await api.async_get(
        "/flaky", params={"key": "aio-drop", "fail": 1, "mode": "drop"}, max_retries=1
    )
    assert response.data == {"key": "aio-drop", "attempt": 2}


async def test_a_body_cut_off_in_the_middle_fails_the_call(
    api: axios_python.AxiosPython, local_server: LocalServer
) -> None:
    local_server.route("/cut", lambda request: Reply(body=b"x" * 100_000, reset_after=1000))
    with pytest.raises(NetworkError):
        await api.async_get("/cut")
    assert (await api.async_get("/json")).status_code == 200


async def test_cancellation_stops_the_request(api: axios_python.AxiosPython) -> None:
    task = asyncio.ensure_future(api.async_get("/stall?seconds=10"))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    token = CancelToken()
    call = asyncio.ensure_future(api.async_get("/stall?seconds=10", cancel_token=token))
    await asyncio.sleep(0.1)
    token.cancel("user left")
    with pytest.raises(CancelError, match="user left"):
        await call
    assert (await api.async_get("/json")).status_code == 200


async def test_max_content_length_and_decoding_still_apply(
    api: axios_python.AxiosPython, local_server: LocalServer
) -> None:
    with pytest.raises(ContentTooLarge):
        await api.async_get("/bytes?size=100000", max_content_length=1000)

    text = "hello " * 1000
    local_server.route(
        "/gz",
        lambda request: Reply(
            body=gzip.compress(text.encode()),
            headers={"Content-Encoding": "gzip"},
            content_type="text/plain; charset=utf-8",
        ),
    )
    assert (await api.async_get("/gz")).data == text


async def test_a_body_that_came_with_the_headers_is_read_like_any_other(
    api: axios_python.AxiosPython, local_server: LocalServer
) -> None:
    first = await api.async_get("/json")
    second = await api.async_get("/json")
    for response in (first, second):
        assert response.data and response.is_closed and response.is_stream_consumed
        assert response.num_bytes_downloaded == len(response.content)
        assert response.elapsed.total_seconds() > 0
    assert local_server.connections_accepted == 1  # the connection went back to the pool
    with pytest.raises(ContentTooLarge):
        await api.async_get("/json", max_content_length=5)
    streamed = await api.async_get("/json", stream=True)
    assert await streamed.aread() == first.content


async def test_a_body_that_came_whole_but_failed_fails_the_call_cleanly(
    api: axios_python.AxiosPython, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiohttp

    def broken(self: Any, n: int = -1) -> bytes:
        raise aiohttp.ClientPayloadError("body broken at http://h/secret?token=t")

    assert (await api.async_get("/json")).status_code == 200
    with monkeypatch.context() as patch:  # the body counts as arrived whole, and is broken
        patch.setattr(aiohttp.StreamReader, "is_eof", lambda self: True)
        patch.setattr(aiohttp.StreamReader, "read_nowait", broken)
        with pytest.raises(NetworkError) as failed:
            await api.async_get("/json", max_retries=0)
    assert "token" not in str(failed.value)  # aiohttp's own message, with the URL, is dropped
    assert isinstance(failed.value.__cause__, httpx.RemoteProtocolError)
    assert (await api.async_get("/json")).status_code == 200  # the pool still serves


async def test_middleware_and_interceptors_run_as_with_httpx(
    api: axios_python.AxiosPython,
) -> None:
    seen: list[str] = []

    async def stamp(ctx: Any, next_fn: Any) -> Any:
        seen.append(ctx["url"])
        response = await next_fn(ctx)
        response.headers["X-Seen"] = "yes"
        return response

    def tag(config: Any) -> Any:
        config["headers"]["X-Tag"] = "t"
        return config

    api.use(stamp)
    api.interceptors.request.use(tag)
    response = await api.async_get("/echo")
    assert seen == ["/echo"] and response.headers["X-Seen"] == "yes"
    assert response.data["headers"]["x-tag"] == "t"


def test_sync_calls_of_the_same_instance_use_httpx(
    api: axios_python.AxiosPython, sent_through_aiohttp: list[str]
) -> None:
    assert api.get("/json").status_code == 200
    assert sent_through_aiohttp == []


def test_one_instance_serves_several_event_loops_and_closes_them_all(
    local_server: LocalServer,
) -> None:
    api = axios_python.create({"base_url": local_server.base_url, **AIOHTTP})
    for _ in range(3):
        assert asyncio.run(api.async_get("/json")).status_code == 200
    assert api.get("/json").status_code == 200

    async def last() -> None:
        assert (await api.async_get("/json")).status_code == 200
        await api.aclose()

    asyncio.run(last())
    assert api.is_closed


async def test_concurrent_calls_share_the_pool(local_server: LocalServer) -> None:
    async with axios_python.create(
        {"base_url": local_server.base_url, "limits": httpx.Limits(max_connections=4), **AIOHTTP}
    ) as api:
        results = await asyncio.gather(*(api.async_get("/count") for _ in range(40)))
    assert all(r.status_code == 200 for r in results)
    assert local_server.connections_accepted <= 4


def test_bad_values_are_refused_with_what_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"'aiohttp'") as wrong:
        axios_python.create({"transport": "aiohttp2"})
    assert "aiohttp2" in str(wrong.value)

    real = importlib.util.find_spec

    def without_aiohttp(name: str, *args: Any) -> Any:
        return None if name == "aiohttp" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_aiohttp)
    with pytest.raises(ConfigError, match=r"axios-python\[fast\]"):
        axios_python.create({"transport": "aiohttp"})


async def test_an_http_proxy_gets_the_request_and_its_credentials(
    sent_through_aiohttp: list[str],
) -> None:
    with LocalServer() as proxy:  # answers an absolute-form request as if it were the origin
        port = proxy.base_url.rsplit(":", 1)[1]
        config = {"proxy": f"http://user:pw@127.0.0.1:{port}", **AIOHTTP}
        async with axios_python.create(config) as api:
            response = await api.async_get("http://upstream.test/echo", params={"q": "1"})
    assert sent_through_aiohttp == ["http://upstream.test/echo?q=1"]
    assert response.status_code == 200 and response.data["query"] == {"q": ["1"]}
    seen = proxy.requests[-1]
    assert seen.header("host") == "upstream.test"
    assert seen.header("proxy-authorization") == "Basic dXNlcjpwdw=="  # user:pw, to the proxy
    assert "user" not in str(response.url) and "pw" not in repr(api)


async def test_a_proxy_from_the_environment_is_used_through_httpx_transport(
    monkeypatch: pytest.MonkeyPatch, sent_through_aiohttp: list[str]
) -> None:
    with LocalServer() as proxy:  # answers an absolute-form request as if it were the origin
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with axios_python.create(AIOHTTP) as api:
            response = await api.async_get("http://upstream.test/echo", params={"q": "1"})
        async with axios_python.create({"trust_env": False, "timeout": 2.0, **AIOHTTP}) as api:
            with pytest.raises(NetworkError):  # not trusted: straight to a host that is not there
                await api.async_get("http://upstream.test/echo")
    assert response.status_code == 200 and response.data["query"] == {"q": ["1"]}
    assert proxy.requests[-1].header("host") == "upstream.test"
    # the environment's proxy is routed as httpx routes it, by its own transport; without
    # trust_env the request went through aiohttp (and found no such host)
    assert sent_through_aiohttp == ["http://upstream.test/echo"]


async def test_a_socks_proxy_is_refused_clearly() -> None:
    async with axios_python.create({"proxy": "socks5://127.0.0.1:1080", **AIOHTTP}) as api:
        with pytest.raises(ConfigError, match=r"'socks5' is not supported by the aiohttp"):
            await api.async_get("http://127.0.0.1:1/")


class _TLSServer:
    """An HTTPS server on loopback answering each connection once (``Connection: close``);
    with ``client_ca`` it requires a client certificate that CA signed."""

    BODY = b'{"secure": true}'

    def __init__(self, cert: Path, key: Path, client_ca: Path | None = None) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        if client_ca is not None:
            self._context.verify_mode = ssl.CERT_REQUIRED
            self._context.load_verify_locations(client_ca)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self.answered = 0
        self.heads: list[bytes] = []  # the request heads received, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        reply = (
            f"HTTP/1.1 200 OK\r\nContent-Length: {len(self.BODY)}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n\r\n"
        ).encode() + self.BODY
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    with self._context.wrap_socket(conn, server_side=True) as tls:
                        self.heads.append(tls.recv(65536))  # one read on loopback
                        tls.sendall(reply)
                        self.answered += 1
                except (ssl.SSLError, OSError):
                    continue  # a handshake the client (or we) refused

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def tls_server(tls_cert: tuple[Path, Path]) -> Iterator[_TLSServer]:
    server = _TLSServer(*tls_cert)
    yield server
    server.close()


async def test_https_verifies_the_server_as_configured(
    tls_server: _TLSServer, tls_cert: tuple[Path, Path], sent_through_aiohttp: list[str]
) -> None:
    cert, _ = tls_cert
    async with axios_python.create({"verify": str(cert), "timeout": 10.0, **AIOHTTP}) as api:
        response = await api.async_get(tls_server.url + "/json")
        assert response.data == {"secure": True}
    assert sent_through_aiohttp == [tls_server.url + "/json"]

    # the system's CAs do not know a self-signed certificate: refused, as with httpx
    async with axios_python.create({"timeout": 10.0, **AIOHTTP}) as api:
        with pytest.raises(NetworkError) as refused:
            await api.async_get(tls_server.url + "/json?token=s3cret")
    assert "certificate" in str(refused.value).lower()
    assert "s3cret" not in str(refused.value)

    async with axios_python.create({"verify": False, "timeout": 10.0, **AIOHTTP}) as api:
        assert (await api.async_get(tls_server.url + "/json")).data == {"secure": True}
    assert tls_server.answered == 2


async def test_a_client_certificate_is_presented_when_configured(
    tls_cert: tuple[Path, Path],
) -> None:
    cert, key = tls_cert
    server = _TLSServer(cert, key, client_ca=cert)  # it trusts our certificate as a client's
    try:
        config = {"verify": str(cert), "timeout": 10.0, **AIOHTTP}
        async with axios_python.create({**config, "cert": (str(cert), str(key))}) as api:
            assert (await api.async_get(server.url + "/json")).data == {"secure": True}
        async with axios_python.create(config) as api:  # no client certificate: refused
            with pytest.raises(NetworkError):
                await api.async_get(server.url + "/json")
        assert server.answered == 1
    finally:
        server.close()


class _TunnelingProxy:
    """An HTTP proxy on loopback that only tunnels (``CONNECT``), recording each CONNECT head."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connects: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._listener.settimeout(10)
        with self._listener:
            try:
                client, _ = self._listener.accept()  # one tunnel is all a test needs
            except OSError:  # no client came: the test failed before it
                return
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(4096)
            self.connects.append(head)
            target = head.split(b" ")[1].decode()
            host, _, port = target.rpartition(":")
            with socket.create_connection((host, int(port)), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                pump.start()
                _pipe(client, upstream)
                pump.join(5)

    def close(self) -> None:
        self._thread.join(5)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until ``source`` ends, then end ``sink``'s writing side."""
    source.settimeout(5)
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


async def test_https_through_a_proxy_tunnels_and_keeps_its_credentials_outside(
    tls_server: _TLSServer, tls_cert: tuple[Path, Path]
) -> None:
    cert, _ = tls_cert
    proxy = _TunnelingProxy()
    try:
        proxy_url = proxy.url.replace("http://", "http://user:pw@")
        config = {"proxy": proxy_url, "verify": str(cert), "timeout": 10.0, **AIOHTTP}
        async with axios_python.create(config) as api:
            response = await api.async_get(tls_server.url + "/json")
        assert response.data == {"secure": True}
    finally:
        proxy.close()
    [connect] = proxy.connects
    port = tls_server.url.rsplit(":", 1)[1]
    assert connect.startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.1".encode())
    assert b"proxy-authorization: basic dxnlcjpwdw==" in connect.lower()  # user:pw, to the proxy
    [inside] = tls_server.heads  # the request inside the tunnel: no proxy credentials
    assert inside.startswith(b"GET /json HTTP/1.1") and b"proxy-authorization" not in inside.lower()
