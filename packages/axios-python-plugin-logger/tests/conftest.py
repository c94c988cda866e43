"""Fixtures of the logger plugin's tests: the shipped ones (``local_server``, ``make_caller``
...), a handler that keeps the records it gets, and custom routes on the local server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from axios_python.testing import LocalServer, RouteHandler

pytest_plugins = ["axios_python.testing.fixtures"]


class Capture(logging.Handler):
    """Keeps every record, as a structured (JSON) handler would receive it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]

    def text(self) -> str:
        """Everything the records hold: each message and every attribute (``extra`` fields,
        arguments), to check that a secret appears nowhere."""
        return "\n".join(r.getMessage() + repr(vars(r)) for r in self.records)


@pytest.fixture
def capture_for() -> Iterator[Callable[[str], Capture]]:
    """``capture_for(name)``: a ``Capture`` of the records of logger ``name``, every level
    enabled for the test."""
    undo: list[tuple[logging.Logger, Capture, int]] = []

    def attach(name: str) -> Capture:
        logger = logging.getLogger(name)
        handler = Capture()
        undo.append((logger, handler, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        return handler

    yield attach
    for logger, handler, level in reversed(undo):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def capture(capture_for: Callable[[str], Capture]) -> Capture:
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
