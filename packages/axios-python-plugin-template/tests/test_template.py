"""The plugin's behaviour, on the sync and the async path, against a local server.

``make_caller`` (from ``axios_python.testing.fixtures``) runs each test twice: once with sync
calls, once with async calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

import pytest

import axios_python
import axios_python.plugins
from axios_python import FixedDelay
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_template import TemplatePlugin


def test_stamps_the_header_and_counts(make_caller: Callable[..., Caller]) -> None:
    plugin = TemplatePlugin(value="checkout/2.1")
    call = make_caller({"max_retries": 2, "retry_strategy": FixedDelay(0), "plugins": [plugin]})
    # the flaky call first, on fresh connections: a drop on a reused keep-alive connection
    # would be resent at once by the core (a server's idle timeout), not retried
    call.get("/flaky", params={"key": f"template-{call.mode}", "fail": "2", "mode": "drop"})
    assert call.get("/echo").data["headers"]["x-request-source"] == "checkout/2.1"
    assert (plugin.calls, plugin.attempts) == (2, 4)


def test_logs_each_call_with_its_attempts_and_no_secret(
    make_caller: Callable[..., Caller], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="axios_python.template")
    call = make_caller({"max_retries": 1, "retry_strategy": FixedDelay(0)})
    call.api.plugin(TemplatePlugin())
    params = {"key": f"log-{call.mode}", "fail": "1", "mode": "drop", "token": "SECRET"}
    call.get("/flaky", params=params)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "axios_python.template"]
    assert line.endswith("token=***: 2 attempt(s)") and "SECRET" not in line


def test_a_secret_header_never_follows_a_redirect_to_another_origin(
    make_caller: Callable[..., Caller], local_server: LocalServer
) -> None:
    with LocalServer() as other:
        call = make_caller({"plugins": [TemplatePlugin("k-123", "X-Partner", secret=True)]})
        call.get(f"/redirect?to={quote(other.url('/echo'), safe='')}")
        assert local_server.requests[0].header("x-partner") == "k-123"
        assert other.requests[0].header("x-partner") is None
    assert "k-123" not in repr(call.api.plugins[0])


def test_discovered_by_name(make_caller: Callable[..., Caller]) -> None:
    names = {info.name for info in axios_python.plugins.available()}
    assert "template" in names
    call = make_caller()
    plugin = call.api.plugin("template", value="by-name")
    assert isinstance(plugin, TemplatePlugin)
    assert call.get("/echo").data["headers"]["x-request-source"] == "by-name"
    call.api.remove_plugin("template")
    assert "x-request-source" not in call.get("/echo").data["headers"]


def test_bad_options_are_named() -> None:
    with pytest.raises(ValueError, match="value must be a non-empty str, got ''"):
        TemplatePlugin(value="")
    with pytest.raises(ValueError, match="header must be a header name"):
        TemplatePlugin(header="X: y")
    with pytest.raises(TypeError, match="secret must be True or False, got 'yes'"):
        TemplatePlugin(secret="yes")  # type: ignore[arg-type]
