"""Headers and bodies: off by default; when on, secrets redacted and bodies cut; streamed bodies
never read by the logger."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import axios_python
from axios_python.testing import LocalServer
from axios_python_plugin_logger import LoggerPlugin

from .conftest import Capture

SECRET = "s3cr3t-value"


def make(srv: LocalServer, **options: Any) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    api.plugin(LoggerPlugin(**options))
    return api


def all_text(capture: Capture) -> str:
    return "\n".join(
        m + repr(vars(r)) for m, r in zip(capture.messages, capture.records, strict=True)
    )


def test_headers_and_bodies_are_off_by_default(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.post("/echo", json={"visible": "no"}, headers={"X-Trace": "t-1"})
    api.close()
    text = all_text(capture)
    assert "X-Trace" not in text and "visible" not in text
    assert not any(hasattr(r, "headers") or hasattr(r, "body") for r in capture.records)
    assert all("\n" not in m for m in capture.messages)


def test_request_and_response_headers_with_secrets_redacted(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv, log_headers=True, redact_headers=["X-Internal"])
    api.get(
        "/cookies/set?session_id=" + SECRET,
        headers={
            "Authorization": f"Bearer {SECRET}",
            "Proxy-Authorization": SECRET,
            "Cookie": f"sid={SECRET}",
            "X-Api-Key": SECRET,
            "X-Amz-Security-Token": SECRET,
            "X-Service-Token": SECRET,
            "X-Internal": SECRET,
            "X-Trace": "t-1",
        },
    )
    api.close()
    out, back = capture.records
    assert out.headers == {  # type: ignore[attr-defined]
        "Authorization": "[REDACTED]",
        "Proxy-Authorization": "[REDACTED]",
        "Cookie": "[REDACTED]",
        "X-Api-Key": "[REDACTED]",
        "X-Amz-Security-Token": "[REDACTED]",
        "X-Service-Token": "[REDACTED]",
        "X-Internal": "[REDACTED]",
        "X-Trace": "t-1",
    }
    assert "\n    X-Trace: t-1" in out.getMessage()
    assert back.headers["set-cookie"] == "[REDACTED]"  # type: ignore[attr-defined]
    assert back.headers["content-type"] == "application/json"  # type: ignore[attr-defined]
    assert SECRET not in all_text(capture)


async def test_secrets_in_the_query_string_are_redacted_in_both_lines(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv, redact_params=["tenant"])
    params = {
        "token": SECRET, "api_key": SECRET, "signature": SECRET, "X-Amz-Signature": SECRET,
        "X-Amz-Credential": SECRET, "access_token": SECRET, "client_secret": SECRET,
        "password": SECRET, "tenant": SECRET, "page": "2",
    }  # fmt: skip
    response = await api.async_get("/echo", params=params)
    await api.aclose()
    assert response.data["query"]["token"] == [SECRET]  # sent as given
    for record in capture.records:
        assert record.url.endswith("&page=2")  # type: ignore[attr-defined]
        assert SECRET not in record.getMessage()
        assert SECRET not in record.url  # type: ignore[attr-defined]
    assert "token=[REDACTED]&api_key=[REDACTED]" in capture.messages[0]
    assert "tenant=[REDACTED]" in capture.messages[1]


def test_secrets_in_the_url_are_redacted_from_error_messages(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv)
    with pytest.raises(axios_python.NetworkError) as caught:
        api.get(f"/drop?access_token={SECRET}&x=1")
    assert SECRET not in str(caught.value)  # the core's message masks it...
    api.close()
    assert SECRET not in all_text(capture)  # ...and so does the log line
    assert "access_token=[REDACTED]&x=1" in capture.messages[1]


def test_a_password_in_the_url_is_not_logged(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.get(srv.url("/json").replace("http://", f"http://user:{SECRET}@"))
    api.close()
    assert SECRET not in all_text(capture)
    assert capture.messages[0] == f"--> GET {srv.url('/json')}"


def test_bodies_are_logged_redacted_and_cut(srv: LocalServer, capture: Capture) -> None:
    api = make(srv, log_bodies=True, max_body_bytes=64)
    api.post("/echo", json={"user": "alice", "password": SECRET, "nested": [{"api_key": SECRET}]})
    api.post("/echo", data={"grant_type": "password", "client_secret": SECRET})
    api.post("/echo", content=b"x" * 100)
    api.get("/bytes?size=300")
    api.close()
    bodies = [getattr(r, "body", None) for r in capture.records]
    shown = '{"user": "alice", "password": "[REDACTED]", "nested": [{"api_key": "[REDACTED]"}]}'
    assert bodies[0] == f"{shown[:64]}... [truncated, {len(shown)} bytes]"
    assert bodies[2] == "grant_type=password&client_secret=%5BREDACTED%5D"
    assert bodies[4] == "x" * 64 + "... [truncated, 100 bytes]"
    assert bodies[6] is None  # a GET without a body
    assert bodies[7] == "<300 bytes of application/octet-stream>"
    assert bodies[1].endswith("... [truncated, " + bodies[1].rsplit(", ", 1)[1])  # type: ignore[union-attr]
    assert SECRET not in all_text(capture)


def test_response_json_secrets_are_redacted(srv: LocalServer, capture: Capture) -> None:
    api = make(srv, log_bodies=True)
    response = api.get("/echo", params={"q": "1"}, headers={"X-Refresh-Token": SECRET})
    api.close()
    assert response.data["headers"]["x-refresh-token"] == SECRET  # the caller sees it all
    assert '"x-refresh-token": "[REDACTED]"' in capture.records[1].body  # type: ignore[attr-defined]


def test_a_streamed_response_is_not_consumed_by_the_logger(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv, log_headers=True, log_bodies=True, level=logging.DEBUG)
    with api.get("/stream?size=200000&chunk=10000", stream=True) as response:
        assert not response.is_stream_consumed
        body = response.read()
    api.close()
    assert len(body) == 200000
    assert body[:5] == bytes(range(5))
    back = capture.records[1]
    assert back.body == "<streamed body, not read by the logger>"  # type: ignore[attr-defined]
    assert back.bytes is None  # type: ignore[attr-defined]
    assert "(streamed, " in back.getMessage()


async def test_a_streamed_response_is_not_consumed_by_the_logger_async(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv, log_bodies=True)
    response = await api.async_get("/bytes?size=5000", stream=True)
    async with response:
        assert not response.is_stream_consumed
        body = await response.aread()
    await api.aclose()
    assert len(body) == 5000
    assert capture.records[1].bytes == 5000  # type: ignore[attr-defined]  # from Content-Length
    assert "(5,000 bytes, " in capture.messages[1]
