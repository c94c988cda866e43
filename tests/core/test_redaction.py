"""axios_python.redaction: one definition of "secret" for the client and its plugins."""

from __future__ import annotations

import pytest

from axios_python.redaction import is_secret_param, is_sensitive_header, redact_url


@pytest.mark.parametrize(
    "name", ["Authorization", "cookie", "X-Api-Key", "X-Service-Key", "X-Session-Token"]
)
def test_sensitive_headers(name: str) -> None:
    assert is_sensitive_header(name)


@pytest.mark.parametrize("name", ["Accept", "Content-Type", "X-Request-Id", "User-Agent"])
def test_ordinary_headers(name: str) -> None:
    assert not is_sensitive_header(name)


def test_params_and_urls() -> None:
    assert is_secret_param("access_token") and is_secret_param("db_password")
    assert not is_secret_param("page")
    assert (
        redact_url("https://api.example.com/x?api_key=abc&page=2")
        == "https://api.example.com/x?api_key=***&page=2"
    )
    # userinfo is secret as a whole: a token is often passed as the user name
    assert redact_url("https://ada:hunter2@api.example.com/") == "https://***:***@api.example.com/"
    assert redact_url("https://ghp_token@github.com/x") == "https://***:***@github.com/x"
    assert redact_url("https://api.example.com/plain") == "https://api.example.com/plain"
