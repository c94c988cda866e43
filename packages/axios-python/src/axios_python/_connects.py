"""Whether a send opened a connection of its own: a failure on a pooled keep-alive connection
the server had just closed may be sent again at once, a failure on a fresh one may not.

The core's network backends (``_tracking.py``, sync and async) call ``opened()`` when they
connect, in the thread or task that sends; ``ConnectWatch`` is active around one send there.
"""

from __future__ import annotations

import contextvars

__all__ = ["ConnectWatch", "opened"]

_watching: contextvars.ContextVar[ConnectWatch | None] = contextvars.ContextVar(
    "axios_python_connect_watch", default=None
)


class ConnectWatch:
    """Tells whether one send opened a connection of its own, so a failure on a reused pooled
    connection can be told apart: the core's network backends (sync and async) mark the watch
    active in the sending thread or task when they connect. A transport that is not the core's
    default one never marks it."""

    __slots__ = ("_token", "connected")

    def __init__(self) -> None:
        self.connected = False
        self._token = _watching.set(self)

    def close(self) -> None:
        """Stop watching (in the thread or task that created the watch)."""
        _watching.reset(self._token)


def opened() -> None:
    """Mark the watch active in this thread or task, if any: a connection was opened."""
    watch = _watching.get()
    if watch is not None:
        watch.connected = True
