"""Fixtures shared by every test: the loopback server and a client pointed at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator

import pytest

import axios_python
from axios_python.testing import LocalServer

# The fixtures axios_python ships for its users (local_server, axios_client), under the short
# names this suite uses.
pytest_plugins = ["axios_python.testing.fixtures"]


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI nothing is skipped silently: a skip there is a failure."""
    report = yield
    if report.skipped and os.environ.get("CI"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"
    return report
