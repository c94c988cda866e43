"""Fixtures of the logger plugin's tests: a handler that keeps the records it gets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


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


@pytest.fixture
def capture() -> Iterator[Capture]:
    """Records of the ``axios_python.logger`` logger, every level enabled."""
    logger = logging.getLogger("axios_python.logger")
    handler = Capture()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)
