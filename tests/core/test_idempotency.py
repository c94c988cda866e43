"""``idempotency_key``: one generated key per call, the same on every attempt, which makes a
POST or PATCH retryable for that call."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python.testing import LocalServer

RETRIES = {"max_retries": 2, "retry_strategy": FixedDelay(0)}


def _keys(srv: LocalServer, header: str = "Idempotency-Key") -> list[str | None]:
    return [r.header(header) for r in srv.requests if r.path == "/flaky"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_one_key_on_every_attempt_makes_a_post_retryable(
    make: Any, srv: LocalServer, method: str
) -> None:
    call = make({**RETRIES, "idempotency_key": True})
    params = {"key": f"ik-{method}-{call.mode}", "fail": "2", "mode": "drop"}
    response = call(method, "/flaky", params=params, json={"amount": 42})
    assert response.data["attempt"] == 3
    keys = _keys(srv)
    assert len(keys) == 3 and len(set(keys)) == 1
    assert keys[0] is not None and uuid.UUID(keys[0]).version == 4
    assert response.config["headers"]["Idempotency-Key"] == keys[0]


def test_a_header_name_of_your_own(make: Any, srv: LocalServer) -> None:
    call = make({**RETRIES, "idempotency_key": "X-Request-Key"})
    call.post("/flaky", params={"key": f"own-{call.mode}", "fail": "1", "mode": "drop"})
    keys = _keys(srv, "X-Request-Key")
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0] is not None
    assert _keys(srv) == [None, None]


def test_a_key_the_caller_set_is_kept(make: Any, srv: LocalServer) -> None:
    call = make({**RETRIES, "idempotency_key": True})
    call.post(
        "/flaky",
        params={"key": f"kept-{call.mode}", "fail": "1", "mode": "drop"},
        headers={"idempotency-key": "order-42"},
    )
    assert _keys(srv) == ["order-42", "order-42"]


def test_each_call_gets_its_own_key(make: Any, srv: LocalServer) -> None:
    call = make({"idempotency_key": True})  # no retries: the key is sent all the same
    call.post("/flaky", params={"key": f"a-{call.mode}", "fail": "0"})
    call.post("/flaky", params={"key": f"b-{call.mode}", "fail": "0"})
    first, second = _keys(srv)
    assert first and second and first != second


def test_off_by_default_and_post_is_not_retried(make: Any, srv: LocalServer) -> None:
    call = make(RETRIES)
    with pytest.raises(axios_python.NetworkError):
        call.post("/flaky", params={"key": f"off-{call.mode}", "fail": "1", "mode": "drop"})
    assert _keys(srv) == [None]


def test_a_call_can_turn_it_off(make: Any, srv: LocalServer) -> None:
    call = make({**RETRIES, "idempotency_key": True})
    with pytest.raises(axios_python.NetworkError):
        call.post(
            "/flaky",
            params={"key": f"no-{call.mode}", "fail": "1", "mode": "drop"},
            idempotency_key=False,
        )
    assert _keys(srv) == [None]


def test_bad_values_are_refused(api: axios_python.AxiosPython) -> None:
    for bad in ("", "Bad Header", 7):
        with pytest.raises(axios_python.ConfigError, match="idempotency_key"):
            api.post("/echo", idempotency_key=bad)  # type: ignore[arg-type]
