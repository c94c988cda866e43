"""The high-throughput async transport: aiohttp's connection pool and HTTP/1.1 parser behind
httpx's transport interface, chosen with ``create({"transport": "aiohttp"})``.

Only the wire changes. httpx still builds each request, follows redirects (so the core's hop
policy and credential stripping apply to every hop), keeps the cookie jar, decodes the body and
applies ``max_content_length``; the pipeline, plugins, retries, cancellation and streaming are
the same code as with httpx's own transport. Sync calls of the same instance keep httpx's
transport (aiohttp has no blocking client).

What aiohttp cannot do, and this transport therefore refuses or leaves out: HTTP/2, SOCKS
proxies, a write timeout (``timeout.write`` is not enforced: reads, connects and pool waits
are), and a separate cap on idle kept-alive connections (``limits.max_connections`` bounds all
of them).

Errors are translated to the httpx exception the same failure raises with httpx's transport, so
that the retry engine judges them alike: above all, a connection dropped after the request went
out is a ``RemoteProtocolError`` or ``ReadError``, never a connect error (a connect error tells
the retry engine that the server never saw the request).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import SplitResult

import aiohttp
import yarl

from ._aiohttp_read_timer import use_read_timer
from ._engine import httpx
from ._headers import LOWER_KEYS_KEPT
from ._url_parse import target_parts

__all__ = ["AiohttpTransport"]

_CHUNK = 64 * 1024

#: aiohttp adds these when a request lacks them (``Content-Type`` to a body, and to any
#: ``POST``, ``PUT`` or ``PATCH``); httpx has already set the ones it wants, so a header the
#: caller removed must stay removed. By name as httpx keeps it (lower case), and as aiohttp
#: takes it.
_AUTO_HEADERS = (
    (b"user-agent", "User-Agent"),
    (b"accept", "Accept"),
    (b"accept-encoding", "Accept-Encoding"),
)
_CONTENT_TYPE = (b"content-type", "Content-Type")

#: The methods aiohttp adds no ``Content-Type`` to when they have no body.
_NO_BODY_NO_TYPE = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})


#: What aiohttp raises for a failed request (translated by ``_httpx_error``).
_AIOHTTP_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


def _translated(exc: BaseException, request: httpx.Request) -> Exception | None:
    """The httpx exception standing for an aiohttp failure (``None``: not aiohttp's). Its
    message never holds the URL (aiohttp puts the whole URL, query included, in some of its
    messages; the core adds the redacted one)."""
    name = type(exc).__name__
    kind: type[httpx.HTTPError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind, message = httpx.ConnectTimeout, "timed out connecting"
    elif isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        kind, message = httpx.ReadTimeout, "timed out reading the response"
    elif isinstance(exc, (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)):
        kind, message = httpx.ProxyError, "the proxy refused or failed the connection"
    elif isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS handshake, cert
        # "Cannot connect to host H:P ssl:... [reason]": a host and port, never a path or query
        kind, message = httpx.ConnectError, str(exc)
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        kind, message = httpx.RemoteProtocolError, "the server closed the connection"
    elif isinstance(exc, aiohttp.ClientPayloadError):
        kind, message = httpx.RemoteProtocolError, "the response body was cut off"
    elif isinstance(exc, aiohttp.ClientResponseError):  # a malformed status line or header
        kind, message = httpx.RemoteProtocolError, f"malformed response: {exc.message}"
    elif isinstance(exc, aiohttp.NonHttpUrlClientError):
        kind, message = httpx.UnsupportedProtocol, "only http:// and https:// URLs are sent"
    elif isinstance(exc, aiohttp.InvalidURL):
        return httpx.InvalidURL("invalid URL")
    elif isinstance(exc, aiohttp.ClientOSError):  # the connection failed after it was made
        kind, message = httpx.ReadError, exc.strerror or "connection error"
    elif isinstance(exc, aiohttp.ClientError):
        kind, message = httpx.TransportError, "transport error"
    else:
        return None
    return kind(f"{message} (aiohttp {name})", request=request)


def _httpx_error(exc: BaseException, request: httpx.Request) -> BaseException:
    """The httpx exception to raise for ``exc``; raised ``from None``: not chained, as aiohttp's
    own message may hold the whole URL, secrets in it included, and a logged traceback would
    show it."""
    translated = _translated(exc, request)
    if translated is None:  # pragma: no cover - every case of _translated returns one
        return exc
    return translated


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except _AIOHTTP_ERRORS as exc:
        raise _httpx_error(exc, request) from None


#: aiohttp's timeouts by httpx's (connect, pool, read), each made once (``ClientTimeout`` is
#: immutable); bounded like the other memos of the hot path.
_TIMEOUTS: dict[tuple[Any, Any, Any], aiohttp.ClientTimeout] = {}


def _timeouts(timeout: dict[str, float | None] | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for a request's ``timeout`` extension (httpx's four values; the write
    timeout has no aiohttp counterpart)."""
    timeout = timeout or {}
    connect, pool, read = timeout.get("connect"), timeout.get("pool"), timeout.get("read")
    key = (connect, pool, read)
    found = _TIMEOUTS.get(key)
    if found is None:
        found = aiohttp.ClientTimeout(
            total=None,
            sock_connect=connect,
            # aiohttp's connect phase includes the wait for a free connection
            connect=None if pool is None or connect is None else pool + connect,
            sock_read=read,
        )
        if len(_TIMEOUTS) >= 64:
            _TIMEOUTS.clear()
        _TIMEOUTS[key] = found
    return found


def _text_headers(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's headers as aiohttp takes them: text, which it always writes as UTF-8.
    Each name and value is read on its own: UTF-8 bytes as UTF-8, so they go out exactly as
    httpx would send them; other bytes (a non-ASCII value the core sent as Latin-1, or bytes a
    caller gave) as ISO-8859-1, the same characters, which aiohttp then writes as UTF-8.
    (``headers.encoding`` is one encoding for all of them: ISO-8859-1 as soon as one is not
    UTF-8, which changed every UTF-8 value beside it.)"""
    if LOWER_KEYS_KEPT:  # the pairs read where httpx keeps them, not copied first by ``raw``
        try:
            return [(name.decode(), value.decode()) for name, _, value in request.headers._list]
        except UnicodeDecodeError:
            pass
    return [(_text(name), _text(value)) for name, value in request.headers.raw]


def _skipped_auto_headers(request: httpx.Request, has_body: bool) -> list[str] | None:
    """The headers aiohttp would add to ``request`` that it must not (``None``: none, which
    spares aiohttp building a set of them for the request)."""
    if LOWER_KEYS_KEPT:
        present = {lower for _, lower, _ in request.headers._list}
    else:
        present = {name.lower() for name, _ in request.headers.raw}
    skipped = [name for lower, name in _AUTO_HEADERS if lower not in present]
    if _CONTENT_TYPE[0] not in present and (has_body or request.method not in _NO_BODY_NO_TYPE):
        skipped.append(_CONTENT_TYPE[1])
    return skipped or None


def _text(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")


class _Body(httpx.AsyncByteStream):
    """A response body read from aiohttp; closing it before the end drops the connection."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()  # back to the pool
        else:
            response.close()  # unread bytes left: the connection cannot be reused


async def _request_body(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` sending through one ``aiohttp.ClientSession``, created
    on first use on the running event loop (the core keeps one transport per loop)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits,
        proxy: httpx.Proxy | str | httpx.URL | None = None,
    ) -> None:
        self._ssl_context = ssl_context
        self._limits = limits
        self._proxy = None if proxy is None else _proxy(proxy)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open_session(self) -> aiohttp.ClientSession:
        limits = self._limits
        connector = aiohttp.TCPConnector(
            ssl=self._ssl_context,
            limit=limits.max_connections or 0,  # 0: no limit, as None means to httpx
            keepalive_timeout=limits.keepalive_expiry or 0,
        )
        use_read_timer(connector)  # httpx's read timeout with one timer per connection
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # the instance's httpx jar keeps cookies
            auto_decompress=False,  # httpx decodes, as with its own transport
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=False,  # httpx already routed environment proxies to its own mounts
            raise_for_status=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp; the response's body is streamed."""
        if self._closed:
            raise RuntimeError("the transport is closed")
        session = self._session
        if session is None:
            session = self._session = self._open_session()
        headers = _text_headers(request)
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:
            assert isinstance(request.stream, httpx.AsyncByteStream)
            data = _request_body(request.stream)
            # aiohttp frames a streamed body itself
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        proxy = self._proxy
        tunnel_headers = None
        if proxy is not None and proxy[1]:
            if request.url.scheme == "https":  # a CONNECT tunnel: the headers go to it only
                tunnel_headers = proxy[1]
            else:  # forwarded: the request itself goes to the proxy
                headers = [*headers, *proxy[1].items()]
        try:
            response = await session.request(
                request.method,
                # httpx has normalised and escaped it: sent exactly so, not escaped again; without
                # userinfo (httpx made it the Authorization header; aiohttp would refuse both)
                yarl.URL(SplitResult(*target_parts(request.url), ""), encoded=True),
                headers=headers,
                skip_auto_headers=_skipped_auto_headers(request, data is not None),
                data=data,
                allow_redirects=False,  # httpx follows them, under the core's hop policy
                timeout=_timeouts(request.extensions.get("timeout")),
                server_hostname=request.extensions.get("sni_hostname"),
                proxy=None if proxy is None else proxy[0],
                proxy_headers=tunnel_headers,
            )
        except _AIOHTTP_ERRORS as exc:
            raise _httpx_error(exc, request) from None
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("ascii", "replace")
        content = response.content
        stream: httpx.AsyncByteStream
        if content.is_eof():  # the whole body came with the headers (most small bodies)
            try:
                body = content.read_nowait()
            except BaseException as exc:
                response.close()  # a failed body: the connection cannot be reused
                if isinstance(exc, _AIOHTTP_ERRORS):
                    raise _httpx_error(exc, request) from None
                raise
            stream = httpx.ByteStream(body)
            response.release()  # the connection goes back to the pool now
        else:
            stream = _Body(response, request)
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=stream,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close every connection of the session."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _proxy(value: httpx.Proxy | str | httpx.URL) -> tuple[str, dict[str, str] | None]:
    """The proxy URL for aiohttp and the headers for the proxy, ``Proxy-Authorization`` built
    from the URL's userinfo as httpx's transport builds it (UTF-8, Basic)."""
    proxy = value if isinstance(value, httpx.Proxy) else httpx.Proxy(value)
    if proxy.url.scheme not in ("http", "https"):
        from ._exceptions import ConfigError

        raise ConfigError(
            f"config key 'proxy': scheme {proxy.url.scheme!r} is not supported by the aiohttp "
            "transport; accepted: http:// and https:// proxies (for SOCKS, leave 'transport' "
            "at its default)"
        )
    headers = dict(proxy.headers)
    if proxy.auth is not None:
        pair = ":".join(proxy.auth).encode("utf-8")
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    return str(proxy.url), headers or None  # httpx took the userinfo out of the URL
