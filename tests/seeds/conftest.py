"""Fixtures of the seed-post tests: the fake third-party APIs and plain-httpx routing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ._fake_apis import FakeApis


@pytest.fixture(scope="session")
def fake_apis_server() -> Iterator[FakeApis]:
    """One fake-APIs server for the session."""
    with FakeApis() as server:
        yield server


@pytest.fixture
def fake_apis(fake_apis_server: FakeApis) -> FakeApis:
    """The session's fake APIs with their recordings and knobs reset."""
    fake_apis_server.reset()
    return fake_apis_server


def _rewrite(request: httpx.Request, target: httpx.URL) -> None:
    request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)


@contextlib.contextmanager
def plain_httpx_routed_to(target: str) -> Iterator[None]:
    """While active, every plain ``httpx`` request (``httpx.get``, ``httpx.Client``, ...) goes to
    ``target``, keeping its path, query, headers (``Host`` included) and body.

    ``axios_python.testing.redirect`` only reroutes axios_python clients; the seed posts also show
    raw-httpx code ("before" pictures) that must run as written too.
    """
    url = httpx.URL(target)
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        _rewrite(request, url)
        return sync_send(self, request)

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        _rewrite(request, url)
        return await async_send(self, request)

    patches: list[tuple[Any, str, Any]] = [
        (httpx.HTTPTransport, "handle_request", handle_request),
        (httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request),
    ]
    with pytest.MonkeyPatch.context() as patch:
        for owner, name, value in patches:
            patch.setattr(owner, name, value)
        yield
