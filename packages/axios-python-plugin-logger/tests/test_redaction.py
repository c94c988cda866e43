"""Headers and bodies: off by default; when on, secrets redacted and bodies cut; streamed bodies
never read by the logger. What is secret is the client's definition (``client.secrets``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_logger import LoggerPlugin

SECRET = "s3cr3t-value"
MakeCaller = Callable[..., Caller]


def logged(make_caller: MakeCaller, **options: Any) -> Caller:
    return make_caller({"plugins": [LoggerPlugin(**options)]})


def test_headers_and_bodies_are_off_by_default(make_caller: MakeCaller, capture: Any) -> None:
    call = logged(make_caller)
    call.post("/echo", json={"visible": "no"}, headers={"X-Trace": "t-1"})
    text = capture.text()
    assert "X-Trace" not in text and "visible" not in text
    assert not any(hasattr(r, "headers") or hasattr(r, "body") for r in capture.records)
    assert all("\n" not in m for m in capture.messages)


def test_request_and_response_headers_with_secrets_redacted(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = logged(make_caller, log_headers=True, redact_headers=["X-Internal"])
    call.get(
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
    out, back = capture.records
    assert out.headers == {
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
    response_headers = {name.lower(): value for name, value in back.headers.items()}
    assert response_headers["set-cookie"] == "[REDACTED]"
    assert response_headers["content-type"] == "application/json"
    assert SECRET not in capture.text()


def test_secrets_in_the_query_string_are_redacted_in_both_lines(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = logged(make_caller, redact_params=["tenant"])
    params = {
        "token": SECRET, "api_key": SECRET, "signature": SECRET, "X-Amz-Signature": SECRET,
        "X-Amz-Credential": SECRET, "access_token": SECRET, "client_secret": SECRET,
        "password": SECRET, "tenant": SECRET, "page": "2",
    }  # fmt: skip
    response = call.get("/echo", params=params)
    assert response.data["query"]["token"] == [SECRET]  # sent as given
    for record in capture.records:
        assert record.url.endswith("&page=2")
    assert SECRET not in capture.text()
    assert "token=[REDACTED]&api_key=[REDACTED]" in capture.messages[0]
    assert "tenant=[REDACTED]" in capture.messages[1]


def test_secrets_in_the_url_are_redacted_from_error_messages(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = logged(make_caller)
    with pytest.raises(axios_python.NetworkError) as caught:
        call.get(f"/drop?access_token={SECRET}&x=1")
    assert SECRET not in str(caught.value)  # the core's message masks it...
    assert SECRET not in capture.text()  # ...and so does the log line
    assert "access_token=[REDACTED]&x=1" in capture.messages[1]


def test_a_password_in_the_url_is_not_logged(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = logged(make_caller)
    call.get(local_server.url("/json").replace("http://", f"http://user:{SECRET}@"))
    assert SECRET not in capture.text()
    shown = local_server.url("/json").replace("http://", "http://[REDACTED]:[REDACTED]@")
    assert capture.messages[0] == f"--> GET {shown}"


def test_bodies_are_logged_redacted_and_cut(make_caller: MakeCaller, capture: Any) -> None:
    call = logged(make_caller, log_bodies=True, max_body_bytes=64)
    call.post("/echo", json={"user": "alice", "password": SECRET, "nested": [{"api_key": SECRET}]})
    call.post("/echo", data={"grant_type": "password", "client_secret": SECRET})
    call.post("/echo", content=b"x" * 100)
    call.get("/bytes?size=300")
    bodies: list[Any] = [getattr(r, "body", None) for r in capture.records]
    assert bodies[0].startswith('{"user":"alice","password":"[REDACTED]","nested":[{"api_key"')
    assert bodies[0].endswith(" bytes]") and "... [truncated, " in bodies[0]
    assert bodies[2] == "grant_type=password&client_secret=[REDACTED]"
    assert bodies[4] == "x" * 64 + "... [truncated, 100 bytes]"
    assert bodies[6] is None  # a GET without a body
    assert bodies[7] == "<300 bytes of application/octet-stream>"
    assert "... [truncated, " in bodies[1]
    assert SECRET not in capture.text()


def test_response_json_secrets_are_redacted(make_caller: MakeCaller, capture: Any) -> None:
    call = logged(make_caller, log_bodies=True)
    response = call.get("/echo", params={"q": "1"}, headers={"X-Refresh-Token": SECRET})
    assert response.data["headers"]["x-refresh-token"] == SECRET  # the caller sees it all
    assert '"x-refresh-token":"[REDACTED]"' in capture.records[1].body
    assert SECRET not in capture.text()


def test_a_streamed_response_is_not_consumed_by_the_logger(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = logged(make_caller, log_headers=True, log_bodies=True, level=logging.DEBUG)
    response = call.get("/stream?size=200000&chunk=10000", stream=True)
    assert not response.is_stream_consumed
    if call.is_async:
        body = call.run(response.aread())
        call.run(response.aclose())
    else:
        body = response.read()
        response.close()
    assert len(body) == 200000
    assert body[:5] == bytes(range(5))
    back = capture.records[1]
    assert back.body == "<streamed body, not read by the logger>"
    assert back.bytes is None  # chunked: no Content-Length
    assert "(streamed, " in back.getMessage()


def test_a_streamed_response_with_a_length_shows_its_size(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = logged(make_caller, log_bodies=True)
    response = call.get("/bytes?size=5000", stream=True)
    assert not response.is_stream_consumed
    body = call.run(response.aread()) if call.is_async else response.read()
    assert len(body) == 5000
    assert capture.records[1].bytes == 5000  # from Content-Length
    assert "(5,000 bytes, " in capture.messages[1]
