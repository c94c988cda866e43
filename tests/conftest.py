"""Fixtures shared by every test: the loopback server and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import axios_python
from axios_python.testing import LocalServer


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    """One loopback server for the session; ``reset()`` between tests by ``srv``."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def srv(server: LocalServer) -> LocalServer:
    """The session's server with its recordings, counters and flaky state cleared."""
    server.reset()
    return server


@pytest.fixture
def api(srv: LocalServer) -> Iterator[axios_python.AxiosPython]:
    """An instance whose base_url is the loopback server; closed after the test."""
    client = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    yield client
    client.close()


@pytest.fixture
async def aapi(srv: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    """Like ``api`` for async tests: closed with ``aclose()`` on the test's own loop."""
    client = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    yield client
    await client.aclose()
