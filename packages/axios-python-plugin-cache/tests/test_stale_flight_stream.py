"""The parts of the cache beyond a plain RFC 9111 cache, on both paths: stale-while-revalidate
(served stale, refreshed in the background once), stale-if-error (served stale when the origin
fails), one upstream request for concurrent misses, and streamed responses (stored only when
read to the end, never buffering past the entry limit)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from axios_python import NetworkError, Response
from axios_python.testing import Caller
from axios_python_plugin_cache import CachePlugin, get_cache_info

from .conftest import Clock, Origin  # type: ignore[import-not-found]

Statuses = Callable[[Sequence[Response]], list[str]]


def status(response: Response) -> str:
    info = get_cache_info(response)
    assert info is not None
    return info.status


@pytest.mark.parametrize("given_by", ["origin", "plugin"])
def test_stale_while_revalidate_serves_stale_and_refreshes_once(
    make_caller: Callable[..., Caller],
    origin: Origin,
    clock: Clock,
    settle: Callable[[Caller, Callable[[], bool]], None],
    given_by: str,
) -> None:
    gate = threading.Event()
    if given_by == "origin":
        path = origin.set("swr", headers={"Cache-Control": "max-age=10, stale-while-revalidate=60"})
        plugin = CachePlugin(clock=clock)
    else:
        path = origin.set("swr-p", headers={"Cache-Control": "max-age=10"})
        plugin = CachePlugin(clock=clock, stale_while_revalidate=60)
    call = make_caller({"plugins": [plugin]})
    assert call.get(path).data["hit"] == 1
    clock.advance(15)  # stale, within the window
    origin.set(path.rsplit("/", 1)[1], headers=origin.specs[path].headers, gate=gate)
    stale = [call.get(path) for _ in range(3)]  # none waits for the origin
    assert [status(r) for r in stale] == ["stale"] * 3
    assert all(r.data["hit"] == 1 for r in stale)
    assert plugin.stats().refreshes == 1  # one background refresh, not three
    gate.set()
    settle(call, lambda: plugin.stats().refreshing == 0 and origin.hits(path) == 2)
    fresh = call.get(path)
    assert (status(fresh), fresh.data["hit"]) == ("hit", 2)
    assert origin.hits(path) == 2
    clock.advance(15 + 60 + 1)  # past the window: the caller waits for the origin
    origin.set(path.rsplit("/", 1)[1], headers=origin.specs[path].headers)
    late = call.get(path)
    assert (status(late), late.data["hit"]) == ("miss", 3)


def test_must_revalidate_forbids_serving_stale(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    path = origin.set("mr", headers={"Cache-Control": "max-age=10, must-revalidate"})
    call = make_caller(
        {"plugins": [CachePlugin(clock=clock, stale_while_revalidate=60, stale_if_error=60)]}
    )
    call.get(path)
    clock.advance(15)
    assert status(call.get(path)) == "miss"
    clock.advance(15)
    origin.set("mr", headers={"Cache-Control": "max-age=10, must-revalidate"}, status=503)
    failed = call.get(path)  # the origin's answer, never the stale entry
    assert (failed.status_code, status(failed)) == (503, "miss")


@pytest.mark.parametrize("failure", ["503", "drop"])
def test_stale_if_error_serves_stale_when_the_origin_fails(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock, failure: str
) -> None:
    headers = {"Cache-Control": "max-age=10, stale-if-error=60"}
    path = origin.set("sie", headers=headers)
    plugin = CachePlugin(clock=clock)
    call = make_caller({"plugins": [plugin], "max_retries": 0})
    call.get(path)
    clock.advance(15)
    broken: dict[str, Any] = {"status": 503} if failure == "503" else {"drop": True}
    origin.set("sie", headers=headers, **broken)
    served = call.get(path)
    assert (served.status_code, status(served), served.data["hit"]) == (200, "stale", 1)
    # also when the caller's validate_status turns the 503 into an error
    strict = call.get(path, validate_status=lambda code: code < 400)
    assert (strict.status_code, status(strict)) == (200, "stale")
    clock.advance(60)  # past the window: the failure reaches the caller
    if failure == "503":
        assert call.get(path).status_code == 503
    else:
        with pytest.raises(NetworkError):
            call.get(path)
    origin.set("sie", headers=headers)  # the origin is back: a new response is stored
    back = call.get(path)
    assert status(back) == "miss" and back.status_code == 200


def test_stale_if_error_from_the_plugin_option(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    path = origin.set("sie-p", headers={"Cache-Control": "max-age=10"})
    call = make_caller({"plugins": [CachePlugin(clock=clock, stale_if_error=300)]})
    call.get(path)
    clock.advance(100)
    origin.set("sie-p", headers={"Cache-Control": "max-age=10"}, status=502)
    assert status(call.get(path)) == "stale"


def test_concurrent_misses_make_one_request(
    make_caller: Callable[..., Caller],
    origin: Origin,
    together: Callable[..., list[Response]],
    release_when: Callable[[Callable[[], bool], threading.Event], threading.Thread],
    statuses: Statuses,
) -> None:
    gate = threading.Event()
    path = origin.set("flight", headers={"Cache-Control": "max-age=60"}, gate=gate)
    plugin = CachePlugin()
    call = make_caller({"plugins": [plugin]})
    release_when(lambda: plugin.stats().waiting >= 7, gate)
    responses = together(call, 8, path)
    assert origin.hits(path) == 1
    assert sorted(statuses(responses)) == ["hit"] * 7 + ["miss"]
    assert all(r.data["hit"] == 1 for r in responses)
    # each caller has its own response object
    assert len({id(r) for r in responses}) == 8


def test_concurrent_misses_of_different_users_are_not_shared(
    make_caller: Callable[..., Caller],
    origin: Origin,
    together: Callable[..., list[Response]],
) -> None:
    path = origin.set("flight-users", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    alice = together(call, 3, path, headers={"Authorization": "Bearer alice"})
    bob = together(call, 3, path, headers={"Authorization": "Bearer bob"})
    assert {r.data["authorization"] for r in alice} == {"Bearer alice"}
    assert {r.data["authorization"] for r in bob} == {"Bearer bob"}


def test_a_stream_read_to_the_end_is_stored(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    body = b"0123456789" * 1000
    path = origin.set("stream", headers={"Cache-Control": "max-age=60"}, body=body)
    call = make_caller({"plugins": [CachePlugin()]})
    response = call.get(path, stream=True)
    assert status(response) == "miss"
    assert call.read(response) == body
    call.close_response(response)
    assert get_cache_info(response).stored
    again = call.get(path, stream=True)
    assert status(again) == "hit" and call.read(again) == body
    call.close_response(again)
    plain = call.get(path)
    assert status(plain) == "hit" and plain.content == body
    assert origin.hits(path) == 1


def _read_some(call: Caller, response: Response) -> bytes:
    if call.is_async:

        async def first() -> bytes:
            async for chunk in response.aiter_bytes(1024):
                return chunk
            return b""

        return call.run(first())
    for chunk in response.iter_bytes(1024):
        return chunk
    return b""


def test_a_stream_closed_early_or_too_large_is_not_stored(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    body = b"x" * 50_000
    path = origin.set("stream-part", headers={"Cache-Control": "max-age=60"}, body=body)
    call = make_caller({"plugins": [CachePlugin()]})
    response = call.get(path, stream=True)
    assert _read_some(call, response)
    call.close_response(response)
    assert status(call.get(path)) == "miss"  # the partial read stored nothing
    assert origin.hits(path) == 2

    big = origin.set("stream-big", headers={"Cache-Control": "max-age=60"}, body=body)
    small = make_caller({"plugins": [CachePlugin(max_entry_bytes=10_000)]})
    response = small.get(big, stream=True)
    assert small.read(response) == body  # the caller gets it all
    small.close_response(response)
    assert not get_cache_info(response).stored
    again = small.get(big, stream=True)
    assert status(again) == "miss"
    small.close_response(again)
    assert origin.hits(big) == 2
