"""Fixtures of the logger plugin's tests: the shipped ones (``local_server``, ``make_caller``
...), captured log records (``axios_python.testing.LogCapture``), and custom routes on the
local server."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from axios_python.testing import LocalServer, LogCapture, RouteHandler

pytest_plugins = ["axios_python.testing.fixtures"]


@pytest.fixture
def capture_for() -> Iterator[Callable[[str], LogCapture]]:
    """``capture_for(name)``: a ``LogCapture`` of the records of logger ``name``, every level
    enabled for the test."""
    with contextlib.ExitStack() as stack:
        yield lambda name: stack.enter_context(LogCapture.on(name))


@pytest.fixture
def capture(capture_for: Callable[[str], LogCapture]) -> LogCapture:
    """Records of the ``axios_python.logger`` logger, every level enabled."""
    return capture_for("axios_python.logger")


@pytest.fixture
def add_route(local_server: LocalServer) -> Iterator[Callable[[str, RouteHandler], None]]:
    """``add_route(path, handler)``: a custom route on ``local_server`` for this test only."""
    paths: list[str] = []

    def add(path: str, handler: RouteHandler) -> None:
        local_server.route(path, handler)
        paths.append(path)

    yield add
    for path in paths:
        local_server.remove_route(path)
