"""A finished call leaves no reference cycle: once the caller drops the response, everything
the call made (request, response, config, call state, redirect policy) is freed at once, not
by the garbage collector later. httpx binds a response and its stream to each other; the core
unbinds them once the body is read or the response closed, the call state lets go of the call's
configurations when the call ends, and a context copied during the call (by the event loop, for
a pooled connection's reader or timers) holds the call's state only weakly."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import axios_python
from axios_python import Response, call_state
from axios_python.engine import httpx
from axios_python.testing import LocalServer


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The cyclic collector paused, so only reference counting frees objects."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Note:
    """A plugin's per-call data."""

    def __init__(self, url: str) -> None:
        self.url = url


def _refs(response: Response) -> list[weakref.ref[Any]]:
    note = call_state(response.config).peek(_with_attempt_hook)
    assert isinstance(note, _Note)  # the call's state, reached through the response
    hops = [weakref.ref(hop) for hop in response.history]
    return [weakref.ref(response), weakref.ref(response.request), weakref.ref(note), *hops]


def _with_attempt_hook(api: axios_python.AxiosPython) -> None:
    # what a plugin does: keeps per-call data in a slot and passes a copied config on
    def note(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Response]) -> Response:
        call_state(ctx).slot(_with_attempt_hook, lambda: _Note(ctx["url"]))
        return next_fn(ctx.copy())

    api.use(note, scope="attempt")


async def _get(api: axios_python.AxiosPython, url: str, mode: str) -> Response:
    return api.get(url) if mode == "sync" else await api.async_get(url)


#: How a call is made: sync, async, and async on the aiohttp transport (whose pooled
#: connections keep, in their reader and timers, the context of the call that opened them).
MODES = [("sync", "default"), ("async", "default"), ("async", "aiohttp")]


def _config(srv: LocalServer, transport: str, **more: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"base_url": srv.base_url, **more}
    if transport == "aiohttp":
        config["transport"] = "aiohttp"
    return config


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize(("mode", "transport"), MODES)
@pytest.mark.parametrize("url", ["/json", "/redirect?to=/json"])
async def test_a_dropped_response_is_freed_at_once(
    srv: LocalServer, url: str, mode: str, transport: str
) -> None:
    async with axios_python.create(_config(srv, transport)) as api:
        _with_attempt_hook(api)
        response = await _get(api, url, mode)
        assert response.data  # the body was read
        assert isinstance(response.stream, httpx.ByteStream)
        assert b"".join(response.stream) == response.content
        refs = _refs(response)
        assert len(refs) == (4 if "redirect" in url else 3)
        del response
        await asyncio.sleep(0)  # the loop runs the callbacks already scheduled (they hold it)
        assert [ref() for ref in refs] == [None] * len(refs)


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize(("mode", "transport"), MODES)
@pytest.mark.parametrize("url", ["/json", "/redirect?to=/json"])
@pytest.mark.parametrize("read", [True, False])
async def test_a_closed_streamed_response_is_freed_at_once(
    srv: LocalServer, url: str, mode: str, read: bool, transport: str
) -> None:
    async with axios_python.create(_config(srv, transport, stream=True)) as api:
        _with_attempt_hook(api)
        response = await _get(api, url, mode)
        if mode == "sync":
            body = b"".join(response.iter_bytes()) if read else b""
            response.close()
        else:
            body = b"".join([chunk async for chunk in response.aiter_bytes()]) if read else b""
            await response.aclose()
        assert (b'"hello"' in body) is read
        assert response.is_closed and response.elapsed.total_seconds() > 0
        refs = _refs(response)
        del response
        await asyncio.sleep(0)
        assert [ref() for ref in refs] == [None] * len(refs)


class _LingeringPool(concurrent.futures.ThreadPoolExecutor):
    """Runs each job on its own thread, which stays in the job after finishing it (as a pool's
    worker thread may, when the machine is busy) until ``release``."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)  # never used: submit below starts its own threads
        self.released = threading.Event()
        self.threads: list[threading.Thread] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def work() -> None:
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # pragma: no cover - the jobs here succeed
                future.set_exception(error)
            else:
                future.set_result(result)
            self.released.wait(10)  # the job's result is still in this frame meanwhile

        thread = threading.Thread(target=work)
        thread.start()
        self.threads.append(thread)
        return future

    def release(self) -> None:
        self.released.set()
        for thread in self.threads:
            thread.join(10)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.release()


@pytest.mark.usefixtures("collector_off")
def test_a_worker_thread_keeps_no_response(srv: LocalServer) -> None:
    # an async call through a sync-only middleware runs that middleware on a worker thread;
    # the response must not stay with the thread once the middleware returned it
    pool = _LingeringPool()

    async def call() -> list[weakref.ref[Any]]:
        asyncio.get_running_loop().set_default_executor(pool)
        async with axios_python.create({"base_url": srv.base_url}) as api:
            _with_attempt_hook(api)
            response = await api.async_get("/json")
            refs = _refs(response)
            del response
            await asyncio.sleep(0)
            assert [ref() for ref in refs] == [None] * len(refs)
            return refs

    try:
        asyncio.run(call())
    finally:
        pool.release()


@pytest.mark.usefixtures("collector_off")
def test_a_sync_call_in_async_code_leaves_no_response_with_the_bridge(
    srv: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a sync call made where a loop runs, through an async-only middleware, runs that
    # middleware on a bridge thread's loop; the response must not stay with that thread
    from axios_python import _bridge

    pool = _LingeringPool()
    monkeypatch.setattr(_bridge, "_executor", pool)

    async def passing(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Response:
        return await next_fn(ctx)  # type: ignore[no-any-return]

    async def call() -> None:
        async with axios_python.create({"base_url": srv.base_url}) as api:
            _with_attempt_hook(api)
            api.use(passing)
            response = api.get("/json")  # blocks this loop: the caller chose to
            refs = _refs(response)
            del response
            assert [ref() for ref in refs] == [None] * len(refs)

    try:
        asyncio.run(call())
    finally:
        pool.release()


@pytest.mark.usefixtures("collector_off")
def test_the_loop_a_sync_call_makes_for_its_thread_keeps_no_call(srv: LocalServer) -> None:
    # a sync call through an async-only middleware runs it on a loop the thread keeps for its
    # later calls; the call that made that loop must not stay with it
    async def passing(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Response:
        return await next_fn(ctx)  # type: ignore[no-any-return]

    found: list[list[Any]] = []

    def on_a_new_thread() -> None:
        with axios_python.create({"base_url": srv.base_url}) as api:
            _with_attempt_hook(api)
            api.use(passing)
            response = api.get("/json")
            refs = _refs(response)
            del response
            found.append([ref() for ref in refs])

    thread = threading.Thread(target=on_a_new_thread)
    thread.start()
    thread.join(30)
    assert found == [[None, None, None]]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_the_read_response_still_behaves_as_read(srv: LocalServer, mode: str) -> None:
    async with axios_python.create({"base_url": srv.base_url}) as api:
        response = await _get(api, "/json", mode)
        body = response.content
        assert response.is_closed and response.is_stream_consumed
        assert response.elapsed.total_seconds() > 0  # kept with the plain stream (httpx2 too)
        followed = await _get(api, "/redirect?to=/json", mode)
        assert followed.elapsed.total_seconds() > 0
        assert followed.history[0].elapsed.total_seconds() > 0
        if mode == "sync":
            assert response.read() == body and list(response.iter_bytes()) == [body]
            response.close()  # a no-op, as on any read response
        else:
            assert await response.aread() == body
            assert [chunk async for chunk in response.aiter_bytes()] == [body]
            await response.aclose()
        assert response.clone().content == body
