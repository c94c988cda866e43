"""transform_request and transform_response."""

from __future__ import annotations

import json
from typing import Any

from axios_python.testing import Caller


def test_transform_request_on_json(make: Any) -> None:
    def add_envelope(data: Any, headers: dict[str, str]) -> Any:
        headers["X-Enveloped"] = "1"
        return {"payload": data}

    def stamp(data: Any, headers: dict[str, str]) -> Any:
        return {**data, "v": 2}

    call = make({"transform_request": [add_envelope, stamp]})
    echoed = call.post("/echo", json={"name": "Ada"}).data
    assert echoed["json"] == {"payload": {"name": "Ada"}, "v": 2}
    assert echoed["headers"]["x-enveloped"] == "1"


def test_transform_request_to_text(make: Any) -> None:
    call = make(
        {"transform_request": lambda data, headers: json.dumps(data, separators=(",", ":"))}
    )
    echoed = call.post("/echo", json={"a": 1}).data
    assert echoed["body"] == '{"a":1}'


def test_transform_request_on_data(make: Any) -> None:
    call = make({"transform_request": [lambda data, headers: data.upper()]})
    assert call.post("/echo", data="shout").data["body"] == "SHOUT"


def test_transform_response_in_order(make: Any) -> None:
    call = make(
        {
            "transform_response": [
                lambda data: data["items"],
                lambda data: [x * 10 for x in data],
            ]
        }
    )
    assert call.get("/json").data == [10, 20, 30]


def test_transforms_per_call(call: Caller) -> None:
    assert call.get("/json", transform_response=lambda d: d["hello"]).data == "world"


async def _async_upper(data: Any) -> Any:
    return data.upper()


def test_async_transform_on_both_paths(call: Caller) -> None:
    assert call.get("/text", transform_response=[_async_upper]).data == "HELLO WORLD"


def test_transform_response_skipped_for_streams(call: Caller) -> None:
    response = call.get("/json", stream=True, transform_response=[lambda d: 1 / 0])
    if call.is_async:
        call.run(response.aclose())
    else:
        response.close()
    assert response.status_code == 200


async def _async_wrap(data: Any, headers: dict[str, str]) -> Any:
    return {"wrapped": data}


def test_async_transform_request_on_both_paths(call: Caller) -> None:
    echoed = call.post("/echo", json=[1, 2], transform_request=[_async_wrap]).data
    assert echoed["json"] == {"wrapped": [1, 2]}
