"""What the cache does on both paths (``make_caller`` runs each test sync, then async): hits,
misses, per-call options, invalidation, privacy, where the result is reported, and what a hit
skips."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import pytest

import axios_python
from axios_python import Dual, FixedDelay, Response
from axios_python.testing import Caller, LocalServer, LogCapture
from axios_python_plugin_cache import (
    CacheKey,
    CachePlugin,
    CacheStorage,
    Entry,
    MemoryStorage,
    Stored,
    get_cache_info,
)

from .conftest import Clock, Origin  # type: ignore[import-not-found]

Statuses = Callable[[Sequence[Response]], list[str]]


def test_a_second_get_is_a_hit_without_a_request(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("a", headers={"Cache-Control": "max-age=60"})
    plugin = CachePlugin()
    call = make_caller({"plugins": [plugin]})
    first = call.get(path)
    second = call.get(path)
    assert origin.hits(path) == 1
    assert (
        first.data
        == second.data
        == {"hit": 1, "path": path, "authorization": None, "accept": second.data["accept"]}
    )
    info = get_cache_info(second)
    assert info is not None and info.status == "hit" and info.from_cache and info.stored
    assert info.age is not None and 0 <= info.age < 5
    assert second.headers["age"] == str(int(info.age))
    assert second.status_code == 200 and second.request.url == first.request.url
    first_info = get_cache_info(first)
    assert first_info is not None and (first_info.status, first_info.stored) == ("miss", True)
    assert plugin.stats().hits == 1 and plugin.stats().misses == 1


def test_a_hit_skips_the_transport_and_the_retry_engine(
    make_caller: Callable[..., Caller], local_server: LocalServer
) -> None:
    attempts: list[int] = []

    def count(ctx: dict[str, Any], next_fn: Any) -> Any:
        attempts.append(ctx["attempt"])
        return next_fn(ctx)

    async def acount(ctx: dict[str, Any], next_fn: Any) -> Any:
        attempts.append(ctx["attempt"])
        return await next_fn(ctx)

    call = make_caller(
        {"plugins": [CachePlugin()], "max_retries": 3, "retry_strategy": FixedDelay(0)}
    )
    call.api.use(Dual(sync=count, async_=acount), scope="attempt")
    key = f"cache-{call.mode}"
    # the first call needs three attempts (two dropped connections), the second none
    first = call.get("/flaky", params={"key": key, "fail": "2", "mode": "drop"})
    second = call.get("/flaky", params={"key": key, "fail": "2", "mode": "drop"})
    assert attempts == [1, 2, 3]
    assert first.data == second.data == {"key": key, "attempt": 3}
    assert get_cache_info(second).status == "hit"


def test_a_sync_hit_touches_no_event_loop(
    axios_client: axios_python.AxiosPython, origin: Origin, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from axios_python import _bridge

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a sync call through the cache used an event loop")

    path = origin.set("loop", headers={"Cache-Control": "max-age=60"})
    axios_client.plugin(CachePlugin())
    monkeypatch.setattr(_bridge, "_run_here", forbidden)
    monkeypatch.setattr(_bridge, "_workers", forbidden)
    monkeypatch.setattr(asyncio, "new_event_loop", forbidden)
    assert get_cache_info(axios_client.get(path)).status == "miss"
    assert get_cache_info(axios_client.get(path)).status == "hit"


def test_sync_and_async_calls_share_entries(origin: Origin, local_server: LocalServer) -> None:
    import asyncio

    path = origin.set("both", headers={"Cache-Control": "max-age=60"})
    with axios_python.create(
        {"base_url": local_server.base_url, "plugins": [CachePlugin()]}
    ) as api:
        api.get(path)
        response = asyncio.run(api.async_get(path))
    assert get_cache_info(response).status == "hit"
    assert origin.hits(path) == 1


def test_per_call_options(make_caller: Callable[..., Caller], origin: Origin) -> None:
    path = origin.set("opts", headers={"Cache-Control": "max-age=60"}, etag='"v1"')
    plugin = CachePlugin()
    call = make_caller({"plugins": [plugin]})
    # cache=False: neither read nor written
    bypass = call.get(path, cache=False)
    assert get_cache_info(bypass).status == "bypass"
    assert get_cache_info(call.get(path)).status == "miss"
    assert get_cache_info(call.get(path, cache=False)).status == "bypass"
    assert origin.hits(path) == 3
    # cache="refresh": revalidated with the origin now (a 304: the stored body, status 200)
    refreshed = call.get(path, cache="refresh")
    assert get_cache_info(refreshed).status == "revalidated"
    assert refreshed.status_code == 200 and refreshed.data["hit"] == 2
    assert origin.requests(path)[-1].header("if-none-match") == '"v1"'
    assert origin.hits(path) == 4
    assert get_cache_info(call.get(path, cache=True)).status == "hit"


def test_a_per_call_ttl(make_caller: Callable[..., Caller], origin: Origin, clock: Clock) -> None:
    path = origin.set("ttl")  # states no freshness: the ttl applies
    call = make_caller({"plugins": [CachePlugin(ttl=60, clock=clock)]})
    call.get(path, cache=300)
    clock.advance(120)
    assert get_cache_info(call.get(path, cache=300)).status == "hit"
    # the plugin's ttl (60 s) says it is stale by now
    assert get_cache_info(call.get(path)).status == "miss"
    assert origin.hits(path) == 2


def test_a_bad_per_call_option_is_refused(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"plugins": [CachePlugin()]})
    for bad in ("sometimes", -1, float("nan"), [1]):
        with pytest.raises(axios_python.ConfigError) as caught:
            call.get("/echo", cache=bad)
        assert "'refresh'" in str(caught.value) and "cache" in str(caught.value)


def test_the_cache_option_leaves_with_the_plugin(local_server: LocalServer) -> None:
    api = axios_python.create({"base_url": local_server.base_url})
    plugin = api.plugin(CachePlugin())
    api.get("/echo", cache=False)
    api.remove_plugin(plugin)
    with pytest.raises(axios_python.ConfigError):
        api.get("/echo", cache=False)
    api.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_invalidate_the_url(
    make_caller: Callable[..., Caller], origin: Origin, method: str
) -> None:
    path = origin.set(f"unsafe-{method}", headers={"Cache-Control": "max-age=60"})
    other = origin.set(f"other-{method}", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    call.get(other)
    assert get_cache_info(call(method, path)).status == "bypass"
    assert get_cache_info(call.get(path)).status == "miss"
    assert get_cache_info(call.get(other)).status == "hit"


def test_invalidation_covers_every_user_and_location(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    target = origin.set("loc", headers={"Cache-Control": "max-age=60"})
    content = origin.set("cloc", headers={"Cache-Control": "max-age=60"})
    poster = origin.set(
        "poster", headers={"Location": target, "Content-Location": content}, status=201
    )
    call = make_caller({"plugins": [CachePlugin()]})
    for who in ("Bearer alice", "Bearer bob"):
        call.get(target, headers={"Authorization": who})
    call.get(content)
    call.post(poster, headers={"Authorization": "Bearer alice"})
    for who in ("Bearer alice", "Bearer bob"):
        response = call.get(target, headers={"Authorization": who})
        assert get_cache_info(response).status == "miss"
    assert get_cache_info(call.get(content)).status == "miss"


def test_a_failed_unsafe_request_invalidates_nothing(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("keep", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    origin.set("keep", headers={"Cache-Control": "max-age=60"}, status=409)
    call.post(path)
    assert get_cache_info(call.get(path)).status == "hit"


def test_users_never_share_an_entry(make_caller: Callable[..., Caller], origin: Origin) -> None:
    path = origin.set("private", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    alice = call.get(path, headers={"Authorization": "Bearer alice"})
    bob = call.get(path, headers={"Authorization": "Bearer bob"})
    again = call.get(path, headers={"Authorization": "Bearer alice"})
    assert alice.data["authorization"] == again.data["authorization"] == "Bearer alice"
    assert bob.data["authorization"] == "Bearer bob"
    assert [get_cache_info(r).status for r in (alice, bob, again)] == ["miss", "miss", "hit"]
    # other credentials: an API key, cookies, a secret query value
    for options in (
        {"headers": {"X-Api-Key": "k1"}},
        {"cookies": {"session": "s1"}},
        {"params": {"api_key": "q1"}},
    ):
        call.get(path, **options)
        assert get_cache_info(call.get(path, **options)).status == "hit"
    assert origin.hits(path) == 5


def test_request_credentials_are_never_stored(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set(
        "creds",
        headers={
            "Cache-Control": "max-age=60",
            "Vary": "Authorization, Cookie",
            "Set-Cookie": "session=server-secret",
        },
        body=b"public body",
    )
    storage = MemoryStorage()
    call = make_caller({"plugins": [CachePlugin(storage=storage)]})
    call.get(
        path,
        headers={"Authorization": "Bearer tok-SECRET", "Cookie": "sid=cookie-SECRET"},
        params={"api_key": "key-SECRET"},
    )
    [slot] = storage._slots.items()  # what the storage holds
    text = repr(slot)
    assert "public body" in text
    for secret in ("tok-SECRET", "cookie-SECRET", "key-SECRET", "server-secret", "/o/creds"):
        assert secret not in text


def test_cookies_set_by_the_client_jar_tell_users_apart(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("jar", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    call.get("/cookies/set", params={"session": "logged-in"}, cache=False)
    assert get_cache_info(call.get(path)).status == "miss"


def test_head_is_cached_apart_from_get(make_caller: Callable[..., Caller], origin: Origin) -> None:
    path = origin.set("head", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    assert get_cache_info(call("HEAD", path)).status == "miss"
    get = call.get(path)
    assert get_cache_info(get).status == "miss" and get.data["hit"] == 2
    head = call("HEAD", path)
    assert get_cache_info(head).status == "hit" and head.content == b""


def test_requests_the_cache_leaves_alone(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("alone", headers={"Cache-Control": "max-age=60"}, etag='"e"')
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    # the caller's own conditional request: its 304 is the caller's
    own = call.get(path, headers={"If-None-Match": '"e"'})
    assert own.status_code == 304 and get_cache_info(own).status == "bypass"
    assert get_cache_info(call("OPTIONS", path)).status == "bypass"
    assert get_cache_info(call.get(path, content=b"x")).status == "bypass"


def test_transforms_and_validate_status_apply_to_hits(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("transform", headers={"Cache-Control": "max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})

    def hit_number(data: Any) -> Any:
        return data["hit"]

    assert call.get(path, transform_response=[hit_number]).data == 1
    hit = call.get(path, transform_response=[hit_number])
    assert hit.data == 1 and get_cache_info(hit).status == "hit"
    assert call.get(path).data["hit"] == 1  # the entry holds the body, not transformed data
    # a call that would reject the stored status goes to the origin
    with pytest.raises(axios_python.HTTPStatusError):
        call.get(path, validate_status=lambda status: status == 201)
    assert origin.hits(path) == 2


def test_an_async_only_transform_in_a_sync_call_goes_to_the_origin(
    axios_client: axios_python.AxiosPython, origin: Origin
) -> None:
    path = origin.set("atransform", headers={"Cache-Control": "max-age=60"})
    axios_client.plugin(CachePlugin())

    async def hit_number(data: Any) -> Any:
        return data["hit"]

    axios_client.get(path)
    response = axios_client.get(path, transform_response=[hit_number])
    assert response.data == 2 and get_cache_info(response).status == "miss"


def test_lru_eviction_by_count_and_bytes(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    paths = [origin.set(f"lru{i}", headers={"Cache-Control": "max-age=60"}) for i in range(4)]
    plugin = CachePlugin(max_size=2)
    call = make_caller({"plugins": [plugin]})
    call.get(paths[0])
    call.get(paths[1])
    call.get(paths[0])  # paths[0] used last: paths[1] goes first
    call.get(paths[2])
    assert get_cache_info(call.get(paths[0])).status == "hit"
    assert get_cache_info(call.get(paths[1])).status == "miss"
    storage = plugin.storage
    assert isinstance(storage, MemoryStorage) and len(storage) == 2 and storage.evictions == 2

    big = origin.set("big", headers={"Cache-Control": "max-age=60"}, body=b"x" * 3000)
    small = CachePlugin(max_bytes=4000)
    call = make_caller({"plugins": [small]})
    call.get(paths[3])
    call.get(big)
    assert get_cache_info(call.get(big)).status == "hit"
    call.get(origin.set("big2", headers={"Cache-Control": "max-age=60"}, body=b"y" * 3000))
    assert get_cache_info(call.get(big)).status == "miss"
    assert isinstance(small.storage, MemoryStorage) and small.storage.bytes <= 4000


def test_a_response_larger_than_max_entry_bytes_is_not_stored(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("huge", headers={"Cache-Control": "max-age=60"}, body=b"z" * 5000)
    call = make_caller({"plugins": [CachePlugin(max_entry_bytes=4096)]})
    first = call.get(path)
    assert get_cache_info(first).stored is False
    assert get_cache_info(call.get(path)).status == "miss"


class BrokenStorage(CacheStorage):
    """A storage whose every operation fails."""

    def get(self, key: CacheKey) -> Stored:
        raise ConnectionError("storage down")

    def put(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        raise ConnectionError("storage down")

    def invalidate(self, url: str) -> None:
        raise ConnectionError("storage down")


def test_a_failing_storage_fails_open(
    make_caller: Callable[..., Caller], origin: Origin, log_capture: LogCapture
) -> None:
    path = origin.set("broken", headers={"Cache-Control": "max-age=60"})
    plugin = CachePlugin(storage=BrokenStorage())
    call = make_caller({"plugins": [plugin]})
    for _ in range(3):
        response = call.get(path)
        assert response.status_code == 200 and get_cache_info(response).status == "miss"
    call.post(path)
    assert origin.hits(path) == 4
    assert plugin.stats().errors == 7  # 3 reads, 3 writes, 1 invalidation
    warnings = [
        r for r in log_capture.records
        if r.name == "axios_python.cache" and r.levelno == logging.WARNING
    ]  # fmt: skip
    assert len(warnings) == 1  # rate-limited
    assert "storage down" in warnings[0].getMessage()


def test_built_by_name_and_imported_from_the_core(local_server: LocalServer) -> None:
    from axios_python import CachePlugin as FromCore

    assert FromCore is CachePlugin
    with axios_python.create(
        {"base_url": local_server.base_url, "plugins": [("cache", {"ttl": 5})]}
    ) as api:
        [plugin] = api.plugins
        assert isinstance(plugin, CachePlugin) and plugin.ttl == 5


def test_repr_and_option_checks(clock: Clock) -> None:
    assert repr(CachePlugin()) == "CachePlugin(ttl=60, max_size=128)"
    shown = repr(CachePlugin(ttl=5, max_size=10, shared=True, stale_if_error=30, clock=clock))
    assert shown == (
        "CachePlugin(ttl=5, max_size=10, shared=True, stale_if_error=30, clock=<Clock>)"
    )
    for options, error in (
        ({"ttl": -1}, ValueError),
        ({"ttl": "60"}, TypeError),
        ({"max_size": 0}, ValueError),
        ({"max_bytes": 1.5}, TypeError),
        ({"shared": "yes"}, TypeError),
        ({"stale_while_revalidate": float("inf")}, ValueError),
        ({"storage": {}}, TypeError),
        ({"clock": 5}, TypeError),
    ):
        with pytest.raises(error):
            CachePlugin(**options)


def test_cache_info_of_a_response_no_cache_saw_is_a_clear_error(
    axios_client: axios_python.AxiosPython,
) -> None:
    response = axios_client.get("/json")
    with pytest.raises(LookupError, match="no cache plugin"):
        get_cache_info(response)
