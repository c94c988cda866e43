"""Where the keys come from: botocore's chain, explicit keys and session tokens, botocore
``Credentials``/``RefreshableCredentials`` frozen once per signature, provider functions asked
on every attempt; a refresh on the async path runs off the event loop."""

from __future__ import annotations

import asyncio
import datetime
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import (  # type: ignore[import-untyped]
    Credentials,
    RefreshableCredentials,
)

import axios_python
from axios_python import Dual, FixedDelay
from axios_python.testing import Caller
from axios_python_plugin_sigv4 import SigV4Error, SigV4Plugin

ROTATED = ("AKIDSIGV4ROTATED0002", "rotated/secret/0002")


def _access_keys(verifier: Any) -> list[str]:
    """The access key each received request was signed with."""
    found = []
    for request in verifier.server.requests:
        credential = (request.header("Authorization") or "").split("Credential=")[1]
        found.append(credential.split("/")[0])
    return found


def _in(minutes: int) -> str:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return when.isoformat()


def test_the_chain_reads_the_environment(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    keys: tuple[str, str],
    session_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys[1])
    monkeypatch.setenv("AWS_SESSION_TOKEN", session_token)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    plugin = SigV4Plugin("execute-api")
    assert repr(plugin) == (
        "SigV4Plugin(service='execute-api', region='eu-central-1', credentials=None)"
    )
    response = signed_caller(plugin).get("/prod/items")
    assert response.data["verified"] is True, response.data
    assert verifier.server.requests[0].header("X-Amz-Security-Token") == session_token


def test_the_chain_reads_a_profile(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        f"[team]\naws_access_key_id = {keys[0]}\naws_secret_access_key = {keys[1]}\n"
    )
    Path(os.environ["AWS_CONFIG_FILE"]).write_text("[profile team]\nregion = ap-south-1\n")
    plugin = SigV4Plugin("execute-api", profile="team")
    assert plugin.region == "ap-south-1"
    assert "credentials=None, profile='team'" in repr(plugin)
    response = signed_caller(plugin).get("/prod/items")
    assert response.data["verified"] is True, response.data


def test_no_credentials_anywhere_is_a_clear_error(
    signed_caller: Callable[..., Caller], verifier: Any
) -> None:
    call = signed_caller(SigV4Plugin("execute-api", "us-east-1"))
    with pytest.raises(SigV4Error, match="no AWS credentials found") as caught:
        call.get("/prod/items")
    assert "pass credentials=" in str(caught.value)
    assert verifier.server.requests == []


def test_no_region_anywhere_is_a_clear_error(keys: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="no region given"):
        SigV4Plugin("execute-api", credentials=keys)


@pytest.mark.parametrize(
    "given",
    [
        lambda k, t: (*k, t),
        lambda k, t: {"access_key": k[0], "secret_key": k[1], "token": t},
        lambda k, t: {"AccessKeyId": k[0], "SecretAccessKey": k[1], "SessionToken": t},
        lambda k, t: Credentials(k[0], k[1], t),
    ],
    ids=["tuple", "mapping", "sts-response", "botocore"],
)
def test_explicit_credentials_with_a_session_token(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    keys: tuple[str, str],
    session_token: str,
    given: Callable[[tuple[str, str], str], Any],
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", given(keys, session_token))
    response = signed_caller(plugin).post("/prod/items", json={"a": 1})
    assert response.data["verified"] is True, response.data
    assert "x-amz-security-token" in response.data["signed_headers"]


class _FieldsForbidden(RefreshableCredentials):  # type: ignore[misc]
    """Refreshable credentials that count their snapshots and refuse field-by-field reads
    (which can mix two generations of keys)."""

    snapshots = 0

    def get_frozen_credentials(self) -> Any:
        type(self).snapshots += 1
        return super().get_frozen_credentials()

    @property
    def access_key(self) -> str:
        raise AssertionError("read field by field")

    @access_key.setter
    def access_key(self, value: str) -> None:
        self._access_key = value

    @property
    def secret_key(self) -> str:
        raise AssertionError("read field by field")

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        self._secret_key = value


def test_refreshable_credentials_are_frozen_once_per_signature_and_rotate(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    verifier.keys[ROTATED[0]] = ROTATED[1]
    refreshes: list[int] = []

    def refresh() -> dict[str, Any]:
        refreshes.append(1)
        return {"access_key": ROTATED[0], "secret_key": ROTATED[1], "token": None,
                "expiry_time": _in(60)}  # fmt: skip

    credentials = _FieldsForbidden.create_from_metadata(
        {"access_key": keys[0], "secret_key": keys[1], "token": None, "expiry_time": _in(30)},
        refresh,
        "test",
    )
    _FieldsForbidden.snapshots = 0
    retry = FixedDelay(0, retry_on_status=[503])
    plugin = SigV4Plugin("execute-api", "us-east-1", credentials)
    assert "credentials=<_FieldsForbidden>" in repr(plugin)
    call = signed_caller(plugin, max_retries=1, retry_strategy=retry)
    assert call.get("/flaky/a", params={"fail": "1"}).status_code == 200
    assert _FieldsForbidden.snapshots == 2  # one snapshot per attempt
    credentials._expiry_time = credentials._expiry_time - datetime.timedelta(minutes=25)
    assert call.get("/prod/b").data["verified"] is True  # 5 minutes left: botocore refreshes
    assert (_FieldsForbidden.snapshots, len(refreshes)) == (3, 1)
    assert _access_keys(verifier) == [keys[0], keys[0], ROTATED[0]]


async def test_an_async_refresh_never_blocks_the_loop(verifier: Any, keys: tuple[str, str]) -> None:
    verifier.keys[ROTATED[0]] = ROTATED[1]
    loop_thread = threading.get_ident()
    released = threading.Event()
    seen: list[tuple[int, bool]] = []

    def refresh() -> dict[str, Any]:
        # waits for a task on the loop: if this ran on the loop, that task could not run
        seen.append((threading.get_ident(), released.wait(5)))
        return {"access_key": ROTATED[0], "secret_key": ROTATED[1], "token": None,
                "expiry_time": _in(60)}  # fmt: skip

    credentials = RefreshableCredentials.create_from_metadata(
        {"access_key": keys[0], "secret_key": keys[1], "token": None, "expiry_time": _in(5)},
        refresh,
        "test",
    )

    async def release() -> None:
        await asyncio.sleep(0.01)
        released.set()

    plugin = SigV4Plugin("execute-api", "us-east-1", credentials)
    async with axios_python.create({"base_url": verifier.base_url, "plugins": [plugin]}) as api:
        results = await asyncio.gather(
            *(api.async_get(f"/prod/{index}") for index in range(4)), release()
        )
    responses = [result for result in results if result is not None]
    assert [r.data["verified"] for r in responses] == [True] * 4
    assert len(seen) == 1  # one refresh for the four tasks
    thread, loop_kept_running = seen[0]
    assert thread != loop_thread and loop_kept_running
    assert _access_keys(verifier) == [ROTATED[0]] * 4


def test_a_provider_is_asked_on_every_attempt(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str]
) -> None:
    asked: list[int] = []

    def provider() -> tuple[str, str]:
        asked.append(1)
        return keys

    retry = FixedDelay(0, retry_on_status=[503])
    plugin = SigV4Plugin("execute-api", "us-east-1", provider)
    assert "credentials=<" in repr(plugin) and "provider" in repr(plugin)
    call = signed_caller(plugin, max_retries=2, retry_strategy=retry)
    response = call.get("/flaky/p", params={"fail": "2"})
    assert response.status_code == 200 and len(asked) == 3
    assert [v.ok for v in verifier.verdicts] == [True, True, True]


@pytest.mark.parametrize("form", ["async", "dual", "botocore"])
def test_provider_forms(
    signed_caller: Callable[..., Caller], verifier: Any, keys: tuple[str, str], form: str
) -> None:
    async def async_provider() -> Any:
        return {"access_key": keys[0], "secret_key": keys[1]}

    provider: Any = {
        "async": async_provider,
        "dual": Dual(sync=lambda: keys, async_=async_provider),
        "botocore": lambda: Credentials(*keys),
    }[form]
    plugin = SigV4Plugin("execute-api", "us-east-1", provider)
    response = signed_caller(plugin).get("/prod/forms")
    assert response.data["verified"] is True, response.data


@pytest.mark.parametrize(
    ("returned", "error", "message"),
    [
        (None, SigV4Error, "returned None"),
        (42, TypeError, "returned a int"),
        (("only-a-key",), ValueError, "got 1 items"),
        ({"user": "x"}, ValueError, "need access_key and secret_key"),
    ],
)
def test_a_bad_provider_answer_is_reported(
    signed_caller: Callable[..., Caller],
    verifier: Any,
    returned: Any,
    error: type[Exception],
    message: str,
) -> None:
    plugin = SigV4Plugin("execute-api", "us-east-1", lambda: returned)
    with pytest.raises(error, match=message):
        signed_caller(plugin).get("/prod/x")
    assert verifier.server.requests == []


@pytest.mark.parametrize(
    ("credentials", "error"),
    [
        (("key",), ValueError),
        (("key", "secret", "token", "extra"), ValueError),
        (("key", ""), ValueError),
        (("key", "secret\nX-Injected: 1"), ValueError),
        (("key", 7), TypeError),
        ({"access": "x"}, ValueError),
        (3.5, TypeError),
    ],
)
def test_bad_credentials_are_refused_without_echoing_them(credentials: Any, error: type) -> None:
    with pytest.raises(error) as caught:
        SigV4Plugin("execute-api", "us-east-1", credentials)
    assert "secret\n" not in str(caught.value)


def test_profile_and_credentials_are_exclusive(keys: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="pass it alone"):
        SigV4Plugin("s3", "us-east-1", keys, profile="team")
