"""What axios_python treats as secret, and how to show a request without its secrets.

One definition serves the client (error messages, the redirect guard, the filter on httpx's and
httpcore's loggers) and every plugin (logs, spans, cache and dedupe keys)::

    from axios_python.redaction import redact_url

    redact_url("https://api.example.com/x?api_key=abc&page=2")
    # 'https://api.example.com/x?api_key=***&page=2'

The functions here use the built-in definition. A client's own definition, with the names its
plugins registered, is ``client.secrets`` (a ``Secrets``), and in a hook
``call_state(ctx).secrets``.
"""

from __future__ import annotations

from ._logfilter import RedactingFilter
from ._secrets import DEFAULT_SECRETS, MASK, SECRET_PARAMS, SENSITIVE_HEADERS, Secrets, scrub

__all__ = [
    "DEFAULT_SECRETS",
    "MASK",
    "SECRET_PARAMS",
    "SENSITIVE_HEADERS",
    "RedactingFilter",
    "Secrets",
    "is_secret_param",
    "is_sensitive_header",
    "redact_body",
    "redact_fields",
    "redact_form",
    "redact_headers",
    "redact_url",
    "scrub",
]

#: Whether a header carries credentials (the built-in definition).
is_sensitive_header = DEFAULT_SECRETS.is_secret_header
#: Whether a query, form or JSON field's value is a secret (the built-in definition).
is_secret_param = DEFAULT_SECRETS.is_secret_param
#: ``url`` as text with userinfo and secret query values masked (the built-in definition).
redact_url = DEFAULT_SECRETS.redact_url
#: ``(name, value)`` pairs with credential header values masked (the built-in definition).
redact_headers = DEFAULT_SECRETS.redact_headers
#: A JSON-like value with secret fields masked (the built-in definition).
redact_fields = DEFAULT_SECRETS.redact_fields
#: A form body with secret field values masked (the built-in definition).
redact_form = DEFAULT_SECRETS.redact_form
#: A body preview that never shows a secret (the built-in definition).
redact_body = DEFAULT_SECRETS.redact_body
