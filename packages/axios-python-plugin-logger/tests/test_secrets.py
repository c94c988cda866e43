"""No secret in any log record (message and every ``extra`` field), whatever the body looks like,
by the client's definition of secret: the core's names, plus those registered on the client by
another plugin or by the logger's own ``redact_headers`` / ``redact_params``.

Each test runs on both paths and failed on the logger's own redaction (``_redact.py``, before
the toolkit): form bodies and form responses were logged in clear, JSON bodies larger than
256 KiB showed their first kilobyte unredacted, and names registered on the client were
unknown to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply
from axios_python_plugin_logger import LoggerPlugin

MakeCaller = Callable[..., Caller]
AddRoute = Callable[[str, Callable[[RecordedRequest], Reply]], None]
FORM = "application/x-www-form-urlencoded"
BIG = 300 * 1024  # larger than the 256 KiB the old preview parsed as JSON


def verbose(make_caller: MakeCaller, **options: Any) -> Caller:
    plugin = LoggerPlugin(log_headers=True, log_bodies=True, **options)
    return make_caller({"plugins": [plugin]})


def test_a_form_dict_is_not_logged_in_clear(make_caller: MakeCaller, capture: Any) -> None:
    call = verbose(make_caller)
    sent = {"client_secret": "S3CR3T", "grant_type": "client_credentials"}
    response = call.post("/echo", data=sent)
    assert response.data["body"] == "client_secret=S3CR3T&grant_type=client_credentials"
    assert "S3CR3T" not in capture.text()  # the echoed body too
    assert capture.records[0].body == "client_secret=[REDACTED]&grant_type=client_credentials"


@pytest.mark.parametrize("content_type", [FORM, None])
def test_form_content_is_not_logged_in_clear(
    make_caller: MakeCaller, capture: Any, content_type: str | None
) -> None:
    call = verbose(make_caller)
    headers = {"Content-Type": content_type} if content_type else {}
    # /count, not /echo: the core's secret_values() does not read raw ``content``, so an echo
    # of this body in the response would not be scrubbed (reported to the core)
    call.post("/count", content=b"password=hunter2&user=ada", headers=headers)
    assert "hunter2" not in capture.text()
    assert capture.records[0].body == "password=[REDACTED]&user=ada"


def test_a_form_encoded_token_response_is_not_logged_in_clear(
    make_caller: MakeCaller, add_route: AddRoute, capture: Any
) -> None:
    body = "access_token=gho_T0KENVALUE&scope=repo&expires_in=3600"
    add_route("/login/oauth/access_token", lambda request: Reply(body=body, content_type=FORM))
    call = verbose(make_caller)
    assert call.post("/login/oauth/access_token").text == body
    assert "gho_T0KENVALUE" not in capture.text()
    assert capture.records[1].body == "access_token=[REDACTED]&scope=repo&expires_in=3600"


def test_a_large_json_request_body_is_redacted_in_the_shown_prefix(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = verbose(make_caller)
    payload = {"user": "ada", "password": "BIG-S3CR3T", "pad": "x" * BIG}
    raw = json.dumps(payload).encode()
    call.post("/count", content=raw, headers={"Content-Type": "application/json"})
    call.post("/count", json=payload)
    assert local_server.requests[0].body == raw  # sent as given
    assert "BIG-S3CR3T" not in capture.text()
    for record in (capture.records[0], capture.records[2]):
        assert record.body.startswith('{"user":"ada","password":"[REDACTED]"')
        assert "... [truncated, " in record.body


def test_a_large_json_response_body_is_redacted_in_the_shown_prefix(
    make_caller: MakeCaller, add_route: AddRoute, capture: Any
) -> None:
    payload = {"access_token": "RESP-S3CR3T", "expires_in": 3600, "pad": "x" * BIG}
    add_route("/big-token", lambda request: Reply(json=payload))
    call = verbose(make_caller)
    assert call.get("/big-token").data["access_token"] == "RESP-S3CR3T"
    assert "RESP-S3CR3T" not in capture.text()
    body = capture.records[1].body
    assert body.startswith('{"access_token":"[REDACTED]","expires_in":3600')
    assert "... [truncated, " in body


def test_names_another_plugin_registered_are_redacted(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = verbose(make_caller)
    call.api.secrets.register(headers=["X-Tenant-Key", "X-Tenant"], params=["ticket"])
    call.post(
        "/echo",
        params={"ticket": "TICKET-0001", "page": "1"},
        headers={"X-Tenant-Key": "TENANT-KEY-1", "X-Tenant": "TENANT-ID-1"},
        json={"ticket": "TICKET-0002", "n": 1},
    )
    out, _ = capture.records
    assert out.headers["X-Tenant-Key"] == out.headers["X-Tenant"] == "[REDACTED]"
    assert out.url == local_server.url("/echo?ticket=[REDACTED]&page=1")
    assert out.body == '{"ticket":"[REDACTED]","n":1}'
    text = capture.text()
    for value in ("TICKET-0001", "TICKET-0002", "TENANT-KEY-1", "TENANT-ID-1"):
        assert value not in text  # the echoed response included


def test_the_loggers_own_names_are_registered_on_the_client(
    make_caller: MakeCaller, capture: Any
) -> None:
    plugin = LoggerPlugin(redact_headers=["X-Internal"], redact_params=["tenant"])
    call = make_caller({"plugins": [plugin]})
    secrets = call.api.secrets
    assert secrets.is_secret_header("x-internal") and secrets.is_secret_param("Tenant")
    with pytest.raises(axios_python.NetworkError) as caught:
        call.get("/drop", params={"tenant": "ACME-TENANT"})
    assert "ACME-TENANT" not in str(caught.value)  # the core's error message honours them
    assert "ACME-TENANT" not in capture.text()
    call.api.remove_plugin(plugin)
    assert not secrets.is_secret_header("x-internal")  # undone with the plugin
    assert not secrets.is_secret_param("tenant")
