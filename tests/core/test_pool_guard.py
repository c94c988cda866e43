"""A connection the sync pool has handed to a waiting request stays that request's: no other
thread's pass over the pool closes it or hands it out (``_pool_guard.py``, encode/httpcore#1110:
under load a request failed with ``Bad file descriptor`` or hung until its read timeout).

The pass is driven here as another thread drives it, with the pool's state built through the
public API; ``tests/integration/test_load.py`` runs the race itself, through many threads.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python._pool_guard import _RACY, guard
from axios_python.engine import httpcore, httpx
from axios_python.testing import LocalServer

PoolRequest: Any = importlib.import_module(f"{httpcore.__name__}._sync.connection_pool").PoolRequest


@pytest.fixture
def pool_of(built: list[Any]) -> Callable[[], Any]:
    """``pool_of()``: the connection pool of the sync transport the test's instance built."""
    return lambda: next(t._pool for t in built if isinstance(t, httpx.HTTPTransport))


def _idle_connections(api: axios_python.AxiosPython, pool_of: Any, url: str, n: int) -> list[Any]:
    """``n`` idle keep-alive connections in the pool (``n`` responses open at once, then
    read and closed)."""
    responses = [api.get(url, stream=True) for _ in range(n)]
    for response in responses:
        response.read()
        response.close()
    connections: list[Any] = pool_of().connections
    assert len(connections) == n and all(c.is_idle() for c in connections)
    return connections


def _hold(pool: Any, connection: Any, url: str) -> None:
    """Hand ``connection`` to a request that has not started sending on it yet (the window
    another thread's pass can fall into)."""
    holder = PoolRequest(httpcore.Request("GET", url))
    holder.assign_to_connection(connection)
    list.append(pool._requests, holder)


def _queue(pool: Any, url: str) -> Any:
    waiting = PoolRequest(httpcore.Request("GET", url))
    list.append(pool._requests, waiting)
    return waiting


def _pass(pool: Any) -> list[Any]:
    """The pool's pass as another thread's request runs it: under the pool's lock."""
    with pool._optional_thread_lock:
        closing: list[Any] = pool._assign_requests_to_connections()
    return closing


def test_an_expired_connection_a_request_holds_is_not_closed_under_it(
    srv: LocalServer, pool_of: Any
) -> None:
    with axios_python.create({"base_url": srv.base_url}) as api:
        [held] = _idle_connections(api, pool_of, srv.url("/echo"), 1)
        pool = pool_of()
        _hold(pool, held, srv.url("/echo"))
        held.has_expired = lambda: True  # its keep-alive ran out while its request woke up
        assert _pass(pool) == []
        assert pool.connections == [held]
        # the request it was handed to sends on it
        host = srv.base_url.removeprefix("http://").encode()
        response = held.handle_request(
            httpcore.Request("GET", srv.url("/echo"), headers=[(b"Host", host)])
        )
        response.read()
        response.close()
        assert response.status == 200


def test_a_held_connection_is_not_closed_to_make_room_nor_given_to_another_request(
    srv: LocalServer, pool_of: Any
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with axios_python.create({"base_url": srv.base_url, "limits": limits}) as api:
        [held] = _idle_connections(api, pool_of, srv.url("/echo"), 1)
        pool = pool_of()
        _hold(pool, held, srv.url("/echo"))
        # the pool is full and its only idle connection spoken for: a request to another
        # origin (which would close an idle connection to make room) and one to the same
        # origin both wait
        other = _queue(pool, srv.url("/echo").replace("127.0.0.1", "localhost"))
        same = _queue(pool, srv.url("/echo"))
        assert _pass(pool) == []
        assert pool.connections == [held]
        assert other.is_queued() and same.is_queued()


def test_the_pool_keeps_its_policy_for_connections_nobody_holds(
    srv: LocalServer, pool_of: Any
) -> None:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=3)
    with axios_python.create({"base_url": srv.base_url, "limits": limits}) as api:
        held, free, spare = _idle_connections(api, pool_of, srv.url("/echo"), 3)
        pool = pool_of()
        _hold(pool, held, srv.url("/echo"))
        free.has_expired = lambda: True
        waiting = _queue(pool, srv.url("/echo"))
        closing = _pass(pool)
        assert closing == [free]  # a connection nobody holds expires as before
        for connection in closing:
            connection.close()
        assert waiting.connection is spare  # and a free idle one is handed out
        assert pool.connections == [held, spare]
        assert (pool._max_connections, pool._max_keepalive_connections) == (3, 3)


def test_the_core_guards_its_sync_pools_where_the_engine_needs_it(
    srv: LocalServer, pool_of: Any
) -> None:
    with axios_python.create({"base_url": srv.base_url}) as api:
        api.get("/echo")
        guarded = pool_of()._assign_requests_to_connections.__name__ == "guarded_pass"
    assert guarded is _RACY
    assert _RACY is (httpcore.__name__ == "httpcore")


def test_httpcore_internals_for_the_pool_guard() -> None:
    """What ``_pool_guard.py`` relies on in httpcore 1.0. If this fails after an httpcore
    upgrade, adapt the guard (or drop it, if the pool reserves held connections itself)."""
    for transport in (httpx.HTTPTransport(), httpx.HTTPTransport(proxy="http://127.0.0.1:9")):
        pool = transport._pool
        for name in ("_connections", "_requests", "_max_connections", "_max_keepalive_connections"):
            assert hasattr(pool, name), name
        source = inspect.getsource(type(pool)._assign_requests_to_connections)
        assert "self._connections" in source and "self._max_connections" in source
        assert guard(transport) is _RACY
        transport.close()
    source = inspect.getsource(httpcore.ConnectionPool.handle_request)
    assert "self._assign_requests_to_connections()" in source
    assert PoolRequest(httpcore.Request("GET", "http://example.com/")).connection is None
