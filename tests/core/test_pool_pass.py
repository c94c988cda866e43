"""The pools' pass (``_pool_pass``): on httpcore 1.0 the core's pools, async and sync, take the
same decisions as httpcore's own pass with less work. Checked against httpcore's pass on
thousands of pool states, and through real requests that queue for a small pool, from tasks and
from threads."""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

import axios_python
from axios_python._engine import httpcore
from axios_python._pool_pass import _pass, faster_pass
from axios_python.engine import httpx
from axios_python.testing import LocalServer

MIRRORED = httpcore.__name__ == "httpcore"


@dataclass(eq=False)
class FakeConnection:
    """A connection in a fixed state (what the pass asks has no side effects)."""

    label: str
    origin: str
    closed: bool = False
    expired: bool = False
    idle: bool = False
    available: bool = False
    asked: int = 0

    def is_closed(self) -> bool:
        self.asked += 1
        return self.closed

    def has_expired(self) -> bool:
        self.asked += 1
        return self.expired

    def is_idle(self) -> bool:
        self.asked += 1
        return self.idle

    def is_available(self) -> bool:
        self.asked += 1
        return self.available

    def can_handle_request(self, origin: str) -> bool:
        self.asked += 1
        return origin == self.origin


@dataclass
class FakeRequest:
    origin: str
    connection: FakeConnection | None = None
    assigned: list[str] = field(default_factory=list)

    @property
    def request(self) -> Any:
        return self

    @property
    def url(self) -> Any:
        return self

    def is_queued(self) -> bool:
        return self.connection is None

    def assign_to_connection(self, connection: FakeConnection) -> None:
        self.connection = connection
        self.assigned.append(connection.label)


def _pool(
    rng: random.Random, kind: type = httpcore.AsyncConnectionPool
) -> tuple[Any, list[FakeConnection], list[FakeRequest]]:
    """A pool of ``kind`` in a random state: connections of two origins in every state,
    requests queued and served, limits that are often reached."""
    pool: Any = kind(max_connections=rng.randint(1, 8), max_keepalive_connections=rng.randint(0, 6))
    origins = ["a", "b"]
    connections = []
    for n in range(rng.randint(0, 9)):
        idle = rng.random() < 0.5
        connections.append(
            FakeConnection(
                f"c{n}",
                rng.choice(origins),
                closed=rng.random() < 0.15,
                expired=rng.random() < 0.15,
                idle=idle,
                available=idle or rng.random() < 0.2,  # an HTTP/2 connection can take more
            )
        )
    requests = []
    for _ in range(rng.randint(0, 6)):
        request = FakeRequest(rng.choice(origins))
        if connections and rng.random() < 0.3:
            request.connection = rng.choice(connections)
        requests.append(request)
    created: list[FakeConnection] = []

    def create_connection(origin: str) -> FakeConnection:
        created.append(FakeConnection(f"new{len(created)}", origin))
        return created[-1]

    pool.create_connection = create_connection
    pool._connections = connections
    pool._requests = requests
    return pool, connections, requests


def _outcome(pool: Any, closing: list[Any], requests: list[FakeRequest]) -> Any:
    return (
        [(c.label, c.origin) for c in pool._connections],
        [c.label for c in closing],
        [r.assigned for r in requests],
    )


@pytest.mark.parametrize("kind", [httpcore.AsyncConnectionPool, httpcore.ConnectionPool])
def test_the_pass_decides_as_httpcores_does_with_fewer_questions(kind: type) -> None:
    original: Any = kind._assign_requests_to_connections  # type: ignore[attr-defined]
    if not MIRRORED:  # httpcore2 has a pass of its own, which its pools keep
        assert faster_pass(httpx.AsyncHTTPTransport()) is False
        assert faster_pass(httpx.HTTPTransport()) is False
        return
    asked = {"httpcore": 0, "ours": 0}
    for seed in range(3000):
        outcomes = []
        for name, run in (("httpcore", original), ("ours", _pass)):
            pool, connections, requests = _pool(random.Random(seed), kind)
            closing = run(pool)
            outcomes.append(_outcome(pool, closing, requests))
            asked[name] += sum(c.asked for c in connections)
        assert outcomes[0] == outcomes[1], seed
    assert asked["ours"] < asked["httpcore"]

    # 32 idle connections and a request entering the pool: the case of 32 concurrent calls
    for name, run in (("httpcore", original), ("ours", _pass)):
        pool, connections, requests = _pool(random.Random(0), kind)
        pool._connections = connections = [
            FakeConnection(f"c{n}", "a", idle=True, available=True) for n in range(32)
        ]
        pool._requests = [FakeRequest("a")]
        pool._max_connections = pool._max_keepalive_connections = 32
        run(pool)
        asked[name] = sum(c.asked for c in connections)
    assert asked["ours"] * 8 < asked["httpcore"]


def test_the_default_async_pools_have_it(local_server: LocalServer) -> None:
    async def main() -> None:
        async with axios_python.create({"base_url": local_server.base_url}) as api:
            await api.async_get("/json")
            client = api._transports._async[asyncio.get_running_loop()].default
            pool = client._transport._pool
            has_it = "_assign_requests_to_connections" in vars(pool)
            assert has_it is MIRRORED
            assert faster_pass(httpx.AsyncHTTPTransport()) is MIRRORED

    asyncio.run(main())


def test_the_default_sync_pools_have_it_under_the_guard(local_server: LocalServer) -> None:
    with axios_python.create({"base_url": local_server.base_url}) as api:
        api.get("/json")
        client: Any = api._transports.sync_client(api._defaults)
        pool = client._transport._pool
        guarded = vars(pool).get("_assign_requests_to_connections")
        inner = [cell.cell_contents for cell in getattr(guarded, "__closure__", None) or ()]
        ours = [f for f in inner if getattr(f, "__func__", None) is _pass]
        assert len(ours) == (1 if MIRRORED else 0)


def test_threads_queue_for_a_small_pool_and_all_are_answered(local_server: LocalServer) -> None:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=1)
    answered: list[int] = []
    with axios_python.create({"base_url": local_server.base_url, "limits": limits}) as api:

        def call(i: int) -> None:
            for _ in range(3):
                response = api.get("/json", params={"i": i})
                assert response.request.url.params["i"] == str(i)
                answered.append(response.status_code)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answered == [200] * 48


async def test_requests_queue_for_a_small_pool_and_all_are_answered(
    local_server: LocalServer,
) -> None:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=1)
    async with axios_python.create({"base_url": local_server.base_url, "limits": limits}) as api:
        for _ in range(3):
            responses = await asyncio.gather(
                *(api.async_get("/json", params={"i": i}) for i in range(32))
            )
            assert [r.status_code for r in responses] == [200] * 32
            assert [r.request.url.params["i"] for r in responses] == [str(i) for i in range(32)]
    assert local_server.connections_accepted <= 3 * 32
