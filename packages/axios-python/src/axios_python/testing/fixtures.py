"""pytest fixtures for testing code built on axios_python: a loopback server, a client, and
callers that run one test on both the sync and the async path.

Enable them in a ``conftest.py``::

    pytest_plugins = ["axios_python.testing.fixtures"]

then ask for

* ``local_server``: a :class:`LocalServer` shared by the session, its recordings, counters
  and flaky state cleared for each test;
* ``axios_client``: an instance whose ``base_url`` is that server, closed after the test;
* ``make_caller``: runs the test twice, once per path; ``make_caller(config)`` returns a
  :class:`Caller` on that path for an instance pointed at ``local_server`` (``config`` adds
  to it: plugins, retries ...), closed after the test;
* ``log_capture``: a :class:`LogCapture` on the root logger at DEBUG: every record any logger
  makes during the test;
* ``other_server``: a second :class:`LocalServer`, another origin than ``local_server`` (another
  port), also reachable as the host ``other.test`` (``http://other.test/...``) while the test
  runs: where credentials must never go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

import axios_python

from ._caller import Caller
from ._logs import LogCapture
from ._redirect import redirect
from ._server import LocalServer

__all__ = [
    "axios_client",
    "axios_mode",
    "local_server",
    "local_server_session",
    "log_capture",
    "make_caller",
    "other_server",
    "other_server_session",
]


@pytest.fixture(scope="session")
def local_server_session() -> Iterator[LocalServer]:
    """One loopback server for the whole session."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def local_server(local_server_session: LocalServer) -> Iterator[LocalServer]:
    """The session's server, with what it recorded and counted cleared for this test; the
    custom routes the test adds are removed after it, so they never answer another test."""
    server = local_server_session
    server.reset()
    before = server.route_paths()
    yield server
    for path in server.route_paths() - before:
        server.remove_route(path)


@pytest.fixture
def axios_client(local_server: LocalServer) -> Iterator[axios_python.AxiosPython]:
    """An instance pointed at ``local_server``; closed after the test."""
    client = axios_python.create({"base_url": local_server.base_url, "timeout": 10.0})
    yield client
    client.close()


@pytest.fixture(params=["sync", "async"])
def axios_mode(request: pytest.FixtureRequest) -> str:
    """``"sync"`` or ``"async"``: a test asking for it runs once on each path."""
    return str(request.param)


@pytest.fixture
def make_caller(axios_mode: str, local_server: LocalServer) -> Iterator[Callable[..., Caller]]:
    """``make_caller(config=None)``: a :class:`Caller` on the test's path (sync, then async)
    for a new instance whose ``base_url`` is ``local_server``; closed after the test."""
    callers: list[Caller] = []

    def factory(config: Mapping[str, Any] | None = None) -> Caller:
        merged = {"base_url": local_server.base_url, "timeout": 10.0, **(config or {})}
        caller = Caller(axios_mode, axios_python.create(merged))
        callers.append(caller)
        return caller

    yield factory
    for caller in callers:
        caller.close()


@pytest.fixture
def log_capture() -> Iterator[LogCapture]:
    """Every log record made during the test (root logger at DEBUG), levels restored after."""
    with LogCapture.on() as capture:
        yield capture


@pytest.fixture(scope="session")
def other_server_session() -> Iterator[LocalServer]:
    """A second loopback server for the whole session."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def other_server(other_server_session: LocalServer) -> Iterator[LocalServer]:
    """Another origin: the session's second server, cleared for this test, also reachable as
    ``http://other.test`` (clients created during the test route that host to it)."""
    other_server_session.reset()
    with redirect(other_server_session.base_url, hosts=["other.test"]):
        yield other_server_session
