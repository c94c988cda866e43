"""The secret key, the session token and the signature never show in reprs, error messages or
log records (the plugin's, botocore's, the core's, httpx's and the logger plugin's)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python.testing import LogCapture
from axios_python_plugin_logger import LoggerPlugin
from axios_python_plugin_sigv4 import SigV4Plugin


def vault() -> tuple[str, str]:
    return ("AKIDVAULT", "vault-secret")


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (
            lambda k, t: SigV4Plugin("s3", "us-east-1", (*k, t)),
            "SigV4Plugin(service='s3', region='us-east-1', credentials=***)",
        ),
        (
            lambda k, t: SigV4Plugin("sqs", "eu-west-1", {"access_key": k[0], "secret_key": k[1]},
                                     hosts=["sqs.eu-west-1.amazonaws.com"], other_hosts="refuse"),
            "SigV4Plugin(service='sqs', region='eu-west-1', credentials=***, "
            "hosts=['sqs.eu-west-1.amazonaws.com'], other_hosts='refuse')",
        ),
        (
            lambda k, t: SigV4Plugin("execute-api", "us-east-1", vault),
            "SigV4Plugin(service='execute-api', region='us-east-1', credentials=<vault>)",
        ),
    ],
)  # fmt: skip
def test_reprs_show_no_secret(
    keys: tuple[str, str], session_token: str, make: Any, shown: str
) -> None:
    plugin = make(keys, session_token)
    assert repr(plugin) == str(plugin) == shown
    assert keys[1] not in repr(plugin) and session_token not in repr(plugin)


def test_nothing_secret_in_logs_or_errors(
    verifier: Any, keys: tuple[str, str], session_token: str, log_capture: LogCapture
) -> None:
    plugin = SigV4Plugin("s3", "us-east-1", (*keys, session_token))
    errors: list[str] = []
    config = {"base_url": verifier.base_url, "timeout": 10.0, "validate_status": lambda s: s < 400}
    with axios_python.create(config) as api:
        api.plugin(plugin)
        api.plugin(LoggerPlugin(level=logging.DEBUG, log_headers=True, log_bodies=True))
        assert api.put("/bucket/key.txt", content=b"hello").data["verified"] is True
        api.get("/hop", params={"to": "/bucket/next"})  # a redirect hop, signed again
        link = plugin.presign(verifier.base_url + "/bucket/key.txt")
        fetched = api.get(link)  # a presigned URL: sent as it is, its signature in the query
        assert (
            fetched.data["verified"] is True
            and fetched.request.headers.get("Authorization") is None
        )
        verifier.keys[keys[0]] = "a-different-secret"  # every signature is now refused
        with pytest.raises(axios_python.HTTPStatusError) as caught:
            api.get("/bucket/key.txt", params={"versionId": "1"})
        errors += [str(caught.value), repr(caught.value)]
        with pytest.raises(axios_python.RetryError) as retried:
            api.get("/bucket/x", max_retries=1, retry_strategy=FixedDelay(0, retry_on_status=[403]))
        errors += [str(retried.value), repr(retried.value)]
    signatures = [
        (request.header("Authorization") or "").rpartition("Signature=")[2]
        for request in verifier.server.requests
    ]
    signatures[3] = link.rpartition("X-Amz-Signature=")[2]
    assert len(signatures) == 7 and all(len(s) == 64 for s in signatures)
    loggers = {record.name for record in log_capture.records}
    assert {"axios_python.sigv4", "botocore.auth", "axios_python.logger"} <= loggers
    text = log_capture.text() + "\n".join(errors)
    for secret in (keys[1], session_token, *signatures):
        where = text.find(secret)
        assert where < 0, text[max(0, where - 700) : where + 100]
    assert "X-Amz-Signature=***" in text
