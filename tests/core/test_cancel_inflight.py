"""Cancellation that always cancels (issue 8): wherever a request blocks, on both paths.

- an async call through a plain (sync-only) middleware: a CancelToken, ``task.cancel()``,
  ``asyncio.wait_for`` and a failing ``axios_python.all()`` stop the request itself (the server
  sees the connection close, the pool slot is free, the worker thread is released);
- a sync call blocked in the TCP connect or waiting for a pooled connection is woken at once;
- a subscriber that raises never stops the other subscribers, nor the cancellation;
- one token reused by many calls, and subscribe / unsubscribe racing with ``cancel()``.

The "black hole" below accepts connections and never answers: a request to it is in flight
until someone cancels it, and the hole sees when the client closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import CancelError, CancelToken, HTTPStatusError, NetworkError
from axios_python import TimeoutError as AxiosTimeoutError
from axios_python.engine import httpcore, httpx
from axios_python.testing import Caller, LocalServer, LogCapture

#: "At once", with a generous margin for a loaded machine (every stall below lasts 10 s).
PROMPTLY = 2.0


class BlackHole:
    """A loopback listener that accepts connections, reads what is sent and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._cond = threading.Condition()
        self._received = 0  # connections on which request bytes arrived
        self._closed = 0  # connections the client closed
        self._stopping = False
        self._conns: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stopping:
                if not selector.select(0.02):
                    continue
                try:
                    conn, _ = self._listener.accept()
                except OSError:
                    continue
                conn.setblocking(True)
                with self._cond:
                    self._conns.append(conn)
                thread = threading.Thread(target=self._read, args=(conn,), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _read(self, conn: socket.socket) -> None:
        first = True
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    if not self._stopping:
                        self._closed += 1
                    self._cond.notify_all()
                    return
                if first:
                    first = False
                    self._received += 1
                    self._cond.notify_all()

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def wait_received(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until ``count`` requests arrived (each on its own connection)."""
        return self._wait(lambda: self._received >= count, timeout)

    def wait_closed(self, count: int = 1, timeout: float = PROMPTLY) -> bool:
        """Wait until the client closed ``count`` connections."""
        return self._wait(lambda: self._closed >= count, timeout)

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(2)
        for conn in conns:
            conn.close()
        self._listener.close()


@pytest.fixture
def hole() -> Iterator[BlackHole]:
    black_hole = BlackHole()
    yield black_hole
    black_hole.close()


@pytest.fixture
def full_listener() -> Iterator[str]:
    """The URL of a loopback listener whose accept backlog is full: a connect to it hangs."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    address = listener.getsockname()
    fillers: list[socket.socket] = []
    try:
        for _ in range(64):
            probe = socket.socket()
            probe.setblocking(False)
            probe.connect_ex(address)
            fillers.append(probe)
            with selectors.DefaultSelector() as selector:
                selector.register(probe, selectors.EVENT_WRITE)
                if not selector.select(0.05):
                    break  # this connect hangs: the next one will too
        else:
            pytest.skip("connects to a full backlog do not hang on this platform")
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def cancel_when(
    token: CancelToken, ready: Callable[[], object], reason: str = "user left"
) -> threading.Thread:
    """Cancel ``token`` from another thread as soon as ``ready()`` returns."""

    def run() -> None:
        ready()
        token.cancel(reason)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def after(seconds: float) -> Callable[[], None]:
    return lambda: time.sleep(seconds)


class PlainMiddleware:
    """A sync-only middleware (a plain function): in an async call it runs on a worker thread.
    Records what its next_fn raised and when the middleware returned."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.returned = threading.Event()

    def __call__(self, ctx: dict[str, Any], next_fn: Any) -> Any:
        try:
            return next_fn(ctx)
        except BaseException as exc:
            self.errors.append(exc)
            raise
        finally:
            self.returned.set()


def _one_connection(make: Callable[..., Caller], srv: LocalServer, **extra: Any) -> Caller:
    return make({"base_url": srv.base_url, "limits": httpx.Limits(max_connections=1), **extra})


def _assert_slot_free(call: Caller) -> None:
    """The pool's only connection slot is free: another call gets through at once."""
    started = time.monotonic()
    assert call.get("/json").status_code == 200
    assert time.monotonic() - started < PROMPTLY


# -- async cancellation through a plain (sync-only) middleware ------------------------------


def test_token_cancel_through_a_plain_middleware_stops_the_request(
    make: Callable[..., Caller], srv: LocalServer, hole: BlackHole
) -> None:
    call = _one_connection(make, srv)
    middleware = PlainMiddleware()
    call.api.use(middleware)
    token = CancelToken()
    cancel_when(token, hole.wait_received, "user left")
    started = time.monotonic()
    with pytest.raises(CancelError) as info:
        call.get(hole.url + "/slow", cancel_token=token)
    assert info.value.reason == "user left"
    assert time.monotonic() - started < 5 + PROMPTLY
    assert hole.wait_closed(), "the request went on after the caller was told it was cancelled"
    assert middleware.returned.wait(PROMPTLY), "the worker thread is still busy"
    assert middleware.errors and isinstance(middleware.errors[0], CancelError)
    assert middleware.errors[0].reason == "user left"
    _assert_slot_free(call)


async def _plain_api(srv: LocalServer, *middleware: Any) -> axios_python.AxiosPython:
    api = axios_python.create(
        {"base_url": srv.base_url, "timeout": 10.0, "limits": httpx.Limits(max_connections=1)}
    )
    for fn in middleware:
        api.use(fn)
    return api


async def _assert_slot_free_async(api: axios_python.AxiosPython) -> None:
    started = time.monotonic()
    assert (await api.async_get("/json")).status_code == 200
    assert time.monotonic() - started < PROMPTLY


async def _until(check: Callable[[], bool]) -> None:
    await asyncio.get_running_loop().run_in_executor(None, check)


async def test_task_cancel_through_a_plain_middleware_stops_the_request(
    srv: LocalServer, hole: BlackHole
) -> None:
    middleware = PlainMiddleware()
    api = await _plain_api(srv, middleware)
    try:
        task = asyncio.create_task(api.async_get(hole.url + "/slow"))
        await _until(hole.wait_received)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert hole.wait_closed()
        assert middleware.returned.wait(PROMPTLY)
        assert isinstance(middleware.errors[0], CancelError)
        assert "the awaiting task was cancelled" in str(middleware.errors[0])
        await _assert_slot_free_async(api)
    finally:
        await api.aclose()


async def test_wait_for_timeout_through_a_plain_middleware_stops_the_request(
    srv: LocalServer, hole: BlackHole
) -> None:
    middleware = PlainMiddleware()
    api = await _plain_api(srv, middleware)
    try:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(api.async_get(hole.url + "/slow"), 0.3)
        assert hole.wait_closed()
        assert middleware.returned.wait(PROMPTLY)
        await _assert_slot_free_async(api)
    finally:
        await api.aclose()


async def test_failing_all_through_a_plain_middleware_stops_the_other_requests(
    srv: LocalServer, hole: BlackHole
) -> None:
    middleware = PlainMiddleware()
    api = axios_python.create(
        {"base_url": srv.base_url, "timeout": 10.0, "limits": httpx.Limits(max_connections=3)}
    )
    api.use(middleware)

    async def fail_once_both_are_in_flight() -> Any:
        await _until(lambda: hole.wait_received(2))
        return await api.async_get("/status/500", validate_status=lambda status: status < 400)

    try:
        with pytest.raises(HTTPStatusError):
            await axios_python.all(
                [
                    api.async_get(hole.url + "/one"),
                    api.async_get(hole.url + "/two"),
                    fail_once_both_are_in_flight(),
                ]
            )
        assert hole.wait_closed(2), "all() failed but its other requests went on"
        assert middleware.returned.wait(PROMPTLY)
        started = time.monotonic()
        results = await axios_python.all([api.async_get("/json") for _ in range(3)])
        assert [r.status_code for r in results] == [200, 200, 200]
        assert time.monotonic() - started < PROMPTLY
    finally:
        await api.aclose()


async def test_cancellation_reaches_through_nested_plain_middleware(
    srv: LocalServer, hole: BlackHole
) -> None:
    outer, inner = PlainMiddleware(), PlainMiddleware()
    api = await _plain_api(srv, outer, inner)
    api.use(lambda ctx, next_fn: next_fn(ctx), scope="attempt")
    token = CancelToken()
    try:
        cancel_when(token, hole.wait_received, "nested")
        with pytest.raises(CancelError, match="nested"):
            await api.async_get(hole.url + "/slow", cancel_token=token)
        assert hole.wait_closed()
        assert outer.returned.wait(PROMPTLY) and inner.returned.wait(PROMPTLY)
        await _assert_slot_free_async(api)
    finally:
        await api.aclose()


async def test_next_fn_after_cancellation_fails_at_once_and_sends_nothing(
    srv: LocalServer,
) -> None:
    gate = threading.Event()
    outcome: list[BaseException] = []
    done = threading.Event()

    def slow_middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
        gate.wait(5)  # the user's own code, still running when the call is cancelled
        started = time.monotonic()
        try:
            return next_fn(ctx)
        except BaseException as exc:
            outcome.append(exc)
            outcome.append(RuntimeError(f"{time.monotonic() - started:.3f}"))
            raise
        finally:
            done.set()

    api = await _plain_api(srv, slow_middleware)
    token = CancelToken()
    try:
        call = asyncio.create_task(api.async_get("/json", cancel_token=token))
        await asyncio.sleep(0.05)
        token.cancel("gone")
        with pytest.raises(CancelError, match="gone"):
            await call  # the caller does not wait for the middleware's own code
        gate.set()
        assert await asyncio.get_running_loop().run_in_executor(None, done.wait, PROMPTLY)
        assert isinstance(outcome[0], CancelError) and outcome[0].reason == "gone"
        assert float(str(outcome[1])) < 0.5
        assert srv.count("/json") == 0
    finally:
        gate.set()
        await api.aclose()


# -- sync: the TCP connect and the wait for a pooled connection ------------------------------


def test_cancel_while_connecting(make: Callable[..., Caller], full_listener: str) -> None:
    call = make()
    token = CancelToken()
    cancel_when(token, after(0.2), "stop connecting")
    started = time.monotonic()
    with pytest.raises(CancelError) as info:
        call.get(full_listener + "/json", cancel_token=token)
    assert info.value.reason == "stop connecting"
    assert time.monotonic() - started < 0.2 + PROMPTLY  # not the 10 s timeout


def test_cancel_while_waiting_for_a_pooled_connection(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    call = _one_connection(make, srv)
    busy_token, waiting_token = CancelToken(), CancelToken()
    busy_error: list[BaseException] = []

    async def scenario_async() -> None:
        busy = asyncio.create_task(
            call.api.async_get("/stall", params={"seconds": 10}, cancel_token=busy_token)
        )
        await asyncio.sleep(0.1)
        cancel_when(waiting_token, after(0.2), "no more waiting")
        started = time.monotonic()
        with pytest.raises(CancelError, match="no more waiting"):
            await call.api.async_get("/json", cancel_token=waiting_token)
        assert time.monotonic() - started < 0.2 + PROMPTLY
        busy_token.cancel("cleanup")
        with pytest.raises(CancelError):
            await busy

    def occupy() -> None:
        try:
            call.get("/stall", params={"seconds": 10}, cancel_token=busy_token)
        except BaseException as exc:
            busy_error.append(exc)

    if call.is_async:
        call.run(scenario_async())
    else:
        occupant = threading.Thread(target=occupy)
        occupant.start()
        time.sleep(0.1)
        cancel_when(waiting_token, after(0.2), "no more waiting")
        started = time.monotonic()
        with pytest.raises(CancelError) as info:
            call.get("/json", cancel_token=waiting_token)
        assert info.value.reason == "no more waiting"
        assert time.monotonic() - started < 0.2 + PROMPTLY  # not the 10 s pool timeout
        busy_token.cancel("cleanup")
        occupant.join(5)
        assert isinstance(busy_error[0], CancelError)
    assert srv.count("/json") == 0  # the waiting call sent nothing
    _assert_slot_free(call)


def test_cancel_during_the_tls_handshake_async(hole: BlackHole) -> None:
    # httpcore's anyio backend closes the TCP stream of a failed handshake on Exception only:
    # the core's async backend wrapper closes it on cancellation too
    token = CancelToken()
    cancel_when(token, hole.wait_received, "no handshake")

    async def call() -> bool:
        async with axios_python.create({"timeout": 10.0}) as api:
            with pytest.raises(CancelError, match="no handshake"):
                await api.async_get(
                    hole.url.replace("http:", "https:") + "/json", cancel_token=token
                )
            # closed while the loop still runs: not left for the loop's shutdown to find
            return await asyncio.to_thread(hole.wait_closed)

    assert asyncio.run(call())


def test_cancel_during_the_tls_handshake(api: axios_python.AxiosPython, hole: BlackHole) -> None:
    token = CancelToken()
    cancel_when(token, hole.wait_received, "no handshake")  # the ClientHello arrived
    started = time.monotonic()
    with pytest.raises(CancelError, match="no handshake"):
        api.get(hole.url.replace("http:", "https:") + "/json", cancel_token=token)
    assert time.monotonic() - started < 5 + PROMPTLY
    assert hole.wait_closed()


def test_https_through_the_abortable_connect(
    make: Callable[..., Caller], tls_cert: tuple[Path, Path]
) -> None:
    cert, key = tls_cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    body = b'{"secure": true}'

    def answer_once() -> None:
        with listener, listener.accept()[0] as conn:
            conn.settimeout(5)
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)  # the request (headers only, one read on loopback)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n"
                tls.sendall(f"{head}Content-Type: application/json\r\n\r\n".encode() + body)

    server = threading.Thread(target=answer_once)
    server.start()
    call = make({"verify": str(cert)})
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/json"
    response = call.get(url, cancel_token=CancelToken())
    server.join(5)
    assert response.data == {"secure": True}


def test_connect_timeout_with_a_token_is_still_a_timeout(
    make: Callable[..., Caller], full_listener: str
) -> None:
    call = make({"timeout": 0.3})
    started = time.monotonic()
    with pytest.raises(AxiosTimeoutError):
        call.get(full_listener + "/json", cancel_token=CancelToken())
    assert time.monotonic() - started < 0.3 + PROMPTLY


def test_refused_connect_with_a_token_is_a_network_error(make: Callable[..., Caller]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    call = make()
    with pytest.raises(NetworkError) as info:
        call.get(f"http://127.0.0.1:{port}/json", cancel_token=CancelToken())
    assert not isinstance(info.value, CancelError)
    if not call.is_async:  # httpcore's own message (async: anyio's "All connection attempts")
        assert "refused" in str(info.value).lower()


def test_connect_with_a_token_tries_every_address(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    # "localhost" resolves to ::1 and 127.0.0.1 on most systems; the server listens on IPv4
    port = srv.base_url.rsplit(":", 1)[1]
    call = make()
    response = call.get(f"http://localhost:{port}/json", cancel_token=CancelToken())
    assert response.status_code == 200


def test_connected_socket_keeps_httpcores_options(api: axios_python.AxiosPython) -> None:
    token = CancelToken()
    with api.get("/stream", params={"size": 100}, stream=True, cancel_token=token) as response:
        sock = response.extensions["network_stream"].get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert sock.gettimeout() == 10.0
        response.read()


def test_backend_connect_keeps_local_address_and_socket_options(srv: LocalServer) -> None:
    from axios_python._cancel import cancel_scope
    from axios_python._tracking import TrackedBackend

    backend = TrackedBackend(httpcore.SyncBackend())
    port = int(srv.base_url.rsplit(":", 1)[1])
    with cancel_scope(CancelToken()):
        stream = backend.connect_tcp(
            "127.0.0.1",
            port,
            timeout=5.0,
            local_address="127.0.0.1",
            socket_options=[(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)],
        )
    try:
        sock = stream.get_extra_info("socket")
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        stream.close()


def test_httpcore_internals_for_sync_cancellation() -> None:
    """What ``_tracking.py`` relies on in httpcore. If this fails after an httpcore upgrade,
    sync cancellation no longer reaches connects or pool waits: adapt ``_tracking.py``."""
    SyncStream = importlib.import_module(f"{httpcore.__name__}._backends.sync").SyncStream
    PoolRequest = importlib.import_module(f"{httpcore.__name__}._sync.connection_pool").PoolRequest

    from axios_python._tracking import TrackedBackend, _Queue, track

    for transport in (httpx.HTTPTransport(), httpx.HTTPTransport(proxy="http://127.0.0.1:9")):
        track(transport)
        pool = transport._pool
        assert isinstance(pool, httpcore.ConnectionPool)
        backend = pool._network_backend
        assert isinstance(backend, TrackedBackend)
        assert type(backend._inner) is httpcore.SyncBackend
        assert type(pool._requests) is _Queue
        assert hasattr(pool._optional_thread_lock, "__enter__")
        transport.close()
    assert list(inspect.signature(httpcore.SyncBackend.connect_tcp).parameters) == [
        "self",
        "host",
        "port",
        "timeout",
        "local_address",
        "socket_options",
    ]
    assert list(inspect.signature(SyncStream).parameters) == ["sock"]
    assert "ssl_context.wrap_socket(" in inspect.getsource(SyncStream.start_tls)
    source = inspect.getsource(httpcore.ConnectionPool.handle_request)
    assert "self._requests.append(pool_request)" in source
    assert "wait_for_connection" in source
    assert "self._requests.remove(pool_request)" in source
    for name in ("is_queued", "assign_to_connection", "wait_for_connection"):
        assert callable(getattr(PoolRequest, name))
    waiting = PoolRequest(httpcore.Request("GET", "http://example.com/"))
    assert waiting.is_queued()


def test_cancelled_scope_wakes_a_request_as_it_enters_the_pool() -> None:
    """The pool queue hook, when the cancellation came first (no real pool needed)."""
    PoolRequest = importlib.import_module(f"{httpcore.__name__}._sync.connection_pool").PoolRequest

    from axios_python._cancel import cancel_scope
    from axios_python._tracking import _Queue

    queue = _Queue(threading.Lock())
    token = CancelToken()
    token.cancel()
    waiting = PoolRequest(httpcore.Request("GET", "http://example.com/"))
    with cancel_scope(token):
        queue.append(waiting)
    assert not waiting.is_queued()
    with pytest.raises(httpcore.ConnectError, match="cancelled"):
        waiting.wait_for_connection(0).handle_request(waiting.request)


# -- subscribers that raise -----------------------------------------------------------------


def test_every_subscriber_runs_and_a_failing_one_is_logged() -> None:
    token = CancelToken()
    seen: list[str] = []

    def broken(reason: str) -> None:
        raise RuntimeError("subscriber bug")

    token.subscribe(lambda reason: seen.append("first:" + reason))
    token.subscribe(broken)
    token.subscribe(lambda reason: seen.append("last:" + reason))
    with LogCapture.on("axios_python.cancel") as logs:
        token.cancel("stop")  # does not raise
    assert seen == ["first:stop", "last:stop"]
    assert token.cancelled and token.reason == "stop"
    [record] = logs.records
    assert record.levelname == "ERROR" and "broken" in record.getMessage()
    assert record.exc_info is not None and "subscriber bug" in str(record.exc_info[1])


def test_a_failing_subscriber_on_a_cancelled_token_is_logged_not_raised() -> None:
    token = CancelToken()
    token.cancel("done")

    def broken(reason: str) -> None:
        raise ValueError(reason)

    with LogCapture.on("axios_python.cancel") as logs:
        unsubscribe = token.subscribe(broken)
    unsubscribe()
    assert len(logs.records) == 1


def test_a_subscriber_raising_keyboardinterrupt_lets_the_others_run_first() -> None:
    token = CancelToken()
    seen: list[str] = []

    def interrupt(reason: str) -> None:
        raise KeyboardInterrupt

    token.subscribe(interrupt)
    token.subscribe(seen.append)
    with pytest.raises(KeyboardInterrupt):
        token.cancel("x")
    assert seen == ["x"] and token.cancelled


def test_a_failing_subscriber_does_not_stop_the_abort(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    call = make()
    token = CancelToken()

    def broken(reason: str) -> None:
        raise RuntimeError("subscriber bug")

    token.subscribe(broken)  # first in line, ahead of the call's own abort
    cancel_when(token, after(0.3), "stop")
    started = time.monotonic()
    with LogCapture.on("axios_python.cancel") as logs, pytest.raises(CancelError, match="stop"):
        call.get("/stall", params={"seconds": 10}, cancel_token=token)
    assert time.monotonic() - started < 0.3 + PROMPTLY
    assert len(logs.records) == 1


# -- reuse and races ------------------------------------------------------------------------


def test_one_token_reused_by_many_calls_leaves_nothing_subscribed(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    call = make()
    call.api.use(lambda ctx, next_fn: next_fn(ctx))
    token = CancelToken()
    for _ in range(20):
        assert call.get("/json", cancel_token=token).status_code == 200
    response = call.get("/stream", params={"size": 10}, stream=True, cancel_token=token)
    if call.is_async:
        call.run(response.aread())
        call.run(response.aclose())
    else:
        response.read()
        response.close()
    assert token._callbacks == []
    token.cancel("later")  # cancelling after the calls returned touches no pooled connection
    assert call.get("/json").status_code == 200
    assert srv.connections_accepted == 1
    with pytest.raises(CancelError, match="later"):
        call.get("/json", cancel_token=token)  # a cancelled token fails new calls at once
    assert srv.count("/json") == 21


def test_a_late_cancel_after_the_attempt_returned_touches_nothing() -> None:
    """A cancel() that took the subscriber list just before the call unsubscribed may still
    run the scope's callback: a closed scope leaves the (pooled) socket alone."""
    from axios_python._cancel import cancel_scope, current_scope

    left, right = socket.socketpair()
    try:

        class Stream:
            def get_extra_info(self, info: str) -> Any:
                return left if info == "socket" else None

        token = CancelToken()
        with cancel_scope(token):
            scope = current_scope()
            assert scope is not None
            scope.bind(Stream())
        scope.cancel("late")  # as a racing cancel() would, after the unsubscribe
        right.sendall(b"ping")
        assert left.recv(4) == b"ping"  # not shut down
    finally:
        left.close()
        right.close()


def _race_once() -> None:
    token = CancelToken()
    calls: dict[int, int] = {}
    kept: set[int] = set()
    lock = threading.Lock()
    start = threading.Barrier(5)

    def record(key: int) -> Callable[[str], None]:
        def callback(reason: str) -> None:
            with lock:
                calls[key] = calls.get(key, 0) + 1

        return callback

    def churn(base: int) -> None:
        start.wait()
        for i in range(base, base + 200):
            unsubscribe = token.subscribe(record(i))
            if i % 2:
                unsubscribe()
            else:
                with lock:
                    kept.add(i)

    threads = [threading.Thread(target=churn, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    start.wait()
    token.cancel("race")
    for thread in threads:
        thread.join(5)
    assert all(count == 1 for count in calls.values())  # nobody is called twice
    assert kept <= set(calls)  # every callback still subscribed was called
    assert token._callbacks == []


def test_subscribe_unsubscribe_and_cancel_racing() -> None:
    for _ in range(20):
        _race_once()


def test_many_threads_sharing_a_token_all_stop(api: axios_python.AxiosPython) -> None:
    """Calls starting and ending (subscribing and unsubscribing) while the token is cancelled:
    every thread stops with the token's CancelError, none hangs, nothing stays subscribed."""
    token = CancelToken()
    outcomes: list[BaseException | None] = []
    lock = threading.Lock()

    def worker() -> None:
        error: BaseException | None = None
        try:
            while True:
                api.get("/echo", params={"delay": 0.01}, cancel_token=token)
        except BaseException as exc:
            error = exc
        with lock:
            outcomes.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    token.cancel("shutdown")
    for thread in threads:
        thread.join(PROMPTLY)
    assert len(outcomes) == 8
    assert all(isinstance(e, CancelError) and e.reason == "shutdown" for e in outcomes)
    assert token._callbacks == []
