"""One definition of secret: names, registrations per client, and every redaction form."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import axios_python
from axios_python import Secrets
from axios_python.redaction import (
    is_secret_param,
    is_sensitive_header,
    redact_body,
    redact_fields,
    redact_form,
    redact_headers,
    redact_url,
    scrub,
)
from axios_python.testing import Caller, LocalServer


@pytest.mark.parametrize(
    "name",
    [
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key",
        "X-Auth-Token", "X-Amz-Security-Token", "X-Service-Key", "X-Client-Secret",
        "X-Session-Token", "X-CSRF-Token",
    ],
)  # fmt: skip
def test_credential_headers(name: str) -> None:
    assert is_sensitive_header(name)
    assert is_sensitive_header(name.upper())


@pytest.mark.parametrize(
    "name", ["Accept", "Content-Type", "X-Request-Id", "User-Agent", "X-Amz-SignedHeaders"]
)
def test_ordinary_headers(name: str) -> None:
    assert not is_sensitive_header(name)


@pytest.mark.parametrize(
    "name",
    [
        "token", "access_token", "api_key", "code", "client_secret", "password",
        "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature", "sig",
        "db_password", "refresh_token",
    ],
)  # fmt: skip
def test_secret_params(name: str) -> None:
    assert is_secret_param(name)


@pytest.mark.parametrize("name", ["page", "q", "sort", "X-Amz-Date", "scope"])
def test_ordinary_params(name: str) -> None:
    assert not is_secret_param(name)


def test_urls() -> None:
    assert (
        redact_url("https://h/x?X-Amz-Signature=abc&X-Amz-Date=20261130T000000Z&sig=1&page=2")
        == "https://h/x?X-Amz-Signature=***&X-Amz-Date=20261130T000000Z&sig=***&page=2"
    )
    assert redact_url("https://h/x?token=a&token=b") == "https://h/x?token=***&token=***"
    assert redact_url("https://u:p@h/x#frag") == "https://***:***@h/x#frag"
    assert redact_url("https://h/x?token=a", mask="REDACTED") == "https://h/x?token=REDACTED"
    assert redact_url("http://[::1") == "<invalid URL>"


def test_headers_keep_order_and_repeats() -> None:
    from axios_python.engine import httpx

    headers = httpx.Headers([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Accept", "x")])
    assert redact_headers(headers) == [
        ("Set-Cookie", "***"),
        ("Set-Cookie", "***"),
        ("Accept", "x"),
    ]
    assert redact_headers({"X-Api-Key": b"k", "Accept": "y"}) == [
        ("X-Api-Key", "***"),
        ("Accept", "y"),
    ]


def test_fields_and_forms() -> None:
    value = {"user": "ada", "password": "p", "nested": [{"api_key": "k", "n": 1}]}
    assert redact_fields(value) == {
        "user": "ada",
        "password": "***",
        "nested": [{"api_key": "***", "n": 1}],
    }
    assert redact_form("client_secret=S&grant_type=client_credentials") == (
        "client_secret=***&grant_type=client_credentials"
    )
    assert redact_form(b"access_token=T&scope=repo") == "access_token=***&scope=repo"
    assert redact_form("client%5Fsecret=S") == "client%5Fsecret=***"


def test_body_previews_never_show_a_secret() -> None:
    assert redact_body(b"password=hunter2&user=ada") == "password=***&user=ada"
    assert (
        redact_body(b"password=hunter2", "application/x-www-form-urlencoded; charset=utf-8")
        == "password=***"
    )
    assert redact_body(b'{"a": 1, "token": {"deep": ["x"]}}') == '{"a":1,"token":"***"}'
    # a JSON body of any size: its shown prefix is redacted, nothing is parsed in full
    big = json.dumps([{"id": i, "client_secret": f"s-{i}"} for i in range(50_000)]).encode()
    shown = redact_body(big, "application/json", limit=200)
    assert "s-0" not in shown and '"client_secret":"***"' in shown
    assert shown.endswith(f"[truncated, {len(big):,} bytes]")
    # a secret field cut by the limit is masked, not shown in part
    assert "hunter" not in redact_body(b'{"password": "hunter2hunter2"}', limit=14)
    assert redact_body(b"{not json", "application/json") == "<9 bytes of malformed JSON, not shown>"
    assert redact_body(b"\x89PNG\r\n", "image/png") == "<6 bytes of image/png>"
    assert redact_body(b"the key is abc123", "text/plain", values={"abc123"}) == "the key is ***"


def test_scrub_covers_encoded_forms() -> None:
    assert scrub("a=p%40ss+word b=p@ss word", {"p@ss word"}) == "a=*** b=***"
    assert scrub("ab", {"ab"}) == "ab"  # too short to be told from ordinary text


def test_a_client_registration_is_honoured_by_that_client_only() -> None:
    with axios_python.create() as one, axios_python.create() as two:
        registration = one.secrets.register(headers=["X-Tenant-Ref"], params=["ticket"])
        assert one.secrets.is_secret_header("x-tenant-ref")
        assert one.secrets.redact_url("https://h/?ticket=t") == "https://h/?ticket=***"
        assert not two.secrets.is_secret_header("X-Tenant-Ref")
        assert not is_sensitive_header("X-Tenant-Ref")
        assert one.secrets.unregister(registration)
        assert not one.secrets.is_secret_header("X-Tenant-Ref")
        assert not one.secrets.unregister(registration)


def test_registration_rejects_bad_names() -> None:
    secrets = Secrets()
    with pytest.raises(TypeError, match="headers must be a list of names, got 'X-One'"):
        secrets.register(headers="X-One")
    with pytest.raises(ValueError, match="params must hold non-empty str names, got ''"):
        secrets.register(params=[""])


def test_a_plugins_registration_is_removed_with_it() -> None:
    class TenantPlugin:
        name = "tenant"

        def attach(self, client: axios_python.AxiosPython) -> None:
            client.secrets.register(headers=["X-Tenant-Ref"])

    with axios_python.create() as api:
        api.plugin(TenantPlugin())
        assert api.secrets.is_secret_header("X-Tenant-Ref")
        api.remove_plugin("tenant")
        assert not api.secrets.is_secret_header("X-Tenant-Ref")
        assert api.secrets.ids == ()


def test_secret_values_of_a_config() -> None:
    config = {
        "base_url": "https://user:pw-123@h",
        "url": "/x?token=tok-1&page=2",
        "params": {"api_key": "key-1", "q": "visible"},
        "headers": {"Authorization": "Bearer bear-1", "Accept": "json"},
        "auth": ("ada", "basic-pw"),
        "json": {"client_secret": "cs-1", "list": [{"password": "pw-2"}]},
        "data": None,
    }
    values = Secrets().secret_values(config)
    assert {"user", "pw-123", "tok-1", "key-1", "Bearer bear-1", "bear-1", "basic-pw"} <= values
    assert {"cs-1", "pw-2"} <= values
    assert "visible" not in values and "json" not in values


def test_error_messages_name_the_url_without_its_secrets(
    make_caller: type[Caller], local_server: LocalServer
) -> None:
    call = make_caller()  # type: ignore[call-arg]
    call.api.secrets.register(params=["ticket"])
    with pytest.raises(axios_python.NetworkError) as info:
        call.get("/drop?ticket=T-SECRET-1", params={"token": "Q-SECRET-2"})
    message = str(info.value)
    assert "/drop?ticket=***&token=***" in message
    assert "SECRET" not in message
    response = call.get("/status/500", params={"api_key": "K-SECRET-3"})
    with pytest.raises(axios_python.HTTPStatusError) as status_info:
        response.raise_for_status()
    assert "api_key=***" in str(status_info.value) and "SECRET" not in str(status_info.value)


@pytest.mark.parametrize("fault", ["status", "refused", "timeout"])
def test_an_errors_config_is_safe_to_log(
    make_caller: Callable[..., Caller], local_server: LocalServer, fault: str
) -> None:
    """``repr``/``str`` of ``error.config`` mask every credential the call carried (axios's
    ``error.config`` is a classic way tokens reach logs); reading it gives the real values."""
    base = local_server.base_url.replace("http://", "http://user:pa55word@")
    if fault == "refused":
        base = "http://user:pa55word@127.0.0.1:9"
    call = make_caller(
        {
            "base_url": base,
            "headers": {"Authorization": "Bearer t0ken-1", "X-Api-Key": "k3y-2"},
            "validate_status": lambda status: status < 400,
        }
    )
    path, timeout = {"status": ("/status/404", 5.0), "refused": ("/json", 5.0)}.get(
        fault, ("/stall?seconds=5", 0.2)
    )
    with pytest.raises(axios_python.AxiosPythonError) as caught:
        call.get(
            path,
            params={"api_key": "qu3ry-3", "page": 2},
            json={"password": "b0dy-4"},
            auth=("user", "au7h-5"),
            cookies={"session": "c00kie-6"},
            timeout=timeout,
        )
    config = caught.value.config
    assert config is not None
    shown = repr(config) + str(config) + f"{config!s}" + repr(caught.value)
    for secret in ("pa55word", "t0ken-1", "k3y-2", "qu3ry-3", "b0dy-4", "au7h-5", "c00kie-6"):
        assert secret not in shown
    assert "'page': 2" in shown  # what is not secret stays readable
    assert config["headers"]["authorization"] == "Bearer t0ken-1"  # the real value to read
    assert isinstance(config, dict)
    if isinstance(caught.value, axios_python.HTTPStatusError):
        assert caught.value.response.config is config  # the same safe object from either
