"""The retry engine: strategies, idempotency, retry_on, statuses, Retry-After, RetryError."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

import axios_python
from axios_python import (
    ExponentialBackoff,
    FixedBackoff,
    FixedDelay,
    LinearBackoff,
    RetryError,
    RetryStrategy,
)
from axios_python.testing import Caller, LocalServer


def test_strategy_formulas() -> None:
    assert [FixedDelay(0.5).get_delay(n) for n in (1, 2, 3)] == [0.5, 0.5, 0.5]
    assert FixedBackoff is FixedDelay
    linear = LinearBackoff(base=1.0, increment=0.5, max_delay=2.0)
    assert [linear.delay(n) for n in (1, 2, 3)] == [1.5, 2.0, 2.0]
    exponential = ExponentialBackoff(base=1.0, multiplier=2.0, max_delay=30.0)
    assert [exponential.get_delay(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert exponential.delay(10) == 30.0
    assert ExponentialBackoff(base=1.0, multiplier=10.0, max_delay=5).delay(10_000) == 5.0


def test_jitter_stays_within_the_delay() -> None:
    strategy = FixedDelay(1.0, jitter=1.0)
    delays = {strategy.delay(1) for _ in range(50)}
    assert all(0.0 <= d <= 1.0 for d in delays) and len(delays) > 1
    half = FixedDelay(1.0, jitter=0.5)
    assert all(0.5 <= half.delay(1) <= 1.0 for _ in range(50))


def test_bad_strategy_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="multiplier must be a number >= 0, got 'x'"):
        ExponentialBackoff(multiplier="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jitter must be a number from 0 to 1"):
        FixedDelay(1.0, jitter=2)
    with pytest.raises(ValueError, match="retry_on_status must hold HTTP status codes"):
        FixedDelay(1.0, retry_on_status=["503"])  # type: ignore[list-item]


def test_custom_strategy_subclass(make: Any) -> None:
    delays: list[int] = []

    class Recording(RetryStrategy):
        def get_delay(self, attempt: int) -> float:
            delays.append(attempt)
            return 0.01

    call = make({"max_retries": 3, "retry_strategy": Recording()})
    response = call.get(
        "/flaky", params={"key": f"custom-{call.mode}", "fail": "3", "mode": "drop"}
    )
    assert response.data["attempt"] == 4
    assert delays == [1, 2, 3]


def test_network_errors_are_retried_then_succeed(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0)})
    response = call.get("/flaky", params={"key": f"net-{call.mode}", "fail": "2", "mode": "drop"})
    assert response.status_code == 200 and response.data["attempt"] == 3
    assert srv.count("/flaky") == 3


def test_exhaustion_raises_retry_error(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0)})
    with pytest.raises(RetryError) as info:
        call.get("/drop")
    error = info.value
    assert error.attempts == 3
    assert isinstance(error.last_exception, axios_python.NetworkError)
    assert error.__cause__ is error.last_exception
    assert srv.count("/drop") == 3


def test_no_retries_configured_raises_the_error_itself(call: Caller) -> None:
    with pytest.raises(axios_python.NetworkError):
        call.get("/drop")


def test_timeouts_are_retried(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 1, "retry_strategy": FixedDelay(0), "timeout": 0.2})
    with pytest.raises(RetryError) as info:
        call.get("/stall", params={"seconds": "3"})
    assert isinstance(info.value.last_exception, axios_python.TimeoutError)
    assert srv.count("/stall") == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_methods_are_not_retried_by_default(
    make: Any, srv: LocalServer, method: str
) -> None:
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(0)})
    with pytest.raises(axios_python.NetworkError):
        call(method, "/drop")
    assert srv.count("/drop") == 1


def test_post_is_retried_when_opted_in(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0)})
    response = call.post(
        "/flaky",
        params={"key": f"post-{call.mode}", "fail": "1", "mode": "drop"},
        retry_methods=["GET", "POST"],
    )
    assert response.data["attempt"] == 2


def test_retry_on_overrides_the_classification(make: Any, srv: LocalServer) -> None:
    seen: list[BaseException] = []

    def only_once(exc: BaseException) -> bool:
        seen.append(exc)
        return len(seen) < 2

    call = make({"max_retries": 5, "retry_strategy": FixedDelay(0), "retry_on": only_once})
    with pytest.raises(axios_python.NetworkError):
        call.get("/drop")
    assert srv.count("/drop") == 2


def test_http_errors_are_not_retried_by_default(make: Any, srv: LocalServer) -> None:
    call = make({"max_retries": 3, "retry_strategy": FixedDelay(0)})
    assert call.get("/status/503").status_code == 503
    assert srv.count("/status/503") == 1


def test_retry_on_status_then_success(make: Any, srv: LocalServer) -> None:
    call = make(
        {"max_retries": 3, "retry_strategy": ExponentialBackoff(0.01, 2, retry_on_status=[503])}
    )
    response = call.get("/flaky", params={"key": f"status-{call.mode}", "fail": "2"})
    assert response.status_code == 200 and response.data["attempt"] == 3


def test_retry_on_status_exhausted(make: Any) -> None:
    call = make({"max_retries": 1, "retry_strategy": FixedDelay(0, retry_on_status=[503])})
    with pytest.raises(RetryError) as info:
        call.get("/status/503")
    last = info.value.last_exception
    assert isinstance(last, axios_python.HTTPStatusError) and last.response.status_code == 503


def test_retry_on_status_with_validate_status(make: Any) -> None:
    call = make(
        {
            "max_retries": 2,
            "retry_strategy": FixedDelay(0, retry_on_status=[429]),
            "validate_status": lambda s: s < 400,
        }
    )
    response = call.get("/flaky", params={"key": f"vs-{call.mode}", "fail": "1", "status": "429"})
    assert response.data["attempt"] == 2


def test_retry_after_seconds_is_honoured(make: Any) -> None:
    call = make({"max_retries": 1, "retry_strategy": FixedDelay(0, retry_on_status=[429])})
    started = time.monotonic()
    response = call.get(
        "/flaky",
        params={"key": f"ra-{call.mode}", "fail": "1", "status": "429", "retry_after": "1"},
    )
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.95


def test_retry_after_http_date_is_honoured(make: Any, retry_waits: list[float]) -> None:
    # the wait the engine chooses, recorded instead of waited (the seconds form above waits)
    chosen = retry_waits
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    call = make({"max_retries": 1, "retry_strategy": FixedDelay(0, retry_on_status=[503])})
    call.get("/flaky", params={"key": f"date-{call.mode}", "fail": "1", "retry_after": when})
    assert len(chosen) == 1 and 15 < chosen[0] <= 20


def test_retry_after_is_capped_by_max_delay(make: Any) -> None:
    strategy = ExponentialBackoff(0, 2, max_delay=0.2, retry_on_status=[503])
    call = make({"max_retries": 1, "retry_strategy": strategy})
    started = time.monotonic()
    call.get("/flaky", params={"key": f"cap-{call.mode}", "fail": "1", "retry_after": "3600"})
    assert time.monotonic() - started < 2


def test_default_strategy_when_only_max_retries(make: Any) -> None:
    call = make({"max_retries": 1})
    started = time.monotonic()
    response = call.get("/flaky", params={"key": f"dflt-{call.mode}", "fail": "1", "mode": "drop"})
    assert response.data["attempt"] == 2
    assert time.monotonic() - started >= 0.45  # ExponentialBackoff(0.25, 2): 0.5 s first wait


def test_cancel_error_is_never_retried(make: Any, srv: LocalServer) -> None:
    token = axios_python.CancelToken()
    token.cancel("stop")
    call = make({"max_retries": 3})
    with pytest.raises(axios_python.CancelError):
        call.get("/json", cancel_token=token)
    assert srv.count("/json") == 0
