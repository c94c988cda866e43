"""Capturing log records, to check what reached them (and what must not)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["LogCapture"]


class LogCapture(logging.Handler):
    """A handler that keeps every record it is given, as a structured handler would see it.

    ::

        with LogCapture.on("axios_python.logger") as logs:   # or the root logger: on()
            api.get("/echo", params={"token": "s3cret"})
        assert "s3cret" not in logs.text()
    """

    def __init__(self, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``record`` in ``records``."""
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        """Each record's formatted message, in order."""
        return [record.getMessage() for record in self.records]

    def text(self) -> str:
        """Everything the records hold: logger name, message and every attribute (``extra``
        fields included), one record per line; what a secret must never appear in."""
        return "\n".join(
            f"{record.name}: {record.getMessage()} {vars(record)}" for record in self.records
        )

    def clear(self) -> None:
        """Forget the records kept so far."""
        self.records.clear()

    @classmethod
    @contextlib.contextmanager
    def on(cls, name: str = "", level: int = logging.DEBUG) -> Iterator[LogCapture]:
        """Attach a new capture to the logger ``name`` (the root logger by default) with that
        logger's level set to ``level`` for the block; both are restored afterwards."""
        logger = logging.getLogger(name)
        handler = cls(level)
        previous = logger.level
        logger.addHandler(handler)
        logger.setLevel(level)
        try:
            yield handler
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous)
