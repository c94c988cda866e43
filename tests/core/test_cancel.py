"""CancelToken: before the call, in flight, during back-off, while streaming; connections."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

import axios_python
from axios_python import CancelError, CancelToken, FixedDelay
from axios_python.testing import Caller, LocalServer


def _cancel_later(token: CancelToken, delay: float, reason: str = "user left") -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(delay), token.cancel(reason)))
    thread.start()
    return thread


def test_token_state() -> None:
    token = CancelToken()
    assert not token.cancelled and token.reason is None
    token.raise_if_cancelled()
    token.cancel("first")
    token.cancel("second")
    assert token.cancelled and token.reason == "first"
    with pytest.raises(CancelError, match="first"):
        token.raise_if_cancelled()
    assert "cancelled" in repr(token)


def test_cancelled_before_the_call_does_no_io(call: Caller, srv: LocalServer) -> None:
    token = CancelToken()
    token.cancel("too late")
    with pytest.raises(CancelError) as info:
        call.get("/json", cancel_token=token)
    assert info.value.reason == "too late"
    assert srv.requests == []


def test_in_flight_request_is_aborted_promptly(call: Caller, srv: LocalServer) -> None:
    token = CancelToken()
    thread = _cancel_later(token, 0.3)
    started = time.monotonic()
    with pytest.raises(CancelError) as info:
        call.get("/stall", params={"seconds": "10"}, cancel_token=token)
    elapsed = time.monotonic() - started
    thread.join()
    assert info.value.reason == "user left"
    assert elapsed < 2.0  # aborted, not waiting for the 10 s stall or the 10 s timeout


def test_cancel_during_backoff_wait(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(10)})
    token = CancelToken()
    thread = _cancel_later(token, 0.3, "shutdown")
    started = time.monotonic()
    with pytest.raises(CancelError, match="shutdown"):
        call.get("/drop", cancel_token=token)
    thread.join()
    assert time.monotonic() - started < 2.0
    assert srv.count("/drop") == 1


def test_aborted_connection_is_not_reused(call: Caller, srv: LocalServer) -> None:
    call.get("/json")  # a pooled keep-alive connection
    assert srv.connections_accepted == 1
    token = CancelToken()
    thread = _cancel_later(token, 0.3)
    with pytest.raises(CancelError):
        call.get("/stall", params={"seconds": "10"}, cancel_token=token)
    thread.join()
    response = call.get("/json")  # must not land on the aborted connection
    assert response.status_code == 200
    assert srv.connections_accepted == 2


def test_cancel_while_streaming_the_body(call: Caller) -> None:
    token = CancelToken()
    response = call.get(
        "/stream",
        params={"size": str(10_000_000), "chunk": "1024", "delay": "0.05"},
        stream=True,
        cancel_token=token,
    )
    received = 0

    def consume_sync() -> None:
        nonlocal received
        with response:
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received >= 4096:
                    token.cancel("enough")

    async def consume_async() -> None:
        nonlocal received
        async with response:
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received >= 4096:
                    token.cancel("enough")

    with pytest.raises(CancelError, match="enough"):
        call.run(consume_async()) if call.is_async else consume_sync()
    assert 4096 <= received < 10_000_000


def test_one_token_cancels_many_requests(api: axios_python.AxiosPython) -> None:
    token = CancelToken()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            api.get("/stall", params={"seconds": "10"}, cancel_token=token)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    token.cancel("batch cancelled")
    for thread in threads:
        thread.join(timeout=5)
    assert len(errors) == 4 and all(isinstance(e, CancelError) for e in errors)


async def test_cancel_from_another_task(aapi: axios_python.AxiosPython) -> None:
    token = CancelToken()

    async def cancel_soon() -> None:
        await asyncio.sleep(0.2)
        token.cancel("task said stop")

    canceller = asyncio.create_task(cancel_soon())
    started = asyncio.get_running_loop().time()
    with pytest.raises(CancelError, match="task said stop"):
        await aapi.async_get("/stall", params={"seconds": "10"}, cancel_token=token)
    assert asyncio.get_running_loop().time() - started < 2
    await canceller


async def test_outer_task_cancellation_is_not_turned_into_cancel_error(
    aapi: axios_python.AxiosPython,
) -> None:
    token = CancelToken()
    task = asyncio.create_task(
        aapi.async_get("/stall", params={"seconds": "10"}, cancel_token=token)
    )
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not token.cancelled


def test_subscribe_and_unsubscribe() -> None:
    token = CancelToken()
    seen: list[str] = []
    unsubscribe = token.subscribe(seen.append)
    other = token.subscribe(lambda reason: seen.append("other:" + reason))
    unsubscribe()
    token.cancel("go")
    other()
    assert seen == ["other:go"]
    token.subscribe(seen.append)  # already cancelled: called at once
    assert seen == ["other:go", "go"]


def test_token_released_when_streamed_response_closes(api: axios_python.AxiosPython) -> None:
    token = CancelToken()
    with api.get("/stream", params={"size": "1000"}, stream=True, cancel_token=token) as response:
        response.read()
    # the connection went back to the pool: cancelling the token now must not touch it
    token.cancel("late")
    assert api.get("/json").status_code == 200
    assert api.get("/json").status_code == 200
