"""A finished call leaves no reference cycle: once the caller drops the response, everything
the call made (request, response, config, call state, redirect policy) is freed at once, not
by the garbage collector later. httpx binds a response and its stream to each other; the core
unbinds them once the body is read, and the call state lets go of the call's configurations
when the call ends."""

from __future__ import annotations

import asyncio
import gc
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


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("url", ["/json", "/redirect?to=/json"])
async def test_a_dropped_response_is_freed_at_once(srv: LocalServer, url: str, mode: str) -> None:
    async with axios_python.create({"base_url": srv.base_url}) as api:
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


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_the_read_response_still_behaves_as_read(srv: LocalServer, mode: str) -> None:
    async with axios_python.create({"base_url": srv.base_url}) as api:
        response = await _get(api, "/json", mode)
        body = response.content
        assert response.is_closed and response.is_stream_consumed
        if mode == "sync":
            assert response.read() == body and list(response.iter_bytes()) == [body]
            response.close()  # a no-op, as on any read response
        else:
            assert await response.aread() == body
            assert [chunk async for chunk in response.aiter_bytes()] == [body]
            await response.aclose()
        assert response.clone().content == body
