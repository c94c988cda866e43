"""Fixtures shared by every test: the loopback server and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import axios_python
from axios_python.testing import LocalServer

# The fixtures axios_python ships for its users (local_server, axios_client), under the short
# names this suite uses (registered by the root conftest.py).


@pytest.fixture(scope="session")
def server(local_server_session: LocalServer) -> LocalServer:
    """One loopback server for the session; ``reset()`` between tests by ``srv``."""
    return local_server_session


@pytest.fixture
def srv(local_server: LocalServer) -> LocalServer:
    """The session's server with its recordings, counters and flaky state cleared."""
    return local_server


@pytest.fixture
def api(axios_client: axios_python.AxiosPython) -> axios_python.AxiosPython:
    """An instance whose base_url is the loopback server; closed after the test."""
    return axios_client


@pytest.fixture
async def aapi(srv: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    """Like ``api`` for async tests: closed with ``aclose()`` on the test's own loop."""
    client = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    yield client
    await client.aclose()
