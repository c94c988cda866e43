"""Call-scoped keys (dedupe, cache) see the credential: two users never share a response."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import axios_python
from axios_python import Response
from axios_python.testing import LocalServer
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_dedupe import DedupePlugin

user: contextvars.ContextVar[str] = contextvars.ContextVar("user")


def _provider() -> str:
    return f"token-of-{user.get()}"


async def test_dedupe_keeps_users_apart_async(srv: LocalServer) -> None:
    api = axios_python.create({"base_url": srv.base_url})
    api.plugin(DedupePlugin())
    api.plugin(AuthPlugin(token_provider=_provider))

    async def as_user(name: str) -> str:
        user.set(name)
        response = await api.async_get("/count", params={"delay": "0.3"})
        return str(response.request.headers["authorization"])

    seen = await asyncio.gather(as_user("alice"), as_user("bob"), as_user("alice"))
    await api.aclose()
    assert list(seen) == ["Bearer token-of-alice", "Bearer token-of-bob", "Bearer token-of-alice"]
    assert srv.count("/count") == 2  # alice twice collapsed into one; bob on his own


def test_dedupe_keeps_users_apart_sync(srv: LocalServer) -> None:
    api = axios_python.create({"base_url": srv.base_url})
    api.plugin(DedupePlugin())
    api.plugin(AuthPlugin(token_provider=_provider))
    results: dict[str, str] = {}

    def as_user(name: str, slot: str) -> None:
        user.set(name)
        response = api.get("/count", params={"delay": "0.3"})
        results[slot] = response.request.headers["authorization"]

    threads = [
        threading.Thread(target=as_user, args=(name, f"{name}{i}"))
        for i, name in enumerate(["alice", "bob"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api.close()
    assert results == {"alice0": "Bearer token-of-alice", "bob1": "Bearer token-of-bob"}
    assert srv.count("/count") == 2


def test_call_scope_middleware_sees_the_credential(srv: LocalServer) -> None:
    seen: list[str | None] = []

    def spy(ctx: dict[str, Any], next_fn: Any) -> Response:
        seen.append(ctx["headers"].get("Authorization"))
        return next_fn(ctx)  # type: ignore[no-any-return]

    asked: list[int] = []

    def provider() -> str:
        asked.append(1)
        return f"t{len(asked)}"

    with axios_python.create(
        {"base_url": srv.base_url, "max_retries": 1, "retry_strategy": axios_python.FixedDelay(0)}
    ) as api:
        api.use(spy)
        api.plugin(AuthPlugin(token_provider=provider))
        api.get("/flaky", params={"key": "identity", "fail": "1", "mode": "drop"})
    assert seen == ["Bearer t1"]
    assert len(asked) == 2  # once for the call (its first attempt), again for the retry
    assert [r.header("authorization") for r in srv.requests] == ["Bearer t1", "Bearer t2"]
