"""No secret reaches a log record made during a call: httpx's and httpcore's own included."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

import axios_python
from axios_python.engine import httpcore, httpx
from axios_python.redaction import RedactingFilter
from axios_python.testing import Caller, LocalServer, LogCapture

SECRETS = ("Q-TOKEN-1", "H-AUTH-2", "H-KEY-3", "C-SID-4", "U-PASS-5", "R-TENANT-6", "B-PW-7")


def test_httpx_and_httpcore_records_carry_no_secret(
    make_caller: Callable[..., Caller], local_server: LocalServer, log_capture: LogCapture
) -> None:
    userinfo = local_server.base_url.replace("http://", "http://ada:U-PASS-5@")
    call = make_caller({"base_url": userinfo, "headers": {"X-Api-Key": "H-KEY-3"}})
    call.api.secrets.register(headers=["X-Tenant-Ref"])
    call.get(
        "/cookies/set",
        params={"sid": "C-SID-4", "token": "Q-TOKEN-1"},
        headers={"Authorization": "Bearer H-AUTH-2", "X-Tenant-Ref": "R-TENANT-6"},
    )
    call.post("/echo", data={"password": "B-PW-7"})
    with pytest.raises(axios_python.NetworkError) as info:
        call.get("/drop", params={"token": "Q-TOKEN-1"})
    names = {r.name for r in log_capture.records}
    core = httpcore.__name__  # the engine's loggers: httpcore2.http11... on httpx2
    assert {httpx.__name__, f"{core}.http11", f"{core}.connection"} <= names, names
    text = log_capture.text() + str(info.value)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "token=***" in text and "(b'Set-Cookie', b'***')" in text


def test_the_filter_is_usable_on_any_logger(log_capture: LogCapture) -> None:
    logger = logging.getLogger("tests.my_app")
    redacting = RedactingFilter(mask="[hidden]")
    logger.addFilter(redacting)
    try:
        logger.info("calling %s", "https://h/x?api_key=K-1&page=2")
    finally:
        logger.removeFilter(redacting)
    assert log_capture.records[-1].getMessage() == "calling https://h/x?api_key=[hidden]&page=2"
