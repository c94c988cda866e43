"""Per-call connection pools: keyed by value, at most ``MAX_POOLS`` of them, evicted ones
closed once nothing uses them (issue 8, defect 9). Every test runs on both paths."""

from __future__ import annotations

import asyncio
import gc
import ssl
import weakref
from collections.abc import Callable
from typing import Any

import axios_python
from axios_python._transport import MAX_POOLS, _key
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer

Make = Callable[..., Caller]


def _open_connections(transports: list[Any]) -> int:
    return sum(len(t._pool.connections) for t in transports if hasattr(t, "_pool"))


def _settle(call: Caller) -> None:
    """Let the close tasks scheduled on an async caller's loop run."""
    if call.is_async:
        for _ in range(5):
            call.run(asyncio.sleep(0))


def _close(call: Caller, response: axios_python.Response) -> None:
    if call.is_async:
        call.run(response.aclose())
    else:
        response.close()


def _close_api(call: Caller) -> None:
    """Close the instance on the caller's path (the fixture closes the caller later)."""
    if call.is_async:
        call.run(call.api.aclose())
    else:
        call.api.close()


def test_proxy_objects_with_the_same_url_share_one_pool(make: Make, srv: LocalServer) -> None:
    call = make()
    first, second = httpx.Proxy(srv.base_url), httpx.Proxy(srv.base_url)
    for proxy in (first, second, srv.base_url, httpx.URL(srv.base_url)):
        assert call.get("http://upstream.test/echo", proxy=proxy).data["path"] == "/echo"
    assert srv.connections_accepted == 1  # one pool, its keep-alive connection reused


def test_proxy_credentials_and_headers_are_part_of_the_key(make: Make, srv: LocalServer) -> None:
    call = make()
    hostport = srv.base_url.removeprefix("http://")
    seen = []
    for proxy in (
        f"http://alice:one@{hostport}",
        httpx.Proxy(srv.base_url, auth=("alice", "one")),  # the same credentials: same pool
        f"http://alice:two@{hostport}",
        httpx.Proxy(srv.base_url, headers={"X-Proxy-Team": "b"}),
    ):
        call.get("http://upstream.test/echo", proxy=proxy)
        seen.append(srv.requests[-1].header("Proxy-Authorization"))
    assert seen[0] == seen[1] != seen[2]
    assert srv.connections_accepted == 3


def test_the_pool_key_holds_no_secret() -> None:
    config = dict(axios_python.create().config)
    for proxy, cert in (
        ("http://alice:s3cr3t@proxy.test:8080", ("c.pem", "k.pem", "s3cr3t")),
        (httpx.Proxy("http://proxy.test", auth=("alice", "s3cr3t")), None),
        (httpx.Proxy("http://proxy.test", headers={"Proxy-Authorization": "s3cr3t"}), None),
    ):
        key = _key({**config, "proxy": proxy, "cert": cert})
        assert "s3cr3t" not in repr(key)
        assert key == _key({**config, "proxy": proxy, "cert": cert})
        assert key != _key({**config, "proxy": "http://proxy.test", "cert": None})


def test_a_collected_limits_object_never_hands_its_pool_to_another(
    make: Make, srv: LocalServer
) -> None:
    call = make()
    first = httpx.Limits(max_connections=1)
    old_id = id(first)
    call.get("/echo", limits=first)
    del first
    gc.collect()
    # a new Limits object with other numbers, at the address of the collected one (CPython
    # hands freed memory of one size straight back; a pool keyed by id() was reused then)
    candidates = [httpx.Limits(max_connections=2) for _ in range(1000)]
    second = next((c for c in candidates if id(c) == old_id), candidates[0])
    del candidates
    held = call.get("/bytes?size=10", stream=True, limits=second)  # takes one connection
    try:
        # a pool of max_connections=1 would wait for the held one and time out
        timeout = httpx.Timeout(10.0, pool=1.0)
        assert call.get("/echo", limits=second, timeout=timeout).status_code == 200
    finally:
        _close(call, held)


def test_equal_limits_share_a_pool(make: Make, srv: LocalServer) -> None:
    call = make()
    for _ in range(3):
        call.get("/echo", limits=httpx.Limits(max_connections=7, max_keepalive_connections=3))
    assert srv.connections_accepted == 1


def test_many_distinct_limits_keep_at_most_max_pools_open(
    make: Make, srv: LocalServer, built: list[Any]
) -> None:
    call = make()
    for n in range(3 * MAX_POOLS):
        assert call.get("/echo", limits=httpx.Limits(max_connections=10 + n)).status_code == 200
    _settle(call)
    assert len(built) == 3 * MAX_POOLS
    assert _open_connections(built) == MAX_POOLS
    # the most recent pools are the ones kept: using one again opens no connection
    accepted = srv.connections_accepted
    call.get("/echo", limits=httpx.Limits(max_connections=10 + 3 * MAX_POOLS - 1))
    assert srv.connections_accepted == accepted
    _close_api(call)
    assert _open_connections(built) == 0


def test_an_evicted_pool_is_closed_only_once_its_stream_is_done(
    make: Make, srv: LocalServer, built: list[Any]
) -> None:
    call = make()
    streamed = call.get("/bytes?size=5000", stream=True, limits=httpx.Limits(max_connections=3))
    first_pool = built[0]
    for n in range(MAX_POOLS + 2):  # evicts the first pool while its body is unread
        call.get("/echo", limits=httpx.Limits(max_connections=100 + n))
    _settle(call)
    assert len(first_pool._pool.connections) == 1  # still open: a body is being read
    if call.is_async:

        async def read() -> bytes:
            return b"".join([chunk async for chunk in streamed.aiter_raw()])

        body = call.run(read())
    else:
        body = b"".join(streamed.iter_raw())
    assert body == bytes(i % 251 for i in range(5000))
    _close(call, streamed)
    call.get("/echo", limits=httpx.Limits(max_connections=500))  # the next per-call pool use
    _settle(call)
    assert len(first_pool._pool.connections) == 0
    assert _open_connections(built) <= MAX_POOLS


def test_closing_the_client_closes_evicted_pools_still_in_use(
    make: Make, srv: LocalServer, built: list[Any]
) -> None:
    call = make()
    streamed = call.get("/bytes?size=10", stream=True, limits=httpx.Limits(max_connections=3))
    for n in range(MAX_POOLS + 1):
        call.get("/echo", limits=httpx.Limits(max_connections=100 + n))
    _close_api(call)
    assert _open_connections(built) == 0
    assert streamed.status_code == 200
    call.close_response(streamed)  # an unclosed stream is reported when collected


def test_an_ssl_context_is_kept_alive_while_its_pool_is_cached(
    make: Make, srv: LocalServer
) -> None:
    call = make()
    context = ssl.create_default_context()
    alive = weakref.ref(context)
    call.get("/echo", verify=context)
    call.get("/echo", verify=context)
    assert srv.connections_accepted == 1
    del context
    gc.collect()
    assert alive() is not None  # its id can never be taken by another context meanwhile
    for n in range(MAX_POOLS):
        call.get("/echo", limits=httpx.Limits(max_connections=100 + n))
    _settle(call)
    gc.collect()
    assert alive() is None  # evicted: let go


class _Counting(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A transport object of the caller's, answering every request itself."""

    def __init__(self) -> None:
        self.closed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"mine": True})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"mine": True})

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1


def test_an_evicted_transport_of_the_callers_is_left_open(make: Make) -> None:
    call = make()
    mine = [_Counting() for _ in range(MAX_POOLS + 1)]
    for transport in mine:
        assert call.get("/echo", transport=transport).data == {"mine": True}
    _settle(call)
    assert mine[0].closed == 0  # evicted, but the object is the caller's: it may pass it again
    assert call.get("/echo", transport=mine[0]).data == {"mine": True}


def test_pools_evicted_under_concurrent_calls_never_fail_a_call(
    make: Make, srv: LocalServer, built: list[Any]
) -> None:
    call = make()
    api = call.api
    limits = [httpx.Limits(max_connections=100 + n) for n in range(3 * MAX_POOLS)]
    if call.is_async:

        async def many() -> list[axios_python.Response]:
            return await asyncio.gather(
                *(api.async_get("/echo?delay=0.01", limits=lim) for lim in limits * 2)
            )

        responses = call.run(many())
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            responses = list(
                pool.map(lambda lim: api.get("/echo?delay=0.01", limits=lim), limits * 2)
            )
    assert [r.status_code for r in responses] == [200] * len(responses)
    call.get("/echo", limits=httpx.Limits(max_connections=1))  # sweeps what became idle
    _settle(call)
    assert _open_connections(built) <= MAX_POOLS


def test_evicted_async_pools_are_closed_when_their_loop_shuts_down(
    srv: LocalServer, built: list[Any]
) -> None:
    api = axios_python.create({"base_url": srv.base_url})

    async def calls() -> None:
        streamed = await api.async_get("/bytes?size=10", stream=True, limits=httpx.Limits())
        for n in range(MAX_POOLS + 1):  # the first pool is evicted while its body is unread
            await api.async_get("/echo", limits=httpx.Limits(max_connections=100 + n))
        await streamed.aread()
        await streamed.aclose()
        # no later call sweeps it: the loop's shutdown closes it, with the others

    asyncio.run(calls())
    assert len(built) == MAX_POOLS + 2
    assert _open_connections(built) == 0
    api.close()
