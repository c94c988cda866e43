"""Size limits: ``max_content_length`` bounds a response body after decoding (a decompression
bomb fails after reading about the limit, with bounded memory, the connection closed), also
when a stream is read; ``max_body_length`` bounds a request body, checked up front when its
size is known and counted while it is sent when it is streamed."""

from __future__ import annotations

import asyncio
import functools
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import axios_python
from axios_python import ContentTooLarge, FixedDelay
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply

MiB = 1024 * 1024
BOMB_SIZE = 64 * MiB  # decompressed


@functools.lru_cache(maxsize=1)
def _bomb() -> bytes:
    """64 MiB of zeros, gzip-compressed (about 64 KiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    parts = [compressor.compress(zeros) for _ in range(BOMB_SIZE // MiB)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _bomb_reply(request: RecordedRequest) -> Reply:
    return Reply(body=_bomb(), headers={"Content-Encoding": "gzip"})


@pytest.fixture
def bomb(srv: LocalServer) -> Iterator[str]:
    srv.route("/bomb", _bomb_reply)
    yield "/bomb"
    srv.remove_route("/bomb")


def _read(call: Caller, response: axios_python.Response) -> bytes:
    if call.is_async:
        return call.run(response.aread())
    return response.read()


def test_a_gzip_bomb_stops_at_max_content_length(make: Any, srv: LocalServer, bomb: str) -> None:
    assert len(_bomb()) < MiB
    call = make({"max_content_length": MiB})
    tracemalloc.start()
    try:
        with pytest.raises(ContentTooLarge) as info:
            call.get(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = info.value
    assert error.key == "max_content_length" and error.limit == MiB
    assert f"max_content_length={MiB} bytes after decoding" in str(error)
    assert "the connection was closed" in str(error)
    assert peak < 16 * MiB  # far below the 64 MiB the body expands to
    assert isinstance(error, axios_python.AxiosPythonError)
    # the connection was closed, not pooled: the next call opens a new one
    assert call.get("/json").status_code == 200
    assert srv.connections_accepted == 2


def _drain(call: Caller, response: axios_python.Response, text: bool = False) -> int:
    """Iterate over the whole streamed body (bytes, or text); how much it yielded."""
    seen = 0
    if call.is_async:

        async def drain() -> None:
            nonlocal seen
            chunks = response.aiter_text() if text else response.aiter_bytes(chunk_size=65536)
            async for chunk in chunks:
                seen += len(chunk)

        call.run(drain())
    else:
        chunks = response.iter_text() if text else response.iter_bytes(chunk_size=65536)
        for chunk in chunks:
            seen += len(chunk)
    return seen


def test_a_gzip_bomb_read_as_a_stream_stops_too(make: Any, bomb: str) -> None:
    call = make({"max_content_length": MiB})
    response = call.get(bomb, stream=True)
    with pytest.raises(ContentTooLarge):
        _drain(call, response)
    assert response.is_closed


def test_stream_text_and_read_count_decoded_bytes(make: Any, bomb: str) -> None:
    call = make({"max_content_length": 4096})
    response = call.get(bomb, stream=True)
    with pytest.raises(ContentTooLarge):
        _read(call, response)
    response = call.get(bomb, stream=True)
    with pytest.raises(ContentTooLarge):
        _drain(call, response, text=True)
    assert _drain(call, call.get("/bytes", params={"size": 4096}, stream=True)) == 4096


def test_a_body_at_the_limit_passes_one_byte_more_fails(make: Any) -> None:
    call = make({"max_content_length": 1024})
    assert len(call.get("/bytes", params={"size": 1024}).content) == 1024
    with pytest.raises(ContentTooLarge, match="max_content_length=1023 bytes"):
        call.get("/bytes", params={"size": 1024}, max_content_length=1023)
    with pytest.raises(ContentTooLarge):
        call.get("/bytes", params={"size": 1}, max_content_length=0)


def test_the_default_bounds_bodies_read_whole_not_streams(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axios_python import _config

    monkeypatch.setattr(_config, "DEFAULT_MAX_BUFFERED", 1000)
    call = make()
    with pytest.raises(ContentTooLarge) as info:
        call.get("/bytes", params={"size": 5000})
    assert "1000-byte limit for a body read whole (max_content_length=None)" in str(info.value)
    assert "stream=True" in str(info.value)
    response = call.get("/bytes", params={"size": 5000}, stream=True)
    assert len(_read(call, response)) == 5000  # no limit for a stream unless one is set


def test_a_body_too_large_is_not_retried(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(0), "retry_on": lambda e: True})
    with pytest.raises(ContentTooLarge):
        call.get("/bytes", params={"size": 100}, max_content_length=10)
    assert srv.count("/bytes") == 1


# -- max_body_length ---------------------------------------------------------------------------


def test_a_sized_request_body_is_checked_before_sending(make: Any, srv: LocalServer) -> None:
    call = make({"max_body_length": 1000})
    with pytest.raises(ContentTooLarge) as info:
        call.post("/echo", content=b"x" * 1001)
    error = info.value
    assert error.key == "max_body_length" and error.limit == 1000
    assert "has 1001 bytes, more than max_body_length=1000 bytes" in str(error)
    with pytest.raises(ContentTooLarge):
        call.post("/echo", json={"blob": "y" * 2000})
    assert srv.count("/echo") == 0 and srv.connections_accepted == 0  # nothing was sent
    assert call.post("/echo", content=b"x" * 1000).data["body"] == "x" * 1000


def _stream(size: int) -> Iterator[bytes]:
    for _ in range(size // 100):
        yield b"z" * 100


async def _astream(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 100):
        await asyncio.sleep(0)
        yield b"z" * 100


def test_a_streamed_request_body_is_counted_while_sent(make: Any, srv: LocalServer) -> None:
    call = make({"max_body_length": 1000, "max_retries": 2, "retry_strategy": FixedDelay(0)})
    body = _astream(5000) if call.is_async else _stream(5000)
    with pytest.raises(ContentTooLarge, match="grew past max_body_length=1000 bytes"):
        call.put("/echo", content=body)
    assert srv.count("/echo") == 0  # the server never got a whole request; no retry either
    small = _astream(1000) if call.is_async else _stream(1000)
    assert call.put("/echo", content=small).data["body"] == "z" * 1000
    assert srv.connections_accepted == 2  # the connection of the cut body was closed


def test_limits_are_validated(api: axios_python.AxiosPython) -> None:
    with pytest.raises(axios_python.ConfigError, match="max_content_length"):
        api.get("/json", max_content_length=-1)
    with pytest.raises(axios_python.ConfigError, match="max_body_length"):
        api.get("/json", max_body_length="1 MB")  # type: ignore[arg-type]
