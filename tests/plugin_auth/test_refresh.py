"""A 401 asks the provider for a fresh token and retries once; many concurrent 401s with the
same token cause one refresh."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import axios_python
from axios_python import Dual
from axios_python_plugin_auth import AuthPlugin

from ._auth_server import AuthServer


class Vault:
    """Hands out ``stale`` until it is asked to refresh, then ``fresh-1``, ``fresh-2``, ..."""

    def __init__(self, barrier: int = 0) -> None:
        self.current = "stale"
        self.refreshes = 0
        self.plain_calls = 0
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(barrier) if barrier else None

    def get_token(self, refresh: bool = False) -> str:
        if refresh:
            with self._lock:
                self.refreshes += 1
                self.current = f"fresh-{self.refreshes}"
                return self.current
        with self._lock:
            self.plain_calls += 1
            token = self.current
        if self._barrier is not None:
            self._barrier.wait(timeout=30)  # every caller holds the stale token before any 401
        return token

    async def get_token_async(self, refresh: bool = False) -> str:
        if refresh:
            await asyncio.sleep(0.05)
            return self.get_token(refresh=True)
        return await asyncio.to_thread(self.get_token)


def make(server: AuthServer, plugin: AuthPlugin) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": server.base_url, "timeout": 10.0})
    api.plugin(plugin)
    return api


def test_401_refreshes_and_retries_once_sync(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token))
    response = api.get("/protected")
    assert response.status_code == 200
    assert response.data == {"authorization": "Bearer fresh-1"}
    assert vault.refreshes == 1
    assert [r[2].get("Authorization") for r in auth_server.requests] == [
        "Bearer stale",
        "Bearer fresh-1",
    ]
    # the provider is still asked on the next call, and now hands out the fresh token
    assert api.get("/protected").status_code == 200
    assert (vault.refreshes, vault.plain_calls) == (1, 2)
    api.close()


async def test_401_refreshes_and_retries_once_async(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token))
    response = await api.async_get("/protected")
    assert response.status_code == 200
    assert vault.refreshes == 1
    await api.aclose()


def test_a_second_401_is_returned_not_retried_again(auth_server: AuthServer) -> None:
    vault = Vault()  # the server accepts nothing
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token))
    response = api.get("/protected")
    assert response.status_code == 401
    assert auth_server.hits("401") == 2
    assert vault.refreshes == 1
    api.close()


async def test_a_second_401_is_returned_not_retried_again_async(auth_server: AuthServer) -> None:
    vault = Vault()
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token))
    assert (await api.async_get("/protected")).status_code == 401
    assert auth_server.hits("401") == 2
    await api.aclose()


def test_static_token_401_is_returned_as_is(auth_server: AuthServer) -> None:
    api = make(auth_server, AuthPlugin(token="static"))
    assert api.get("/protected").status_code == 401
    assert auth_server.hits("401") == 1
    api.close()


def test_refresh_on_401_can_be_turned_off(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token, refresh_on_401=False))
    assert api.get("/protected").status_code == 401
    assert vault.refreshes == 0
    api.close()


def test_provider_without_refresh_keyword_is_asked_again(auth_server: AuthServer) -> None:
    tokens = iter(["first", "second", "third"])
    auth_server.accept("Bearer second")
    api = make(auth_server, AuthPlugin(token_provider=lambda: next(tokens)))
    assert api.get("/protected").data == {"authorization": "Bearer second"}
    api.close()


def test_provider_without_refresh_keyword_same_token_is_not_resent(
    auth_server: AuthServer,
) -> None:
    api = make(auth_server, AuthPlugin(token_provider=lambda: "always-the-same"))
    assert api.get("/protected").status_code == 401
    assert auth_server.hits("401") == 1  # resending the same token would not help
    api.close()


async def test_dual_provider_refresh_hint_per_form(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer async-fresh")
    seen: list[bool] = []

    async def async_form(*, refresh: bool = False) -> str:
        seen.append(refresh)
        return "async-fresh" if refresh else "async-stale"

    plugin = AuthPlugin(token_provider=Dual(sync=lambda: "sync", async_=async_form))
    api = make(auth_server, plugin)
    assert (await api.async_get("/protected")).status_code == 200
    assert seen == [False, True]
    await api.aclose()


def test_16_threads_with_a_stale_token_cause_one_refresh(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault(barrier=16)
    api = make(auth_server, AuthPlugin(token_provider=vault.get_token))
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: api.get("/protected").status_code, range(16)))
    assert statuses == [200] * 16
    assert auth_server.hits("401") == 16  # every thread was rejected with the stale token
    assert vault.refreshes == 1
    api.close()


async def test_50_tasks_with_a_stale_token_cause_one_refresh(auth_server: AuthServer) -> None:
    auth_server.accept("Bearer fresh")
    arrived = 0
    everyone = asyncio.Event()
    refreshes = 0

    async def provider(refresh: bool = False) -> str:
        nonlocal arrived, refreshes
        if refresh:
            refreshes += 1
            await asyncio.sleep(0.05)  # the others pile up behind this refresh
            return "fresh"
        arrived += 1
        if arrived == 50:
            everyone.set()
        await asyncio.wait_for(everyone.wait(), 30)
        return "stale"

    api = make(auth_server, AuthPlugin(token_provider=provider))
    responses = await asyncio.gather(*(api.async_get("/protected") for _ in range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert auth_server.hits("401") == 50
    assert refreshes == 1
    await api.aclose()


def test_threads_and_tasks_share_one_refresh(auth_server: AuthServer) -> None:
    """Sync callers in threads and async callers on a loop wait for the same refresh."""
    auth_server.accept("Bearer fresh-1")
    vault = Vault(barrier=8)
    provider = Dual(sync=vault.get_token, async_=vault.get_token_async)
    api = make(auth_server, AuthPlugin(token_provider=provider))

    async def tasks() -> list[int]:
        async def one() -> int:
            return (await api.async_get("/protected")).status_code

        return list(await asyncio.gather(*(one() for _ in range(4))))

    results: list[Any] = []
    with ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(lambda: api.get("/protected").status_code) for _ in range(4)]
        results.extend(pool.submit(asyncio.run, tasks()).result(timeout=60))
        results.extend(f.result(timeout=60) for f in futures)
    assert results == [200] * 8
    assert vault.refreshes == 1
    api.close()
