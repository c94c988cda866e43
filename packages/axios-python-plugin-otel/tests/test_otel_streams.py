"""``stream=True``: the span ends when the body has been read to its end or the response is
closed, not when the headers arrive, and records an error raised while reading."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from axios_python import CancelError, CancelToken, NetworkError
from axios_python.testing import Caller, LocalServer, Reply

if TYPE_CHECKING:
    from conftest import Telemetry


def _read_all(call: Caller, response: object) -> int:
    size = 0
    if call.is_async:

        async def consume() -> int:
            total = 0
            async for chunk in response.aiter_bytes():  # type: ignore[attr-defined]
                total += len(chunk)
            return total

        size = call.run(consume())
    else:
        for chunk in response.iter_bytes():  # type: ignore[attr-defined]
            size += len(chunk)
    return size


def test_the_span_ends_when_the_body_is_read_to_its_end(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    response = call.get("/stream", params={"size": "200000", "chunk": "50000"}, stream=True)
    assert telemetry.spans() == []  # the headers arrived: the span is still open
    assert _read_all(call, response) == 200_000
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["http.response.status_code"] == 200
    assert span.status.status_code == StatusCode.UNSET
    (point,) = telemetry.points("http.client.response.body.size")
    assert point.sum >= 200_000  # the bytes as received (chunked framing excluded)
    call.close_response(response)
    assert len(telemetry.spans()) == 1


def test_the_span_ends_when_the_response_is_closed_unread(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    response = call.get("/bytes", params={"size": "5000"}, stream=True)
    assert telemetry.spans() == []
    call.close_response(response)
    (span,) = telemetry.spans()
    assert span.status.status_code == StatusCode.UNSET
    (point,) = telemetry.points("http.client.response.body.size")
    assert point.sum == 5000  # its Content-Length


def test_the_span_ends_with_the_with_block(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    if call.is_async:

        async def scenario() -> None:
            async with await call.api.async_get("/stream?lines=3", stream=True) as response:
                assert response.status_code == 200
                assert telemetry.spans() == []

        call.run(scenario())
    else:
        with call.get("/stream?lines=3", stream=True) as response:
            assert response.status_code == 200
            assert telemetry.spans() == []
    assert len(telemetry.spans()) == 1


def test_an_error_while_reading_is_recorded(
    traced: Callable[..., Caller], telemetry: Telemetry, routes: Callable[..., None]
) -> None:
    routes("/otel/cut", lambda r: Reply(body=b"x" * 200_000, reset_after=1_000))
    call = traced()
    response = call.get("/otel/cut", stream=True)
    with pytest.raises(NetworkError) as caught:
        _read_all(call, response)
    call.close_response(response)
    (span,) = telemetry.spans()
    assert span.status.status_code == StatusCode.ERROR
    cause = caught.value.__cause__
    assert cause is not None
    assert telemetry.attrs(span)["error.type"] == type(cause).__qualname__
    assert telemetry.attrs(span)["http.response.status_code"] == 200
    assert [e.name for e in span.events] == ["exception"]


def test_a_cancel_while_reading_is_recorded(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    token = CancelToken()
    response = call.get(
        "/stream", params={"size": "100000", "chunk": "1000", "delay": "0.05"},
        stream=True, cancel_token=token,
    )  # fmt: skip
    threading.Timer(0.2, token.cancel, args=("enough",)).start()
    with pytest.raises(CancelError):
        _read_all(call, response)
    call.close_response(response)
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "CancelError"
    assert span.status.status_code == StatusCode.ERROR


def test_a_streamed_response_retried_for_its_status_ends_its_span(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    from axios_python import FixedDelay

    call = traced({"max_retries": 1, "retry_strategy": FixedDelay(0, retry_on_status=[503])})
    key = f"stream-503-{call.mode}"
    response = call.get("/flaky", params={"key": key, "fail": "1"}, stream=True)
    (first,) = telemetry.spans()  # closed by the retry engine
    assert telemetry.attrs(first)["error.type"] == "503"
    call.read(response)
    call.close_response(response)
    _, second = telemetry.spans()
    assert telemetry.attrs(second)["http.request.resend_count"] == 1


def test_a_dropped_streamed_response_ends_its_span_when_collected(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    held = [call.get("/bytes", params={"size": "100"}, stream=True)]
    with pytest.warns(ResourceWarning):  # the core's warning about the unclosed stream
        _drop(held)
    if call.is_async:
        call.run(_settle())  # the core closes an async stream in a task on its loop
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["http.response.status_code"] == 200


def _drop(held: list[Any]) -> None:
    """Drop the only reference: the response is collected then (httpx2) or by gc (httpx,
    where it is part of a reference cycle)."""
    held.clear()
    gc.collect()


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(0.01)


def test_the_call_span_waits_for_the_streamed_body(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced(call_span=True)
    response = call.get("/stream", params={"lines": "5"}, stream=True)
    assert telemetry.spans(None) == []
    time.sleep(0.01)
    call.read(response)
    call.close_response(response)
    (client,) = telemetry.spans()
    (internal,) = telemetry.spans(SpanKind.INTERNAL)
    assert client.parent is not None
    assert client.parent.span_id == internal.context.span_id
    assert internal.end_time is not None and client.end_time is not None
    assert internal.end_time >= client.end_time


def test_streams_to_a_second_origin_and_back_count_hops(
    traced: Callable[..., Caller], telemetry: Telemetry, other_server: LocalServer
) -> None:
    call = traced()
    response = call.get("/redirect", params={"to": "http://other.test/stream?lines=2"}, stream=True)
    (redirect,) = telemetry.spans()  # the hop ended; the streamed answer is open
    assert telemetry.attrs(redirect)["http.response.status_code"] == 302
    call.read(response)
    call.close_response(response)
    _, streamed = telemetry.spans()
    assert telemetry.attrs(streamed)["server.address"] == "other.test"
