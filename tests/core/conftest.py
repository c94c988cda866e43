"""Fixtures of the core's tests: every behavioural test runs on the sync and the async path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

import pytest

import axios_python
from axios_python.testing import LocalServer

T = TypeVar("T")


class Caller:
    """Sends requests through one instance on one path (``sync`` or ``async``).

    The async path runs on a loop owned by the caller, so one test body serves both paths.
    """

    def __init__(self, mode: str, api: axios_python.AxiosPython) -> None:
        self.mode = mode
        self.api = api
        self.loop = asyncio.new_event_loop() if mode == "async" else None

    @property
    def is_async(self) -> bool:
        return self.loop is not None

    def __call__(
        self, method: str, url: str | None = None, **options: Any
    ) -> axios_python.Response:
        if self.loop is None:
            return self.api.request(method, url, **options)
        return self.loop.run_until_complete(self.api.async_request(method, url, **options))

    def get(self, url: str | None = None, **options: Any) -> axios_python.Response:
        return self("GET", url, **options)

    def post(self, url: str | None = None, **options: Any) -> axios_python.Response:
        return self("POST", url, **options)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this caller's loop (async mode only)."""
        assert self.loop is not None
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        if self.loop is None:
            self.api.close()
            return
        self.loop.run_until_complete(self.api.aclose())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make(mode: str, srv: LocalServer) -> Iterator[Callable[..., Caller]]:
    """``make(config)`` builds an instance on the test's path, base_url set to the server."""
    callers: list[Caller] = []

    def factory(config: Mapping[str, Any] | None = None) -> Caller:
        merged = {"base_url": srv.base_url, "timeout": 10.0, **(config or {})}
        caller = Caller(mode, axios_python.create(merged))
        callers.append(caller)
        return caller

    yield factory
    for caller in callers:
        caller.close()


@pytest.fixture
def call(make: Callable[..., Caller]) -> Caller:
    """A default instance on the test's path."""
    return make()
