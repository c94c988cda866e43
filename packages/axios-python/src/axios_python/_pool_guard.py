"""A connection handed to a waiting request is that request's: httpcore 1.0's sync pool may
close it under the request from another thread (encode/httpcore#1110).

The race: one thread's pass over the pool hands an idle keep-alive connection to another
thread's queued request; until that thread wakes and starts sending, the connection still
looks idle, so a third thread's pass may close it (its keep-alive expired, the server closed
it, or room is needed for a new connection). When the close lands after the request started,
the request fails with ``[Errno 9] Bad file descriptor`` or hangs until its read timeout; under
load through many threads, a few requests in ten thousand did.

``guard(transport)`` (called once per default sync ``httpx.HTTPTransport`` the core creates
on httpcore 1.0) wraps the pool's pass so that it does not see an idle connection that a
request in the pool holds: such a connection is neither closed nor handed to another request
by that pass, and still counts towards ``max_connections`` and ``max_keepalive_connections``,
so the pool's policy is otherwise unchanged. A failure on a connection the server had closed
meanwhile is then the usual stale keep-alive failure, which the core sends again on a fresh
connection where that is safe (``_send.py``).

Not needed, so not applied: httpcore2, whose pass reserves such connections itself, and the
async pool, whose pass marks a connection closed before any other task can run.

httpcore internals relied on (``tests/core/test_pool_guard.py`` fails loudly if they change;
if they are missing, ``guard`` leaves the pool as it is):

- ``httpx.HTTPTransport._pool`` is the ``httpcore.ConnectionPool`` (or a proxy subclass);
- the pool's ``_assign_requests_to_connections()`` is its one pass, always called under the
  pool's lock; it reads ``_connections``, ``_max_connections`` and
  ``_max_keepalive_connections`` and returns the connections to close;
- ``_requests`` holds the pool's requests, each with ``connection`` (``None`` while queued).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._engine import httpcore

__all__ = ["guard"]

#: Whether the engine's pool has the race: httpcore 1.0 (httpcore2's pass reserves connections).
_RACY = httpcore.__name__ == "httpcore"


def guard(transport: Any) -> bool:
    """Keep ``transport``'s pool from closing or re-assigning an idle connection a request
    holds; ``True`` when the pool is guarded."""
    pool: Any = getattr(transport, "_pool", None)
    assign = getattr(pool, "_assign_requests_to_connections", None)
    if not _RACY or assign is None or not _has_internals(pool):
        return False
    pool._assign_requests_to_connections = _guarded_pass(pool, assign)
    return True


def _has_internals(pool: Any) -> bool:
    return (
        type(getattr(pool, "_connections", None)) is list
        and isinstance(getattr(pool, "_requests", None), list)
        and isinstance(getattr(pool, "_max_connections", None), int)
        and isinstance(getattr(pool, "_max_keepalive_connections", None), int)
    )


def _guarded_pass(pool: Any, assign: Callable[[], list[Any]]) -> Callable[[], list[Any]]:
    """The pool's pass, run without the idle connections its requests hold."""

    def guarded_pass() -> list[Any]:
        held = [r.connection for r in pool._requests if r.connection is not None]
        if not held:  # the usual case when a request enters an unused pool
            return assign()
        before: list[Any] = pool._connections
        held_ids = {id(c) for c in held if c.is_idle()}
        hidden = {id(c) for c in before if id(c) in held_ids}
        if not hidden:  # the usual case: what requests hold is in use, not idle
            return assign()
        pool._connections = [c for c in before if id(c) not in hidden]
        # the hidden connections still count: the pass compares the pool's size with these
        pool._max_connections -= len(hidden)
        pool._max_keepalive_connections -= len(hidden)
        try:
            return assign()
        finally:
            pool._max_connections += len(hidden)
            pool._max_keepalive_connections += len(hidden)
            after: list[Any] = pool._connections
            kept = {id(c) for c in after}
            known = {id(c) for c in before}
            # the hidden connections back in their places, the pass's new ones after them
            pool._connections = [c for c in before if id(c) in hidden or id(c) in kept] + [
                c for c in after if id(c) not in known
            ]

    return guarded_pass
