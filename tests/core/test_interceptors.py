"""Request and response interceptors: order, replacement, errors, recovery, both forms."""

from __future__ import annotations

from typing import Any

import pytest

import axios_python
from axios_python import InterceptorError, Response
from axios_python.testing import Caller


def test_request_interceptors_run_in_registration_order(call: Caller) -> None:
    order: list[str] = []

    def first(config: dict[str, Any]) -> dict[str, Any]:
        order.append("first")
        config["headers"]["X-Order"] = "first"
        return config

    def second(config: dict[str, Any]) -> dict[str, Any]:
        order.append("second")
        config["headers"]["X-Order"] += ",second"
        return config

    call.api.interceptors.request.use(first)
    call.api.interceptors.request.use(second)
    assert call.get("/echo").data["headers"]["x-order"] == "first,second"
    assert order == ["first", "second"]


def test_request_interceptor_may_return_a_new_dict(call: Caller) -> None:
    call.api.interceptors.request.use(
        lambda config: {
            **config,
            "headers": {**config.get("headers", {}), "Authorization": "Bearer t0ken"},
        }
    )
    assert call.get("/echo").data["headers"]["authorization"] == "Bearer t0ken"


def test_new_dict_with_other_header_case_replaces(make: Any) -> None:
    call = make({"headers": {"authorization": "Bearer old"}})
    call.api.interceptors.request.use(
        lambda config: {**config, "headers": {**config["headers"], "Authorization": "Bearer new"}}
    )
    echoed = call.get("/echo").data
    assert echoed["headers"]["authorization"] == "Bearer new"


def test_async_interceptors_work_on_both_paths(call: Caller) -> None:
    async def add_header(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Async"] = "yes"
        return config

    async def unwrap(response: Response) -> Response:
        response.data = response.data["headers"]["x-async"]
        return response

    call.api.interceptors.request.use(add_header)
    call.api.interceptors.response.use(unwrap)
    assert call.get("/echo").data == "yes"


def test_response_interceptor_reshapes_data(call: Caller) -> None:
    call.api.interceptors.response.use(
        lambda r: setattr(r, "data", r.json().get("items", r.data)) or r
    )
    assert call.get("/json").data == [1, 2, 3]


def test_eject_and_clear(call: Caller) -> None:
    manager = call.api.interceptors.request
    first = manager.use(lambda c: {**c, "headers": {**c["headers"], "X-A": "1"}})
    second = manager.use(lambda c: {**c, "headers": {**c["headers"], "X-B": "1"}})
    assert manager.ids == (first, second)
    assert manager.eject(first) is True
    assert manager.eject(first) is False
    headers = call.get("/echo").data["headers"]
    assert "x-a" not in headers and headers["x-b"] == "1"
    manager.clear()
    assert len(manager) == 0
    assert "x-b" not in call.get("/echo").data["headers"]


def test_crash_in_interceptor_is_interceptor_error(call: Caller) -> None:
    def broken(config: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("missing")

    call.api.interceptors.request.use(broken)
    with pytest.raises(InterceptorError) as info:
        call.get("/echo")
    assert isinstance(info.value.__cause__, KeyError)
    assert isinstance(info.value.original, KeyError)
    assert "KeyError" in str(info.value)


def test_interceptor_returning_nothing_is_a_clear_error(call: Caller) -> None:
    call.api.interceptors.response.use(lambda r: None)
    with pytest.raises(InterceptorError, match="must return a Response"):
        call.get("/json")


def test_request_on_rejected_recovers_from_an_earlier_interceptor(call: Caller) -> None:
    def broken(config: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("vault down")

    seen: list[BaseException] = []

    def fallback(error: Exception) -> dict[str, Any]:
        seen.append(error)
        return {"url": "/echo/recovered", "method": "GET", "base_url": call.api.config["base_url"]}

    call.api.interceptors.request.use(broken)
    call.api.interceptors.request.use(None, fallback)
    assert call.get("/echo").data["path"] == "/echo/recovered"
    assert isinstance(seen[0], InterceptorError)


@pytest.mark.parametrize(
    ("url", "options", "error"),
    [
        ("/status/503", {"validate_status": lambda s: s < 400}, axios_python.HTTPStatusError),
        ("/drop", {}, axios_python.NetworkError),
        ("/stall", {"params": {"seconds": "5"}, "timeout": 0.2}, axios_python.TimeoutError),
    ],
)
def test_response_on_rejected_receives_errors_and_recovers(
    call: Caller, url: str, options: dict[str, Any], error: type[Exception]
) -> None:
    received: list[Exception] = []

    def recover(exc: Exception) -> Response:
        received.append(exc)
        return Response(status_code=299, data={"fallback": True})

    call.api.interceptors.response.use(None, recover)
    response = call.get(url, **options)
    assert response.status_code == 299 and response.data == {"fallback": True}
    assert isinstance(received[0], error)


def test_response_on_rejected_may_reraise(call: Caller) -> None:
    def reraise(exc: Exception) -> Response:
        raise exc

    call.api.interceptors.response.use(None, reraise)
    with pytest.raises(axios_python.NetworkError):
        call.get("/drop")


def test_fulfilled_handler_error_goes_to_the_next_rejected(call: Caller) -> None:
    def explode(response: Response) -> Response:
        raise ValueError("bad envelope")

    def recover(exc: Exception) -> Response:
        assert isinstance(exc, InterceptorError)
        return Response(status_code=200, data="recovered")

    call.api.interceptors.response.use(explode)
    call.api.interceptors.response.use(None, recover)
    assert call.get("/json").data == "recovered"


def test_response_interceptors_run_once_per_call_despite_retries(make: Any) -> None:
    call = make(
        {
            "max_retries": 3,
            "retry_strategy": axios_python.FixedDelay(0),
        }
    )
    request_runs: list[int] = []
    response_runs: list[int] = []
    call.api.interceptors.request.use(lambda c: request_runs.append(1) or c)
    call.api.interceptors.response.use(lambda r: response_runs.append(1) or r)
    response = call.get("/flaky", params={"key": f"once-{call.mode}", "fail": "2", "mode": "drop"})
    assert response.data["attempt"] == 3
    assert request_runs == [1] and response_runs == [1]


def test_interceptor_error_carries_the_config_so_on_rejected_can_recover(call: Caller) -> None:
    def broken(config: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("token")

    def recover(error: Exception) -> dict[str, Any]:
        assert isinstance(error, InterceptorError) and error.config is not None
        return {**error.config, "url": "/echo/recovered"}

    call.api.interceptors.request.use(broken)
    call.api.interceptors.request.use(None, recover)
    assert call.get("/echo").data["path"] == "/echo/recovered"


def test_partial_dict_keeps_the_calls_other_settings(make: Any) -> None:
    call = make({"headers": {"X-Team": "core"}})
    call.api.interceptors.request.use(
        lambda c: {"url": "/echo/partial", "headers": {**c["headers"], "X-Added": "1"}}
    )
    echoed = call.get("/echo", params={"q": "1"}).data
    assert echoed["path"] == "/echo/partial" and echoed["query"] == {"q": ["1"]}
    assert echoed["headers"]["x-team"] == "core" and echoed["headers"]["x-added"] == "1"
