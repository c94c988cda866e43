"""What is secret, and how to show a request without its secrets.

One definition serves every component: error messages, the redirect guard, the filter on
httpx's and httpcore's loggers, and every plugin (logs, spans, cache and dedupe keys). The
built-in definition covers credential headers, secret query, form and JSON field names and URL
userinfo; each client has its own ``Secrets`` on top of it (``client.secrets``), where plugins
register the names they put credentials under (an API-key header, a signature parameter), so
every other component honours them too.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

from ._engine import httpx

__all__ = [
    "DEFAULT_SECRETS",
    "MASK",
    "SECRET_PARAMS",
    "SENSITIVE_HEADERS",
    "Secrets",
]

MASK = "***"

#: Query, form and JSON field names whose values are secrets (compared case-insensitively).
SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "token", "key", "api_key", "apikey", "api-key", "signature", "sig", "x-amz-signature",
        "x-amz-credential", "x-amz-security-token", "access_token", "refresh_token", "id_token",
        "client_secret", "client_assertion", "assertion", "password", "passwd", "pwd", "secret",
        "auth", "authorization", "session", "sessionid", "sid", "jwt", "code", "otp",
        "credentials", "private_key",
    }
)  # fmt: skip

#: Header names that carry credentials (compared case-insensitively).
SENSITIVE_HEADERS: frozenset[str] = frozenset(
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
        "x-amz-security-token", "x-auth-token", "x-csrf-token", "x-xsrf-token",
        "www-authenticate", "proxy-authenticate",
    }
)  # fmt: skip

#: A name containing one of these is secret too (``X-Session-Token``, ``db_password``), as is a
#: name ending in ``key`` (``X-Service-Key``, ``access_key``).
_MARKERS = (
    "token", "secret", "passw", "signature", "credential", "apikey", "api_key", "api-key",
    "session", "private",
)  # fmt: skip
_HEADER_MARKERS = (*_MARKERS, "cookie")

#: Header names that look secret by the rules above but only describe one.
_NOT_SECRET_HEADERS = frozenset({"x-amz-signedheaders", "sec-websocket-key"})

_ids = itertools.count(1)

#: How much of a body the previews scan at most, beyond what they show.
_SCAN_MARGIN = 64 * 1024
#: The largest text body whose secret field values ``secret_values`` reads.
_JSON_VALUES_LIMIT = 256 * 1024

_FORM_SHAPE = re.compile(rb"^[\w.~%+*\-\[\]]+=[^&\s]*(?:&[\w.~%+*\-\[\]]+=?[^&\s]*)*$")
_TEXT_TYPES = ("text/", "json", "xml", "x-www-form-urlencoded", "javascript", "yaml", "csv")


def _lower_names(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a list of names, got {values!r}")
    names = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{what} must hold non-empty str names, got {value!r}")
        names.append(value.strip().lower())
    return frozenset(names)


class Secrets:
    """The definition of secret for one client: the built-in names plus registered ones.

    ::

        client.secrets.register(headers=["X-Tenant-Key"], params=["ticket"])
        client.secrets.is_secret_header("x-tenant-key")       # True
        client.secrets.redact_url("https://h/x?ticket=abc")   # 'https://h/x?ticket=***'

    ``params`` names are secret wherever a value is named: query strings, form bodies and JSON
    fields. Registrations made by a plugin while it attaches are undone when it is removed.
    """

    def __init__(self, on_change: Callable[[str, Secrets, int], None] | None = None) -> None:
        self._on_change = on_change
        self._lock = threading.Lock()
        self._registrations: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self._headers: frozenset[str] = frozenset()
        self._params: frozenset[str] = frozenset()
        #: ``is_secret_header``'s answers by name as given, for this set of registrations
        self._header_verdicts: dict[str, bool] = {}

    # -- registration -----------------------------------------------------------------------

    def register(self, *, headers: Iterable[str] = (), params: Iterable[str] = ()) -> int:
        """Treat ``headers`` and ``params`` (query, form and JSON names) as secret on this client;
        returns an id for ``unregister``."""
        entry = (_lower_names(headers, "headers"), _lower_names(params, "params"))
        with self._lock:
            registration = next(_ids)
            self._registrations[registration] = entry
            self._rebuild()
        if self._on_change is not None:
            self._on_change("use", self, registration)
        return registration

    def unregister(self, registration: int) -> bool:
        """Undo ``register``; ``False`` if the id is unknown."""
        with self._lock:
            found = self._registrations.pop(registration, None) is not None
            self._rebuild()
        if found and self._on_change is not None:
            self._on_change("eject", self, registration)
        return found

    # the plugin registry undoes registrations through the same method as interceptors
    eject = unregister

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids of the registrations, in order."""
        return tuple(self._registrations)

    @property
    def registered(self) -> tuple[frozenset[str], frozenset[str]]:
        """The registered (header names, param names), lower-cased."""
        return self._headers, self._params

    def _rebuild(self) -> None:
        headers: Counter[str] = Counter()
        params: Counter[str] = Counter()
        for header_names, param_names in self._registrations.values():
            headers.update(header_names)
            params.update(param_names)
        self._headers = frozenset(headers)
        self._params = frozenset(params)
        # a new dict after the names: an answer judged by the old names lands in the old one
        self._header_verdicts = {}

    # -- the definition ---------------------------------------------------------------------

    def is_secret_header(self, name: str) -> bool:
        """Whether the header ``name`` carries a credential."""
        verdicts = self._header_verdicts  # taken before the names the answer is judged by
        verdict = verdicts.get(name)
        if verdict is None:
            verdict = self._judge_header(name)
            if len(verdicts) < 512:  # a bound: header names are mostly a fixed set
                verdicts[name] = verdict
        return verdict

    def _judge_header(self, name: str) -> bool:
        lower = name.lower()
        if lower in SENSITIVE_HEADERS or lower in self._headers:
            return True
        if lower in _NOT_SECRET_HEADERS:
            return False
        return lower.endswith("key") or any(m in lower for m in _HEADER_MARKERS)

    def is_secret_param(self, name: str) -> bool:
        """Whether a query parameter, form field or JSON field called ``name`` is secret."""
        lower = name.lower()
        return (
            lower in SECRET_PARAMS
            or lower in self._params
            or lower.endswith("key")
            or any(m in lower for m in _MARKERS)
        )

    def is_secret_field(self, name: str) -> bool:
        """Whether a form or JSON field called ``name`` is secret: a secret parameter name, or
        a credential header's name (a body that echoes headers: ``{"authorization": ...}``)."""
        return self.is_secret_param(name) or self.is_secret_header(name)

    # -- redaction --------------------------------------------------------------------------

    def redact_url(self, url: Any, *, mask: str = MASK) -> str:
        """``url`` as text with its userinfo and secret query values replaced by ``mask``."""
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
        except (TypeError, ValueError, httpx.InvalidURL):
            return "<invalid URL>"
        prefix = ""
        if parsed.userinfo:
            parsed = parsed.copy_with(userinfo=b"")
            prefix = f"{mask}:{mask}@"
        text = str(parsed)
        if prefix:
            scheme, sep, rest = text.partition("://")
            text = f"{scheme}{sep}{prefix}{rest}"
        if not parsed.query:
            return text
        query = parsed.query.decode("ascii", errors="replace")
        shown = self._redact_pairs(query, mask, limit=None)
        if shown == query:
            return text
        fragment = f"#{parsed.fragment}" if parsed.fragment else ""
        return f"{text.partition('?')[0]}?{shown}{fragment}"

    def redact_headers(self, headers: Any, *, mask: str = MASK) -> list[tuple[str, str]]:
        """``(name, value)`` pairs of ``headers`` (a mapping or ``httpx.Headers``, repeated
        names kept) with the values of credential headers replaced by ``mask``."""
        if isinstance(headers, httpx.Headers):  # raw: names as sent, repeats kept
            items: Iterable[tuple[str, Any]] = [
                (name.decode("latin-1"), value) for name, value in headers.raw
            ]
        elif isinstance(headers, Mapping):
            items = headers.items()
        else:
            items = headers
        shown = []
        for name, value in items:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            shown.append((name, mask if self.is_secret_header(name) else text))
        return shown

    def redact_fields(self, value: Any, *, mask: str = MASK) -> Any:
        """A JSON-like value (dicts, lists, scalars) with the values of secret fields replaced
        by ``mask``, at any depth."""
        if isinstance(value, Mapping):
            return {
                k: mask
                if isinstance(k, str) and self.is_secret_field(k)
                else self.redact_fields(v, mask=mask)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.redact_fields(v, mask=mask) for v in value]
        return value

    def redact_form(self, body: str | bytes, *, mask: str = MASK, limit: int | None = None) -> str:
        """An ``application/x-www-form-urlencoded`` body with secret field values replaced."""
        text = body.decode("latin-1") if isinstance(body, bytes) else body
        return self._redact_pairs(text, mask, limit, self.is_secret_field)

    def _redact_pairs(
        self,
        text: str,
        mask: str,
        limit: int | None,
        secret: Callable[[str], bool] | None = None,
    ) -> str:
        is_secret = secret or self.is_secret_param
        parts: list[str] = []
        size = 0
        for part in text.split("&"):
            name, sep, value = part.partition("=")
            if sep and value and is_secret(unquote_plus(name)):
                part = f"{name}={mask}"
            parts.append(part)
            size += len(part) + 1
            if limit is not None and size > limit:
                break
        return "&".join(parts)

    def redact_body(
        self,
        body: str | bytes,
        content_type: str | None = None,
        *,
        limit: int = 1024,
        mask: str = MASK,
        values: Iterable[str] = (),
    ) -> str:
        """A preview of a request or response body, at most about ``limit`` characters, that
        never shows a secret: JSON (of any size) and form bodies with secret fields masked,
        binary bodies summarised, other text with the known secret ``values`` scrubbed."""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        size = len(raw)
        kind = (content_type or "").split(";")[0].strip().lower()
        if kind and not any(t in kind for t in _TEXT_TYPES):
            return f"<{size:,} bytes of {kind}>"
        head = raw[: limit + _SCAN_MARGIN]
        stripped = head.lstrip()
        if "json" in kind or (not kind and stripped[:1] in (b"{", b"[")):
            known = [v for v in values if len(v) >= 3]
            shown = _redact_json_text(
                head.decode("utf-8", errors="replace"),
                self.is_secret_field,
                mask,
                limit,
                (lambda token: scrub(token, known, mask=mask)) if known else None,
            )
            if shown is not None:
                text, complete = shown
                return _noted(text, complete and len(head) == size, size)
            if "json" in kind:
                return f"<{size:,} bytes of malformed JSON, not shown>"
        if "x-www-form-urlencoded" in kind or (not kind and _FORM_SHAPE.match(head[:4096])):
            text = self._redact_pairs(
                head.decode("utf-8", errors="replace"), mask, limit, self.is_secret_field
            )
            text = scrub(text, values, mask=mask)
            return _noted(text[:limit], len(text) <= limit and len(head) == size, size)
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            if len(head) == size or not _cut_utf8(head):
                return f"<{size:,} bytes of binary data>"
            text = head.decode("utf-8", errors="ignore")
        complete = len(text) <= limit and len(head) == size
        return _noted(scrub(text[:limit], values, mask=mask), complete, size)

    # -- values -----------------------------------------------------------------------------

    def secret_values(self, config: Mapping[str, Any]) -> set[str]:
        """The secret values a request configuration carries: credential header values,
        ``auth=`` credentials, URL userinfo, secret query and body field values. Used to scrub
        them from text that has no structure (error messages, log lines)."""
        found: set[str] = set()
        headers = config.get("headers") or {}
        for name, value in headers.items():
            if value is not None and self.is_secret_header(str(name)):
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                found.add(text)
                scheme, _, credential = text.partition(" ")
                if credential and scheme.isalpha():
                    found.add(credential)  # "Bearer abc": abc alone too
        auth = config.get("auth")
        if isinstance(auth, tuple):
            found.update(str(v.decode() if isinstance(v, bytes) else v) for v in auth[1:])
        for url in (config.get("base_url"), config.get("url")):
            self._url_values(url, found)
        params = config.get("params")
        if params:
            try:
                query = httpx.QueryParams(params)
            except (TypeError, ValueError):
                query = httpx.QueryParams()
            for name, value in query.multi_items():
                if self.is_secret_param(name) and value:
                    found.add(value)
        for key in ("data", "json"):
            self._field_values(config.get(key), found, 0)
        for key in ("data", "content"):
            raw = config.get(key)
            if isinstance(raw, (str, bytes, bytearray)):
                self._raw_body_values(bytes(raw) if not isinstance(raw, str) else raw, found)
        return {v for v in found if len(v) >= 3}

    def _raw_body_values(self, raw: str | bytes, found: set[str]) -> None:
        """Secret field values of a body given as text: JSON, or form-encoded."""
        import json
        from urllib.parse import parse_qsl

        head = raw[:_JSON_VALUES_LIMIT]
        if len(head) < len(raw):
            return  # too large to read here; previews still redact the part they show
        text = head.decode("utf-8", errors="replace") if isinstance(head, bytes) else head
        stripped = text.lstrip()
        if stripped[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                self._field_values(json.loads(stripped), found, 0)
            return
        if _FORM_SHAPE.match(text.encode("utf-8", errors="replace")[:4096]):
            for name, value in parse_qsl(text, keep_blank_values=False):
                if self.is_secret_field(name):
                    found.add(value)

    def _url_values(self, url: Any, found: set[str]) -> None:
        if not url:
            return
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
        except (TypeError, ValueError, httpx.InvalidURL):
            return
        if parsed.userinfo:
            found.update(v for v in (parsed.username, parsed.password) if v)
        for name, value in parsed.params.multi_items():
            if self.is_secret_param(name) and value:
                found.add(value)

    def _field_values(self, value: Any, found: set[str], depth: int) -> None:
        if depth > 8:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and self.is_secret_field(key):
                    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                        found.add(str(item))
                else:
                    self._field_values(item, found, depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in value[:1000]:
                self._field_values(item, found, depth + 1)

    def __repr__(self) -> str:
        headers, params = self.registered
        return f"<Secrets registered headers={sorted(headers)} params={sorted(params)}>"


def scrub(text: str, values: Iterable[str], *, mask: str = MASK) -> str:
    """``text`` with every occurrence of the secret ``values`` (and their URL-encoded forms)
    replaced by ``mask``; values shorter than 3 characters are left alone."""
    from urllib.parse import quote, quote_plus

    forms: set[str] = set()
    for value in values:
        if len(value) >= 3:
            forms.update((value, quote(value, safe=""), quote_plus(value)))
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, mask)
    return text


def _noted(text: str, complete: bool, size: int) -> str:
    return text if complete else f"{text}... [truncated, {size:,} bytes]"


def _cut_utf8(head: bytes) -> bool:
    """Whether ``head`` fails to decode only because it ends inside a character."""
    try:
        head[:-3].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- JSON without parsing the whole body -------------------------------------------------------

_WS = " \t\r\n"
_LITERAL_END = re.compile(r"[\s,\]}:]")


class _Malformed(Exception):
    pass


def _string_end(text: str, start: int) -> int:
    """The index after the closing quote of the string opening at ``start`` (or -1 if the text
    ends first)."""
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        else:
            i += 1
    return -1


def _skip_value(text: str, start: int) -> int:
    """The index after the JSON value starting at ``start`` (-1 if the text ends first)."""
    c = text[start]
    if c == '"':
        return _string_end(text, start)
    if c not in "{[":
        match = _LITERAL_END.search(text, start)
        return match.start() if match else -1
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = _string_end(text, i)
            if i < 0:
                return -1
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _redact_json_text(
    text: str,
    is_secret: Callable[[str], bool],
    mask: str,
    limit: int,
    scrub_value: Callable[[str], str] | None = None,
) -> tuple[str, bool] | None:
    """A prefix of the JSON ``text`` of at most about ``limit`` characters with the values of
    secret fields replaced by ``"mask"``; ``None`` when ``text`` is not JSON. The second item
    says whether the whole of ``text`` was shown."""
    import json

    out: list[str] = []
    size = 0
    stack: list[str] = []  # "o" (object) or "a" (array)
    expect_key = False
    secret_next = False
    i = 0
    n = len(text)
    try:
        while i < n:
            if size >= limit:
                return "".join(out), False
            c = text[i]
            if c in _WS:
                i += 1
                continue
            if secret_next and c not in ":":
                end = _skip_value(text, i)
                out.append(f'"{mask}"')
                size += len(mask) + 2
                secret_next = False
                if end < 0:
                    return "".join(out), False
                i = end
                continue
            if c in "{[":
                stack.append("o" if c == "{" else "a")
                expect_key = c == "{"
                out.append(c)
            elif c in "}]":
                if not stack or stack.pop() != ("o" if c == "}" else "a"):
                    raise _Malformed
                expect_key = False
                out.append(c)
            elif c == ",":
                if not stack:
                    raise _Malformed
                expect_key = stack[-1] == "o"
                out.append(c)
            elif c == ":":
                if not stack or stack[-1] != "o":
                    raise _Malformed
                out.append(c)
            elif c == '"':
                end = _string_end(text, i)
                if end < 0:
                    return "".join(out), False
                token = text[i:end]
                if expect_key:
                    name = json.loads(token)
                    secret_next = is_secret(name)
                    expect_key = False
                elif scrub_value is not None:
                    token = scrub_value(token)
                if size + len(token) > limit:  # not a secret: a cut is safe to show
                    out.append(token[: max(0, limit - size)])
                    return "".join(out), False
                out.append(token)
                size += len(token)
                i = end
                continue
            else:
                match = _LITERAL_END.search(text, i)
                end = match.start() if match else n
                token = text[i:end]
                if token not in ("true", "false", "null"):
                    float(token)  # a number, or not JSON at all
                if size + len(token) > limit:
                    out.append(token[: max(0, limit - size)])
                    return "".join(out), False
                out.append(token)
                size += len(token)
                i = end
                continue
            size += 1
            i += 1
    except (_Malformed, ValueError):
        return None
    if stack or not out:
        return ("".join(out), False) if out else None
    return "".join(out), True


#: The built-in definition, without any client's registrations.
DEFAULT_SECRETS = Secrets()
