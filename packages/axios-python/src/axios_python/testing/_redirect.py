"""Route a client's traffic for named hosts to a local server, so code written against
``https://api.example.com`` runs as written in tests, docs and demos."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from .._engine import httpx
from .._transport import transport_wrappers

__all__ = ["redirect"]


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_MARK = "axios_python.redirected"


class _Rewrite:
    """Builds the request actually sent: scheme, host and port of the target, everything else
    (path, query, headers including ``Host``, body, extensions) as the client made it.

    The client's own request is left untouched, so cookies, ``response.url`` and error messages
    keep the host the code asked for. The innermost active ``redirect`` wins; loopback URLs are
    left alone when every host is redirected.
    """

    def __init__(self, target: httpx.URL, hosts: frozenset[str] | None) -> None:
        self.target = target
        self.hosts = hosts

    def __call__(self, request: httpx.Request) -> httpx.Request:
        host = request.url.host
        if request.extensions.get(_MARK):
            return request
        if self.hosts is None and host in _LOOPBACK:
            return request
        if self.hosts is not None and host not in self.hosts:
            return request
        url = request.url.copy_with(
            scheme=self.target.scheme, host=self.target.host, port=self.target.port
        )
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, _MARK: True},
        )


class _SyncRedirect(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, rewrite: _Rewrite) -> None:
        self._inner = inner
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(self._rewrite(request))

    def close(self) -> None:
        self._inner.close()


class _AsyncRedirect(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, rewrite: _Rewrite) -> None:
        self._inner = inner
        self._rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(self._rewrite(request))

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextlib.contextmanager
def redirect(target: str, hosts: Iterable[str] | None = None) -> Iterator[None]:
    """While active, clients created (lazily, at their first request) send requests for
    ``hosts`` (every non-loopback host when ``None``) to ``target`` (e.g. ``server.base_url``).

    What is sent keeps its path, query, headers (including ``Host``) and body; the client still
    sees its own request, so cookies, ``response.url`` and errors name the original host.
    Nested redirects: the innermost wins.
    """
    rewrite = _Rewrite(httpx.URL(target), None if hosts is None else frozenset(hosts))

    def wrap(transport: Any) -> Any:
        if isinstance(transport, httpx.BaseTransport):
            return _SyncRedirect(transport, rewrite)
        return _AsyncRedirect(transport, rewrite)

    transport_wrappers.append(wrap)
    try:
        yield
    finally:
        transport_wrappers.remove(wrap)
