"""DedupePlugin through the public API, on the sync and the async path, against loopback.

The server's ``/count`` route counts the requests that reach it: that is what deduplication
saves. Where a test needs every follower to have joined before the leader's request goes out,
the ``gate`` fixture (attempt-scoped middleware: only calls that go upstream reach it) holds the
leader until the plugin reports that many followers waiting; the ``hold`` route holds requests at
the server until the test releases them. No assertion depends on timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version
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
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_dedupe import CORRELATION_HEADERS, DedupePlugin, DedupeStats

MakeCaller = Callable[..., Caller]
Together = Callable[[Caller, Sequence[Mapping[str, Any]]], list[Any]]
Until = Callable[[Callable[[], bool]], None]
UntilAsync = Callable[[Callable[[], bool]], Awaitable[None]]


def _client(server: LocalServer) -> tuple[AxiosPython, DedupePlugin]:
    """An instance with a DedupePlugin, for the tests that drive threads or tasks themselves."""
    plugin = DedupePlugin()
    return axios_python.create({"base_url": server.base_url, "plugins": [plugin]}), plugin


def _one_request(
    server: LocalServer, responses: Sequence[Response], plugin: DedupePlugin, **counts: int
) -> None:
    """One request reached ``/count`` and answered every caller; the plugin counted ``counts``
    (``leaders``, ``collapsed``)."""
    assert server.count("/count") == 1
    assert [r.data["hits"] for r in responses] == [1] * len(responses)
    assert plugin.stats() == DedupeStats(**counts, in_flight=0, waiting=0)


def _dedupe(make_caller: MakeCaller, **config: Any) -> tuple[Caller, DedupePlugin]:
    plugin = DedupePlugin()
    return make_caller({"plugins": [plugin], **config}), plugin


# -- one upstream request for many callers ------------------------------------------------


def test_many_callers_one_upstream_request(
    make_caller: MakeCaller, local_server: LocalServer, gate: Any, together: Together
) -> None:
    call, plugin = _dedupe(make_caller)
    gate(call.api, plugin, waiting=39)
    responses = together(call, [{"url": "/count"}] * 40)
    assert local_server.count("/count") == 1
    assert all(isinstance(r, Response) for r in responses), responses
    assert all(r.data == {"path": "/count", "hits": 1} for r in responses)
    assert len({id(r) for r in responses}) == 40
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=39, in_flight=0, waiting=0)


async def test_hundred_gathered_tasks_share_one_request(
    local_server: LocalServer, hold: Any, until_async: UntilAsync
) -> None:
    """Without a gate: tasks started together all find the first one in flight."""
    api, plugin = _client(local_server)
    tasks = [asyncio.ensure_future(api.async_get(hold.path)) for _ in range(100)]
    await until_async(lambda: hold.upstream + plugin.stats().waiting >= 100)
    hold.release.set()
    responses = await asyncio.gather(*tasks)
    await api.aclose()
    assert hold.upstream == 1
    assert len({id(r) for r in responses}) == 100
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=99, in_flight=0, waiting=0)


def test_sequential_calls_are_not_cached(make_caller: MakeCaller) -> None:
    call, plugin = _dedupe(make_caller)
    hits = [call.get("/count").data["hits"] for _ in range(3)]
    assert hits == [1, 2, 3]
    assert plugin.stats() == DedupeStats(leaders=3, collapsed=0, in_flight=0, waiting=0)


def test_sync_and_async_calls_share_one_request(local_server: LocalServer, gate: Any) -> None:
    """Threads and tasks collapse together: one flight per client, whatever the path."""
    api, plugin = _client(local_server)
    gate(api, plugin, waiting=5)  # the leader waits for the 5 others, of both kinds

    async def async_side() -> list[Response]:
        responses = list(await asyncio.gather(*(api.async_get("/count") for _ in range(3))))
        await api.aclose()
        return responses

    with ThreadPoolExecutor(4) as pool:
        sync_calls = [pool.submit(api.get, "/count") for _ in range(3)]
        async_responses = pool.submit(asyncio.run, async_side()).result()
        sync_responses = [f.result() for f in sync_calls]
    api.close()
    assert local_server.count("/count") == 1
    assert {r.data["hits"] for r in [*async_responses, *sync_responses]} == {1}
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=5, in_flight=0, waiting=0)


def test_sync_call_from_async_code_never_waits(
    local_server: LocalServer, hold: Any, until_async: UntilAsync, until: Until
) -> None:
    """A sync call made on the thread of a running event loop, while an identical async call
    is in flight, goes upstream on its own: waiting would block the loop the leader needs."""
    api, plugin = _client(local_server)

    def release_when_both_arrived() -> None:
        until(lambda: hold.upstream == 2)  # the sync call did not wait for the async one
        hold.release.set()

    async def scenario() -> tuple[Response, Response]:
        leader = asyncio.ensure_future(api.async_get(hold.path))
        await until_async(lambda: hold.upstream == 1)
        watcher = threading.Thread(target=release_when_both_arrived)
        watcher.start()
        try:
            blocking = api.get(hold.path)  # on the loop's thread
        finally:
            hold.release.set()
            watcher.join()
        answer = await leader
        await api.aclose()
        return answer, blocking

    leader, blocking = asyncio.run(scenario())
    api.close()
    assert hold.upstream == 2
    assert leader.status_code == blocking.status_code == 200
    assert plugin.stats().collapsed == 0


# -- every caller gets its own response -----------------------------------------------


def test_each_caller_gets_its_own_response(
    make_caller: MakeCaller, local_server: LocalServer, gate: Any, together: Together
) -> None:
    call, plugin = _dedupe(make_caller)
    served = 0
    lock = threading.Lock()

    def number(response: Response) -> Response:
        nonlocal served
        with lock:
            served += 1
            response.data["served"] = served  # per caller: must not show up in another's data
        return response

    call.api.interceptors.response.use(number)
    gate(call.api, plugin, waiting=7)
    tokens = [CancelToken() for _ in range(8)]
    responses = together(call, [{"url": "/json", "cancel_token": t} for t in tokens])
    assert local_server.count("/json") == 1
    assert sorted(r.data["served"] for r in responses) == list(range(1, 9))
    responses[0].data["items"].append(4)
    assert all(r.data["items"] == [1, 2, 3] for r in responses[1:])
    assert [r.config["cancel_token"] for r in responses] == tokens  # each its own config
    assert len({id(r) for r in responses}) == 8


# -- errors ---------------------------------------------------------------------------


def _check_same_error(errors: list[Any], kind: type[Exception]) -> None:
    assert all(type(e) is kind for e in errors), errors
    assert len({str(e) for e in errors}) == 1
    assert len({id(e) for e in errors}) == len(errors)  # each caller raised its own


def test_error_reaches_every_waiter(
    make_caller: MakeCaller, local_server: LocalServer, gate: Any, together: Together
) -> None:
    call, plugin = _dedupe(make_caller)
    gate(call.api, plugin, waiting=9)
    tokens = [CancelToken() for _ in range(10)]
    errors = together(call, [{"url": "/drop", "cancel_token": t} for t in tokens])
    assert local_server.count("/drop") == 1
    _check_same_error(errors, NetworkError)
    assert [e.config["cancel_token"] for e in errors] == tokens  # each names its own call
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=9, in_flight=0, waiting=0)


def test_rejected_status_reaches_every_waiter_with_its_own_response(
    make_caller: MakeCaller, local_server: LocalServer, gate: Any, together: Together
) -> None:
    call, plugin = _dedupe(make_caller, validate_status=lambda status: status < 400)
    gate(call.api, plugin, waiting=4)
    errors = together(call, [{"url": "/status/503"}] * 5)
    assert local_server.count("/status/503") == 1
    _check_same_error(errors, HTTPStatusError)
    responses = [e.response for e in errors]
    assert len({id(r) for r in responses}) == 5
    assert all(r.data == {"status": 503} for r in responses)
    assert all(e.response.config is e.config for e in errors)


# -- never collapsed ------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"method": "POST"},
        {"method": "PUT"},
        {"method": "OPTIONS"},  # safe, but not collapsed unless methods= says so
        {"json": {"q": 1}},
        {"content": b"x"},
        {"data": {"form": "1"}},
        {"stream": True},
    ],
    ids=["post", "put", "options", "json-body", "content-body", "form-body", "stream"],
)
def test_never_collapsed(make_caller: MakeCaller, hold: Any, options: dict[str, Any]) -> None:
    call, plugin = _dedupe(make_caller)
    responses = hold.run(call, plugin, [options] * 3)
    for response in responses:
        if call.is_async:
            call.run(response.aclose())
        else:
            response.close()
    assert hold.upstream == 3
    assert plugin.stats() == DedupeStats(leaders=0, collapsed=0, in_flight=0, waiting=0)


def test_options_collapsed_when_asked(make_caller: MakeCaller, hold: Any) -> None:
    plugin = DedupePlugin(methods=["GET", "HEAD", "OPTIONS"])
    call = make_caller({"plugins": [plugin]})
    hold.run(call, plugin, [{"method": "OPTIONS"}] * 3)
    assert hold.upstream == 1


# -- cancellation ---------------------------------------------------------------------


async def test_cancelled_leader_token_followers_take_over_async(
    local_server: LocalServer, gate: Any, until_async: UntilAsync
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    # the cancelled leader waits for 5 followers; the new leader for the 4 others
    gate(api, plugin, waiting=(5, 4), then=lambda: token.cancel("leader gave up"))
    leader = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    await until_async(lambda: plugin.stats().in_flight == 1)
    followers = await asyncio.gather(*(api.async_get("/count") for _ in range(5)))
    with pytest.raises(CancelError, match="leader gave up"):
        await leader
    await api.aclose()
    _one_request(local_server, followers, plugin, leaders=2, collapsed=4)


def test_cancelled_leader_token_followers_take_over_sync(
    local_server: LocalServer, gate: Any, until: Until
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    gate(api, plugin, waiting=(5, 4), then=lambda: token.cancel("leader gave up"))
    with ThreadPoolExecutor(6) as pool:
        leader = pool.submit(api.get, "/count", cancel_token=token)
        until(lambda: plugin.stats().in_flight == 1)
        followers = [pool.submit(api.get, "/count") for _ in range(5)]
        with pytest.raises(CancelError, match="leader gave up"):
            leader.result()
        responses = [f.result() for f in followers]
    api.close()
    _one_request(local_server, responses, plugin, leaders=2, collapsed=4)


def test_leader_cancelled_in_flight_sync(
    local_server: LocalServer, hold: Any, until: Until
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    with ThreadPoolExecutor(6) as pool:
        leader = pool.submit(api.get, hold.path, cancel_token=token)
        until(lambda: hold.upstream == 1)  # the leader's request is at the server
        followers = [pool.submit(api.get, hold.path) for _ in range(5)]
        until(lambda: plugin.stats().waiting == 5)
        token.cancel()
        with pytest.raises(CancelError):
            leader.result()
        # one follower took over and sent its own request; the 4 others follow it
        until(lambda: hold.upstream == 2 and plugin.stats().waiting == 4)
        hold.release.set()
        responses = [f.result() for f in followers]
    api.close()
    assert hold.upstream == 2  # the cancelled request, then one for the five followers
    assert len({id(r) for r in responses}) == 5
    assert all(r.data == responses[0].data for r in responses)
    assert plugin.stats() == DedupeStats(leaders=2, collapsed=4, in_flight=0, waiting=0)


async def test_leader_task_cancelled_in_flight_async(
    local_server: LocalServer, hold: Any, until_async: UntilAsync
) -> None:
    api, plugin = _client(local_server)
    leader = asyncio.ensure_future(api.async_get(hold.path))
    await until_async(lambda: hold.upstream == 1)
    followers = asyncio.gather(*(api.async_get(hold.path) for _ in range(5)))
    await until_async(lambda: plugin.stats().waiting == 5)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    await until_async(lambda: hold.upstream == 2 and plugin.stats().waiting == 4)
    hold.release.set()
    responses = await followers
    await api.aclose()
    assert hold.upstream == 2
    assert len({id(r) for r in responses}) == 5
    assert plugin.stats() == DedupeStats(leaders=2, collapsed=4, in_flight=0, waiting=0)


async def test_cancelled_follower_leaves_the_others_alone_async(
    local_server: LocalServer, gate: Any, until_async: UntilAsync
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    held = gate(api, plugin, waiting=4, then=lambda: token.cancel("this caller left"))
    leader = asyncio.ensure_future(api.async_get("/count"))
    await until_async(lambda: plugin.stats().in_flight == 1)
    quitter = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    others = [asyncio.ensure_future(api.async_get("/count")) for _ in range(3)]
    with pytest.raises(CancelError, match="this caller left"):
        await quitter
    responses = [await leader, *[await task for task in others]]
    await api.aclose()
    assert not held.armed
    _one_request(local_server, responses, plugin, leaders=1, collapsed=3)


def test_cancelled_follower_leaves_the_others_alone_sync(
    local_server: LocalServer, gate: Any, until: Until
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    left = threading.Event()

    def cancel_one_follower() -> None:
        token.cancel("this caller left")
        assert left.wait(30.0)  # the cancelled follower returned before the leader sends

    gate(api, plugin, waiting=4, then=cancel_one_follower)
    with ThreadPoolExecutor(5) as pool:
        leader = pool.submit(api.get, "/count")
        until(lambda: plugin.stats().in_flight == 1)
        quitter: Future[Response] = pool.submit(api.get, "/count", cancel_token=token)
        quitter.add_done_callback(lambda f: left.set())
        others = [pool.submit(api.get, "/count") for _ in range(3)]
        with pytest.raises(CancelError, match="this caller left") as caught:
            quitter.result()
        responses = [leader.result(), *[f.result() for f in others]]
    api.close()
    assert caught.value.config is not None
    assert caught.value.config["cancel_token"] is token  # the error names the follower's call
    assert local_server.count("/count") == 1
    assert [r.data["hits"] for r in responses] == [1] * 4


async def test_follower_sharing_the_leaders_token_is_cancelled_too_async(
    local_server: LocalServer, gate: Any, until_async: UntilAsync
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    gate(api, plugin, waiting=2, then=token.cancel)
    leader = asyncio.ensure_future(api.async_get("/count", cancel_token=token))
    await until_async(lambda: plugin.stats().in_flight == 1)
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
    assert local_server.count("/count") == 1


def test_follower_sharing_the_leaders_token_is_cancelled_too_sync(
    local_server: LocalServer, gate: Any, until: Until
) -> None:
    api, plugin = _client(local_server)
    token = CancelToken()
    gate(api, plugin, waiting=2, then=token.cancel)
    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(api.get, "/count", cancel_token=token)
        until(lambda: plugin.stats().in_flight == 1)
        sharing = pool.submit(api.get, "/count", cancel_token=token)
        other = pool.submit(api.get, "/count")
        with pytest.raises(CancelError):
            leader.result()
        with pytest.raises(CancelError):
            sharing.result()
        response = other.result()
    api.close()
    assert response.data["hits"] == 1
    assert local_server.count("/count") == 1


# -- nested calls ---------------------------------------------------------------------


def test_nested_identical_call_does_not_wait_for_itself(make_caller: MakeCaller) -> None:
    """A request made from inside the leader's own call (by middleware below the plugin)
    goes upstream instead of waiting for the leader, which waits for it."""
    call, _ = _dedupe(make_caller)
    nested: list[Response] = []

    def below(ctx: dict[str, Any], next_fn: Any) -> Response:
        if not nested:
            nested.append(Response(status_code=0))  # placeholder: nest only once
            nested[0] = call.api.get("/count")  # identical, from inside the leader's own call
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def below_async(ctx: dict[str, Any], next_fn: Any) -> Response:
        if not nested:
            nested.append(Response(status_code=0))
            # a token makes the core run the nested call in a task of its own
            nested[0] = await call.api.async_get("/count", cancel_token=CancelToken())
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(Dual(sync=below, async_=below_async))
    outer = call.get("/count")
    assert (nested[0].data["hits"], outer.data["hits"]) == (1, 2)


# -- removal and statistics ------------------------------------------------------------


def test_removal_in_flight_keeps_calls_working(
    make_caller: MakeCaller, local_server: LocalServer, gate: Any, together: Together
) -> None:
    call, plugin = _dedupe(make_caller)
    at_removal: list[DedupeStats] = []

    def remove() -> None:
        call.api.remove_plugin(plugin)
        at_removal.append(plugin.stats())

    gate(call.api, plugin, waiting=9, then=remove)
    responses = together(call, [{"url": "/count"}] * 10)
    assert [r.data["hits"] for r in responses] == [1] * 10
    # removal forgot the flight at once (in_flight 0) while its followers still waited
    assert at_removal == [DedupeStats(leaders=1, collapsed=0, in_flight=0, waiting=9)]
    # the counters of the removed client are kept
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=9, in_flight=0, waiting=0)
    later = [call.get("/count").data["hits"] for _ in range(2)]
    assert later == [2, 3]  # no longer deduplicated
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=9, in_flight=0, waiting=0)


def test_stats_add_up_over_every_client(
    make_caller: MakeCaller, gate: Any, together: Together
) -> None:
    plugin = DedupePlugin()
    first = make_caller({"plugins": [plugin]})
    second = make_caller({"plugins": [plugin]})
    for call in (first, second):
        held = gate(call.api, plugin, waiting=2)
        together(call, [{"url": "/count"}] * 3)
        assert not held.armed
    assert plugin.stats() == DedupeStats(leaders=2, collapsed=4, in_flight=0, waiting=0)


# -- options --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "mentions"),
    [
        (
            {"ignore_headers": "X-B3-TraceId"},
            TypeError,
            "ignore_headers must be an iterable.*'X-B3-TraceId'",
        ),
        ({"ignore_headers": ["bad header"]}, ValueError, "ignore_headers.*'bad header'"),
        ({"ignore_headers": [1]}, ValueError, "ignore_headers.*got 1"),
        ({"vary_headers": "X-Tenant"}, TypeError, "vary_headers.*'X-Tenant'"),
        ({"vary_headers": ["bad header"]}, ValueError, "vary_headers.*'bad header'"),
        ({"methods": ["GET", "POST"]}, ValueError, "'POST'"),
        ({"methods": []}, ValueError, "at least one"),
        ({"methods": "GET"}, TypeError, "'GET'"),
        ({"vary_key": "user"}, TypeError, "vary_key.*'user'"),
    ],
)
def test_bad_options_are_named(
    kwargs: dict[str, Any], error: type[Exception], mentions: str
) -> None:
    with pytest.raises(error, match=mentions):
        DedupePlugin(**kwargs)


def test_built_by_name_with_options(make_caller: MakeCaller, hold: Any) -> None:
    call = make_caller()
    plugin = call.api.plugin("dedupe", ignore_headers=["X-B3-TraceId"])
    assert isinstance(plugin, DedupePlugin) and "x-b3-traceid" in plugin.ignore_headers
    hold.run(call, plugin, [{"headers": {"X-B3-TraceId": t}} for t in "ab"])
    assert hold.upstream == 1
    call.api.remove_plugin("dedupe")
    assert call.api.middleware.call == ()


class _Users:
    def current(self, ctx: Any) -> str:
        return "someone"


def test_repr_in_constructor_form() -> None:
    assert repr(DedupePlugin()) == (
        "DedupePlugin(methods=['GET', 'HEAD'], ignore_headers=['traceparent', 'tracestate', "
        "'baggage', 'x-request-id', 'x-correlation-id'])"
    )

    def current_user(ctx: Any) -> str:
        return "someone"

    shown = repr(
        DedupePlugin(ignore_headers=["X-B3-TraceId"], vary_key=current_user, methods=["GET"])
    )
    assert shown == (
        "DedupePlugin(methods=['GET'], ignore_headers=['traceparent', 'tracestate', 'baggage', "
        "'x-request-id', 'x-correlation-id', 'x-b3-traceid'], "
        "vary_key=<test_repr_in_constructor_form.<locals>.current_user>)"
    )
    users = _Users()
    assert repr(DedupePlugin(vary_key=users.current)).endswith("vary_key=<_Users.current>)")


def test_defaults_and_exports() -> None:
    import axios_python_plugin_dedupe as package

    plugin = DedupePlugin()
    assert plugin.ignore_headers == CORRELATION_HEADERS
    assert plugin.vary_headers == ()
    assert plugin.methods == frozenset({"GET", "HEAD"})
    assert DedupePlugin.name == "dedupe"
    assert package.__all__ == ["CORRELATION_HEADERS", "DedupePlugin", "DedupeStats", "__version__"]
    assert package.__version__ == version("axios-python-plugin-dedupe")
    assert axios_python.DedupePlugin is DedupePlugin
