"""Keeping secrets out of messages and away from other hosts.

``redact_url`` masks secret query parameters and URL passwords in the URLs that error messages
show; ``is_sensitive_header`` names the headers that carry credentials, which the client drops
when a redirect leaves the origin the request was made to (httpx itself only drops
``Authorization``).
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "SECRET_PARAMS",
    "SENSITIVE_HEADERS",
    "is_secret_param",
    "is_sensitive_header",
    "redact_url",
]

#: Query parameter names whose values never appear in messages (compared case-insensitively).
SECRET_PARAMS = frozenset(
    {
        "token", "access_token", "refresh_token", "id_token", "key", "api_key", "apikey",
        "api-key", "signature", "sig", "x-amz-signature", "x-amz-credential",
        "x-amz-security-token", "client_secret", "secret", "password", "passwd", "auth",
    }
)  # fmt: skip

#: Header names that carry credentials (compared case-insensitively).
SENSITIVE_HEADERS = frozenset(
    {
        "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key",
        "x-auth-token", "x-amz-security-token",
    }
)  # fmt: skip
_SENSITIVE_PARTS = ("token", "secret", "password", "apikey", "api-key", "session")

MASK = "***"


def is_secret_param(name: str) -> bool:
    """Whether a query parameter's value is a secret."""
    return name.lower() in SECRET_PARAMS


def is_sensitive_header(name: str) -> bool:
    """Whether a header carries credentials."""
    lower = name.lower()
    return lower in SENSITIVE_HEADERS or any(part in lower for part in _SENSITIVE_PARTS)


def redact_url(url: Any) -> str:
    """``url`` as text with secret query values and any password replaced by ``***``."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
    except (TypeError, ValueError, httpx.InvalidURL):
        return str(url)
    if parsed.password:
        parsed = parsed.copy_with(password=MASK)
    if parsed.query and any(is_secret_param(k) for k in parsed.params):
        params = [(k, MASK if is_secret_param(k) else v) for k, v in parsed.params.multi_items()]
        parsed = parsed.copy_with(params=params)
    return str(parsed).replace("%2A%2A%2A", MASK)
