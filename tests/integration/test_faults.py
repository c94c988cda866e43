"""The fault matrix: what a caller gets from each way a server or network misbehaves, on both
paths (and async through the aiohttp transport), against the real loopback server, and that
nothing is left behind afterwards.

The rows are documented on the Reliability page (docs/reliability.md); keep the two together.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from typing import Any

import pytest

import axios_python
from axios_python import (
    ContentTooLarge,
    FixedDelay,
    NetworkError,
    RetryError,
    TimeoutError,
    TooManyRedirects,
)
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer, Reply
from axios_python.testing._conformance import open_sockets

_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


@pytest.fixture
def routes(local_server: LocalServer) -> Iterator[LocalServer]:
    """The fault routes on the session's server, removed afterwards."""
    server = local_server
    server.route("/fault/reset", lambda r: Reply(body=b"x" * 200_000, reset_after=5_000))
    server.route("/fault/loop", lambda r: Reply(302, headers={"Location": "/fault/loop"}))
    server.route("/fault/huge-headers", lambda r: Reply(headers={"X-Big": "y" * 200_000}))
    server.route(
        "/fault/bad-json", lambda r: Reply(body=b"{not json", content_type="application/json")
    )
    server.route(
        "/fault/bomb",
        lambda r: Reply(body=_BOMB, headers={"Content-Encoding": "gzip"}),
    )
    server.route("/fault/idle-close", lambda r: Reply(body=b"ok", close_after=True))
    yield server
    for path in ("reset", "loop", "huge-headers", "bad-json", "bomb", "idle-close"):
        server.remove_route(f"/fault/{path}")


@pytest.fixture
def make_caller(
    callers_on_path: Callable[..., Caller], local_server: LocalServer
) -> Callable[..., Caller]:
    """Every row on three paths: sync, async, and async through the aiohttp transport."""
    return lambda config=None: callers_on_path(local_server.base_url, config)


@pytest.fixture
def nothing_leaks(local_server: LocalServer) -> Iterator[None]:
    """After the test: no socket, no thread more than before (the server's side of a closing
    connection may linger a moment). The session's server is running before the count."""
    sockets, threads = open_sockets(), set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        extra_threads = {
            t for t in set(threading.enumerate()) - threads if t.name.startswith("axios")
        } - {t for t in threading.enumerate() if t.name.startswith("axios-python-bridge")}
        if (open_sockets() or 0) <= (sockets or 0) and not extra_threads:
            return
        time.sleep(0.02)
    raise AssertionError(f"left behind: sockets {sockets} -> {open_sockets()}")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("nothing_leaks")
def test_connection_refused(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"base_url": f"http://127.0.0.1:{_closed_port()}", "timeout": 2.0})
    with pytest.raises(NetworkError):  # "Connection refused" / "All connection attempts failed"
        call.get("/x")
    with pytest.raises(RetryError) as info:
        call.get("/x", max_retries=2, retry_strategy=FixedDelay(0))
    assert info.value.attempts == 3 and isinstance(info.value.last_exception, NetworkError)


@pytest.mark.usefixtures("nothing_leaks")
def test_reset_in_the_middle_of_a_response(
    make_caller: Callable[..., Caller], routes: LocalServer
) -> None:
    call = make_caller()
    with pytest.raises(NetworkError):
        call.get("/fault/reset")
    with pytest.raises(RetryError):
        call.get("/fault/reset", max_retries=1, retry_strategy=FixedDelay(0))
    assert routes.count("/fault/reset") == 3


@pytest.mark.usefixtures("nothing_leaks")
def test_stall_before_the_headers(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    with pytest.raises(TimeoutError):
        call.get("/stall", params={"seconds": 1}, timeout=0.2)
    with pytest.raises(TimeoutError, match=r"deadline of 0\.5 s"):
        call.get("/stall", params={"seconds": 1}, timeout=0.2, deadline=0.5, max_retries=5)


@pytest.mark.usefixtures("nothing_leaks")
def test_stall_in_the_middle_of_the_body(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    with pytest.raises(TimeoutError):
        call.get("/stall", params={"seconds": 1, "after_headers": 1}, timeout=0.2)
    response = call.get(
        "/stall", params={"seconds": 1, "after_headers": 1}, timeout=0.2, stream=True
    )
    assert response.status_code == 200  # the headers came; the body will not
    with pytest.raises(TimeoutError):
        call.read(response)
    call.close_response(response)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("1", 1.0),  # seconds
        ("date", 20.0),  # an HTTP date 20 s ahead (whole seconds: 19 to 20 s by then)
        ("soon", 0.125),  # garbage: the strategy's own delay
        ("²", 0.125),  # a digit str.isdigit() accepts and float() does not
        ("-5", 0.0),  # negative: no wait
        ("99999", 30.0),  # huge: capped at max_delay
    ],
)
@pytest.mark.usefixtures("nothing_leaks")
def test_429_and_503_with_retry_after(
    make_caller: Callable[..., Caller], retry_waits: list[float], retry_after: str, expected: float
) -> None:
    value = formatdate(time.time() + 20, usegmt=True) if retry_after == "date" else retry_after
    strategy = FixedDelay(0.125, max_delay=30.0, retry_on_status=[429, 503])
    call = make_caller({"max_retries": 2, "retry_strategy": strategy})
    for status in (429, 503):
        key = f"retry-after-{retry_after}-{status}-{call.mode}"
        response = call.get(
            "/flaky", params={"key": key, "fail": 1, "status": status, "retry_after": value}
        )
        assert response.status_code == 200
    assert len(retry_waits) == 2
    assert all(expected - 3 < wait <= expected if retry_after == "date" else wait == expected
               for wait in retry_waits), retry_waits  # fmt: skip


@pytest.mark.usefixtures("nothing_leaks")
def test_redirect_loop(make_caller: Callable[..., Caller], routes: LocalServer) -> None:
    with pytest.raises(TooManyRedirects):
        make_caller().get("/fault/loop")


@pytest.mark.usefixtures("nothing_leaks")
def test_huge_response_headers(make_caller: Callable[..., Caller], routes: LocalServer) -> None:
    with pytest.raises(NetworkError):
        make_caller().get("/fault/huge-headers")


@pytest.mark.usefixtures("nothing_leaks")
def test_invalid_json_with_a_json_content_type(
    make_caller: Callable[..., Caller], routes: LocalServer
) -> None:
    response = make_caller().get("/fault/bad-json")
    assert response.status_code == 200
    assert response.data == "{not json"  # falls back to the text, as axios does
    with pytest.raises(ValueError, match="Expecting property name"):
        response.json()


@pytest.mark.usefixtures("nothing_leaks")
def test_a_decompression_bomb(make_caller: Callable[..., Caller], routes: LocalServer) -> None:
    call = make_caller({"max_content_length": 1024 * 1024})
    with pytest.raises(ContentTooLarge, match="max_content_length"):
        call.get("/fault/bomb")
    response = call.get("/fault/bomb", stream=True)
    with pytest.raises(ContentTooLarge):
        call.read(response)


@pytest.mark.usefixtures("nothing_leaks")
def test_a_server_closing_keep_alive_connections(
    make_caller: Callable[..., Caller], routes: LocalServer
) -> None:
    call = make_caller()
    # a reused connection the server has just closed is sent again, once, on a fresh one:
    # every idempotent call succeeds and the server sees each request once
    assert all(call.get("/fault/idle-close").status_code == 200 for _ in range(50))
    assert routes.count("/fault/idle-close") == 50
    # a POST is never sent twice behind the caller's back: it may fail, never duplicate
    outcomes: list[Any] = []
    for _ in range(50):
        try:
            outcomes.append(call.post("/fault/idle-close", content=b"x").status_code)
        except NetworkError as exc:
            outcomes.append(type(exc).__name__)
    assert routes.count("/fault/idle-close") == 50 + outcomes.count(200)


def test_the_matrix_runs_against_real_sockets() -> None:
    # the rows above use the loopback server; httpx is only the transport underneath
    assert isinstance(_BOMB, bytes) and len(_BOMB) < 1024 * 1024
    assert httpx.__version__
    assert axios_python.__version__


@pytest.mark.usefixtures("nothing_leaks")
def test_a_decompression_bomb_in_a_redirect(
    make_caller: Callable[..., Caller], routes: LocalServer
) -> None:
    routes.route(
        "/fault/bomb-redirect",
        lambda r: Reply(
            302, body=_BOMB, headers={"Content-Encoding": "gzip", "Location": "/echo/landed"}
        ),
    )
    try:
        import tracemalloc

        tracemalloc.start()
        response = make_caller().get("/fault/bomb-redirect")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        routes.remove_route("/fault/bomb-redirect")
    assert response.data["path"] == "/echo/landed"
    hop = response.history[0]
    assert hop.status_code == 302 and len(hop.content) <= 64 * 1024 + 65536  # kept as received
    assert peak < 16 * 1024 * 1024  # not the 64 MiB the body decodes to
