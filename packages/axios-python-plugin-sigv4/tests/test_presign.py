"""Presigned URLs (botocore's query signer): verified by the loopback verifier, for whoever
holds them, for their lifetime only."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest

from axios_python.engine import httpx
from axios_python_plugin_sigv4 import SigV4Plugin


def test_a_presigned_get_works_without_credentials(verifier: Any, keys: tuple[str, str]) -> None:
    plugin = SigV4Plugin("s3", "us-east-1", keys, hosts=["127.0.0.1"])
    url = verifier.base_url + "/bucket/reports/q1 final+v2.csv"
    link = plugin.presign(url, expires_in=900, params={"versionId": "3 4"})
    assert link.startswith(
        verifier.base_url + "/bucket/reports/q1%20final%2Bv2.csv?versionId=3%204&"
    )
    assert "X-Amz-Expires=900" in link and "X-Amz-SignedHeaders=host" in link
    response = httpx.get(link)  # a browser's GET: no credentials of its own
    assert response.json()["verified"] is True, response.json()


def test_a_presigned_put_signs_its_headers(verifier: Any, keys: tuple[str, str]) -> None:
    plugin = SigV4Plugin("s3", "us-east-1", keys)
    link = plugin.presign(
        verifier.base_url + "/bucket/upload.csv",
        method="put",
        expires_in=60,
        headers={"Content-Type": "text/csv"},
    )
    assert "X-Amz-SignedHeaders=content-type%3Bhost" in link
    ok = httpx.put(link, content=b"a,b\n", headers={"Content-Type": "text/csv"})
    assert ok.json()["verified"] is True, ok.json()
    wrong = httpx.put(link, content=b"a,b\n", headers={"Content-Type": "text/html"})
    assert wrong.status_code == 403


def test_a_presigned_url_expires(verifier: Any, keys: tuple[str, str], signing_clock: Any) -> None:
    plugin = SigV4Plugin("execute-api", "eu-west-1", keys)
    signing_clock.offset = datetime.timedelta(minutes=-10)
    link = plugin.presign(verifier.base_url + "/prod/report", expires_in=300)
    assert httpx.get(link).json()["reason"] == "presigned URL expired or not valid yet"
    tampered = link.replace("X-Amz-Expires=300", "X-Amz-Expires=3000")
    assert httpx.get(tampered).json()["reason"] == "signature does not match the request received"


def test_async_presign_and_session_tokens(
    verifier: Any, keys: tuple[str, str], session_token: str
) -> None:
    async def provider() -> tuple[str, str, str]:
        return (*keys, session_token)

    plugin = SigV4Plugin("execute-api", "eu-west-1", provider)
    link = asyncio.run(plugin.async_presign(verifier.base_url + "/prod/report"))
    assert "X-Amz-Security-Token=" in link and "X-Amz-Expires=3600" in link
    assert httpx.get(link).json()["verified"] is True


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"expires_in": 0}, ValueError),
        ({"expires_in": 7 * 24 * 3600 + 1}, ValueError),
        ({"expires_in": 1.5}, TypeError),
        ({"method": "GE T"}, ValueError),
        ({"url": "/relative/key"}, ValueError),
        ({"url": "ftp://host/key"}, ValueError),
        ({"headers": {"Bad Name": "x"}}, ValueError),
    ],
)
def test_presign_checks_its_arguments(
    keys: tuple[str, str], kwargs: dict[str, Any], error: type[Exception]
) -> None:
    plugin = SigV4Plugin("s3", "us-east-1", keys)
    arguments = {"url": "https://bucket.s3.amazonaws.com/key", **kwargs}
    with pytest.raises(error):
        plugin.presign(**arguments)
