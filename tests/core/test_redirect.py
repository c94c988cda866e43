"""axios_python.testing.redirect: code written for real hosts runs against a local server."""

from __future__ import annotations

import pytest

import axios_python
from axios_python.testing import LocalServer, redirect


def test_cookies_and_urls_keep_the_original_host(srv: LocalServer) -> None:
    with (
        redirect(srv.base_url),
        axios_python.create({"base_url": "https://api.example.com"}) as api,
    ):
        api.get("/cookies/set", params={"session": "abc"})
        assert api.get("/cookies").data == {"session": "abc"}
        response = api.get("/echo")
        assert str(response.url) == "https://api.example.com/echo"
        assert response.data["headers"]["host"] == "api.example.com"
        with pytest.raises(axios_python.HTTPStatusError, match=r"https://api\.example\.com"):
            api.get("/status/500").raise_for_status()


async def test_async_path(srv: LocalServer) -> None:
    with redirect(srv.base_url, hosts=["api.example.com"]):
        async with axios_python.create({"base_url": "https://api.example.com"}) as api:
            response = await api.async_get("/json")
    assert response.data["hello"] == "world"
    assert response.request.url.host == "api.example.com"


def test_innermost_redirect_wins_and_loopback_is_left_alone(srv: LocalServer) -> None:
    with LocalServer() as other, redirect(srv.base_url), redirect(other.base_url, hosts=["b.test"]):
        with axios_python.create() as api:
            api.get("https://a.test/echo/a")
            api.get("https://b.test/echo/b")
            api.get(other.url("/echo/direct"))  # an explicit loopback URL stays where it points
        assert [r.path for r in srv.requests] == ["/echo/a"]
        assert [r.path for r in other.requests] == ["/echo/b", "/echo/direct"]
