"""``deadline``: one budget for the whole call, every attempt and back-off wait included. Each
attempt's timeout is capped by the time left, a back-off wait longer than the time left ends
the call at once, and running out raises the library's TimeoutError saying so."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python._retry import cap_timeout
from axios_python.engine import httpx
from axios_python.testing import LocalServer

#: generous: the machine may be slow, the point is "not the 3 s the server stalls"
PROMPTLY = 2.0


def test_the_deadline_ends_a_call_across_attempts(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 5, "retry_strategy": FixedDelay(0), "deadline": 0.25})
    started = time.monotonic()
    with pytest.raises(axios_python.TimeoutError) as info:
        call.get("/stall", params={"seconds": "3"})  # timeout=10: only the deadline stops it
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 0.25 + PROMPTLY
    message = str(info.value)
    assert message.startswith("deadline of 0.25 s exceeded after ")
    assert "GET http://" in message and "/stall" in message
    assert isinstance(info.value.__cause__, axios_python.TimeoutError)  # the capped attempt's
    assert not isinstance(info.value, axios_python.RetryError)


def test_a_deadline_without_retries_caps_the_one_attempt(make: Any) -> None:
    call = make()
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"deadline of 0\.2 s exceeded after 1 attempt\b"):
        call.get("/stall", params={"seconds": "3"}, deadline=0.2)
    assert time.monotonic() - started < 0.2 + PROMPTLY


def test_a_back_off_longer_than_the_time_left_ends_the_call_at_once(
    make: Any, srv: LocalServer
) -> None:
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(5), "deadline": 2.0})
    started = time.monotonic()
    with pytest.raises(axios_python.TimeoutError) as info:
        call.get("/drop")
    assert time.monotonic() - started < 1.5  # no 5 s wait, no waiting out the 2 s either
    message = str(info.value)
    assert message.startswith("deadline of 2 s would be exceeded: the call ended after 1 attempt")
    assert "because the next retry would wait 5 s and " in message
    assert isinstance(info.value.__cause__, axios_python.NetworkError)
    assert srv.count("/drop") == 1


def test_httpx_timeouts_are_capped_part_by_part(make: Any) -> None:
    capped = cap_timeout(httpx.Timeout(5.0, connect=0.5, pool=None), 1.0)
    assert (capped.connect, capped.read, capped.write, capped.pool) == (0.5, 1.0, 1.0, 1.0)
    assert cap_timeout(None, 2.0) == 2.0 and cap_timeout(0.5, 2.0) == 0.5
    call = make({"timeout": httpx.Timeout(10.0), "deadline": 0.2})
    started = time.monotonic()
    with pytest.raises(axios_python.TimeoutError, match=r"deadline of 0\.2 s"):
        call.get("/stall", params={"seconds": "3"})
    assert time.monotonic() - started < 0.2 + PROMPTLY


def test_each_attempt_sees_the_time_left(make: Any) -> None:
    timeouts: list[Any] = []

    def record(ctx: dict[str, Any], next_fn: Any) -> Any:
        timeouts.append(ctx["timeout"])
        return next_fn(ctx)

    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0.05), "deadline": 5.0})
    call.api.use(record, scope="attempt")
    response = call.get("/flaky", params={"key": f"left-{call.mode}", "fail": "2", "mode": "drop"})
    assert response.data["attempt"] == 3
    assert len(timeouts) == 3
    assert all(isinstance(t, float) and 0 < t <= 5.0 for t in timeouts)  # not the 10 s timeout
    assert timeouts[0] > timeouts[1] > timeouts[2]


def test_a_call_within_its_deadline_is_not_disturbed(make: Any) -> None:
    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0), "deadline": 10.0})
    response = call.get("/flaky", params={"key": f"ok-{call.mode}", "fail": "1", "mode": "drop"})
    assert response.data["attempt"] == 2
    assert response.config["timeout"] <= 10.0


def test_the_deadline_wins_over_a_cancel_token_that_is_not_cancelled(make: Any) -> None:
    token = axios_python.CancelToken()
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(0)})
    with pytest.raises(axios_python.TimeoutError, match=r"deadline of 0\.2 s"):
        call.get("/stall", params={"seconds": "3"}, deadline=0.2, cancel_token=token)


def test_cancelling_during_a_back_off_still_cancels(make: Any) -> None:
    token = axios_python.CancelToken()
    timer = threading.Timer(0.2, token.cancel, args=("user left",))
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(3), "deadline": 10.0})
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(axios_python.CancelError, match="user left"):
            call.get("/drop", cancel_token=token)
    finally:
        timer.join()
    assert time.monotonic() - started < 0.2 + PROMPTLY


def test_deadline_is_validated(api: axios_python.AxiosPython) -> None:
    for bad in (0, -1, float("nan"), "5s"):
        with pytest.raises(axios_python.ConfigError, match="deadline"):
            api.get("/json", deadline=bad)  # type: ignore[arg-type]
