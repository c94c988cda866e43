"""The retry engine against odd answers: a Retry-After it cannot read is ignored (never a raw
ValueError), negative means no wait, huge is capped; a transform that fails is a TransformError
naming it, not retried, never a raw exception out of the retry engine."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay, Response, TransformError
from axios_python._retry import _retry_after
from axios_python.testing import LocalServer


def _after(value: str) -> float | None:
    try:
        raw = value.encode("latin-1")  # as a server would send "²"
    except UnicodeEncodeError:
        raw = value.encode("utf-8")
    return _retry_after(Response(503, headers=[(b"Retry-After", raw)]))


def test_retry_after_values() -> None:
    assert _after("7") == 7.0
    assert _after(" 2 ") == 2.0
    assert _after("1.5") == 1.5
    assert _after("-5") == 0.0  # negative: no wait
    assert _after("0") == 0.0
    for garbage in ("²", "٣", "abc", "nan", "inf", "1e3", "", "5 s", "Wed, 99 Foo 2015"):
        assert _after(garbage) is None, garbage
    past = format_datetime(datetime.now(timezone.utc) - timedelta(days=1), usegmt=True)
    assert _after(past) == 0.0
    future = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 < (_after(future) or 0) <= 30
    assert _after("Wed, 21 Oct 2015 07:28:00") == 0.0  # no zone: UTC


@pytest.mark.parametrize("value", ["²", "soon", "-3"])
def test_an_unreadable_or_negative_retry_after_uses_the_strategy(
    make: Any, srv: LocalServer, value: str
) -> None:
    call = make({"max_retries": 1, "retry_strategy": FixedDelay(0, retry_on_status=[503])})
    started = time.monotonic()
    response = call.get(
        "/flaky", params={"key": f"ra-{call.mode}", "fail": "1", "retry_after": value}
    )
    assert response.data["attempt"] == 2  # the old code: ValueError out of the engine for "²"
    assert time.monotonic() - started < 2


def test_a_huge_retry_after_is_capped(make: Any) -> None:
    strategy = FixedDelay(0, max_delay=0.05, retry_on_status=[429])
    call = make({"max_retries": 1, "retry_strategy": strategy})
    started = time.monotonic()
    params = {"key": f"huge-{call.mode}", "fail": "1", "status": "429", "retry_after": "9" * 400}
    assert call.get("/flaky", params=params).data["attempt"] == 2
    assert time.monotonic() - started < 2


def _items(data: Any) -> Any:
    return data["items"]


def test_a_failing_transform_response_is_a_transform_error(make: Any, srv: LocalServer) -> None:
    call = make(
        {
            "max_retries": 2,
            "retry_strategy": FixedDelay(0, retry_on_status=[503]),
            "transform_response": [_items],
        }
    )
    with pytest.raises(TransformError) as info:
        call.get("/flaky", params={"key": f"tr-{call.mode}", "fail": "1"})
    error = info.value
    assert isinstance(error.original, KeyError) and error.__cause__ is error.original
    assert "transform_response <_items> raised KeyError: 'items'" in str(error)
    assert error.response is not None and error.response.status_code == 503
    assert srv.count("/flaky") == 1  # the response was received: not retried


def test_a_failing_transform_request_is_a_transform_error(make: Any, srv: LocalServer) -> None:
    def needs_id(data: Any, headers: Any) -> Any:
        return {"id": data["id"]}

    call = make({"max_retries": 2, "retry_strategy": FixedDelay(0)})
    with pytest.raises(TransformError, match=r"transform_request <.*needs_id> raised KeyError"):
        call.put("/echo", json={}, transform_request=[needs_id])
    assert srv.count("/echo") == 0


def test_a_library_error_from_a_transform_passes_as_it_is(make: Any) -> None:
    def refuse(data: Any) -> Any:
        raise axios_python.ConfigError("no thanks")

    call = make()
    with pytest.raises(axios_python.ConfigError, match="no thanks"):
        call.get("/json", transform_response=[refuse])
