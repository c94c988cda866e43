"""A streamed response the pipeline does not hand to the caller is closed: its connection goes
back to the pool even when a hook fails after next_fn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from axios_python import Response
from axios_python.engine import httpx
from axios_python.testing import Caller


class Boom(Exception):
    pass


def _pool_of_three(make_caller: Callable[..., Caller]) -> Caller:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=3)
    return make_caller({"limits": limits, "timeout": 2.0})


def test_a_failing_response_interceptor(make_caller: Callable[..., Caller]) -> None:
    call = _pool_of_three(make_caller)

    def reject(response: Response) -> Response:
        raise Boom("rejected after the headers arrived")

    call.api.interceptors.response.use(reject)
    for _ in range(4):  # one more than the pool holds
        with pytest.raises(Exception, match="rejected"):
            call.get("/stream", params={"size": 1_000_000}, stream=True)
    call.api.interceptors.response.clear()
    assert call.get("/stream", params={"size": 10}).status_code == 200


def test_a_call_middleware_failing_after_next_fn(make_caller: Callable[..., Caller]) -> None:
    call = _pool_of_three(make_caller)

    def after(ctx: dict[str, Any], next_fn: Any) -> Response:
        next_fn(ctx)
        raise Boom("middleware failed on the way out")

    mw = call.api.use(after)
    for _ in range(4):
        with pytest.raises(Boom):
            call.get("/stream", params={"size": 1_000_000}, stream=True)
    call.api.middleware.eject(mw)
    assert call.get("/stream", params={"size": 10}).status_code == 200


def test_a_response_replaced_by_an_interceptor(make_caller: Callable[..., Caller]) -> None:
    call = _pool_of_three(make_caller)
    call.api.interceptors.response.use(lambda r: Response(200, data={"replaced": True}))
    for _ in range(4):
        assert call.get("/stream", params={"size": 1_000_000}, stream=True).data == {
            "replaced": True
        }
    call.api.interceptors.response.clear()
    assert call.get("/json").status_code == 200


def test_the_response_the_caller_gets_stays_open(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    response = call.get("/stream", params={"size": 100}, stream=True)
    assert not response.is_closed
    body = b"".join(response.iter_bytes()) if not call.is_async else call.run(response.aread())
    assert len(body) == 100
    if call.is_async:
        call.run(response.aclose())
    else:
        response.close()


class _Wrapped(httpx.SyncByteStream, httpx.AsyncByteStream):
    """What a plugin does to watch a body (otel's span stream, the cache's tee)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> Any:
        yield from self._inner

    async def __aiter__(self) -> Any:
        async for chunk in self._inner:
            yield chunk

    def close(self) -> None:
        self._inner.close()

    async def aclose(self) -> None:
        await self._inner.aclose()


def test_a_wrapped_stream_keeps_the_responses_elapsed(make_caller: Callable[..., Caller]) -> None:
    # httpx2 keeps the time on the stream it bound to the response: a wrapper must not hide it
    call = make_caller()

    def wrap(response: Response) -> Response:
        response.stream = _Wrapped(response.stream)
        return response

    call.api.interceptors.response.use(wrap)
    response = call.get("/stream", params={"size": 100}, stream=True)
    if call.is_async:
        assert len(call.run(response.aread())) == 100
    else:
        assert len(response.read()) == 100
    assert response.is_closed and response.elapsed.total_seconds() > 0
    assert call.get("/json").elapsed.total_seconds() > 0  # read whole: its stream replaced
