"""Redaction of secrets in headers, query strings, bodies and messages, and body previews."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlencode

import httpx

from axios_python.redaction import (
    SECRET_PARAMS,
    SENSITIVE_HEADERS,
    is_secret_param,
    is_sensitive_header,
)

__all__ = ["DEFAULT_REDACT_HEADERS", "DEFAULT_REDACT_PARAMS", "REDACTED", "Redactor"]

REDACTED = "[REDACTED]"

#: Headers always redacted (the core's definition); ``redact_headers`` adds to them.
DEFAULT_REDACT_HEADERS: frozenset[str] = SENSITIVE_HEADERS

#: Query (and form / JSON body) parameters always redacted; ``redact_params`` adds to them.
DEFAULT_REDACT_PARAMS: frozenset[str] = SECRET_PARAMS

_TEXT_TYPES = ("text/", "json", "xml", "x-www-form-urlencoded", "javascript", "yaml", "csv")
_JSON_PARSE_LIMIT = 256 * 1024


def names(values: Iterable[str], what: str) -> frozenset[str]:
    """Lower-cased names from ``values``; a TypeError names what was wrong."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a list or tuple of names, got {values!r}")
    items = list(values)
    for item in items:
        if not isinstance(item, str) or not item:
            raise TypeError(f"{what} must hold non-empty str names, got {item!r}")
    return frozenset(item.lower() for item in items)


class Redactor:
    """Decides what is secret and hides it."""

    def __init__(self, headers: frozenset[str], params: frozenset[str]) -> None:
        self.headers = headers
        self.params = params

    def secret_header(self, name: str) -> bool:
        """The core's definition (``axios_python.redaction``) plus the user's list."""
        return name.lower() in self.headers or is_sensitive_header(name)

    def secret_param(self, name: str) -> bool:
        """The core's definition (``axios_python.redaction``) plus the user's list."""
        return name.lower() in self.params or is_secret_param(name)

    # -- headers --------------------------------------------------------------------------

    def header_items(self, headers: Any) -> list[tuple[str, str]]:
        """``(name, value)`` pairs with secret values replaced."""
        items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
        return [
            (name, REDACTED if self.secret_header(name) else str(value)) for name, value in items
        ]

    # -- URLs -----------------------------------------------------------------------------

    def url(self, url: httpx.URL) -> tuple[str, list[str]]:
        """The URL as text with secret query values and any password hidden, and the secret
        values found (to scrub them from error messages)."""
        found: list[str] = []
        if url.userinfo:
            if url.password:
                found.append(url.password)
            url = url.copy_with(userinfo=b"")
        query = url.query
        if not query:
            return str(url), found
        parts = []
        changed = False
        for part in query.decode("ascii", errors="replace").split("&"):
            name, sep, value = part.partition("=")
            if sep and self.secret_param(unquote_plus(name)):
                if value:
                    found.extend({value, unquote_plus(value)})
                parts.append(f"{name}={REDACTED}")
                changed = True
            else:
                parts.append(part)
        if not changed:
            return str(url), found
        base = str(url.copy_with(query=None, fragment=None))
        fragment = f"#{url.fragment}" if url.fragment else ""
        return f"{base}?{'&'.join(parts)}{fragment}", found

    @staticmethod
    def scrub(text: str, secrets: Iterable[str]) -> str:
        """``text`` with every occurrence of ``secrets`` replaced."""
        for secret in sorted(secrets, key=len, reverse=True):
            if len(secret) >= 3:
                text = text.replace(secret, REDACTED)
        return text

    # -- bodies ---------------------------------------------------------------------------

    def data(self, value: Any) -> Any:
        """A JSON-like value with the values of secret keys hidden."""
        if isinstance(value, Mapping):
            return {
                k: REDACTED if isinstance(k, str) and self.secret_param(k) else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def request_body(self, ctx: Mapping[str, Any], limit: int) -> str | None:
        """A preview of the body ``ctx`` sends, or ``None`` when it has none."""
        data, body, content, files = ctx.get("data"), ctx.get("json"), ctx.get("content"), None
        files = ctx.get("files")
        if files:
            count = len(files) if hasattr(files, "__len__") else "?"
            fields = f", fields {sorted(data)}" if isinstance(data, Mapping) else ""
            return f"<multipart body: {count} file(s){fields}>"
        if data is not None:
            if isinstance(data, Mapping):
                return truncate(urlencode(self.data(dict(data)), doseq=True).encode(), limit)
            if isinstance(data, (str, bytes)):
                return self.text(data.encode() if isinstance(data, str) else data, limit, None)
            return f"<{type(data).__name__} body>"
        if body is not None:
            text = json.dumps(self.data(body), ensure_ascii=False, default=str)
            return truncate(text.encode(), limit)
        if content is not None:
            if isinstance(content, (str, bytes)):
                raw = content.encode() if isinstance(content, str) else content
                return self.text(raw, limit, None)
            return "<streamed request body>"
        return None

    def text(self, raw: bytes, limit: int, content_type: str | None) -> str:
        """A preview of ``raw``: JSON with secret keys hidden, text truncated at ``limit``."""
        if content_type and not any(t in content_type.lower() for t in _TEXT_TYPES):
            return f"<{len(raw):,} bytes of {content_type.split(';')[0].strip()}>"
        if len(raw) <= _JSON_PARSE_LIMIT and raw[:1] in (b"{", b"["):
            try:
                parsed = json.loads(raw)
            except ValueError:
                pass
            else:
                text = json.dumps(self.data(parsed), ensure_ascii=False)
                return truncate(text.encode(), limit)
        return truncate(raw, limit)


def truncate(raw: bytes, limit: int) -> str:
    """``raw`` decoded, cut at ``limit`` bytes with a note of the full size."""
    if len(raw) <= limit:
        return raw.decode("utf-8", errors="replace")
    shown = raw[:limit].decode("utf-8", errors="ignore")
    return f"{shown}... [truncated, {len(raw):,} bytes]"
