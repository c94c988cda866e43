"""Request bodies on a retry: a body that was consumed is never re-sent empty. Bytes, forms and
JSON are rebuilt; a seekable file is rewound to where it was; a generator, an iterator, an async
generator or a file that cannot seek is kept as it is sent (up to ``retry_body_limit``) and
replayed byte for byte, or the retry is refused with a RetryError that says why."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import socket
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay, RetryError
from axios_python.testing import Caller, LocalServer

RETRY_ONCE = {"max_retries": 1, "retry_strategy": FixedDelay(0)}


def _chunks(count: int = 3, size: int = 1024) -> list[bytes]:
    return [bytes([65 + i]) * size for i in range(count)]


def _generator(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks


async def _async_generator(chunks: list[bytes]) -> AsyncGenerator[bytes, None]:
    for chunk in chunks:
        await asyncio.sleep(0)
        yield chunk


def _one_shot(call: Caller, chunks: list[bytes]) -> Any:
    """A body that can be read once: an async generator on the async path, else a generator."""
    return _async_generator(chunks) if call.is_async else _generator(chunks)


def _drop_once(call: Caller, name: str) -> dict[str, str]:
    return {"key": f"{name}-{call.mode}", "fail": "1", "mode": "drop"}


def _bodies(srv: LocalServer, path: str = "/flaky") -> list[bytes]:
    return [r.body for r in srv.requests if r.path == path]


def test_a_generator_is_replayed_after_a_dropped_connection(make: Any, srv: LocalServer) -> None:
    call = make(RETRY_ONCE)
    chunks = _chunks()
    response = call.put("/flaky", params=_drop_once(call, "gen"), content=_one_shot(call, chunks))
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [b"".join(chunks)] * 2  # the old code sent b"" the second time


def test_a_sync_generator_works_on_both_paths(make: Any, srv: LocalServer) -> None:
    call = make(RETRY_ONCE)
    chunks = _chunks()
    response = call.put("/flaky", params=_drop_once(call, "sgen"), content=_generator(chunks))
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [b"".join(chunks)] * 2


def test_a_body_retried_for_its_status_is_sent_whole_again(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0, retry_on_status=[503])})
    chunks = _chunks()
    params = {"key": f"status-{call.mode}", "fail": "2"}
    response = call.put("/flaky", params=params, content=_one_shot(call, chunks))
    assert response.data["attempt"] == 3
    assert _bodies(srv) == [b"".join(chunks)] * 3


def test_a_bytesio_is_rewound_to_where_it_was(make: Any, srv: LocalServer) -> None:
    call = make(RETRY_ONCE)
    body = io.BytesIO(b"HEADER:payload")
    body.seek(7)  # the call starts here: only "payload" is the body
    response = call.put("/flaky", params=_drop_once(call, "bio"), content=body)
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [b"payload", b"payload"]  # the old code: h11 LocalProtocolError
    contents = [r for r in srv.requests if r.path == "/flaky"]
    assert all(r.header("content-length") == "7" for r in contents)


def test_a_file_is_sent_from_where_it_is_without_retries_too(make: Any, srv: LocalServer) -> None:
    call = make()
    body = io.BytesIO(b"HEADER:payload")
    body.seek(7)
    assert call.put("/echo", content=body).data["body"] == "payload"


def test_a_body_shorter_than_its_content_length_is_a_network_error(make: Any) -> None:
    call = make()
    with pytest.raises(axios_python.NetworkError, match="Content-Length"):
        call.put("/echo", content=_one_shot(call, [b"abc"]), headers={"Content-Length": "10"})


def test_a_file_on_disk_is_rewound(make: Any, srv: LocalServer, tmp_path: Path) -> None:
    path = tmp_path / "upload.bin"
    data = bytes(range(256)) * 600  # 150 KiB: more than one read
    path.write_bytes(data)
    call = make(RETRY_ONCE)
    with path.open("rb") as file:
        response = call.put("/flaky", params=_drop_once(call, "file"), content=file)
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [data, data]


class _Pipe:
    """A file object that reads but cannot seek (a pipe, a socket's file)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def test_a_file_that_cannot_seek_is_kept_and_replayed(make: Any, srv: LocalServer) -> None:
    call = make(RETRY_ONCE)
    data = b"streamed " * 1000
    response = call.put("/flaky", params=_drop_once(call, "pipe"), content=_Pipe(data))
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [data, data]


def test_a_list_of_chunks_is_sent_again(make: Any, srv: LocalServer) -> None:
    call = make(RETRY_ONCE)
    chunks = _chunks(4, 10)
    response = call.put("/flaky", params=_drop_once(call, "list"), content=chunks)
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [b"".join(chunks)] * 2


def test_a_body_over_retry_body_limit_refuses_the_retry(make: Any, srv: LocalServer) -> None:
    call = make({**RETRY_ONCE, "retry_body_limit": 1024})
    chunks = _chunks(3, 1024)
    with pytest.raises(RetryError) as info:
        call.put("/flaky", params=_drop_once(call, "big"), content=_one_shot(call, chunks))
    error = info.value
    message = str(error)
    assert "could not be replayed" in message
    assert "3072 bytes" in message and "retry_body_limit is 1024 bytes" in message
    assert "raise retry_body_limit" in message and "seekable file" in message
    assert isinstance(error.last_exception, axios_python.NetworkError)
    assert error.__cause__ is error.last_exception and error.attempts == 1
    assert srv.count("/flaky") == 1  # nothing half-replayed was sent


def test_a_body_within_retry_body_limit_is_replayed(make: Any, srv: LocalServer) -> None:
    call = make({**RETRY_ONCE, "retry_body_limit": 3072})
    chunks = _chunks(3, 1024)
    call.put("/flaky", params=_drop_once(call, "fits"), content=_one_shot(call, chunks))
    assert _bodies(srv) == [b"".join(chunks)] * 2


def test_a_body_that_cannot_be_retried_is_not_kept(make: Any, srv: LocalServer) -> None:
    # POST is not retried by default: the generator goes to httpx as it is, the error as it is
    call = make({**RETRY_ONCE, "retry_body_limit": 0})
    with pytest.raises(axios_python.NetworkError) as info:
        call.post("/flaky", params=_drop_once(call, "post"), content=_one_shot(call, _chunks()))
    assert not isinstance(info.value, RetryError)
    assert srv.count("/flaky") == 1


def test_an_idempotency_key_makes_a_streamed_post_replayable(make: Any, srv: LocalServer) -> None:
    call = make({**RETRY_ONCE, "idempotency_key": True})
    chunks = _chunks()
    response = call.post("/flaky", params=_drop_once(call, "ik"), content=_one_shot(call, chunks))
    assert response.data["attempt"] == 2
    assert _bodies(srv) == [b"".join(chunks)] * 2


def test_an_async_body_in_a_sync_call_is_a_config_error(api: axios_python.AxiosPython) -> None:
    body = _async_generator([b"x"])
    with pytest.raises(axios_python.ConfigError, match="needs an async call"):
        api.put("/echo", content=body)
    asyncio.run(body.aclose())


# -- a body cut mid-send ------------------------------------------------------------------------


class Cutter:
    """A raw loopback HTTP server. The first connection is reset after ``cut`` bytes of the
    request arrived (mid-body); later requests are read whole and answered with the body's
    SHA-256, and their bodies kept in ``bodies``."""

    def __init__(self, cut: int) -> None:
        self.cut = cut
        self.reset_done = threading.Event()
        self.bodies: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/upload"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        first = True
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                with contextlib.suppress(OSError):
                    if first:
                        first = False
                        self._reset(conn)
                    else:
                        self._answer(conn)

    def _reset(self, conn: socket.socket) -> None:
        received = b""
        while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < self.cut:
            data = conn.recv(65536)
            if not data:
                break
            received += data
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()  # RST: the client's next write fails
        self.reset_done.set()

    def _answer(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        headers = {}
        reader.readline()
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if "content-length" in headers:
            body = reader.read(int(headers["content-length"]))
        else:  # chunked
            while (size := int(reader.readline().split(b";")[0], 16)) != 0:
                body += reader.read(size)
                reader.readline()
            reader.readline()
        self.bodies.append(body)
        digest = hashlib.sha256(body).hexdigest().encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(digest), digest)
        )

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (Linux)
        self._listener.close()
        self._thread.join(5)


@pytest.fixture
def cutter() -> Iterator[Cutter]:
    server = Cutter(cut=500)
    yield server
    server.close()


def test_a_body_cut_mid_send_arrives_whole_on_the_retry(make: Any, cutter: Cutter) -> None:
    chunks = [bytes([i]) * 1000 for i in range(1, 21)]
    pulled: list[int] = []

    def body() -> Iterator[bytes]:
        for index, chunk in enumerate(chunks):
            if index == 1:
                cutter.reset_done.wait(5)  # the connection is gone: this chunk's write fails
            pulled.append(index)
            yield chunk

    async def abody() -> AsyncIterator[bytes]:
        for index, chunk in enumerate(chunks):
            if index == 1:
                for _ in range(500):
                    if cutter.reset_done.is_set():
                        break
                    await asyncio.sleep(0.01)
            pulled.append(index)
            yield chunk

    call = make(RETRY_ONCE)
    response = call.put(cutter.url, content=abody() if call.is_async else body())
    whole = b"".join(chunks)
    assert response.data == hashlib.sha256(whole).hexdigest()
    assert cutter.bodies == [whole]  # byte for byte: what was sent before the cut, then the rest
    assert pulled == list(range(20))  # the generator ran once: nothing pulled twice or skipped
