"""httpcore 1.0's pool pass, the same decisions with less work (async and sync pools alike).

Each time a request enters or leaves an httpcore connection pool, the pool runs one pass
(``_assign_requests_to_connections``): it drops closed and expired connections, closes idle ones
beyond the keep-alive limit, and hands each queued request a connection. httpcore's pass does
more work than its decisions need, which grows with the square of the pool's size:

- deciding whether an idle connection is beyond the keep-alive limit, it builds a list with one
  entry per connection of the pool, for every idle connection it looks at; the list's length is
  the pool's size, which is what the comparison uses;
- for every queued request it lists every connection that could take it and every idle one,
  and uses the first of one list, the first of the other only when no connection can take it
  and the pool is full.

With the 32 connections of 32 concurrent requests, that was some 780 questions to connections
per request. ``faster_pass(transport)`` gives the transport's pool a pass that takes the same
decisions in the same order: the pool's size is read as a number, and each queued request takes
the first connection that can take it, found by stopping at it (the questions asked of a
connection have no side effects, so asking fewer changes nothing).

It is applied to a pool only where httpcore is the 1.0 series whose pass this mirrors (the names
its code uses are checked, for the async and the sync pool); httpcore2, whose pass is different,
and any other pool keep their own. On a sync pool, ``_pool_guard`` then wraps this pass as it
wrapped httpcore's.
"""

from __future__ import annotations

import functools
import types
from typing import Any

from ._engine import httpcore

__all__ = ["faster_pass"]


def _names(code: types.CodeType) -> frozenset[str]:
    """The names ``code`` and the code nested in it use."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return frozenset(found)


#: The names httpcore 1.0.9's pass uses, async and sync (the pass mirrored below).
_MIRRORED = frozenset(
    {
        "_connections",
        "_max_connections",
        "_max_keepalive_connections",
        "_requests",
        "append",
        "assign_to_connection",
        "can_handle_request",
        "create_connection",
        "has_expired",
        "is_available",
        "is_closed",
        "is_idle",
        "is_queued",
        "len",
        "list",
        "origin",
        "remove",
        "request",
        "url",
    }
)


@functools.cache
def _mirrors(pool_type: type, base: type) -> bool:
    """Whether ``pool_type`` (a subclass of httpcore's pool ``base``) runs the pass mirrored."""
    original = getattr(base, "_assign_requests_to_connections", None)
    code = getattr(original, "__code__", None)
    return (
        httpcore.__name__ == "httpcore"
        and str(getattr(httpcore, "__version__", "")).startswith("1.0.")
        and isinstance(code, types.CodeType)
        and getattr(pool_type, "_assign_requests_to_connections", None) is original
        and _names(code) == _MIRRORED
    )


def _pass(pool: Any) -> list[Any]:
    """httpcore 1.0's pass over ``pool`` (see the module's docstring): the connections to close,
    which the pool closes outside its lock."""
    closing: list[Any] = []
    connections: list[Any] = pool._connections
    for connection in list(connections):
        if connection.is_closed():
            connections.remove(connection)
        elif connection.has_expired() or (
            connection.is_idle() and len(connections) > pool._max_keepalive_connections
        ):
            connections.remove(connection)
            closing.append(connection)

    for pool_request in [request for request in pool._requests if request.is_queued()]:
        origin = pool_request.request.url.origin
        chosen = None
        for connection in connections:
            if connection.can_handle_request(origin) and connection.is_available():
                chosen = connection
                break
        if chosen is None:
            if len(connections) >= pool._max_connections:
                idle = None
                for connection in connections:
                    if connection.is_idle():
                        idle = connection
                        break
                if idle is None:
                    continue  # the request waits for a connection to come free
                connections.remove(idle)
                closing.append(idle)
            chosen = pool.create_connection(origin)
            connections.append(chosen)
        pool_request.assign_to_connection(chosen)
    return closing


def faster_pass(transport: Any) -> bool:
    """Give ``transport``'s pool (``httpx.AsyncHTTPTransport._pool`` or
    ``httpx.HTTPTransport._pool``) the pass above; ``True`` when it has it, ``False`` (nothing
    changed) where httpcore is not the one mirrored."""
    pool: Any = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool):
        base: type = httpcore.AsyncConnectionPool
    elif isinstance(pool, httpcore.ConnectionPool):
        base = httpcore.ConnectionPool
    else:
        return False
    pool_type: type = type(pool)
    if not _mirrors(pool_type, base):
        return False
    pool._assign_requests_to_connections = types.MethodType(_pass, pool)
    return True
