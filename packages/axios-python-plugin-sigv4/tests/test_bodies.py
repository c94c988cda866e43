"""Streamed and file bodies: hashed without being read into memory when they can be read
again, sent as UNSIGNED-PAYLOAD to S3 when they cannot, refused for other services."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python.testing import Caller
from axios_python_plugin_sigv4 import SigV4Error, SigV4Plugin


def _chunks() -> Iterator[bytes]:
    yield b"streamed "
    yield b"upload"


class _Spy(io.BytesIO):
    """A seekable body that remembers each read: its size and the thread that made it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[tuple[int | None, int]] = []

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads.append((size, threading.get_ident()))
        return super().read(size)


class _ReadOnce:
    """A file-like body that cannot seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def __iter__(self) -> Iterator[bytes]:
        return iter(lambda: self._data.read(4), b"")


def test_a_generator_goes_to_s3_as_unsigned_payload(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    call = signed_caller(SigV4Plugin("s3", "us-east-1", keys))
    response = call.put("/bucket/stream.bin", content=_chunks())
    assert response.data["verified"] is True, response.data
    (received,) = verifier.server.requests
    assert received.body == b"streamed upload"
    assert received.header("X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD"


async def test_an_async_generator_goes_to_s3_as_unsigned_payload(
    verifier: Any, keys: tuple[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"async "
        yield b"upload"

    config = {"base_url": verifier.base_url, "plugins": [SigV4Plugin("s3", "us-east-1", keys)]}
    async with axios_python.create(config) as api:
        response = await api.async_put("/bucket/stream.bin", content=chunks())
    assert response.data["verified"] is True
    assert verifier.server.requests[0].header("X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD"


@pytest.mark.parametrize(
    "body",
    [_chunks, lambda: _ReadOnce(b"once")],
    ids=["generator", "file-that-cannot-seek"],
)
def test_a_body_read_once_is_refused_for_other_services(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    keys: tuple[str, str],
    body: Callable[[], Any],
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    with pytest.raises(SigV4Error) as caught:
        call.post("/prod/upload", content=body())
    message = str(caught.value)
    assert "cannot sign" in message and "'execute-api'" in message
    assert "only S3 accepts UNSIGNED-PAYLOAD" in message and "seekable file" in message
    assert verifier.server.requests == []  # nothing was sent


def test_a_file_not_seekable_goes_to_s3_unsigned(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    call = signed_caller(SigV4Plugin("s3", "us-east-1", keys))
    response = call.put("/bucket/once.bin", content=_ReadOnce(b"read once"))
    assert response.data["verified"] is True
    assert verifier.server.requests[0].body == b"read once"


def test_a_seekable_file_is_hashed_in_chunks_from_where_the_call_started(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    payload = bytes(range(256)) * 12_000  # about 3 MiB
    body = _Spy(b"HEADER:" + payload)
    body.seek(len(b"HEADER:"))
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    response = call.put("/prod/files/blob", content=body)
    assert response.data["verified"] is True, response.data
    (received,) = verifier.server.requests
    assert received.body == payload
    assert received.header("X-Amz-Content-SHA256") == hashlib.sha256(payload).hexdigest()
    # never read whole: every read asked for at most a chunk
    assert all(size is not None and 0 < size <= 1024 * 1024 for size, _ in body.reads)
    hashing = [thread for size, thread in body.reads if size == 1024 * 1024]
    assert hashing  # the plugin's reads (the core reads 64 KiB at a time)
    main = threading.get_ident()
    if call.is_async:  # the hash is computed in a worker thread: the loop is never blocked
        assert all(thread != main for thread in hashing)
    else:
        assert all(thread == main for thread in hashing)


def test_a_file_is_hashed_again_from_its_start_on_a_retry(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    body = io.BytesIO(b"skip|file body")
    body.seek(5)
    retry = FixedDelay(0, retry_on_status=[503])
    call = signed_caller(
        SigV4Plugin("execute-api", "us-east-1", keys),
        max_retries=1, retry_strategy=retry,
    )  # fmt: skip
    response = call.put("/flaky/upload", content=body, params={"fail": "1"})
    assert response.status_code == 200 and response.data["attempt"] == 2
    first, second = verifier.server.requests
    assert first.body == second.body == b"file body"
    assert [v.ok for v in verifier.verdicts] == [True, True]


def test_a_multipart_form_is_hashed_as_rendered(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    report = io.BytesIO(b"a,b\n1,2\n")
    response = call.post(
        "/prod/forms",
        data={"title": "Q1 report"},
        files={"report": ("q1.csv", report, "text/csv")},
    )
    assert response.data["verified"] is True, response.data
    assert "content-type" in response.data["signed_headers"]
    (received,) = verifier.server.requests
    assert received.header("Content-Type").startswith("multipart/form-data; boundary=")
    assert b'filename="q1.csv"' in received.body and b"a,b\n1,2\n" in received.body


def test_transform_request_bodies_are_refused_or_unsigned(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    def upper(data: Any, headers: Any) -> Any:
        return {key: str(value).upper() for key, value in data.items()}

    api_gateway = signed_caller(
        SigV4Plugin("execute-api", "us-east-1", keys),
        transform_request=[upper],
    )  # fmt: skip
    with pytest.raises(SigV4Error, match="transform_request changes after it is signed"):
        api_gateway.post("/prod/things", json={"name": "ada"})
    s3 = signed_caller(SigV4Plugin("s3", "us-east-1", keys), transform_request=[upper])
    response = s3.put("/bucket/object", json={"name": "ada"})
    assert response.data["verified"] is True
    assert verifier.server.requests[0].header("X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD"


def test_unsigned_payload_is_an_s3_option(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    plugin = SigV4Plugin("s3", "us-east-1", keys, unsigned_payload=True)
    assert "unsigned_payload=True" in repr(plugin)
    response = signed_caller(plugin).put("/bucket/o", content=b"bytes")
    assert response.data["verified"] is True
    assert verifier.server.requests[0].header("X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD"
    with pytest.raises(ValueError, match="for S3 only"):
        SigV4Plugin("execute-api", "us-east-1", keys, unsigned_payload=True)
