"""The Redis cache on both paths (``make_caller``) against a real redis-server: hits and misses
proved by the origin's request counter, the stored format, TTLs, keys without secrets,
corrupted values, the policy shared with ``CachePlugin``, pools closed on uninstall."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_cache import CachePlugin, get_cache_info
from axios_python_plugin_redis_cache import RedisCachePlugin, RedisStorage

from .conftest import Origin, RedisServer  # type: ignore[import-not-found]


def status(response: axios_python.Response) -> str:
    info = get_cache_info(response)
    assert info is not None
    return info.status


def test_a_second_get_is_a_hit_from_redis(
    make_caller: Callable[..., Caller], origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    path = origin.set("a")
    plugin = RedisCachePlugin(redis_server.url, namespace=namespace)
    call = make_caller({"plugins": [plugin]})
    first = call.get(path)
    second = call.get(path)
    assert (status(first), status(second)) == ("miss", "hit")
    assert second.data == first.data and origin.hits(path) == 1
    assert plugin.stats().hits == 1 and plugin.stats().misses == 1
    # a fresh plugin (another process would do the same) finds the entry in Redis
    other = make_caller({"plugins": [RedisCachePlugin(redis_server.url, namespace=namespace)]})
    assert status(other.get(path)) == "hit" and origin.hits(path) == 1


def test_sync_and_async_calls_share_entries(
    local_server: LocalServer, origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    path = origin.set("both")
    plugin = RedisCachePlugin(redis_server.url, namespace=namespace)
    with axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api:
        assert status(api.get(path)) == "miss"

        async def twice() -> list[str]:
            return [status(await api.async_get(path)) for _ in range(2)]

        assert asyncio.run(twice()) == ["hit", "hit"]
    assert origin.hits(path) == 1


def test_the_stored_value_and_its_keys(
    make_caller: Callable[..., Caller], origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    body = bytes(range(256)) * 40
    path = origin.set("raw", body=body)
    call = make_caller({"plugins": [RedisCachePlugin(redis_server.url, namespace=namespace)]})
    secret = "Bearer s3cr3t-token"
    call.get(path, headers={"Authorization": secret, "Cookie": "sid=c00kie"})
    call.post(origin.set("other"))  # an invalidation: a generation key
    redis = redis_server.client()
    keys = sorted(redis.keys(f"{namespace}:*"))
    assert keys and all(k.startswith(f"{namespace}:v1:".encode()) for k in keys)
    for key in keys:
        assert redis.pttl(key) > 0, f"{key!r} has no TTL"
        assert b"/r/" not in key and b"127.0.0.1" not in key and b"s3cr3t" not in key
    [entry_key] = [k for k in keys if b":e:" in k]
    value = redis.get(entry_key)
    assert value.startswith(b"AXPC\x01")
    assert value.endswith(body)  # raw bytes, no base64
    assert len(value) < len(body) + 1024
    assert b"s3cr3t" not in value and b"c00kie" not in value
    redis.close()


def test_users_never_share_an_entry(
    make_caller: Callable[..., Caller], origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    path = origin.set("users")
    call = make_caller({"plugins": [RedisCachePlugin(redis_server.url, namespace=namespace)]})
    alice = call.get(path, headers={"Authorization": "Bearer alice"})
    bob = call.get(path, headers={"Authorization": "Bearer bob"})
    assert (alice.data["authorization"], bob.data["authorization"]) == (
        "Bearer alice",
        "Bearer bob",
    )
    assert status(call.get(path, headers={"Authorization": "Bearer alice"})) == "hit"
    assert origin.hits(path) == 2


@pytest.mark.parametrize(
    "meddle",
    ["garbage", "truncated", "flipped", "another key's", "future version", "empty"],
)
def test_a_damaged_or_foreign_value_is_a_miss(
    make_caller: Callable[..., Caller],
    origin: Origin,
    redis_server: RedisServer,
    namespace: str,
    meddle: str,
) -> None:
    path = origin.set("damaged")
    other = origin.set("damaged-other")
    call = make_caller({"plugins": [RedisCachePlugin(redis_server.url, namespace=namespace)]})
    call.get(path)
    call.get(other)
    redis = redis_server.client()
    entry_keys = [k for k in redis.keys(f"{namespace}:*") if b":e:" in k]
    assert len(entry_keys) == 2
    key = next(k for k in entry_keys if b"\x01" not in k)  # either: both are entries
    value = redis.get(key)
    damaged: dict[str, bytes] = {
        "garbage": b"\x80\x04\x95 not a cache entry",
        "truncated": value[: len(value) // 2],
        "flipped": value[:-1] + bytes([value[-1] ^ 0xFF]),
        "another key's": redis.get(next(k for k in entry_keys if k != key)),
        "future version": value[:4] + b"\x02" + value[5:],
        "empty": b"",
    }
    redis.set(key, damaged[meddle], px=60_000)
    redis.close()
    responses = [call.get(path), call.get(other)]
    assert sorted(status(r) for r in responses) == ["hit", "miss"]  # never an exception
    assert all(r.status_code == 200 for r in responses)
    # the miss stored a good value again
    assert all(status(r) == "hit" for r in (call.get(path), call.get(other)))


def test_the_policy_is_the_cache_plugins(
    make_caller: Callable[..., Caller], origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    path = origin.set("policy", {"Cache-Control": "no-store"})
    vary = origin.set("vary", {"Vary": "Accept"})
    plugin = RedisCachePlugin(redis_server.url, namespace=namespace)
    assert isinstance(plugin, CachePlugin)
    call = make_caller({"plugins": [plugin]})
    call.get(path)
    assert status(call.get(path)) == "miss"
    for accept in ("text/plain", "application/json"):
        call.get(vary, headers={"Accept": accept})
    assert status(call.get(vary, headers={"Accept": "text/plain"})) == "hit"
    assert status(call.get(vary, headers={"Accept": "application/json"})) == "hit"
    assert status(call.get(vary, cache=False)) == "bypass"
    call.put(vary)  # invalidates every variant for every process
    assert status(call.get(vary, headers={"Accept": "text/plain"})) == "miss"


def test_uninstall_closes_the_pools_it_opened(
    local_server: LocalServer, origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    path = origin.set("pools")
    plugin = RedisCachePlugin(redis_server.url, namespace=namespace)
    api = axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]})
    api.get(path)
    sync_client: Any = plugin.redis_storage._sync
    assert sync_client is not None
    pool = sync_client.connection_pool
    assert pool._created_connections >= 1
    api.remove_plugin(plugin)
    assert plugin.redis_storage._sync is None
    assert not any(c._sock is not None for c in pool._available_connections)
    api.close()


def test_given_clients_are_used_and_left_open(
    local_server: LocalServer, origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    import redis
    import redis.asyncio

    path = origin.set("given")
    sync_client = redis.Redis.from_url(redis_server.url)
    plugin = RedisCachePlugin(client=sync_client, namespace=namespace)
    assert "client=<redis client>" in repr(plugin)
    with axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api:
        api.get(path)
        assert status(api.get(path)) == "hit"
        # no async client given: async calls go without the cache, and still work
        response = asyncio.run(api.async_get(path))
        assert response.status_code == 200 and status(response) == "miss"
    assert sync_client.ping()  # not closed by the plugin
    sync_client.close()

    async def with_async_client() -> str:
        client = redis.asyncio.Redis.from_url(redis_server.url)
        plugin = RedisCachePlugin(client=client, namespace=namespace)
        async with axios_python.create(
            {"base_url": local_server.base_url, "plugins": [plugin]}
        ) as api:
            shown = status(await api.async_get(path))
        await client.aclose()
        return shown

    assert asyncio.run(with_async_client()) == "hit"


def test_built_by_name_and_imported_from_the_core(
    local_server: LocalServer, redis_server: RedisServer, namespace: str
) -> None:
    from axios_python import RedisCachePlugin as FromCore

    assert FromCore is RedisCachePlugin
    options = {"url": redis_server.url, "namespace": namespace, "ttl": 5}
    with axios_python.create(
        {"base_url": local_server.base_url, "plugins": [("redis-cache", options)]}
    ) as api:
        [plugin] = api.plugins
        assert isinstance(plugin, RedisCachePlugin) and plugin.ttl == 5
        assert api.get("/echo").status_code == 200


def test_repr_and_option_checks() -> None:
    plugin = RedisCachePlugin("redis://app:hunter2@cache.internal:6380/1", ttl=30)
    assert "hunter2" not in repr(plugin) and "hunter2" not in repr(plugin.storage)
    assert repr(plugin) == (
        "RedisCachePlugin(url='redis://***:***@cache.internal:6380/1', "
        "namespace='axios-python-cache', ttl=30)"
    )
    assert isinstance(plugin.storage, RedisStorage)
    with pytest.raises(ValueError, match="redis://") as caught:
        RedisCachePlugin("http://u:hunter2@h")
    assert "hunter2" not in str(caught.value)
    for options in (
        {"namespace": ""},
        {"namespace": "a b"},
        {"socket_timeout": 0},
        {"lock_timeout": -1},
        {"url": "redis://h", "client": object()},
    ):
        with pytest.raises((ValueError, TypeError)):
            RedisCachePlugin(**options)
    with pytest.raises(TypeError, match=r"redis\.Redis"):
        RedisCachePlugin(client=object())
