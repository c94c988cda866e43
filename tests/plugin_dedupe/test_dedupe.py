"""DedupePlugin through the public API, on the sync and the async path, against loopback.

The server's ``/count`` route counts the requests that reach it: that is what deduplication
saves. Where a test needs every follower to have joined before the leader's request goes out,
a ``Gate`` (attempt-scoped middleware: only calls that go upstream reach it) holds the leader
until the plugin reports that many followers waiting, so no assertion depends on timing.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import (
    AxiosPython,
    CancelError,
    CancelToken,
    Dual,
    HTTPStatusError,
    NetworkError,
    Response,
)
from axios_python.testing import LocalServer
from axios_python_plugin_dedupe import DEFAULT_VARY_HEADERS, DedupePlugin, DedupeStats

DEADLINE = 30.0  # seconds a test waits for a state it expects; never reached when all is well


def _client(srv: LocalServer, plugin: DedupePlugin, **config: Any) -> AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0, **config})
    api.plugin(plugin)
    return api


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the expected state"
        time.sleep(0.005)


async def _until_async(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the expected state"
        await asyncio.sleep(0.005)


class Gate:
    """Holds upstream attempts until enough followers wait.

    Attempt number ``i`` through the gate (counting every call that goes upstream) is held
    until ``waiting[i]`` followers wait (an int applies to every one of ``holds`` attempts),
    then ``then`` runs (once, on the first release). Later attempts pass at once.
    """

    def __init__(
        self,
        api: AxiosPython,
        plugin: DedupePlugin,
        waiting: int | tuple[int, ...],
        then: Callable[[], object] = bool,
        holds: int = 1,
    ) -> None:
        self.plugin = plugin
        self.stages = list(waiting) if isinstance(waiting, tuple) else [waiting] * holds
        self.then = then
        self.opened: set[int] = set()
        self.lock = threading.Lock()
        api.use(Dual(sync=self._sync, async_=self._async), scope="attempt")

    @property
    def armed(self) -> bool:
        return bool(self.stages)

    def _take(self) -> int | None:
        with self.lock:
            return self.stages.pop(0) if self.stages else None

    def _ready(self, waiting: int) -> bool:
        # a latch: once a threshold was seen, it holds for every attempt that waits for it
        # (when one held leader answers, its followers stop waiting)
        if waiting not in self.opened and self.plugin.stats().waiting >= waiting:
            self.opened.add(waiting)
        return waiting in self.opened

    def _release(self) -> None:
        with self.lock:
            then, self.then = self.then, bool
        then()

    def _sync(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        waiting = self._take()
        if waiting is not None:
            _until(lambda: self._ready(waiting))
            self._release()
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def _async(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        waiting = self._take()
        if waiting is not None:
            await _until_async(lambda: self._ready(waiting))
            self._release()
        return await next_fn(ctx)  # type: ignore[no-any-return]


def _threads(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run ``fn(0..n-1)`` on ``n`` threads released together; results (or errors) in order."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return fn(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# -- one upstream request for many callers ------------------------------------------------


async def test_hundred_tasks_one_upstream_request(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=99)
    responses = await asyncio.gather(
        *(api.async_get("/count", params={"delay": "0.3"}) for _ in range(100))
    )
    await api.aclose()
    assert srv.count("/count") == 1
    assert all(r.data == {"path": "/count", "hits": 1} for r in responses)
    assert len({id(r) for r in responses}) == 100
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=99, in_flight=0, waiting=0)


def test_forty_threads_one_upstream_request(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=39)
    responses = _threads(40, lambda i: api.get("/count?delay=0.3"))
    api.close()
    assert srv.count("/count") == 1
    assert all(isinstance(r, Response) and r.data["hits"] == 1 for r in responses), responses
    assert len({id(r) for r in responses}) == 40
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=39, in_flight=0, waiting=0)


async def test_without_a_gate_concurrent_tasks_still_collapse(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    responses = await asyncio.gather(*(api.async_get("/count?delay=0.3") for _ in range(100)))
    await api.aclose()
    assert srv.count("/count") == 1
    assert {r.data["hits"] for r in responses} == {1}


def test_sequential_calls_are_not_cached(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    hits = [api.get("/count").data["hits"] for _ in range(3)]
    api.close()
    assert hits == [1, 2, 3]


# -- what makes two requests different ------------------------------------------------


async def test_two_authorization_values_two_requests_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    calls = [
        api.async_get("/count?delay=0.3", headers={"Authorization": f"Bearer {user}"})
        for _ in range(10)
        for user in ("alice", "bob")
    ]
    responses = await asyncio.gather(*calls)
    await api.aclose()
    assert srv.count("/count") == 2
    tokens = {r.request.headers["authorization"] for r in responses}
    assert tokens == {"Bearer alice", "Bearer bob"}
    seen = {(r.request.headers["authorization"], r.data["hits"]) for r in responses}
    assert len(seen) == 2  # each user got the answer to their own request


def test_two_authorization_values_two_requests_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=30, holds=2)  # both leaders (one per user or page)
    users = ("alice", "bob")
    responses = _threads(
        32,
        lambda i: api.get("/count?delay=0.3", headers={"Authorization": f"Bearer {users[i % 2]}"}),
    )
    api.close()
    assert srv.count("/count") == 2
    pairs = {(r.request.headers["authorization"], r.data["hits"]) for r in responses}
    assert len(pairs) == 2 and {a for a, _ in pairs} == {"Bearer alice", "Bearer bob"}


async def test_different_params_two_requests_async(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    responses = await asyncio.gather(
        *(api.async_get("/count", params={"delay": "0.3", "page": p % 2}) for p in range(20))
    )
    await api.aclose()
    assert srv.count("/count") == 2
    assert {r.data["hits"] for r in responses} == {1, 2}


def test_different_params_two_requests_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=30, holds=2)  # both leaders (one per user or page)
    responses = _threads(32, lambda i: api.get("/count", params={"delay": "0.3", "page": i % 2}))
    api.close()
    assert srv.count("/count") == 2
    assert all(isinstance(r, Response) for r in responses), responses


async def test_params_spelled_differently_are_one_request(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    responses = await asyncio.gather(
        api.async_get("/count?delay=0.3&page=1"),
        api.async_get("/count", params={"delay": "0.3", "page": 1}),
        api.async_get("/count", params=[("delay", "0.3"), ("page", "1")]),
        api.async_get(srv.url("/count"), params="delay=0.3&page=1"),
    )
    await api.aclose()
    assert srv.count("/count") == 1
    assert {r.data["hits"] for r in responses} == {1}


async def test_headers_added_by_interceptors_separate_users_async(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())

    def auth_from_user(config: dict[str, Any]) -> dict[str, Any]:
        user = config["headers"].pop("X-User")
        config["headers"]["Authorization"] = f"Bearer token-of-{user}"
        return config

    api.interceptors.request.use(auth_from_user)
    calls = [
        api.async_get("/count?delay=0.3", headers={"X-User": user})
        for _ in range(5)
        for user in ("alice", "bob")
    ]
    responses = await asyncio.gather(*calls)
    await api.aclose()
    assert srv.count("/count") == 2
    by_user = {(r.request.headers["authorization"], r.data["hits"]) for r in responses}
    assert {a for a, _ in by_user} == {"Bearer token-of-alice", "Bearer token-of-bob"}
    assert len(by_user) == 2


def test_headers_added_by_interceptors_separate_users_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    tenant = threading.local()

    def stamp_tenant(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["Cookie"] = f"session={tenant.name}"
        return config

    api.interceptors.request.use(stamp_tenant)
    Gate(api, plugin, waiting=30, holds=2)  # both leaders (one per user or page)

    def call(i: int) -> Response:
        tenant.name = f"t{i % 2}"
        return api.get("/count?delay=0.3")

    responses = _threads(32, call)
    api.close()
    assert srv.count("/count") == 2
    assert {r.request.headers["cookie"] for r in responses} == {"session=t0", "session=t1"}


async def test_vary_headers_option(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin(vary_headers=["X-Tenant"]))
    await asyncio.gather(
        *(api.async_get("/count?delay=0.3", headers={"X-Tenant": f"{n % 3}"}) for n in range(9))
    )
    await asyncio.gather(
        *(api.async_get("/count?delay=0.3", headers={"X-Request-Id": f"{n}"}) for n in range(9))
    )
    await api.aclose()
    assert srv.count("/count") == 3 + 1  # X-Request-Id is not a varying header


async def test_vary_key_for_identities_added_per_attempt(srv: LocalServer) -> None:
    user: contextvars.ContextVar[str] = contextvars.ContextVar("user")

    async def per_attempt_auth(ctx: dict[str, Any], next_fn: Any) -> Response:
        # what an attempt-scoped credential (AuthPlugin with a per-user provider) does
        ctx["headers"]["Authorization"] = f"Bearer token-of-{user.get()}"
        return await next_fn(ctx)  # type: ignore[no-any-return]

    async def as_user(api: AxiosPython, name: str) -> str:
        user.set(name)
        response = await api.async_get("/echo?delay=0.3")
        return str(response.data["headers"]["authorization"])

    for plugin, upstream in ((DedupePlugin(), 1), (DedupePlugin(vary_key=lambda c: user.get()), 2)):
        srv.reset()
        api = _client(srv, plugin)
        api.use(per_attempt_auth, scope="attempt")
        seen = list(await asyncio.gather(as_user(api, "alice"), as_user(api, "bob")))
        await api.aclose()
        assert srv.count("/echo") == upstream
        if upstream == 2:  # with vary_key, each user gets the answer to their own credential
            assert seen == ["Bearer token-of-alice", "Bearer token-of-bob"]
        else:  # the key cannot see a header set per attempt: the limitation vary_key lifts
            assert seen == ["Bearer token-of-alice"] * 2


async def test_vary_on_every_header(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin(vary_headers=["*"]))
    await asyncio.gather(
        *(api.async_get("/count?delay=0.3", headers={"X-Request-Id": f"{n}"}) for n in range(4))
    )
    await api.aclose()
    assert srv.count("/count") == 4


async def test_cookies_config_separates_requests(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    responses = await asyncio.gather(
        *(api.async_get("/cookies", cookies={"session": f"s{n % 2}"}) for n in range(6))
    )
    await api.aclose()
    assert srv.count("/cookies") == 2
    assert sorted(r.data["session"] for r in responses) == ["s0"] * 3 + ["s1"] * 3


async def test_never_collapsed_bodies_streams_and_unsafe_methods(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    await asyncio.gather(*(api.async_post("/count?delay=0.2") for _ in range(3)))
    await asyncio.gather(*(api.async_get("/count?delay=0.2", json={"q": 1}) for _ in range(3)))
    await asyncio.gather(*(api.async_get("/count?delay=0.2", content=b"x") for _ in range(3)))
    streamed = await asyncio.gather(
        *(api.async_get("/count?delay=0.2", stream=True) for _ in range(3))
    )
    for response in streamed:
        await response.aclose()
    await api.aclose()
    assert srv.count("/count") == 12


def test_never_collapsed_sync(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    _threads(4, lambda i: api.put("/count?delay=0.2"))
    _threads(4, lambda i: api.get("/count?delay=0.2", data={"form": "1"}).close())
    api.close()
    assert srv.count("/count") == 8


async def test_head_is_collapsed_apart_from_get(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    responses = await asyncio.gather(
        *(api.async_head("/count?delay=0.3") for _ in range(5)),
        *(api.async_get("/count?delay=0.3") for _ in range(5)),
    )
    await api.aclose()
    assert srv.count("/count") == 2
    assert {r.request.method for r in responses} == {"HEAD", "GET"}
    assert all(r.content == b"" for r in responses if r.request.method == "HEAD")


# -- every caller gets its own response -----------------------------------------------


async def test_each_caller_gets_its_own_response_async(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    served = 0

    def number(response: Response) -> Response:
        nonlocal served
        served += 1
        response.data["served"] = served  # per caller: must not show up in another's data
        return response

    api.interceptors.response.use(number)
    tokens = [CancelToken() for _ in range(10)]
    responses = await asyncio.gather(
        *(api.async_get("/json", cancel_token=token) for token in tokens)
    )
    await api.aclose()
    assert srv.count("/json") == 1
    assert sorted(r.data["served"] for r in responses) == list(range(1, 11))
    responses[0].data["items"].append(4)
    assert all(r.data["items"] == [1, 2, 3] for r in responses[1:])
    assert [r.config["cancel_token"] for r in responses] == tokens  # each its own config


def test_each_caller_gets_its_own_response_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    api.interceptors.response.use(lambda r: setattr(r, "data", {**r.data, "me": id(r)}) or r)
    Gate(api, plugin, waiting=7)
    responses = _threads(8, lambda i: api.get("/json"))
    api.close()
    assert srv.count("/json") == 1
    assert all(r.data["me"] == id(r) for r in responses)
    assert len({id(r.data) for r in responses}) == 8


# -- errors ---------------------------------------------------------------------------


def _check_same_error(errors: list[Any], kind: type[Exception]) -> None:
    assert all(type(e) is kind for e in errors), errors
    assert len({str(e) for e in errors}) == 1
    assert len({id(e) for e in errors}) == len(errors)  # each caller raised its own


async def test_error_reaches_every_waiter_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=9)
    results = await asyncio.gather(
        *(api.async_get("/drop") for _ in range(10)), return_exceptions=True
    )
    await api.aclose()
    assert srv.count("/drop") == 1
    _check_same_error(list(results), NetworkError)


def test_error_reaches_every_waiter_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=9)
    results = _threads(10, lambda i: api.get("/drop"))
    api.close()
    assert srv.count("/drop") == 1
    _check_same_error(results, NetworkError)


async def test_rejected_status_reaches_every_waiter_with_its_own_response(
    srv: LocalServer,
) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin, validate_status=lambda status: status < 400)
    Gate(api, plugin, waiting=4)
    results = await asyncio.gather(
        *(api.async_get("/status/503") for _ in range(5)), return_exceptions=True
    )
    await api.aclose()
    assert srv.count("/status/503") == 1
    _check_same_error(list(results), HTTPStatusError)
    responses = [e.response for e in results if isinstance(e, HTTPStatusError)]
    assert len({id(r) for r in responses}) == 5
    assert all(r.data == {"status": 503} for r in responses)


# -- cancellation ---------------------------------------------------------------------


async def test_cancelled_leader_token_followers_take_over_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()
    # the cancelled leader waits for 5 followers; the new leader for the 4 others
    Gate(api, plugin, waiting=(5, 4), then=lambda: token.cancel("leader gave up"))
    leader = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    await _until_async(lambda: plugin.stats().in_flight == 1)
    followers = await asyncio.gather(*(api.async_get("/count") for _ in range(5)))
    with pytest.raises(CancelError, match="leader gave up"):
        await leader
    await api.aclose()
    assert srv.count("/count") == 1  # the cancelled leader never sent; one follower did
    assert [r.data["hits"] for r in followers] == [1] * 5
    stats = plugin.stats()
    assert (stats.leaders, stats.collapsed, stats.in_flight) == (2, 4, 0)


def test_cancelled_leader_token_followers_take_over_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()
    Gate(api, plugin, waiting=(5, 4), then=lambda: token.cancel("leader gave up"))
    with ThreadPoolExecutor(6) as pool:
        leader = pool.submit(api.get, "/count", cancel_token=token)
        _until(lambda: plugin.stats().in_flight == 1)
        followers = [pool.submit(api.get, "/count") for _ in range(5)]
        with pytest.raises(CancelError, match="leader gave up"):
            leader.result()
        responses = [f.result() for f in followers]
    api.close()
    assert srv.count("/count") == 1
    assert [r.data["hits"] for r in responses] == [1] * 5


def test_leader_cancelled_in_flight_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()
    Gate(api, plugin, waiting=(0, 4))  # the new leader waits for the 4 others to rejoin
    with ThreadPoolExecutor(6) as pool:
        leader = pool.submit(api.get, "/count?delay=1.5", cancel_token=token)
        _until(lambda: srv.count("/count") == 1)  # the leader's request is at the server
        followers = [pool.submit(api.get, "/count?delay=1.5") for _ in range(5)]
        _until(lambda: plugin.stats().waiting == 5)
        token.cancel()
        with pytest.raises(CancelError):
            leader.result()
        responses = [f.result() for f in followers]
    api.close()
    assert srv.count("/count") == 2  # the cancelled request, then one for the five followers
    assert [r.data["hits"] for r in responses] == [2] * 5


async def test_leader_task_cancelled_in_flight_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=(0, 4))  # the new leader waits for the 4 others to rejoin
    leader = asyncio.ensure_future(api.async_get("/count?delay=1.5"))
    await _until_async(lambda: srv.count("/count") == 1)
    followers = asyncio.gather(*(api.async_get("/count?delay=1.5") for _ in range(5)))
    await _until_async(lambda: plugin.stats().waiting == 5)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    responses = await followers
    await api.aclose()
    assert srv.count("/count") == 2
    assert [r.data["hits"] for r in responses] == [2] * 5


async def test_cancelled_follower_leaves_the_others_alone_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()

    def cancel_one_follower() -> None:
        token.cancel("this caller left")

    gate = Gate(api, plugin, waiting=4, then=cancel_one_follower)
    leader = asyncio.ensure_future(api.async_get("/count"))
    await _until_async(lambda: plugin.stats().in_flight == 1)
    quitter = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    others = [asyncio.ensure_future(api.async_get("/count")) for _ in range(3)]
    with pytest.raises(CancelError, match="this caller left"):
        await quitter
    responses = [await leader, *[await task for task in others]]
    await api.aclose()
    assert not gate.armed
    assert srv.count("/count") == 1
    assert [r.data["hits"] for r in responses] == [1] * 4


def test_cancelled_follower_leaves_the_others_alone_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()
    left = threading.Event()

    def cancel_one_follower() -> None:
        token.cancel("this caller left")
        assert left.wait(DEADLINE)  # the cancelled follower returned before the leader sends

    Gate(api, plugin, waiting=4, then=cancel_one_follower)
    with ThreadPoolExecutor(5) as pool:
        leader = pool.submit(api.get, "/count")
        _until(lambda: plugin.stats().in_flight == 1)
        quitter: Future[Response] = pool.submit(api.get, "/count", cancel_token=token)
        quitter.add_done_callback(lambda f: left.set())
        others = [pool.submit(api.get, "/count") for _ in range(3)]
        with pytest.raises(CancelError, match="this caller left"):
            quitter.result()
        responses = [leader.result(), *[f.result() for f in others]]
    api.close()
    assert srv.count("/count") == 1
    assert [r.data["hits"] for r in responses] == [1] * 4


async def test_follower_sharing_the_leaders_token_is_cancelled_too(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    token = CancelToken()
    Gate(api, plugin, waiting=2, then=token.cancel)
    leader = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    await _until_async(lambda: plugin.stats().in_flight == 1)
    results = await asyncio.gather(
        api.async_get("/count", cancel_token=token),
        api.async_get("/count"),
        return_exceptions=True,
    )
    with pytest.raises(CancelError):
        await leader
    await api.aclose()
    assert isinstance(results[0], CancelError)
    assert isinstance(results[1], Response) and results[1].data["hits"] == 1
    assert srv.count("/count") == 1


def test_nested_identical_call_does_not_wait_for_itself_sync(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    nested: list[Response] = []

    def below(ctx: dict[str, Any], next_fn: Any) -> Response:
        if not nested:
            nested.append(Response(status_code=0))  # placeholder: nest only once
            nested[0] = api.get("/count")  # identical, from inside the leader's own call
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def below_async(ctx: dict[str, Any], next_fn: Any) -> Response:
        raise AssertionError("the sync form runs in sync calls")

    api.use(Dual(sync=below, async_=below_async))
    outer = api.get("/count")
    api.close()
    assert (nested[0].data["hits"], outer.data["hits"]) == (1, 2)


async def test_nested_identical_call_does_not_wait_for_itself_async(srv: LocalServer) -> None:
    api = _client(srv, DedupePlugin())
    nested: list[Response] = []

    async def below(ctx: dict[str, Any], next_fn: Any) -> Response:
        if not nested:
            nested.append(Response(status_code=0))
            nested[0] = await api.async_get("/count", cancel_token=CancelToken())  # a new task
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(below)
    outer = await api.async_get("/count")
    await api.aclose()
    assert (nested[0].data["hits"], outer.data["hits"]) == (1, 2)


# -- removal --------------------------------------------------------------------------


async def test_uninstall_in_flight_keeps_calls_working_async(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=9, then=lambda: api.remove_plugin(plugin))
    responses = await asyncio.gather(*(api.async_get("/count") for _ in range(10)))
    assert [r.data["hits"] for r in responses] == [1] * 10
    assert plugin.stats().in_flight == 0
    later = await asyncio.gather(*(api.async_get("/count?delay=0.2") for _ in range(3)))
    await api.aclose()
    assert sorted(r.data["hits"] for r in later) == [2, 3, 4]  # no longer deduplicated


def test_uninstall_in_flight_keeps_calls_working_sync(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    Gate(api, plugin, waiting=9, then=lambda: api.remove_plugin(plugin))
    responses = _threads(10, lambda i: api.get("/count"))
    assert [r.data["hits"] for r in responses] == [1] * 10
    assert plugin.stats().in_flight == 0
    api.close()


def test_one_plugin_two_clients_never_share(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    first = _client(srv, plugin, headers={"X-Client": "1"})
    second = _client(srv, plugin, headers={"X-Client": "2"})

    async def scenario() -> list[Response]:
        calls = [api.async_get("/count?delay=0.3") for api in (first, second) for _ in range(3)]
        responses = list(await asyncio.gather(*calls))
        await first.aclose()
        await second.aclose()
        return responses

    responses = asyncio.run(scenario())
    assert srv.count("/count") == 2
    assert {r.request.headers["x-client"] for r in responses} == {"1", "2"}


def test_sync_and_async_calls_collapse_separately(srv: LocalServer) -> None:
    plugin = DedupePlugin()
    api = _client(srv, plugin)
    # two leaders (one per path) are held until both paths have two followers waiting
    Gate(api, plugin, waiting=4, holds=2)

    async def async_side() -> list[Response]:
        return list(await asyncio.gather(*(api.async_get("/count") for _ in range(3))))

    with ThreadPoolExecutor(4) as pool:
        sync_calls = [pool.submit(api.get, "/count") for _ in range(3)]
        async_responses = pool.submit(asyncio.run, async_side()).result()
        sync_responses = [f.result() for f in sync_calls]
    api.close()
    assert srv.count("/count") == 2
    assert {r.data["hits"] for r in async_responses} | {r.data["hits"] for r in sync_responses} == {
        1,
        2,
    }
    assert len({r.data["hits"] for r in async_responses}) == 1


# -- options --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "mentions"),
    [
        ({"vary_headers": "X-Tenant"}, TypeError, "'X-Tenant'"),
        ({"vary_headers": ["bad header"]}, ValueError, "'bad header'"),
        ({"vary_headers": [1]}, ValueError, "1"),
        ({"methods": ["GET", "POST"]}, ValueError, "'POST'"),
        ({"methods": []}, ValueError, "at least one"),
        ({"methods": "GET"}, TypeError, "'GET'"),
        ({"vary_key": "user"}, TypeError, "'user'"),
    ],
)
def test_bad_options_are_named(
    kwargs: dict[str, Any], error: type[Exception], mentions: str
) -> None:
    with pytest.raises(error, match=mentions):
        DedupePlugin(**kwargs)


async def test_built_by_name_with_options(srv: LocalServer) -> None:
    api = axios_python.create({"base_url": srv.base_url})
    plugin = api.plugin("dedupe", vary_headers=["X-Tenant"])
    assert isinstance(plugin, DedupePlugin) and "x-tenant" in plugin.vary_headers
    await asyncio.gather(
        *(api.async_get("/count?delay=0.3", headers={"X-Tenant": t}) for t in "abab")
    )
    api.remove_plugin("dedupe")
    await asyncio.gather(*(api.async_get("/count?delay=0.3") for _ in range(2)))
    await api.aclose()
    assert srv.count("/count") == 2 + 2


def test_defaults_and_exports() -> None:
    import axios_python_plugin_dedupe as package

    plugin = DedupePlugin(vary_headers=["X-Tenant", "authorization"])
    assert plugin.vary_headers == (*DEFAULT_VARY_HEADERS, "x-tenant")
    assert plugin.methods == frozenset({"GET", "HEAD"})
    assert DedupePlugin.name == "dedupe"
    assert package.__all__ == ["DEFAULT_VARY_HEADERS", "DedupePlugin", "DedupeStats", "__version__"]
    assert package.__version__ == "1.0.0"
    assert axios_python.DedupePlugin is DedupePlugin
