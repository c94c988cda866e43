"""A 401 asks the provider for a fresh token and retries once; many concurrent 401s with the
same token cause one refresh; a sync call made on an event loop never waits for a refresh that
needs that loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import Dual
from axios_python.testing import Caller
from axios_python_plugin_auth import AuthPlugin

MakeCaller = Callable[..., Caller]
NewApi = Callable[..., axios_python.AxiosPython]

#: How long the deadlock scenario may take before it counts as hung.
DEADLOCK_BUDGET = 15.0


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


def on(auth_server: Any, make_caller: MakeCaller, plugin: AuthPlugin) -> Caller:
    return make_caller({"base_url": auth_server.base_url, "plugins": [plugin]})


def test_401_refreshes_and_retries_once(auth_server: Any, make_caller: MakeCaller) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    call = on(auth_server, make_caller, AuthPlugin(token_provider=vault.get_token))
    response = call.get("/protected")
    assert response.status_code == 200
    assert response.data == {"authorization": "Bearer fresh-1"}
    assert vault.refreshes == 1
    assert [r[2].get("Authorization") for r in auth_server.requests] == [
        "Bearer stale",
        "Bearer fresh-1",
    ]
    # the provider is still asked on the next call, and now hands out the fresh token
    assert call.get("/protected").status_code == 200
    assert (vault.refreshes, vault.plain_calls) == (1, 2)


def test_a_second_401_is_returned_not_retried_again(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    vault = Vault()  # the server accepts nothing
    call = on(auth_server, make_caller, AuthPlugin(token_provider=vault.get_token))
    assert call.get("/protected").status_code == 401
    assert auth_server.hits("401") == 2
    assert vault.refreshes == 1


def test_static_token_401_is_returned_as_is(auth_server: Any, make_caller: MakeCaller) -> None:
    call = on(auth_server, make_caller, AuthPlugin(token="static"))
    assert call.get("/protected").status_code == 401
    assert auth_server.hits("401") == 1


def test_refresh_on_401_can_be_turned_off(auth_server: Any, make_caller: MakeCaller) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    plugin = AuthPlugin(token_provider=vault.get_token, refresh_on_401=False)
    call = on(auth_server, make_caller, plugin)
    assert call.get("/protected").status_code == 401
    assert vault.refreshes == 0


def test_provider_without_refresh_keyword_is_asked_again(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    tokens = iter(["first", "second", "third"])
    auth_server.accept("Bearer second")
    call = on(auth_server, make_caller, AuthPlugin(token_provider=lambda: next(tokens)))
    assert call.get("/protected").data == {"authorization": "Bearer second"}


def test_provider_without_refresh_keyword_same_token_is_not_resent(
    auth_server: Any, make_caller: MakeCaller
) -> None:
    call = on(auth_server, make_caller, AuthPlugin(token_provider=lambda: "always-the-same"))
    assert call.get("/protected").status_code == 401
    assert auth_server.hits("401") == 1  # resending the same token would not help


def test_a_caller_holding_a_replaced_token_gets_the_replacement(
    auth_server: Any, new_api: NewApi
) -> None:
    """A 401 for a token that a refresh already replaced is answered with that refresh's
    token, without asking the provider again."""
    auth_server.accept("Bearer fresh-1")
    vault = Vault()
    plugin = AuthPlugin(token_provider=vault.get_token)
    api = new_api(auth_server, plugin)
    seen, stale = plugin._source.get_sync()  # taken before the refresh below
    assert stale == "stale"
    assert api.get("/protected").status_code == 200  # 401 with "stale", refreshed to fresh-1
    assert plugin._source.refresh_sync(seen) == "fresh-1"
    assert vault.refreshes == 1
    api.close()


async def test_dual_provider_refresh_hint_per_form(auth_server: Any, new_api: NewApi) -> None:
    auth_server.accept("Bearer async-fresh")
    seen: list[bool] = []

    async def async_form(*, refresh: bool = False) -> str:
        seen.append(refresh)
        return "async-fresh" if refresh else "async-stale"

    plugin = AuthPlugin(token_provider=Dual(sync=lambda: "sync", async_=async_form))
    api = new_api(auth_server, plugin)
    assert (await api.async_get("/protected")).status_code == 200
    assert seen == [False, True]
    await api.aclose()


def test_16_threads_with_a_stale_token_cause_one_refresh(auth_server: Any, new_api: NewApi) -> None:
    auth_server.accept("Bearer fresh-1")
    vault = Vault(barrier=16)
    api = new_api(auth_server, AuthPlugin(token_provider=vault.get_token))
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: api.get("/protected").status_code, range(16)))
    assert statuses == [200] * 16
    assert auth_server.hits("401") == 16  # every thread was rejected with the stale token
    assert vault.refreshes == 1
    api.close()


async def test_50_tasks_with_a_stale_token_cause_one_refresh(
    auth_server: Any, new_api: NewApi
) -> None:
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

    api = new_api(auth_server, AuthPlugin(token_provider=provider))
    responses = await asyncio.gather(*(api.async_get("/protected") for _ in range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert auth_server.hits("401") == 50
    assert refreshes == 1
    await api.aclose()


def test_threads_and_tasks_share_one_refresh(auth_server: Any, new_api: NewApi) -> None:
    """Sync callers in threads and async callers on a loop wait for the same refresh."""
    auth_server.accept("Bearer fresh-1")
    vault = Vault(barrier=8)
    provider = Dual(sync=vault.get_token, async_=vault.get_token_async)
    api = new_api(auth_server, AuthPlugin(token_provider=provider))

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


# -- a sync call on the loop an async refresh needs (issue 7) ---------------------------------


def _within(budget: float, scenario: Callable[[], Any]) -> Any:
    """``scenario()``'s result, run in a thread of its own; fails after ``budget`` seconds
    instead of hanging the suite (a deadlocked thread is a daemon: it dies with the run)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = scenario()
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="auth-deadlock-scenario", daemon=True)
    thread.start()
    thread.join(budget)
    assert not thread.is_alive(), f"deadlock: the scenario did not finish in {budget:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_sync_call_on_the_loop_of_an_async_refresh_does_not_deadlock(
    auth_server: Any, new_api: NewApi
) -> None:
    """Before: an async refresh was in flight, awaiting something on its loop; code on that
    loop made a sync call that got a 401 and waited for that refresh, blocking the loop the
    refresh needed, for ever. Now the sync caller, on a thread running a loop, refreshes on its
    own (the core's SingleFlight never makes it wait) and the async refresh finishes after."""
    auth_server.accept("Bearer sync-fresh", "Bearer async-fresh")
    asked: list[str] = []

    def sync_form(refresh: bool = False) -> str:
        asked.append(f"sync refresh={refresh}")
        return "sync-fresh" if refresh else "stale"

    async def scenario() -> tuple[int, int]:
        refreshing = asyncio.Event()  # the async refresh is in flight
        release = asyncio.Event()  # set by code on this loop, after the sync call

        async def async_form(refresh: bool = False) -> str:
            asked.append(f"async refresh={refresh}")
            if not refresh:
                return "stale"
            refreshing.set()
            await release.wait()  # needs this loop to run again
            return "async-fresh"

        api = new_api(
            auth_server, AuthPlugin(token_provider=Dual(sync=sync_form, async_=async_form))
        )
        task = asyncio.ensure_future(api.async_get("/protected"))
        await asyncio.wait_for(refreshing.wait(), DEADLOCK_BUDGET)
        sync_status = api.get("/protected").status_code  # blocks this loop while it runs
        release.set()
        async_status = (await task).status_code
        await api.aclose()
        api.close()
        return sync_status, async_status

    assert _within(DEADLOCK_BUDGET, lambda: asyncio.run(scenario())) == (200, 200)
    assert asked == [
        "async refresh=False",
        "async refresh=True",
        "sync refresh=False",
        "sync refresh=True",  # not a wait for the async refresh
    ]
    assert [r[2].get("Authorization") for r in auth_server.requests] == [
        "Bearer stale",
        "Bearer stale",
        "Bearer sync-fresh",
        "Bearer async-fresh",
    ]


def test_a_sync_call_on_the_loop_of_a_token_fetch_does_not_deadlock(
    auth_server: Any, new_api: NewApi
) -> None:
    """The same for client credentials: an async token request is under way (held by the
    endpoint until the test lets it go) when code on that loop makes a sync call needing a
    token. Before, the sync caller waited for that request, which needed the blocked loop."""
    gate = auth_server.token_gate = threading.Event()
    plugin = AuthPlugin.client_credentials(
        auth_server.url("/token"), auth_server.CLIENT_ID, auth_server.CLIENT_SECRET
    )

    async def scenario() -> list[str]:
        api = new_api(auth_server, plugin)
        task = asyncio.ensure_future(api.async_get("/protected"))
        # the async token request reached the endpoint, which holds it
        assert await asyncio.to_thread(auth_server.token_requested.wait, DEADLOCK_BUDGET)
        gate.set()  # its answer can come now, but this loop is blocked by the sync call
        first = api.get("/protected").data["authorization"]
        second = (await task).data["authorization"]
        await api.aclose()
        api.close()
        return sorted([first, second])

    assert _within(DEADLOCK_BUDGET, lambda: asyncio.run(scenario())) == [
        "Bearer cc-1",
        "Bearer cc-2",
    ]
    assert auth_server.issued == 2  # the sync caller fetched its own token


def test_a_sync_caller_waiting_for_a_refresh_can_be_cancelled(
    auth_server: Any, new_api: NewApi
) -> None:
    """A thread waiting for another's refresh stops when its call's CancelToken is cancelled;
    the refresh goes on for the caller doing it."""
    auth_server.accept("Bearer fresh")
    refreshing, release = threading.Event(), threading.Event()

    def provider(refresh: bool = False) -> str:
        if not refresh:
            return "stale"
        refreshing.set()
        release.wait(DEADLOCK_BUDGET)
        return "fresh"

    plugin = AuthPlugin(token_provider=provider)
    api = new_api(auth_server, plugin)
    flight = plugin._source._refreshes._flight
    token = axios_python.CancelToken()
    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(api.get, "/protected")
        assert refreshing.wait(DEADLOCK_BUDGET)
        follower = pool.submit(api.get, "/protected", cancel_token=token)
        while flight.stats().waiting == 0:  # the follower waits for the leader's refresh
            assert follower.running(), follower.result()
            time.sleep(0.001)
        token.cancel("user went away")
        with pytest.raises(axios_python.CancelError, match="user went away"):
            follower.result(timeout=DEADLOCK_BUDGET)
        release.set()
        assert leader.result(timeout=DEADLOCK_BUDGET).status_code == 200
    api.close()
