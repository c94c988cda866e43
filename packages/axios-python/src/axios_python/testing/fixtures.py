"""pytest fixtures for testing code built on axios_python: a loopback server and a client.

Enable them in a ``conftest.py``::

    pytest_plugins = ["axios_python.testing.fixtures"]

then ask for ``local_server`` (a :class:`LocalServer` shared by the session, its recordings,
counters and flaky state cleared for each test) and ``axios_client`` (an instance whose
``base_url`` is that server, closed after the test; usable from sync and async tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import axios_python

from ._server import LocalServer

__all__ = ["axios_client", "local_server", "local_server_session"]


@pytest.fixture(scope="session")
def local_server_session() -> Iterator[LocalServer]:
    """One loopback server for the whole session."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def local_server(local_server_session: LocalServer) -> LocalServer:
    """The session's server, with what it recorded and counted cleared for this test."""
    local_server_session.reset()
    return local_server_session


@pytest.fixture
def axios_client(local_server: LocalServer) -> Iterator[axios_python.AxiosPython]:
    """An instance pointed at ``local_server``; closed after the test."""
    client = axios_python.create({"base_url": local_server.base_url, "timeout": 10.0})
    yield client
    client.close()
