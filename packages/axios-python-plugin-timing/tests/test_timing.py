"""TimingPlugin through the public API, on the sync and the async path, against loopback."""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPython, Dual, FixedDelay, NetworkError, Response
from axios_python.testing import LocalServer
from axios_python_plugin_timing import TimingPlugin, Timings, get_timings

LOGGER = "axios_python.timing"


def _client(srv: LocalServer, plugin: TimingPlugin, **config: Any) -> AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0, **config})
    api.plugin(plugin)
    return api


def _timings(response: Response) -> Timings:
    timings = get_timings(response)
    assert timings is not None
    attribute: object = response.timings  # type: ignore[attr-defined]  # what users write
    assert attribute is timings
    return timings


def _line(srv: LocalServer, path: str, result: str = "HTTP 200", method: str = "GET") -> str:
    """The seed's format: ``[GET] https://api.github.com/users/octocat — 91.4ms (HTTP 200)``."""
    url = re.escape(srv.base_url + path)
    return rf"^\[{method}\] {url} — \d+\.\dms \({re.escape(result)}\)$"


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


# -- the log line -------------------------------------------------------------------------


def test_log_line_matches_the_seed_format_sync(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    api = _client(srv, TimingPlugin())
    api.get("/json")
    api.get("/echo", params={"q": "timing"})
    api.post("/status/201")
    api.close()
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in records] == [logging.INFO] * 3
    first, second, third = (r.getMessage() for r in records)
    assert re.match(_line(srv, "/json"), first), first
    assert re.match(_line(srv, "/echo?q=timing"), second), second
    assert re.match(_line(srv, "/status/201", "HTTP 201", "POST"), third), third


async def test_log_line_matches_the_seed_format_async(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    api = _client(srv, TimingPlugin())
    await api.async_get("/json")
    await api.async_request("delete", "/status/404")
    await api.aclose()
    first, second = _messages(caplog)
    assert re.match(_line(srv, "/json"), first), first
    assert re.match(_line(srv, "/status/404", "HTTP 404", "DELETE"), second), second


def test_logged_milliseconds_are_the_total(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    api = _client(srv, TimingPlugin())
    timings = _timings(api.get("/echo", params={"delay": "0.2"}))
    api.close()
    (message,) = _messages(caplog)
    match = re.search(r" — (\d+\.\d)ms ", message)
    assert match is not None
    assert float(match.group(1)) == round(timings.total * 1000, 1)
    assert timings.total >= 0.2


def test_logger_name_level_and_log_off(srv: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = _client(srv, TimingPlugin("metrics.http", level="DEBUG"))
    api.get("/json")
    api.close()
    quiet = _client(srv, TimingPlugin(log=False))
    response = quiet.get("/json")
    quiet.close()
    records = [r for r in caplog.records if r.name in ("metrics.http", LOGGER)]
    assert [(r.name, r.levelno) for r in records] == [("metrics.http", logging.DEBUG)]
    assert get_timings(response) is not None  # log=False still measures


def test_failed_call_is_logged_and_timed(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    api = _client(srv, TimingPlugin())
    with pytest.raises(NetworkError) as caught:
        api.get("/drop")
    api.close()
    (message,) = _messages(caplog)
    assert re.match(_line(srv, "/drop", "failed: NetworkError"), message), message
    timings = get_timings(caught.value)
    assert timings is not None and len(timings.attempts) == 1


# -- total, attempts, back-off ------------------------------------------------------------

_RETRY = {"max_retries": 2, "retry_strategy": FixedDelay(0.2, retry_on_status=[503])}


def _check_retried(timings: Timings) -> None:
    assert len(timings.attempts) == 3
    assert timings.retries == 2
    assert timings.total >= 0.4  # the two waits of 0.2 s
    # attempts and waits are disjoint stretches of the call: the total holds them all
    assert timings.total >= sum(timings.attempts) + 0.4
    assert all(duration > 0 for duration in timings.attempts)


def test_total_includes_retries_and_backoff_sync(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin(), **_RETRY)
    response = api.get("/flaky", params={"key": "timing-sync", "fail": "2"})
    api.close()
    assert response.data == {"key": "timing-sync", "attempt": 3}
    _check_retried(_timings(response))


async def test_total_includes_retries_and_backoff_async(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin(), **_RETRY)
    response = await api.async_get("/flaky", params={"key": "timing-async", "fail": "2"})
    await api.aclose()
    assert response.data == {"key": "timing-async", "attempt": 3}
    _check_retried(_timings(response))


def test_concurrent_calls_keep_their_own_timings_sync(srv: LocalServer) -> None:
    api = _client(
        srv, TimingPlugin(), max_retries=3, retry_strategy=FixedDelay(0.05, retry_on_status=[503])
    )

    def one(n: int) -> tuple[int, int]:
        fail = n % 3
        response = api.get("/flaky", params={"key": f"t{n}", "fail": str(fail)})
        return fail, len(_timings(response).attempts)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(24)))
    api.close()
    assert all(attempts == fail + 1 for fail, attempts in results), results


async def test_concurrent_calls_keep_their_own_timings_async(srv: LocalServer) -> None:
    api = _client(
        srv, TimingPlugin(), max_retries=3, retry_strategy=FixedDelay(0.05, retry_on_status=[503])
    )

    async def one(n: int) -> tuple[int, int]:
        fail = n % 3
        response = await api.async_get("/flaky", params={"key": f"a{n}", "fail": str(fail)})
        return fail, len(_timings(response).attempts)

    results = await asyncio.gather(*(one(n) for n in range(24)))
    await api.aclose()
    assert all(attempts == fail + 1 for fail, attempts in results), results


# -- connection phases --------------------------------------------------------------------


def _check_fresh_then_reused(first: Timings, second: Timings) -> None:
    assert first.connect is not None and first.connect > 0
    assert first.tls is None  # plain http
    for timings in (first, second):
        assert timings.send is not None and timings.waiting is not None
        assert timings.download is not None
        phases = timings.send + timings.waiting + timings.download
        assert phases <= timings.attempts[-1] <= timings.total
    assert second.connect is None  # the keep-alive connection was reused
    assert second.tls is None


def test_phases_new_then_keep_alive_connection_sync(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    first = _timings(api.get("/json"))
    second = _timings(api.get("/json"))
    api.close()
    _check_fresh_then_reused(first, second)
    assert srv.connections_accepted == 1


async def test_phases_new_then_keep_alive_connection_async(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    first = _timings(await api.async_get("/json"))
    second = _timings(await api.async_get("/json"))
    await api.aclose()
    _check_fresh_then_reused(first, second)
    assert srv.connections_accepted == 1


# Lower bounds only, with slack: the client may see an event later than it happened (a loaded
# machine), which moves a phase's edge by a few milliseconds, never by 0.2 s.


def test_waiting_covers_the_server_think_time_sync(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    timings = _timings(api.get("/echo", params={"delay": "0.5"}))
    api.close()
    assert timings.waiting is not None and timings.waiting >= 0.3
    assert timings.download is not None and timings.download < timings.waiting


async def test_download_covers_a_slow_body_async(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    # headers at once, the body half a second later
    response = await api.async_get("/stall", params={"seconds": "0.5", "after_headers": "1"})
    await api.aclose()
    timings = _timings(response)
    assert response.content == b"0123456789"
    assert timings.download is not None and timings.download >= 0.3
    assert timings.waiting is not None and timings.waiting < timings.download


def test_phases_of_the_last_redirect_hop_sync(srv: LocalServer) -> None:
    with LocalServer() as other:
        api = _client(srv, TimingPlugin())
        api.get("/json")  # warm the connection to srv
        response = api.get("/redirect", params={"to": other.url("/json")})
        api.close()
    assert response.data == {"hello": "world", "items": [1, 2, 3]}
    timings = _timings(response)
    assert len(timings.attempts) == 1
    assert timings.connect is not None  # the hop to the other server opened a connection


def test_stream_reports_time_to_headers_sync(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    with api.get("/stream", params={"size": "1000"}, stream=True) as response:
        timings = _timings(response)
        assert response.read() == bytes(i % 251 for i in range(1000))
    api.close()
    assert timings.download is None
    assert timings.waiting is not None and timings.connect is not None
    assert _timings(response) is timings  # reading the body later changes nothing


async def test_stream_reports_time_to_headers_async(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())
    async with await api.async_get("/stream", params={"lines": "3"}, stream=True) as response:
        lines = [line async for line in response.aiter_lines()]
    await api.aclose()
    assert lines == ["line 0", "line 1", "line 2"]
    timings = _timings(response)
    assert timings.download is None and timings.waiting is not None


def test_no_phases_when_nothing_was_sent(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin())

    def mock(ctx: dict[str, Any], next_fn: Any) -> Response:
        return Response(status_code=200, data={"mocked": True})

    api.use(mock)  # after the plugin: short-circuits under it
    timings = _timings(api.get("/json"))
    api.close()
    assert timings.attempts == ()
    assert (timings.connect, timings.tls, timings.send, timings.waiting) == (None,) * 4
    assert timings.download is None
    assert srv.requests == []


def test_trace_false_keeps_durations_only(srv: LocalServer) -> None:
    api = _client(srv, TimingPlugin(trace=False))
    timings = _timings(api.get("/json"))
    api.close()
    assert len(timings.attempts) == 1
    assert timings.connect is None and timings.waiting is None


def test_users_trace_callback_still_called_sync(srv: LocalServer) -> None:
    events: list[str] = []

    def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    api = _client(srv, TimingPlugin(), extensions={"trace": trace})
    timings = _timings(api.get("/json"))
    api.close()
    assert "connection.connect_tcp.started" in events
    assert "http11.receive_response_body.complete" in events
    assert timings.connect is not None


async def test_users_trace_callback_still_called_async(srv: LocalServer) -> None:
    events: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    api = _client(srv, TimingPlugin())
    timings = _timings(await api.async_get("/json", extensions={"trace": trace}))
    await api.aclose()
    assert "connection.connect_tcp.started" in events
    assert "http11.receive_response_headers.complete" in events
    assert timings.connect is not None


# -- on_timing ----------------------------------------------------------------------------

Seen = list[tuple[Timings, Any, dict[str, Any]]]


def test_on_timing_gets_responses_and_errors_sync(srv: LocalServer) -> None:
    seen: Seen = []
    api = _client(srv, TimingPlugin(on_timing=lambda t, o, c: seen.append((t, o, c))))
    response = api.get("/json")
    with pytest.raises(NetworkError) as caught:
        api.get("/drop")
    api.close()
    (t1, o1, c1), (t2, o2, c2) = seen
    assert o1 is response and t1 is _timings(response) and c1["url"].endswith("/json")
    assert o2 is caught.value and t2 is get_timings(caught.value) and c2["url"].endswith("/drop")


async def test_on_timing_gets_responses_and_errors_async(srv: LocalServer) -> None:
    seen: Seen = []
    api = _client(srv, TimingPlugin(on_timing=lambda t, o, c: seen.append((t, o, c))))
    response = await api.async_get("/json")
    with pytest.raises(NetworkError) as caught:
        await api.async_get("/drop")
    await api.aclose()
    assert [o for _, o, _ in seen] == [response, caught.value]
    assert seen[0][0] is _timings(response)


def test_on_timing_dual_uses_the_matching_form(srv: LocalServer) -> None:
    used: list[str] = []

    async def async_form(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        used.append("async")

    on_timing = Dual(sync=lambda t, o, c: used.append("sync"), async_=async_form)
    api = _client(srv, TimingPlugin(on_timing=on_timing))
    api.get("/json")

    async def scenario() -> None:
        await api.async_get("/json")
        await api.aclose()

    asyncio.run(scenario())
    assert used == ["sync", "async"]


async def test_on_timing_failure_does_not_fail_the_call(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        raise RuntimeError("metrics backend down")

    caplog.set_level(logging.INFO, logger=LOGGER)
    api = _client(srv, TimingPlugin(on_timing=broken))
    assert (await api.async_get("/json")).status_code == 200
    await api.aclose()
    api2 = _client(srv, TimingPlugin(on_timing=broken))
    assert api2.get("/json").status_code == 200
    api2.close()
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 2
    assert all("metrics backend down" in str(r.exc_info[1]) for r in failures if r.exc_info)


async def test_cancelled_task_is_reported(srv: LocalServer) -> None:
    seen: Seen = []
    api = _client(srv, TimingPlugin(on_timing=lambda t, o, c: seen.append((t, o, c))))
    task = asyncio.create_task(api.async_get("/stall", params={"seconds": "5"}))
    while srv.count("/stall") == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await api.aclose()
    ((timings, outcome, _),) = seen
    assert isinstance(outcome, asyncio.CancelledError)
    assert len(timings.attempts) == 1


# -- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "mentions"),
    [
        ({"logger_name": ""}, TypeError, "logger_name"),
        ({"level": "LOUD"}, ValueError, "'LOUD'"),
        ({"level": 2.5}, TypeError, "2.5"),
        ({"log": "yes"}, TypeError, "'yes'"),
        ({"trace": None}, TypeError, "trace"),
        ({"on_timing": 42}, TypeError, "42"),
    ],
)
def test_bad_options_are_named(
    kwargs: dict[str, Any], error: type[Exception], mentions: str
) -> None:
    with pytest.raises(error, match=re.escape(mentions)):
        TimingPlugin(**kwargs)


def test_async_only_on_timing_is_refused() -> None:
    async def metrics(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        pass

    with pytest.raises(TypeError, match="Dual"):
        TimingPlugin(on_timing=metrics)


def test_built_by_name_with_options(srv: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    api = axios_python.create(
        {"base_url": srv.base_url, "plugins": [("timing", {"level": "DEBUG"})]}
    )
    (plugin,) = api.plugins
    assert isinstance(plugin, TimingPlugin)
    api.get("/json")
    api.remove_plugin("timing")
    api.get("/json")
    api.close()
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in records] == [logging.DEBUG]


def test_exported_names() -> None:
    import axios_python_plugin_timing as package

    assert package.__all__ == ["OnTiming", "TimingPlugin", "Timings", "__version__", "get_timings"]
    assert package.__version__ == "1.0.0"
    assert TimingPlugin.name == "timing"
    assert axios_python.TimingPlugin is TimingPlugin
