"""Every method on instances and at module level, bodies, all() and spread()."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer, redirect

METHODS = ["get", "post", "put", "patch", "delete", "options"]


@pytest.mark.parametrize("method", METHODS)
def test_instance_methods_sync(api: axios_python.AxiosPython, method: str) -> None:
    response = getattr(api, method)("/echo")
    assert response.status_code == 200
    assert response.data["method"] == method.upper()


@pytest.mark.parametrize("method", METHODS)
async def test_instance_methods_async(aapi: axios_python.AxiosPython, method: str) -> None:
    response = await getattr(aapi, f"async_{method}")("/echo")
    assert response.data["method"] == method.upper()


def test_head_has_no_body(call: Caller) -> None:
    response = call("HEAD", "/json")
    assert response.status_code == 200 and response.content == b""


def test_request_with_custom_method(call: Caller) -> None:
    assert call("PROPFIND", "/echo").data["method"] == "PROPFIND"


def test_json_body(call: Caller) -> None:
    echoed = call.post("/echo", json={"name": "Ada"}).data
    assert echoed["json"] == {"name": "Ada"}
    assert echoed["headers"]["content-type"] == "application/json"


def test_form_data_body(call: Caller) -> None:
    echoed = call.post("/echo", data={"a": "1", "b": "two"}).data
    assert echoed["body"] == "a=1&b=two"
    assert echoed["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_raw_data_and_content(call: Caller) -> None:
    assert call.post("/echo", data="raw text").data["body"] == "raw text"
    assert call.post("/echo", data=b"\x00bytes").data["body"] == "\x00bytes"
    assert call.post("/echo", content=b"content").data["body"] == "content"


def test_multipart_files(call: Caller) -> None:
    echoed = call.post(
        "/echo", files={"upload": ("report.csv", io.BytesIO(b"a,b\n1,2\n"), "text/csv")}
    ).data
    assert echoed["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert 'filename="report.csv"' in echoed["body"] and "a,b\n1,2" in echoed["body"]


@pytest.fixture
def module_default(srv: LocalServer) -> Iterator[LocalServer]:
    with redirect(srv.base_url, hosts=["api.example.com"]):
        yield srv
    axios_python.default_instance().close()


def test_module_level_methods(module_default: LocalServer) -> None:
    assert axios_python.get("https://api.example.com/json").data["hello"] == "world"
    assert axios_python.post("https://api.example.com/echo", json=[1]).data["json"] == [1]
    assert axios_python.request("DELETE", "https://api.example.com/echo").data["method"] == "DELETE"
    assert axios_python.default_instance() is axios_python.default_instance()


async def test_module_level_async_methods(module_default: LocalServer) -> None:
    response = await axios_python.async_get("https://api.example.com/json")
    assert response.data["items"] == [1, 2, 3]
    await axios_python.default_instance().aclose()


async def test_all_and_spread(aapi: axios_python.AxiosPython) -> None:
    results = await axios_python.all(
        [aapi.async_get("/echo/a"), aapi.async_get("/echo/b"), aapi.async_get("/echo/c")]
    )
    assert [r.data["path"] for r in results] == ["/echo/a", "/echo/b", "/echo/c"]
    joined = axios_python.spread(lambda a, b, c: a.data["path"] + b.data["path"] + c.data["path"])
    assert joined(results) == "/echo/a/echo/b/echo/c"


async def test_all_cancels_the_rest_on_first_failure(aapi: axios_python.AxiosPython) -> None:
    slow = aapi.async_get("/stall", params={"seconds": "5"})
    failing = aapi.async_get("/status/500", validate_status=lambda s: s < 400)
    started = asyncio.get_running_loop().time()
    with pytest.raises(axios_python.HTTPStatusError):
        await axios_python.all([slow, failing])
    assert asyncio.get_running_loop().time() - started < 4
