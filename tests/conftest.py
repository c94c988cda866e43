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


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off waits the retry engine chooses in this test, recorded instead of waited
    (the engine's decision seam: ``RetryPolicy.after_error``)."""
    from axios_python._retry import RetryPolicy

    chosen: list[float] = []
    original = RetryPolicy.after_error

    def recording(self: RetryPolicy, exc: BaseException, attempt: int) -> float:
        chosen.append(original(self, exc, attempt))
        return 0.0

    monkeypatch.setattr(RetryPolicy, "after_error", recording)
    return chosen
