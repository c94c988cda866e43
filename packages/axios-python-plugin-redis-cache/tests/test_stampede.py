"""Stampede protection across processes: 4 OS processes x 25 concurrent async requests for
one slow URL make exactly one upstream request; the lock in Redis is released only by its
owner, expires when its owner dies, and a waiter gives up after ``lock_wait`` and fetches
itself. An entry stored by one process is served to another (sync and async)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_cache import CacheKey, get_cache_info
from axios_python_plugin_redis_cache import RedisCachePlugin, RedisStorage

from .conftest import DEADLINE, Origin, RedisServer  # type: ignore[import-not-found]

CHILD = r"""
import asyncio, json, os, sys

import axios_python
from axios_python_plugin_cache import get_cache_info
from axios_python_plugin_redis_cache import RedisCachePlugin

base, url, namespace, path = sys.argv[1:5]


async def main():
    # a generous Redis timeout: 100 requests on a loaded 2-core machine open connections
    # slowly, and this test is about the stampede, not about failing open
    plugin = RedisCachePlugin(url, namespace=namespace, lock_wait=30, socket_timeout=5)
    config = {"base_url": base, "plugins": [plugin], "timeout": 60}
    async with axios_python.create(config) as api:
        # connections to the origin and to Redis open (a URL of this process's own: no wait)
        await api.async_get("/echo", params={"warm": os.getpid()})
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        tasks = [asyncio.ensure_future(api.async_get(path)) for _ in range(25)]
        await asyncio.sleep(0.2)
        print("sent", flush=True)
        responses = await asyncio.gather(*tasks)
        stats = plugin.stats()
        print(json.dumps({
            "statuses": [get_cache_info(r).status for r in responses],
            "hits": [r.data["hit"] for r in responses],
            "stampede_waits": stats.stampede_waits,
        }), flush=True)


asyncio.run(main())
"""


def test_four_processes_make_one_upstream_request(
    local_server: LocalServer, origin: Origin, redis_server: RedisServer, namespace: str
) -> None:
    gate = threading.Event()
    path = origin.set("slow", gate=gate)
    args = [local_server.base_url, redis_server.url, namespace, path]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:  # all four start at once
            assert child.stdin is not None
            child.stdin.write("\n")
            child.stdin.flush()
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "sent"
        deadline = time.monotonic() + DEADLINE
        while origin.hits(path) < 1:  # the one fetching process is held at the origin
            assert time.monotonic() < deadline
            time.sleep(0.005)
        gate.set()
        results = []
        for child in children:
            assert child.stdout is not None
            results.append(json.loads(child.stdout.readline()))
            assert child.wait(DEADLINE) == 0
    finally:
        gate.set()
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    stream.close()
    assert origin.hits(path) == 1
    statuses = [s for result in results for s in result["statuses"]]
    assert len(statuses) == 100 and sorted(set(statuses)) == ["hit", "miss"]
    assert statuses.count("miss") == 1
    assert all(hit == 1 for result in results for hit in result["hits"])
    # the processes without the lock waited for the one with it, or (started late on a busy
    # machine) found its entry already stored
    assert 1 <= sum(result["stampede_waits"] > 0 for result in results) <= 3
    # and what they stored is served here too, on both paths
    plugin = RedisCachePlugin(redis_server.url, namespace=namespace)
    with axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api:
        assert get_cache_info(api.get(path)).status == "hit"
        response = asyncio.run(api.async_get(path))
        assert get_cache_info(response).status == "hit"
    assert origin.hits(path) == 1


def _key(name: str) -> CacheKey:
    return CacheKey(hashlib.sha256(name.encode()).hexdigest(), "p" * 64)


def test_the_lock_is_released_by_its_owner_only_and_expires(
    redis_server: RedisServer, namespace: str, until: Callable[[Callable[[], bool]], None]
) -> None:
    mine = RedisStorage(redis_server.url, namespace=namespace, lock_timeout=30)
    theirs = RedisStorage(redis_server.url, namespace=namespace, lock_timeout=30)
    key = _key("a")
    lease = mine.lock(key)
    assert lease is not None and theirs.lock(key) is None and theirs.locked(key)
    theirs.unlock(key, "not-the-owner")  # a lease of another owner releases nothing
    assert mine.locked(key)
    mine.unlock(key, lease)
    assert not theirs.locked(key)

    short = RedisStorage(redis_server.url, namespace=namespace, lock_timeout=0.05)
    assert short.lock(key) is not None  # its owner "dies": never unlocks
    until(lambda: not theirs.locked(key))  # Redis expires it
    assert theirs.lock(key) is not None

    async def on_the_async_path() -> None:
        key = _key("b")
        lease = await mine.alock(key)
        assert lease is not None and await theirs.alock(key) is None
        await theirs.aunlock(key, "not-the-owner")
        assert await theirs.alocked(key)
        await mine.aunlock(key, lease)
        assert not await theirs.alocked(key)

    asyncio.run(on_the_async_path())
    for storage in (mine, theirs, short):
        storage.close()


@pytest.mark.parametrize("holder", ["alive", "dead"])
def test_a_waiter_is_bounded(
    make_caller: Callable[..., Caller],
    origin: Origin,
    redis_server: RedisServer,
    namespace: str,
    holder: str,
) -> None:
    """Another process holds the lock and never stores: the waiter fetches itself after
    ``lock_wait`` (holder alive), or as soon as the lock expires (holder dead)."""
    path = origin.set(f"bounded-{holder}")
    plugin = RedisCachePlugin(
        redis_server.url, namespace=namespace, lock_wait=0.3 if holder == "alive" else 30
    )
    call = make_caller({"plugins": [plugin]})
    # the key the plugin uses for the path (a sync read of it, never stored: no-store)
    seen: list[CacheKey] = []
    storage = plugin.redis_storage
    original = storage.get

    def spy(key: CacheKey) -> Any:
        seen.append(key)
        return original(key)

    storage.get = spy  # type: ignore[method-assign]
    call.api.get(path, headers={"Cache-Control": "no-store"})
    del storage.get
    key = seen[0]
    # "another process" holds its lock and never stores
    other = RedisStorage(
        redis_server.url, namespace=namespace, lock_timeout=30 if holder == "alive" else 0.3
    )
    assert other.lock(key) is not None
    hits_before = origin.hits(path)
    started = time.monotonic()
    response = call.get(path)
    took = time.monotonic() - started
    assert response.status_code == 200 and get_cache_info(response).status == "miss"
    assert origin.hits(path) == hits_before + 1
    assert plugin.stats().stampede_waits == 1
    assert 0.25 <= took < 5
    other.close()
