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
    "MASK",
    "SECRET_PARAMS",
    "SENSITIVE_HEADERS",
    "is_secret_param",
    "is_sensitive_header",
    "redact_url",
]

#: Query, form and JSON parameter names whose values are secrets (compared case-insensitively).
SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "token", "key", "api_key", "apikey", "api-key", "signature", "sig", "x-amz-signature",
        "x-amz-credential", "x-amz-security-token", "access_token", "refresh_token", "id_token",
        "client_secret", "password", "passwd", "secret", "auth", "authorization", "session",
        "sessionid", "jwt",
    }
)  # fmt: skip

#: Header names that carry credentials (compared case-insensitively).
SENSITIVE_HEADERS: frozenset[str] = frozenset(
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
        "x-amz-security-token", "x-auth-token", "x-csrf-token", "x-xsrf-token",
    }
)  # fmt: skip

#: A name containing one of these is secret too (``X-Session-Token``, ``db_password``), as is a
#: name ending in ``key`` (``X-Service-Key``, ``access_key``).
_MARKERS = (
    "token", "secret", "passw", "signature", "credential", "apikey", "api_key", "api-key",
    "session",
)  # fmt: skip
_HEADER_MARKERS = (*_MARKERS, "cookie")

MASK = "***"


def is_secret_param(name: str) -> bool:
    """Whether a query, form or JSON parameter's value is a secret."""
    lower = name.lower()
    return lower in SECRET_PARAMS or lower.endswith("key") or any(m in lower for m in _MARKERS)


def is_sensitive_header(name: str) -> bool:
    """Whether a header carries credentials."""
    lower = name.lower()
    return (
        lower in SENSITIVE_HEADERS
        or lower.endswith("key")
        or any(m in lower for m in _HEADER_MARKERS)
    )


def redact_url(url: Any) -> str:
    """``url`` as text with secret query values and any password replaced by ``***``."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
    except (TypeError, ValueError, httpx.InvalidURL):
        return str(url)
    if parsed.password:
        parsed = parsed.copy_with(username=parsed.username, password=MASK)
    if parsed.query and any(is_secret_param(k) for k in parsed.params):
        params = [(k, MASK if is_secret_param(k) else v) for k, v in parsed.params.multi_items()]
        parsed = parsed.copy_with(params=params)
    return str(parsed).replace("%2A%2A%2A", MASK)
