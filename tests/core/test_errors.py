"""The error hierarchy: every failure is an AxiosPythonError; no raw httpx error escapes."""

from __future__ import annotations

import builtins
import socket

import pytest

import axios_python
from axios_python import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    HTTPStatusError,
    InterceptorError,
    NetworkError,
    RetryError,
    TimeoutError,
)
from axios_python.engine import httpx
from axios_python.testing import Caller


def test_hierarchy() -> None:
    for cls in (TimeoutError, NetworkError, CancelError, RetryError, InterceptorError):
        assert issubclass(cls, AxiosPythonError)
    assert issubclass(HTTPStatusError, AxiosPythonError)
    assert issubclass(TimeoutError, builtins.TimeoutError)
    assert issubclass(ConfigError, ValueError)
    assert issubclass(axios_python.TooManyRedirects, NetworkError)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_network_error(call: Caller) -> None:
    with pytest.raises(NetworkError) as info:
        call.get(f"http://127.0.0.1:{_free_port()}/nothing")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request is not None
    assert "127.0.0.1" in str(info.value)


def test_dropped_connection_is_network_error(call: Caller) -> None:
    with pytest.raises(NetworkError) as info:
        call.get("/drop")
    assert info.value.config is not None and info.value.config["url"].endswith("/drop")


def test_read_timeout_is_timeout_error(call: Caller) -> None:
    with pytest.raises(TimeoutError) as info:
        call.get("/stall", params={"seconds": "5"}, timeout=0.2)
    assert isinstance(info.value, builtins.TimeoutError)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def test_too_many_redirects(call: Caller) -> None:
    # a redirect loop: a mock transport is the simplest endless redirector
    loop = httpx.MockTransport(lambda request: httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(axios_python.TooManyRedirects):
        call.get("/start", transport=loop)


def test_unsupported_scheme_is_config_error(call: Caller) -> None:
    with pytest.raises(ConfigError):
        call.get("ftp://127.0.0.1/file")


def test_errors_carry_config(call: Caller) -> None:
    with pytest.raises(HTTPStatusError) as info:
        call.get("/status/500", validate_status=lambda s: s < 500)
    assert info.value.config is not None and info.value.config["method"] == "GET"
    assert info.value.request is not None and info.value.request.url.path == "/status/500"


def test_closed_client_refuses_requests(call: Caller) -> None:
    call.get("/json")
    if call.is_async:
        call.run(call.api.aclose())
    else:
        call.api.close()
    with pytest.raises(AxiosPythonError, match="closed"):
        call.get("/json")


def test_secrets_in_urls_never_reach_messages(call: Caller) -> None:
    response = call.get("/status/500?api_key=SECRET&page=2")
    with pytest.raises(HTTPStatusError) as info:
        response.raise_for_status()
    assert "SECRET" not in str(info.value) and "api_key=***" in str(info.value)
    assert "page=2" in str(info.value)
    with pytest.raises(axios_python.TimeoutError) as timeout:
        call.get("/stall", params={"seconds": "3", "token": "SECRET"}, timeout=0.2)
    assert "SECRET" not in str(timeout.value) and "token=***" in str(timeout.value)
    with pytest.raises(HTTPStatusError) as rejected:
        call.get("/status/404?signature=SECRET", validate_status=lambda s: s < 400)
    assert "SECRET" not in str(rejected.value)
