"""httpx's read timeout on the aiohttp transport: a limit on every wait for bytes, started again
whenever bytes arrive, kept with one moving timer per connection (``_aiohttp_read_timer``).
Each test runs with that timer and with aiohttp's own (a timer per read), which must behave
alike: a slow but steady body is read whole, a silent server fails the read, a shorter timeout
on a reused connection holds, and no timer outlives its connection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import axios_python
from axios_python import TimeoutError as AxiosTimeoutError
from axios_python import _aiohttp_read_timer
from axios_python.engine import httpx
from axios_python.testing import LocalServer, Reply

ONE_TIMER = "one timer per connection"
AIOHTTP_TIMERS = "aiohttp's timer per read"


@pytest.fixture(params=[ONE_TIMER, AIOHTTP_TIMERS])
def timer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which read timer the connections of the test's instance keep."""
    checked = [False] if request.param == AIOHTTP_TIMERS else []
    monkeypatch.setattr(_aiohttp_read_timer, "_checked", checked)
    return str(request.param)


@pytest.fixture
def api(local_server: LocalServer, timer: str) -> Iterator[axios_python.AxiosPython]:
    """An instance on the aiohttp transport with one connection, so every call reuses it."""
    instance = axios_python.create(
        {
            "base_url": local_server.base_url,
            "transport": "aiohttp",
            "limits": httpx.Limits(max_connections=1),
        }
    )
    yield instance
    instance.close()


def _read_timers() -> list[asyncio.TimerHandle]:
    """The running loop's pending timers that belong to a connection (asyncio keeps its timers
    in ``_scheduled``; cancelled ones stay there until it cleans them out)."""
    from aiohttp.client_proto import ResponseHandler

    scheduled: list[asyncio.TimerHandle] = asyncio.get_running_loop()._scheduled  # type: ignore[attr-defined]
    return [
        handle
        for handle in scheduled
        if not handle.cancelled()
        and isinstance(
            getattr(getattr(handle, "_callback", None), "__self__", None), ResponseHandler
        )
    ]


async def test_a_slow_but_steady_body_is_read_whole(
    api: axios_python.AxiosPython, local_server: LocalServer
) -> None:
    # six pieces 0.1 s apart: 0.5 s in all, longer than the read timeout, but no wait is
    steady = Reply(chunks=[b"0123456789"] * 6, chunk_delay=0.1)
    local_server.route("/steady", lambda request: steady)
    whole = await api.async_get("/steady", timeout=0.35)
    assert whole.content == b"0123456789" * 6
    async with await api.async_get("/steady", timeout=0.35, stream=True) as streamed:
        assert await streamed.aread() == b"0123456789" * 6


async def test_a_silent_server_fails_the_read(api: axios_python.AxiosPython) -> None:
    with pytest.raises(AxiosTimeoutError) as before_headers:
        await api.async_get("/stall?seconds=5", timeout=0.3)
    assert isinstance(before_headers.value.__cause__, httpx.ReadTimeout)

    with pytest.raises(AxiosTimeoutError) as before_body:  # the headers came, the body did not
        await api.async_get("/stall?seconds=5&after_headers=1", timeout=0.3)
    assert isinstance(before_body.value.__cause__, httpx.ReadTimeout)

    assert (await api.async_get("/json")).status_code == 200


async def test_a_shorter_timeout_on_a_reused_connection_holds(
    api: axios_python.AxiosPython,
) -> None:
    # the connection's timer was last armed 30 s ahead; the next wait may last only 0.3 s. A
    # timer left at 30 s would let the 3 s stall answer, and the call would succeed.
    assert (await api.async_get("/json", timeout=30.0)).status_code == 200
    with pytest.raises(AxiosTimeoutError):
        await api.async_get("/stall?seconds=3", timeout=0.3)


async def test_no_timer_outlives_its_connection(api: axios_python.AxiosPython, timer: str) -> None:
    for _ in range(20):
        assert (await api.async_get("/json", timeout=30.0)).status_code == 200
    if timer == ONE_TIMER:  # the kept-alive connection's one timer, armed 30 s ahead
        assert len(_read_timers()) <= 1
        assert _aiohttp_read_timer._checked == [True]
    await api.aclose()
    assert _read_timers() == []
