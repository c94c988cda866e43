"""What axios_python treats as secret, for plugins that log, trace or forward requests.

The client itself uses these to keep secrets out of error messages (``redact_url``) and to drop
credential headers when a redirect leaves the origin (``is_sensitive_header``). Plugins that
log or export requests build on the same definitions, so "secret" means one thing everywhere::

    from axios_python.redaction import is_secret_param, is_sensitive_header, redact_url

    redact_url("https://api.example.com/x?api_key=abc&page=2")
    # 'https://api.example.com/x?api_key=***&page=2'
"""

from __future__ import annotations

from ._redact import (
    MASK,
    SECRET_PARAMS,
    SENSITIVE_HEADERS,
    is_secret_param,
    is_sensitive_header,
    redact_url,
)

__all__ = [
    "MASK",
    "SECRET_PARAMS",
    "SENSITIVE_HEADERS",
    "is_secret_param",
    "is_sensitive_header",
    "redact_url",
]
