"""An idle keep-alive connection the server closed is not used again. httpcore asks every idle
connection of the pool whether its socket is readable (the server closed it) each time it hands
out connections; on the async path the core's streams answer from the socket they looked up
once (``_tracking._ClosingAsyncStream``), which must be httpcore's own answer."""

from __future__ import annotations

import asyncio
from typing import Any

import axios_python
from axios_python.testing import LocalServer, Reply


def _pooled_streams(api: axios_python.AxiosPython) -> list[Any]:
    """The network streams of the pooled connections of ``api``'s default async client on the
    running loop (httpcore's internals)."""
    client = api._transports._async[asyncio.get_running_loop()].default
    return [
        connection._connection._network_stream
        for connection in client._transport._pool._connections
        if connection._connection is not None
    ]


async def _until_readable(stream: Any) -> None:
    """Wait until the server's close has reached ``stream`` (bounded: the test fails rather than
    hang)."""
    for _ in range(500):
        if stream._inner.get_extra_info("is_readable"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server's close never reached the client")


async def test_the_answer_is_httpcores_and_a_closed_connection_is_not_reused(
    local_server: LocalServer,
) -> None:
    local_server.route("/then-close", lambda request: Reply(body=b"ok", close_after=True))
    async with axios_python.create({"base_url": local_server.base_url}) as api:
        assert (await api.async_get("/json")).status_code == 200
        (stream,) = _pooled_streams(api)
        assert type(stream).__name__ == "_ClosingAsyncStream"
        assert stream.get_extra_info("is_readable") is stream._inner.get_extra_info("is_readable")
        assert stream.get_extra_info("is_readable") is False  # open and idle

        assert (await api.async_get("/then-close")).content == b"ok"  # the same connection
        assert local_server.connections_accepted == 1
        await _until_readable(stream)
        assert stream.get_extra_info("is_readable") is True  # closed by the server

        # the pool sees it closed, drops it and opens another: no failed send, no resend
        assert (await api.async_post("/echo", json={"n": 1})).status_code == 200
        assert local_server.connections_accepted == 2
        assert [r.path for r in local_server.requests].count("/echo") == 1


async def test_other_questions_go_to_the_stream(local_server: LocalServer) -> None:
    async with axios_python.create({"base_url": local_server.base_url}) as api:
        await api.async_get("/json")
        (stream,) = _pooled_streams(api)
        for info in ("socket", "server_addr", "client_addr", "ssl_object", "unknown"):
            assert stream.get_extra_info(info) == stream._inner.get_extra_info(info)
