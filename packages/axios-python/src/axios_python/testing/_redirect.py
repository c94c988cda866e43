"""Route a client's traffic for named hosts to a local server, so code written against
``https://api.example.com`` runs as written in tests, docs and demos."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from .._transport import transport_wrappers

__all__ = ["redirect"]


class _Rewrite:
    """Rewrites the scheme, host and port of requests to the target; keeps path and query."""

    def __init__(self, target: httpx.URL, hosts: frozenset[str] | None) -> None:
        self.target = target
        self.hosts = hosts

    def __call__(self, request: httpx.Request) -> None:
        if self.hosts is not None and request.url.host not in self.hosts:
            return
        if request.url.host == self.target.host and request.url.port == self.target.port:
            return
        request.url = request.url.copy_with(
            scheme=self.target.scheme, host=self.target.host, port=self.target.port
        )


class _SyncRedirect(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, rewrite: _Rewrite) -> None:
        self._inner = inner
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._rewrite(request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class _AsyncRedirect(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, rewrite: _Rewrite) -> None:
        self._inner = inner
        self._rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._rewrite(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextlib.contextmanager
def redirect(target: str, hosts: Iterable[str] | None = None) -> Iterator[None]:
    """While active, clients created (lazily, at their first request) send requests for
    ``hosts`` (every host when ``None``) to ``target`` (e.g. ``server.base_url``) instead.

    The request keeps its path, query, headers (including ``Host``) and body.
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
