"""Signatures go only to the hosts the plugin signs for, and never across a redirect to
another origin; a redirect to the same origin is signed again for its own URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_sigv4 import SigV4Error, SigV4Plugin

SIGNATURE = ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")


def _received_signature(server: LocalServer) -> list[str]:
    return [name for name, _ in server.requests[-1].headers if name.lower() in SIGNATURE]


def test_another_host_gets_the_request_unsigned(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    other_server: LocalServer,
    keys: tuple[str, str],
    session_token: str,
) -> None:
    call = signed_caller(SigV4Plugin("s3", "us-east-1", (*keys, session_token)))
    assert call.get("/bucket/key").data["verified"] is True  # the base URL's host: signed
    response = call.get(other_server.url("/echo"))  # an absolute URL elsewhere: not signed
    assert response.status_code == 200
    assert _received_signature(other_server) == []
    assert call.get("http://other.test/echo").status_code == 200
    assert _received_signature(other_server) == []


def test_another_host_can_be_refused(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    other_server: LocalServer,
    keys: tuple[str, str],
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", keys, other_hosts="refuse")
    assert "other_hosts='refuse'" in repr(plugin)
    call = signed_caller(plugin)
    with pytest.raises(SigV4Error) as caught:
        call.get(other_server.url("/echo"), params={"api_key": "k-secret-1"})
    assert "does not sign GET" in str(caught.value) and "api_key=***" in str(caught.value)
    assert "k-secret-1" not in str(caught.value)
    assert other_server.requests == []


def test_hosts_patterns_choose_where_signatures_go(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    other_server: LocalServer,
    keys: tuple[str, str],
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", keys, hosts=["*.test", "example.com"])
    assert "hosts=['*.test', 'example.com']" in repr(plugin)
    call = signed_caller(plugin)
    call.get("http://other.test/echo")
    assert sorted(n.lower() for n in _received_signature(other_server)) == [
        "authorization", "x-amz-content-sha256", "x-amz-date",
    ]  # fmt: skip
    assert call.get("/prod/x").status_code == 403  # the base URL's host is not listed now
    assert verifier.verdicts[-1].reason == "no SigV4 Authorization header"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_never_carries_the_signature(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    other_server: LocalServer,
    keys: tuple[str, str],
    session_token: str,
    status: int,
) -> None:
    call = signed_caller(SigV4Plugin("s3", "us-east-1", (*keys, session_token)))
    target = other_server.url("/echo/landing")
    response = call.get("/hop", params={"to": target, "status": str(status)})
    assert response.status_code == 200 and response.data["path"] == "/echo/landing"
    assert verifier.verdicts[0].ok  # the first request was signed and verified
    assert _received_signature(other_server) == []


@pytest.mark.parametrize(
    ("status", "method", "body", "hop_method", "hop_body"),
    [
        (302, "GET", None, "GET", b""),
        (307, "GET", None, "GET", b""),
        (307, "PUT", b"the body", "PUT", b"the body"),
        (308, "POST", b'{"a": 1}', "POST", b'{"a": 1}'),
        (303, "POST", b"form=1", "GET", b""),
    ],
)
def test_a_redirect_to_the_same_origin_is_signed_again(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    keys: tuple[str, str],
    status: int,
    method: str,
    body: bytes | None,
    hop_method: str,
    hop_body: bytes,
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1", keys))
    response = call(
        method, "/hop", params={"to": "/landing/a b+c?x=1 2", "status": str(status)},
        content=body,
    )  # fmt: skip
    assert response.status_code == 200, response.data
    first, hop = verifier.verdicts
    assert first.ok and hop.ok, (first.reason, hop.reason)
    received = verifier.server.requests[1]
    assert (received.method, received.body) == (hop_method, hop_body)
    assert received.raw_target == "/landing/a%20b%2Bc?x=1%202"
    assert first.signature != hop.signature


def test_the_default_needs_a_base_url(keys: tuple[str, str]) -> None:
    with axios_python.create() as api, pytest.raises(ValueError, match="pass hosts="):
        api.plugin(SigV4Plugin("s3", "us-east-1", keys))
    with axios_python.create() as api:
        api.plugin(SigV4Plugin("s3", "us-east-1", keys, hosts=["*.amazonaws.com"]))


@pytest.mark.parametrize(
    "hosts",
    [["*"], ["a*.example.com"], [""], ["h:0"], ["h:port"], ["[::1"], "example.com", []],
)
def test_bad_hosts_are_refused(keys: tuple[str, str], hosts: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        SigV4Plugin("s3", "us-east-1", keys, hosts=hosts)
