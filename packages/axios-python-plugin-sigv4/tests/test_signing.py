"""Every attempt is signed over exactly what goes on the wire, and a verifier that recomputes
the signature with botocore from the request as received accepts it (both paths)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import AsyncNext, Config, Dual, FixedDelay, Response, SyncNext
from axios_python.engine import httpx
from axios_python.testing import Caller
from axios_python_plugin_sigv4 import SigV4Plugin


def _inner(change: Callable[[Config], Config]) -> Dual:
    """An attempt-scope middleware running inside the plugin's (registered after it)."""

    def sync(ctx: Config, next_fn: SyncNext) -> Response:
        return next_fn(change(ctx))

    async def async_(ctx: Config, next_fn: AsyncNext) -> Response:
        return await next_fn(change(ctx))

    return Dual(sync=sync, async_=async_)


def test_the_url_is_signed_as_aws_reads_it(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    response = call.get(
        "/prod/items/a b+c~é%2Fd?page=2&flag&note=already+encoded%7E",
        params=[("q", "x y+z"), ("tilde", "~"), ("uni", "é €"), ("r", "2"), ("r", "1")],
    )
    assert response.data == {**response.data, "verified": True}, response.data
    (received,) = verifier.server.requests
    assert received.raw_target == (
        "/prod/items/a%20b%2Bc~%C3%A9%2Fd?page=2&flag=&note=already%20encoded~"
        "&q=x%20y%2Bz&tilde=~&uni=%C3%A9%20%E2%82%AC&r=2&r=1"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"json": {"name": "ünïcode", "n": [1, 2]}}, b'{"name":"\xc3\xbcn\xc3\xafcode","n":[1,2]}'),
        (
            {"data": {"Action": "SendMessage", "MessageBody": "a b&c=d+é"}},
            b"Action=SendMessage&MessageBody=a+b%26c%3Dd%2B%C3%A9",
        ),
        ({"content": b"\x00raw bytes\xff"}, b"\x00raw bytes\xff"),
        ({"content": "text é"}, "text é".encode()),
        ({"data": b"data as bytes"}, b"data as bytes"),
        ({"content": [b"chunk one, ", b"chunk two"]}, b"chunk one, chunk two"),
        ({}, b""),
    ],
    ids=["json", "form", "bytes", "str", "data-bytes", "chunks", "empty"],
)
def test_bodies_are_hashed_as_sent(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    keys: tuple[str, str],
    body: dict[str, Any],
    expected: bytes,
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    response = call.post("/prod/things", **body)
    assert response.data["verified"] is True, response.data
    (received,) = verifier.server.requests
    assert received.body == expected
    assert received.header("X-Amz-Content-SHA256") == hashlib.sha256(expected).hexdigest()
    if "json" in body or ("data" in body and isinstance(body["data"], dict)):
        assert "content-type" in response.data["signed_headers"]


def test_session_token_and_amz_headers_are_signed(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str], session_token: str
) -> None:
    plugin = SigV4Plugin("s3", "eu-west-1", (*keys, session_token))
    call = signed_caller(plugin)
    response = call.put(
        "/bucket/reports/q1 final+v2.csv",
        content=b"a,b\n1,2\n",
        headers={"X-Amz-Meta-Owner": "ada", "Content-Type": "text/csv", "X-Amz-Date": "stale"},
    )
    assert response.data["verified"] is True, response.data
    signed = response.data["signed_headers"]
    for name in ("host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
                 "x-amz-meta-owner", "content-type"):  # fmt: skip
        assert name in signed
    (received,) = verifier.server.requests
    assert received.header("X-Amz-Security-Token") == session_token
    assert received.header("X-Amz-Date") != "stale"  # the caller's own is replaced
    assert received.path == "/bucket/reports/q1%20final%2Bv2.csv"


def test_a_retry_after_503_carries_a_new_valid_signature(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", keys)
    retry = FixedDelay(0, retry_on_status=[503])
    call = signed_caller(plugin, max_retries=2, retry_strategy=retry)
    response = call.get("/flaky/orders", params={"fail": "1"})
    assert response.status_code == 200 and response.data["attempt"] == 2
    first, second = verifier.verdicts
    assert first.ok and second.ok  # the 503 came after a verified signature
    assert first.signature != second.signature
    assert first.date < second.date  # a fresh X-Amz-Date


def test_a_body_changed_after_signing_is_rejected(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    call.api.use(_inner(lambda ctx: {**ctx, "content": b"tampered"}), scope="attempt")
    response = call.post("/prod/things", content=b"original")
    assert response.status_code == 403
    assert response.data["reason"] == "X-Amz-Content-SHA256 does not match the body received"


def test_a_stale_date_is_rejected(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str], signing_clock: Any
) -> None:
    import datetime

    signing_clock.offset = datetime.timedelta(minutes=-20)
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    response = call.get("/prod/things")
    assert response.status_code == 403
    assert "too far from the server's clock" in response.data["reason"]


def test_a_request_replayed_with_its_signature_is_rejected(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    sent: list[dict[str, str]] = []

    def keep(ctx: Config) -> Config:
        sent.append(dict(ctx["headers"]))
        return ctx

    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    call.api.use(_inner(keep), scope="attempt")
    assert call.get("/prod/things").data["verified"] is True
    # the same request with the first attempt's signature, as a broken retry would send it
    replay = httpx.get(verifier.base_url + "/prod/things", headers=sent[0])
    assert replay.status_code == 403
    assert replay.json()["reason"] == "signature already used (a replayed request)"
    assert call.get("/prod/things").data["verified"] is True  # the plugin signs anew


def test_a_header_changed_after_signing_is_rejected(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    def change(ctx: Config) -> Config:
        headers = dict(ctx["headers"])
        headers["X-Tenant"] = "mallory"
        return {**ctx, "headers": headers}

    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    call.api.use(_inner(change), scope="attempt")
    response = call.get("/prod/things", headers={"X-Tenant": "alice"})
    assert response.status_code == 403
    assert response.data["reason"] == "signature does not match the request received"


def test_a_wrong_secret_is_rejected(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", (keys[0], "not-the-secret"))
    response = signed_caller(plugin).get("/prod/things")
    assert response.status_code == 403


def test_one_plugin_signs_for_many_threads_and_tasks(
    verifier: Any, keys: tuple[str, str], session_token: str
) -> None:
    """botocore's signer objects are made per signature: nothing is shared between requests
    signed at the same time."""
    plugin = SigV4Plugin("s3", "us-east-1", (*keys, session_token))
    config = {"base_url": verifier.base_url, "plugins": [plugin], "timeout": 15.0}
    with axios_python.create(config) as api:

        def work(worker: int) -> list[bool]:
            return [
                api.put(f"/bucket/t{worker}/{n} x+y.txt", content=f"{worker}-{n}".encode()).data[
                    "verified"
                ]
                for n in range(4)
            ]

        with ThreadPoolExecutor(6) as pool:
            results = [ok for oks in pool.map(work, range(6)) for ok in oks]

        async def tasks() -> list[bool]:
            responses = await asyncio.gather(
                *(api.async_post(f"/prod/task/{n}", json={"n": n}) for n in range(12))
            )
            return [response.data["verified"] for response in responses]

        results += asyncio.run(tasks())
    assert results == [True] * 36
    assert len({v.signature for v in verifier.verdicts}) == 36
