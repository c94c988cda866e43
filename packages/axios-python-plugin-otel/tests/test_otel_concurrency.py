"""Concurrent threads and tasks on one instance: no span mixes two requests' attributes; and
cancellation, on both paths."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from opentelemetry.trace import StatusCode

import axios_python
from axios_python import CancelError, CancelToken
from axios_python.testing import Caller, LocalServer

if TYPE_CHECKING:
    from conftest import Telemetry


def _check_no_mixing(telemetry: Telemetry, server: LocalServer, expected: int) -> None:
    """Every span's URL is the URL of the request that carried its context."""
    by_parent = {r.header("traceparent"): r for r in server.requests}
    spans = telemetry.spans()
    assert len(spans) == expected == len(by_parent)
    for span in spans:
        request = by_parent[telemetry.traceparent(span)]
        attrs = telemetry.attrs(span)
        sent = parse_qs(urlsplit(attrs["url.full"]).query)
        assert sent == request.query, (attrs, request)
        assert attrs["http.response.status_code"] == (302 if request.path == "/redirect" else 200)


def test_threads_on_one_instance(telemetry: Telemetry, local_server: LocalServer) -> None:
    api = axios_python.create({"base_url": local_server.base_url, "plugins": [telemetry.plugin()]})
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(15):
                if i % 5 == 0:
                    api.get("/redirect", params={"to": f"/echo?w={worker}&i={i}&hop=1"})
                else:
                    api.get("/echo", params={"w": str(worker), "i": str(i)})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api.close()
    assert not errors
    _check_no_mixing(telemetry, local_server, 16 * 15 + 16 * 3)


def test_tasks_on_one_instance(telemetry: Telemetry, local_server: LocalServer) -> None:
    async def scenario() -> None:
        async with axios_python.create(
            {"base_url": local_server.base_url, "plugins": [telemetry.plugin(call_span=True)]}
        ) as api:

            async def one(n: int) -> None:
                if n % 5 == 0:
                    await api.async_get("/redirect", params={"to": f"/echo?n={n}&hop=1"})
                else:
                    await api.async_get("/echo", params={"n": str(n)})

            await asyncio.gather(*(one(n) for n in range(150)))

    asyncio.run(scenario())
    _check_no_mixing(telemetry, local_server, 150 + 30)
    # each call span parents exactly its own requests
    internal = {s.context.span_id: s for s in telemetry.spans(None) if s.kind.name == "INTERNAL"}
    assert len(internal) == 150
    for span in telemetry.spans():
        assert span.parent is not None
        parent = internal[span.parent.span_id]
        assert span.context.trace_id == parent.context.trace_id


def _wait_for(server: LocalServer, path: str) -> None:
    deadline = time.monotonic() + 10
    while server.count(path) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)


def test_cancel_token_while_waiting_for_the_answer(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced()
    token = CancelToken()

    def cancel_when_sent() -> None:
        _wait_for(local_server, "/stall")
        token.cancel()

    threading.Thread(target=cancel_when_sent).start()
    with pytest.raises(CancelError):
        call.get("/stall", params={"seconds": "5"}, cancel_token=token)
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "CancelError"
    assert span.status.status_code == StatusCode.ERROR


def test_a_cancelled_task(telemetry: Telemetry, local_server: LocalServer) -> None:
    async def scenario() -> None:
        async with axios_python.create(
            {"base_url": local_server.base_url, "plugins": [telemetry.plugin(call_span=True)]}
        ) as api:
            task = asyncio.ensure_future(api.async_get("/stall", params={"seconds": "5"}))
            await asyncio.to_thread(_wait_for, local_server, "/stall")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "CancelledError"
    (call_span,) = [s for s in telemetry.spans(None) if s.kind.name == "INTERNAL"]
    assert telemetry.attrs(call_span)["error.type"] == "CancelledError"
