"""Response: data, ok, config, raise_for_status, hand-built responses and streaming."""

from __future__ import annotations

from typing import Any

import pytest

import axios_python
from axios_python import HTTPStatusError, Response
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer


def test_json_body_is_parsed_into_data(call: Caller) -> None:
    response = call.get("/json")
    assert response.data == {"hello": "world", "items": [1, 2, 3]}
    assert response.json() == response.data
    assert response.ok and response.status_code == 200
    assert isinstance(response, httpx.Response)


def test_text_body_is_text(call: Caller) -> None:
    response = call.get("/text")
    assert response.data == "hello world" == response.text
    assert response.headers["content-type"].startswith("text/plain")


def test_data_is_settable(call: Caller) -> None:
    response = call.get("/json")
    response.data = ["replaced"]
    assert response.data == ["replaced"]
    assert response.json()["hello"] == "world"


def test_config_records_the_request(call: Caller) -> None:
    response = call.get("/echo", params={"q": "1"}, headers={"X-Req": "yes"})
    assert response.config["method"] == "GET"
    assert response.config["url"].endswith("/echo")
    assert response.config["headers"]["X-Req"] == "yes"
    assert response.config["attempt"] == 1
    assert response.request.url.params["q"] == "1"


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_raise_for_status(call: Caller, status: int) -> None:
    response = call.get(f"/status/{status}")
    assert not response.ok
    with pytest.raises(HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response is response
    assert info.value.request is response.request
    assert str(status) in str(info.value) and "/status/" in str(info.value)


def test_raise_for_status_returns_response_when_ok(call: Caller) -> None:
    response = call.get("/json")
    assert response.raise_for_status() is response


def test_hand_built_response() -> None:
    text = Response(status_code=200, headers={}, data="pong", request=None)
    assert text.data == "pong" and text.text == "pong" and text.ok
    payload = Response(status_code=201, data={"id": 7})
    assert payload.json() == {"id": 7} and payload.data == {"id": 7}
    assert payload.headers["content-type"] == "application/json"
    raw = Response(status_code=200, data=b"\x00\x01")
    assert raw.content == b"\x00\x01"
    failed = Response(status_code=418, data="teapot")
    with pytest.raises(HTTPStatusError, match="418"):
        failed.raise_for_status()
    assert repr(text) == "<Response [200 OK]>"


def test_stream_sync_iter_bytes(api: axios_python.AxiosPython) -> None:
    with api.get("/stream", params={"size": "300000", "chunk": "10000"}, stream=True) as response:
        assert response.status_code == 200
        received = b"".join(response.iter_bytes(chunk_size=65536))
    assert len(received) == 300000
    assert received[:5] == bytes([0, 1, 2, 3, 4]) and received[251] == 0
    assert response.is_closed


def test_stream_sync_lines_text_and_read(api: axios_python.AxiosPython) -> None:
    with api.get("/stream", params={"lines": "3"}, stream=True) as response:
        assert list(response.iter_lines()) == ["line 0", "line 1", "line 2"]
    with api.get("/stream", params={"lines": "2"}, stream=True) as response:
        assert "".join(response.iter_text()) == "line 0\nline 1\n"
    with api.get("/stream", params={"size": "1000"}, stream=True) as response:
        assert len(response.read()) == 1000


async def test_stream_async(aapi: axios_python.AxiosPython) -> None:
    async with await aapi.async_get("/stream", params={"size": "200000"}, stream=True) as response:
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
    assert size == 200000 and response.is_closed
    async with await aapi.async_get("/stream", params={"lines": "2"}, stream=True) as response:
        assert [line async for line in response.aiter_lines()] == ["line 0", "line 1"]
    async with await aapi.async_get("/stream", params={"lines": "1"}, stream=True) as response:
        assert "".join([t async for t in response.aiter_text()]) == "line 0\n"
    async with await aapi.async_get("/bytes", params={"size": "10"}, stream=True) as response:
        assert len(await response.aread()) == 10


def test_stream_works_through_middleware(call: Caller) -> None:
    seen: list[int] = []

    async def observe(ctx: dict[str, Any], next_fn: Any) -> Response:
        response: Response = await next_fn(ctx)
        seen.append(response.status_code)
        return response

    call.api.use(observe)
    response = call.get("/stream", params={"size": "50000"}, stream=True)
    if call.is_async:

        async def consume() -> int:
            async with response:
                return len(await response.aread())

        assert call.run(consume()) == 50000
    else:
        with response:
            assert len(response.read()) == 50000
    assert seen == [200]


def test_stream_connection_is_released_for_reuse(
    api: axios_python.AxiosPython, srv: LocalServer
) -> None:
    for _ in range(3):
        with api.get("/stream", params={"size": "1000"}, stream=True) as response:
            response.read()
    assert api.get("/json").status_code == 200
    assert srv.connections_accepted == 1


def test_stream_closed_early_does_not_poison_the_pool(
    api: axios_python.AxiosPython, srv: LocalServer
) -> None:
    with api.get("/stream", params={"size": "5000000"}, stream=True) as response:
        next(response.iter_bytes())
    assert api.get("/json").data["hello"] == "world"


def test_transport_error_while_streaming_is_translated(api: axios_python.AxiosPython) -> None:
    with (
        pytest.raises(axios_python.TimeoutError),
        api.get(
            "/stall", params={"seconds": "5", "after_headers": "1"}, stream=True, timeout=0.3
        ) as response,
    ):
        response.read()


def test_clone_is_independent(call: Caller) -> None:
    original = call.get("/json")
    original.data["hello"] = "changed"
    original.timings = {"total": 1.0}  # type: ignore[attr-defined]
    clone = original.clone()
    assert clone is not original and isinstance(clone, Response)
    assert clone.status_code == 200 and clone.content == original.content
    assert clone.headers == original.headers and clone.request is original.request
    assert clone.config is original.config
    assert clone.data == {"hello": "changed", "items": [1, 2, 3]}
    clone.data["items"].append(4)
    assert original.data["items"] == [1, 2, 3]
    assert clone.timings == {"total": 1.0}  # type: ignore[attr-defined]


def test_extensions_reach_the_transport(call: Caller) -> None:
    events: list[str] = []

    def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    async def atrace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    response = call.get("/json", extensions={"trace": atrace if call.is_async else trace})
    assert response.status_code == 200
    assert "http11.receive_response_headers.complete" in events


def test_binary_body_stays_bytes(call: Caller) -> None:
    response = call.get("/bytes", params={"size": "300"})
    assert isinstance(response.data, bytes) and len(response.data) == 300
    assert (
        Response(status_code=200, headers={"Content-Type": "image/png"}, content=b"\x89PNG").data
        == b"\x89PNG"
    )
    assert call.get("/text").data == "hello world"


async def test_stream_connection_is_released_for_reuse_async(
    aapi: axios_python.AxiosPython, srv: LocalServer
) -> None:
    for _ in range(3):
        async with await aapi.async_get("/stream", params={"size": "1000"}, stream=True) as r:
            await r.aread()
    assert (await aapi.async_get("/json")).status_code == 200
    assert srv.connections_accepted == 1
    async with await aapi.async_get("/stream", params={"size": "5000000"}, stream=True) as r:
        async for _chunk in r.aiter_bytes():
            break  # closed early: that connection is discarded, the pool stays usable
    assert (await aapi.async_get("/json")).data["hello"] == "world"
