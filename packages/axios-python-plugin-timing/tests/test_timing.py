"""TimingPlugin through the public API, on the sync and the async path, against loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import AxiosPython, Dual, FixedDelay, NetworkError, Response
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply
from axios_python_plugin_timing import TimingPlugin, Timings, _trace, get_timings

LOGGER = "axios_python.timing"
MakeCaller = Callable[..., Caller]
TimingsOf = Callable[[Response], Timings]


def _timed(make_caller: MakeCaller, plugin: TimingPlugin | None = None, **config: Any) -> Caller:
    return make_caller({"plugins": [plugin or TimingPlugin()], **config})


# -- the log line -------------------------------------------------------------------------


def test_log_line_matches_the_seed_format(
    make_caller: MakeCaller, local_server: LocalServer, timing_log: Any
) -> None:
    call = _timed(make_caller)
    call.get("/json")
    call.get("/echo", params={"q": "timing"})
    call.post("/status/201")
    call.delete("/status/404")
    base = local_server.base_url
    assert [r.levelno for r in timing_log.records] == [logging.INFO] * 4
    expected = [
        timing_log.line(f"{base}/json"),
        timing_log.line(f"{base}/echo?q=timing"),
        timing_log.line(f"{base}/status/201", "HTTP 201", "POST"),
        timing_log.line(f"{base}/status/404", "HTTP 404", "DELETE"),
    ]
    for pattern, message in zip(expected, timing_log.messages, strict=True):
        assert re.match(pattern, message), message


def test_log_line_shows_the_wire_url_with_secrets_masked(
    make_caller: MakeCaller, local_server: LocalServer, timing_log: Any
) -> None:
    """The issue's defect: the URL's own query was lost and ``api_key`` logged in clear."""
    call = _timed(make_caller)
    response = call.get("/echo?page=1", params={"api_key": "SECRET-1234"})
    assert response.data["query"] == {"page": ["1"], "api_key": ["SECRET-1234"]}  # as sent
    (message,) = timing_log.messages
    url = f"{local_server.base_url}/echo?page=1&api_key=***"
    assert re.match(timing_log.line(url), message), message
    assert "SECRET-1234" not in timing_log.everything


class _TicketPlugin:
    """Another plugin putting a credential in a query parameter of its own naming."""

    name = "ticket"

    def attach(self, client: AxiosPython) -> None:
        client.secrets.register(params=["ticket"])


def test_log_line_masks_names_other_plugins_registered(
    make_caller: MakeCaller, local_server: LocalServer, timing_log: Any
) -> None:
    call = make_caller({"plugins": [TimingPlugin(), _TicketPlugin()]})
    call.get("/echo", params={"ticket": "T-98765", "page": "2"})
    (message,) = timing_log.messages
    url = f"{local_server.base_url}/echo?ticket=***&page=2"
    assert re.match(timing_log.line(url), message), message
    assert "T-98765" not in timing_log.everything


def test_log_line_masks_userinfo(
    make_caller: MakeCaller, local_server: LocalServer, timing_log: Any
) -> None:
    call = _timed(make_caller)
    host = local_server.base_url.partition("://")[2]
    response = call.get(f"http://alice:hunter2@{host}/echo")
    assert response.data["headers"]["authorization"].startswith("Basic ")
    (message,) = timing_log.messages
    assert re.match(timing_log.line(f"http://***:***@{host}/echo"), message), message
    assert "hunter2" not in timing_log.everything and "alice" not in timing_log.everything


def test_logged_milliseconds_are_the_total(
    make_caller: MakeCaller, timing_log: Any, timings_of: TimingsOf
) -> None:
    call = _timed(make_caller)
    timings = timings_of(call.get("/echo", params={"delay": "0.2"}))
    (message,) = timing_log.messages
    match = re.search(r" — (\d+\.\d)ms ", message)
    assert match is not None
    assert float(match.group(1)) == round(timings.total * 1000, 1)
    assert timings.total >= 0.2


def test_logger_name_level_and_log_off(make_caller: MakeCaller, timing_log: Any) -> None:
    _timed(make_caller, TimingPlugin("metrics.http", level="DEBUG")).get("/json")
    response = _timed(make_caller, TimingPlugin(log=False)).get("/json")
    records = [r for r in timing_log.caplog.records if r.name in ("metrics.http", LOGGER)]
    assert [(r.name, r.levelno) for r in records] == [("metrics.http", logging.DEBUG)]
    assert get_timings(response) is not None  # log=False still measures


def test_failed_call_is_logged_and_timed(
    make_caller: MakeCaller, local_server: LocalServer, timing_log: Any
) -> None:
    call = _timed(make_caller)
    with pytest.raises(NetworkError) as caught:
        call.get("/drop")
    (message,) = timing_log.messages
    pattern = timing_log.line(f"{local_server.base_url}/drop", "failed: NetworkError")
    assert re.match(pattern, message), message
    timings = get_timings(caught.value)
    assert timings is not None and len(timings.attempts) == 1


# -- total, attempts, back-off ------------------------------------------------------------


def test_total_includes_retries_and_backoff(make_caller: MakeCaller, timings_of: TimingsOf) -> None:
    retry = FixedDelay(0.2, retry_on_status=[503])
    call = _timed(make_caller, max_retries=2, retry_strategy=retry)
    response = call.get("/flaky", params={"key": "timing", "fail": "2"})
    assert response.data == {"key": "timing", "attempt": 3}
    timings = timings_of(response)
    assert len(timings.attempts) == 3
    assert timings.retries == 2
    # attempts and the two waits of 0.2 s are disjoint stretches of the call: the total holds all
    assert timings.total >= sum(timings.attempts) + 0.4
    assert all(duration > 0 for duration in timings.attempts)


def _retrying(server: LocalServer) -> AxiosPython:
    config = {
        "base_url": server.base_url,
        "timeout": 10.0,
        "max_retries": 3,
        "retry_strategy": FixedDelay(0.05, retry_on_status=[503]),
    }
    api = axios_python.create(config)
    api.plugin(TimingPlugin())
    return api


def test_concurrent_calls_keep_their_own_timings_sync(
    local_server: LocalServer, timings_of: TimingsOf
) -> None:
    api = _retrying(local_server)

    def one(n: int) -> tuple[int, int]:
        fail = n % 3
        response = api.get("/flaky", params={"key": f"t{n}", "fail": str(fail)})
        return fail, len(timings_of(response).attempts)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(24)))
    api.close()
    assert all(attempts == fail + 1 for fail, attempts in results), results


async def test_concurrent_calls_keep_their_own_timings_async(
    local_server: LocalServer, timings_of: TimingsOf
) -> None:
    api = _retrying(local_server)

    async def one(n: int) -> tuple[int, int]:
        fail = n % 3
        response = await api.async_get("/flaky", params={"key": f"a{n}", "fail": str(fail)})
        return fail, len(timings_of(response).attempts)

    results = await asyncio.gather(*(one(n) for n in range(24)))
    await api.aclose()
    assert all(attempts == fail + 1 for fail, attempts in results), results


def test_a_call_made_inside_a_call_has_its_own_timings(
    make_caller: MakeCaller, timings_of: TimingsOf
) -> None:
    """Per-call state: a nested call through the same plugin does not mix its attempts."""
    inner: list[Timings] = []
    call = _timed(make_caller)

    def nested(ctx: dict[str, Any], next_fn: Any) -> Any:
        if ctx["url"] == "/json":
            inner.append(timings_of(call.api.get("/echo")))  # a sync call, on either path
        return next_fn(ctx)

    call.api.use(nested, scope="attempt")
    outer = timings_of(call.get("/json"))
    assert len(outer.attempts) == 1 and len(inner[0].attempts) == 1
    assert outer.attempts[0] > inner[0].total  # the outer attempt held the inner call


# -- connection phases --------------------------------------------------------------------


def test_phases_new_then_keep_alive_connection(
    make_caller: MakeCaller, local_server: LocalServer, timings_of: TimingsOf
) -> None:
    call = _timed(make_caller)
    first = timings_of(call.get("/json"))
    second = timings_of(call.get("/json"))
    assert local_server.connections_accepted == 1
    assert first.connect is not None and first.connect > 0
    assert first.tls is None  # plain http
    for timings in (first, second):
        assert timings.send is not None and timings.waiting is not None
        assert timings.download is not None
        phases = timings.send + timings.waiting + timings.download
        assert phases <= timings.attempts[-1] <= timings.total
    assert second.connect is None  # the keep-alive connection was reused
    assert second.tls is None


def _phases(names: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, float | None]:
    """The phases an ``AttemptTrace`` gives for these events, the n-th one at time n."""
    clock = iter(range(100))
    monkeypatch.setattr(time, "perf_counter", lambda: float(next(clock)))
    tracer = _trace.AttemptTrace()
    record = tracer.callback()
    for name in names:
        record(name, {})
    return tracer.freeze()


def test_a_kept_alive_exchange_is_read_as_any_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual exchange's events are read by position; with one more event the loop that
    reads any sequence runs, and finds the same phases."""
    kept_alive = _trace._KEPT_ALIVE_HTTP11
    expected = {"connect": None, "tls": None, "send": 3.0, "waiting": 2.0, "download": 1.0}
    assert _phases(kept_alive, monkeypatch) == expected
    shifted = _phases(["connection.close.started", *kept_alive], monkeypatch)
    assert shifted == expected
    connected = _phases(
        ["connection.connect_tcp.started", "connection.connect_tcp.complete", *kept_alive],
        monkeypatch,
    )
    assert connected == {**expected, "connect": 1.0}
    assert _phases(kept_alive[:6], monkeypatch) == {**expected, "download": None}


def test_the_timings_a_call_gets_are_ordinary_frozen_timings(
    make_caller: MakeCaller, timings_of: TimingsOf
) -> None:
    timings = timings_of(_timed(make_caller).get("/json"))
    by_hand = dataclasses.replace(timings)  # built by the dataclass's own __init__
    assert timings == by_hand and hash(timings) == hash(by_hand) and repr(timings) == repr(by_hand)
    assert dataclasses.asdict(timings) == dataclasses.asdict(by_hand)
    assert set(vars(timings)) == {field.name for field in dataclasses.fields(Timings)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        timings.total = 0.0  # type: ignore[misc]


# Lower bounds only, with slack: the client may see an event later than it happened (a loaded
# machine), which moves a phase's edge by a few milliseconds, never by 0.2 s.


def test_waiting_covers_the_server_think_time(
    make_caller: MakeCaller, timings_of: TimingsOf
) -> None:
    timings = timings_of(_timed(make_caller).get("/echo", params={"delay": "0.5"}))
    assert timings.waiting is not None and timings.waiting >= 0.3
    assert timings.download is not None and timings.download < timings.waiting


def test_download_covers_a_slow_body(make_caller: MakeCaller, timings_of: TimingsOf) -> None:
    # headers at once, the body half a second later
    response = _timed(make_caller).get("/stall", params={"seconds": "0.5", "after_headers": "1"})
    timings = timings_of(response)
    assert response.content == b"0123456789"
    assert timings.download is not None and timings.download >= 0.3
    assert timings.waiting is not None and timings.waiting < timings.download


def test_phases_of_the_last_redirect_hop(make_caller: MakeCaller, timings_of: TimingsOf) -> None:
    with LocalServer() as other:
        call = _timed(make_caller)
        call.get("/json")  # warm the connection to the first server
        response = call.get("/redirect", params={"to": other.url("/json")})
    assert response.data == {"hello": "world", "items": [1, 2, 3]}
    timings = timings_of(response)
    assert len(timings.attempts) == 1
    assert timings.connect is not None  # the hop to the other server opened a connection


def test_stream_reports_time_to_headers_sync(
    axios_client: AxiosPython, timings_of: TimingsOf
) -> None:
    axios_client.plugin(TimingPlugin())
    with axios_client.get("/stream", params={"size": "1000"}, stream=True) as response:
        timings = timings_of(response)
        assert response.read() == bytes(i % 251 for i in range(1000))
    assert timings.download is None
    assert timings.waiting is not None and timings.connect is not None
    assert timings_of(response) is timings  # reading the body later changes nothing


async def test_stream_reports_time_to_headers_async(
    local_server: LocalServer, timings_of: TimingsOf
) -> None:
    api = axios_python.create({"base_url": local_server.base_url, "plugins": [TimingPlugin()]})
    async with await api.async_get("/stream", params={"lines": "3"}, stream=True) as response:
        timings = timings_of(response)
        lines = [line async for line in response.aiter_lines()]
    await api.aclose()
    assert lines == ["line 0", "line 1", "line 2"]
    assert timings.download is None and timings.waiting is not None
    assert timings_of(response) is timings


def test_no_phases_when_nothing_was_sent(
    make_caller: MakeCaller, local_server: LocalServer, timings_of: TimingsOf
) -> None:
    call = _timed(make_caller)

    def mock(ctx: dict[str, Any], next_fn: Any) -> Response:
        return Response(status_code=200, data={"mocked": True})

    call.api.use(mock)  # after the plugin: short-circuits under it
    timings = timings_of(call.get("/json"))
    assert timings.attempts == ()
    assert (timings.connect, timings.tls, timings.send, timings.waiting) == (None,) * 4
    assert timings.download is None
    assert local_server.requests == []


def test_trace_false_keeps_durations_only(make_caller: MakeCaller, timings_of: TimingsOf) -> None:
    timings = timings_of(_timed(make_caller, TimingPlugin(trace=False)).get("/json"))
    assert len(timings.attempts) == 1
    assert timings.connect is None and timings.waiting is None


def test_users_trace_callback_still_called(make_caller: MakeCaller, timings_of: TimingsOf) -> None:
    events: list[str] = []

    def trace(name: str, info: dict[str, Any]) -> None:  # a plain function, on both paths
        events.append(name)

    call = _timed(make_caller, extensions={"trace": trace})
    timings = timings_of(call.get("/json"))
    assert "connection.connect_tcp.started" in events
    assert "http11.receive_response_body.complete" in events
    assert timings.connect is not None
    events.clear()
    again = timings_of(call.get("/json"))  # on the kept-alive connection
    # the events httpcore sends are those the recorder reads by position
    assert events == _trace._KEPT_ALIVE_HTTP11
    assert again.connect is None and again.download is not None


async def test_users_async_trace_callback_still_called(
    local_server: LocalServer, timings_of: TimingsOf
) -> None:
    events: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    api = axios_python.create({"base_url": local_server.base_url, "plugins": [TimingPlugin()]})
    timings = timings_of(await api.async_get("/json", extensions={"trace": trace}))
    await api.aclose()
    assert "connection.connect_tcp.started" in events
    assert "http11.receive_response_headers.complete" in events
    assert timings.connect is not None


# -- on_timing ----------------------------------------------------------------------------

Seen = list[tuple[Timings, Any, dict[str, Any]]]


def test_on_timing_gets_responses_and_errors(
    make_caller: MakeCaller, timings_of: TimingsOf
) -> None:
    seen: Seen = []
    call = _timed(make_caller, TimingPlugin(on_timing=lambda t, o, c: seen.append((t, o, c))))
    response = call.get("/json")
    with pytest.raises(NetworkError) as caught:
        call.get("/drop")
    (t1, o1, c1), (t2, o2, c2) = seen
    assert o1 is response and t1 is timings_of(response) and c1["url"] == "/json"
    assert o2 is caught.value and t2 is get_timings(caught.value) and c2["url"] == "/drop"


def test_on_timing_dual_uses_the_matching_form(make_caller: MakeCaller) -> None:
    used: list[str] = []

    async def async_form(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        used.append("async")

    on_timing = Dual(sync=lambda t, o, c: used.append("sync"), async_=async_form)
    call = _timed(make_caller, TimingPlugin(on_timing=on_timing))
    call.get("/json")
    assert used == [call.mode]


def test_on_timing_failure_does_not_fail_the_call(make_caller: MakeCaller, timing_log: Any) -> None:
    def broken(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        raise RuntimeError("metrics backend down")

    call = _timed(make_caller, TimingPlugin(on_timing=broken))
    assert call.get("/json").status_code == 200
    (failure,) = [r for r in timing_log.records if r.levelno == logging.ERROR]
    assert failure.getMessage().startswith("on_timing callback <")
    assert "broken>" in failure.getMessage()
    assert failure.exc_info is not None and "metrics backend down" in str(failure.exc_info[1])


async def test_cancelled_task_is_reported(local_server: LocalServer) -> None:
    arrived, release = threading.Event(), threading.Event()

    def held(request: RecordedRequest) -> Reply:
        arrived.set()
        release.wait(10)
        return Reply(json={})

    local_server.route("/held", held)
    seen: Seen = []
    plugin = TimingPlugin(on_timing=lambda t, o, c: seen.append((t, o, c)))
    api = axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]})
    try:
        task = asyncio.create_task(api.async_get("/held"))
        assert await asyncio.to_thread(arrived.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        release.set()
        local_server.remove_route("/held")
        await api.aclose()
    ((timings, outcome, _),) = seen
    assert isinstance(outcome, asyncio.CancelledError)
    assert len(timings.attempts) == 1


# -- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "mentions"),
    [
        ({"logger_name": ""}, TypeError, "logger_name must be a non-empty string, got ''"),
        ({"level": "LOUD"}, ValueError, "level must be a logging level"),
        ({"level": "LOUD"}, ValueError, "'LOUD'"),
        ({"level": 2.5}, ValueError, "got 2.5"),
        ({"level": True}, ValueError, "got True"),
        ({"log": "yes"}, TypeError, "log must be True or False, got 'yes'"),
        ({"trace": None}, TypeError, "trace must be True or False, got None"),
        ({"on_timing": 42}, TypeError, "on_timing must be a function"),
        ({"on_timing": 42}, TypeError, "got 42"),
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

    with pytest.raises(TypeError, match=r"is an async function.*Dual\(sync=\.\.\., async_=") as e:
        TimingPlugin(on_timing=metrics)
    assert "test_async_only_on_timing_is_refused.<locals>.metrics" in str(e.value)


def test_repr_is_a_constructor_call() -> None:
    assert repr(TimingPlugin()) == (
        "TimingPlugin(logger_name='axios_python.timing', level='INFO', log=True, trace=True)"
    )

    def record(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        pass

    local = "test_repr_is_a_constructor_call.<locals>"
    plugin = TimingPlugin("metrics.http", level=15, log=False, on_timing=record, trace=False)
    assert repr(plugin) == (
        f"TimingPlugin(logger_name='metrics.http', level=15, log=False, "
        f"on_timing=<{local}.record>, trace=False)"
    )

    async def arecord(timings: Timings, outcome: Any, config: dict[str, Any]) -> None:
        pass

    dual = TimingPlugin(level="debug", on_timing=Dual(sync=record, async_=arecord))
    assert repr(dual) == (
        "TimingPlugin(logger_name='axios_python.timing', level='DEBUG', log=True, "
        f"on_timing=Dual(sync=<{local}.record>, async_=<{local}.arecord>), trace=True)"
    )


def test_holds_nothing_to_release() -> None:
    assert not hasattr(TimingPlugin(), "uninstall")


def test_built_by_name_with_options(make_caller: MakeCaller, timing_log: Any) -> None:
    call = make_caller({"plugins": [("timing", {"level": "DEBUG"})]})
    (plugin,) = call.api.plugins
    assert isinstance(plugin, TimingPlugin)
    call.get("/json")
    call.api.remove_plugin("timing")
    call.get("/json")
    assert [r.levelno for r in timing_log.records] == [logging.DEBUG]


def test_exported_names() -> None:
    import axios_python_plugin_timing as package

    assert package.__all__ == ["OnTiming", "TimingPlugin", "Timings", "__version__", "get_timings"]
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    declared = re.search(r'^version = "([^"]+)"', pyproject.read_text(), re.M)
    assert declared is not None and package.__version__ == declared.group(1)
    assert TimingPlugin.name == "timing"
    assert axios_python.TimingPlugin is TimingPlugin
