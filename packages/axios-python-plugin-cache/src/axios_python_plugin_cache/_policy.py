"""The caching policy (RFC 9111, with RFC 5861's stale extensions), as pure functions over
stored entries, request headers and a clock reading: no I/O, so the sync and the async path
share it and tests drive it with a fake clock.

What it decides: whether a response may be stored and for how long (``storable``,
``keep_for``), which stored variant answers a request (``select``), whether that variant is
fresh, may be served stale while it is refreshed, or must be revalidated (``judge``), the
conditional request headers for a revalidation (``conditional_headers``) and the headers of a
stored response refreshed by a 304 (``freshen``).
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ._entry import Entry

__all__ = [
    "HEURISTIC_STATUSES",
    "CacheControl",
    "Decision",
    "Settings",
    "conditional_headers",
    "current_age",
    "freshen",
    "freshness_lifetime",
    "initial_age",
    "judge",
    "keep_for",
    "parse_cache_control",
    "select",
    "storable",
    "stored_headers",
    "vary_digest",
    "vary_names",
]

#: Statuses a cache may give a heuristic freshness (RFC 9110 §15.1): the plugin's ``ttl``.
HEURISTIC_STATUSES = frozenset({200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501})
#: Statuses a cache may store at all (final, understood, and not partial or a 304).
_STORABLE_STATUSES = frozenset(
    {200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501}
)
#: Response headers never stored: connection-specific ones (RFC 9111 §3.1) and Set-Cookie
#: (a credential for the one caller who received it).
_UNSTORED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "proxy-authentication-info",
        "set-cookie",
        "set-cookie2",
    }
)
#: Headers a 304 does not update in the stored response (RFC 9111 §3.2: content metadata).
_KEPT_ON_304 = frozenset({"content-length", "content-encoding", "content-type", "content-range"})
#: Request headers that make a request conditional or partial: the caller's own business.
CONDITIONAL_REQUEST_HEADERS = frozenset(
    {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"}
)


@dataclass(frozen=True)
class CacheControl:
    """The directives of a ``Cache-Control`` header that the policy reads."""

    max_age: float | None = None
    s_maxage: float | None = None
    no_store: bool = False
    no_cache: bool = False
    private: bool = False
    public: bool = False
    must_revalidate: bool = False
    proxy_revalidate: bool = False
    immutable: bool = False
    stale_while_revalidate: float | None = None
    stale_if_error: float | None = None
    #: a delta-seconds directive that did not parse: the response is treated as stale
    invalid: bool = False


def _seconds(value: str) -> float | None:
    value = value.strip().strip('"')
    if not value.isdigit():
        return None
    return float(min(int(value), 2**31))


def parse_cache_control(values: Iterable[str]) -> CacheControl:
    """The directives of one or more ``Cache-Control`` values (case-insensitive names; an
    unparsable ``max-age`` makes the response stale, RFC 9111 §4.2.1)."""
    return _parse_cache_control(tuple(values))


@functools.lru_cache(maxsize=1024)
def _parse_cache_control(values: tuple[str, ...]) -> CacheControl:
    found: dict[str, object] = {}
    invalid = False
    for value in values:
        for item in value.split(","):
            name, _, argument = item.partition("=")
            name = name.strip().lower()
            if not name:
                continue
            if name in ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"):
                seconds = _seconds(argument)
                if seconds is None:
                    invalid = invalid or name in ("max-age", "s-maxage")
                    if name in ("max-age", "s-maxage"):
                        found[name] = 0.0
                    continue
                found.setdefault(name, seconds)  # the first occurrence wins
            else:
                found[name] = True
    return CacheControl(
        max_age=found.get("max-age"),  # type: ignore[arg-type]
        s_maxage=found.get("s-maxage"),  # type: ignore[arg-type]
        no_store="no-store" in found,
        no_cache="no-cache" in found,
        private="private" in found,
        public="public" in found,
        must_revalidate="must-revalidate" in found,
        proxy_revalidate="proxy-revalidate" in found,
        immutable="immutable" in found,
        stale_while_revalidate=found.get("stale-while-revalidate"),  # type: ignore[arg-type]
        stale_if_error=found.get("stale-if-error"),  # type: ignore[arg-type]
        invalid=invalid,
    )


def _values(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]


def _first(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.timestamp()


@dataclass(frozen=True)
class Settings:
    """The plugin's options the policy reads, with the per-call ones applied."""

    #: freshness of a response that states none (heuristic); 0 turns heuristics off
    ttl: float = 60.0
    #: whether the cache is shared (s-maxage, private, Authorization rules of RFC 9111 §3.5)
    shared: bool = False
    #: stale-while-revalidate to apply when the response gives none
    stale_while_revalidate: float = 0.0
    #: stale-if-error to apply when the response gives none
    stale_if_error: float = 0.0
    #: how long a stale entry with a validator is kept to be revalidated
    keep_stale: float = 3600.0
    #: the longest an entry is kept at all
    max_keep: float = 7 * 24 * 3600.0


# -- Vary -------------------------------------------------------------------------------------


def vary_names(headers: Iterable[tuple[str, str]]) -> tuple[str, ...] | None:
    """The request header names a response varies on, lower-cased and sorted; ``None`` for
    ``Vary: *`` (never reusable)."""
    names: set[str] = set()
    for value in _values(headers, "vary"):
        for name in value.split(","):
            name = name.strip().lower()
            if name == "*":
                return None
            if name:
                names.add(name)
    return tuple(sorted(names))


def _normalised(value: str) -> str:
    return ",".join(part.strip() for part in value.split(",")).strip()


def vary_digest(names: tuple[str, ...], request_headers: Mapping[str, str]) -> str:
    """A digest of the request's values for ``names`` (the Vary header of a stored response):
    stored instead of the values, which may be credentials (``Vary: Authorization``)."""
    lowered = {str(k).lower(): v for k, v in request_headers.items() if v is not None}
    parts = [f"{name}\x00{_normalised(str(lowered.get(name, '')))}" for name in names]
    return hashlib.sha256("\x01".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def select(entries: Iterable[Entry], request_headers: Mapping[str, str]) -> Entry | None:
    """The stored variant that matches the request (its Vary headers), the newest first."""
    best: Entry | None = None
    for entry in entries:
        if entry.vary_digest != vary_digest(entry.vary, request_headers):
            continue
        if best is None or entry.response_time > best.response_time:
            best = entry
    return best


# -- freshness and age (RFC 9111 §4.2) --------------------------------------------------------


def freshness_lifetime(entry: Entry, settings: Settings) -> float:
    """How long the stored response is fresh: s-maxage (shared caches), max-age, Expires minus
    Date, or else the heuristic ``settings.ttl`` for heuristically cacheable statuses (and for
    any status marked ``public``)."""
    cc = parse_cache_control(_values(entry.headers, "cache-control"))
    if cc.invalid:
        return 0.0
    if settings.shared and cc.s_maxage is not None:
        return cc.s_maxage
    if cc.max_age is not None:
        return cc.max_age
    expires = _first(entry.headers, "expires")
    if expires is not None:
        expires_at = _date(expires)
        if expires_at is None:
            return 0.0  # an invalid Expires means already expired
        date = _date(_first(entry.headers, "date"))
        return max(0.0, expires_at - (date if date is not None else entry.response_time))
    if entry.status in HEURISTIC_STATUSES or cc.public:
        return max(0.0, settings.ttl)
    return 0.0


def initial_age(headers: Iterable[tuple[str, str]], delay: float, received: float) -> float:
    """A response's age when it arrived (RFC 9111 §4.2.3, the corrected initial age): the
    larger of its apparent age (``received``, the wall-clock time it arrived, minus its Date)
    and its Age header plus the time the request took (``delay``)."""
    headers = list(headers)
    date = _date(_first(headers, "date"))
    # Date has a resolution of one second: the response was made before ``date + 1``
    apparent = max(0.0, received - date - 1.0) if date is not None else 0.0
    age_value = _seconds(_first(headers, "age") or "") or 0.0
    return max(apparent, age_value + max(0.0, delay))


def current_age(entry: Entry, now: float) -> float:
    """The stored response's age now: its age when it arrived plus the time it has been
    stored (by the plugin's clock)."""
    return entry.initial_age + max(0.0, now - entry.response_time)


# -- storing (RFC 9111 §3) --------------------------------------------------------------------


def storable(
    method: str,
    request_headers: Mapping[str, str],
    status: int,
    headers: Iterable[tuple[str, str]],
    settings: Settings,
) -> bool:
    """Whether a response to this request may be stored."""
    headers = list(headers)
    if method not in ("GET", "HEAD") or status not in _STORABLE_STATUSES:
        return False
    request_cc = parse_cache_control(
        [str(v) for k, v in request_headers.items() if str(k).lower() == "cache-control"]
    )
    cc = parse_cache_control(_values(headers, "cache-control"))
    if request_cc.no_store or cc.no_store:
        return False
    if settings.shared and cc.private:
        return False
    if vary_names(headers) is None:
        return False
    # RFC 9111 §3.5: a shared cache stores a response to an authenticated request only when
    # the response allows it
    authenticated = any(str(k).lower() == "authorization" for k in request_headers)
    if (
        settings.shared
        and authenticated
        and not (cc.public or cc.must_revalidate or cc.s_maxage is not None)
    ):
        return False
    explicit = (
        cc.max_age is not None
        or (settings.shared and cc.s_maxage is not None)
        or _first(headers, "expires") is not None
        or cc.public
        or (cc.private and not settings.shared)
    )
    return explicit or status in HEURISTIC_STATUSES


def stored_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The response headers kept in an entry (no connection headers, no Set-Cookie)."""
    return [(k, v) for k, v in headers if k.lower() not in _UNSTORED_HEADERS]


def _has_validator(entry: Entry) -> bool:
    return _first(entry.headers, "etag") is not None or (
        _first(entry.headers, "last-modified") is not None
    )


def _stale_windows(entry: Entry, settings: Settings) -> tuple[float, float]:
    """(stale-while-revalidate, stale-if-error) seconds allowed for the entry: the response's
    own directives, else the plugin's; none when the response forbids serving stale."""
    cc = parse_cache_control(_values(entry.headers, "cache-control"))
    if cc.no_cache or cc.must_revalidate or cc.invalid:
        return 0.0, 0.0
    if settings.shared and (cc.proxy_revalidate or cc.s_maxage is not None):
        return 0.0, 0.0
    swr = cc.stale_while_revalidate
    sie = cc.stale_if_error
    return (
        settings.stale_while_revalidate if swr is None else swr,
        settings.stale_if_error if sie is None else sie,
    )


def keep_for(entry: Entry, settings: Settings, now: float) -> float:
    """How many more seconds the storage should keep the entry (0: not worth storing): while it
    is fresh, then while it may be served stale, then (with a validator) ``keep_stale`` for
    revalidation; at most ``max_keep``."""
    fresh_left = max(0.0, freshness_lifetime(entry, settings) - current_age(entry, now))
    swr, sie = _stale_windows(entry, settings)
    keep = fresh_left + max(swr, sie)
    if _has_validator(entry):
        keep += settings.keep_stale
    return min(keep, settings.max_keep)


# -- reusing (RFC 9111 §4) --------------------------------------------------------------------

Verdict = Literal["fresh", "stale-while-revalidate", "revalidate"]


@dataclass(frozen=True)
class Decision:
    """What to do with the selected entry for this request."""

    verdict: Verdict
    #: the entry's age now, seconds
    age: float
    #: whether it may still be served if the revalidation fails (stale-if-error)
    stale_if_error: bool = False
    #: headers to add to the request to revalidate it (empty: an unconditional request)
    conditional: dict[str, str] = field(default_factory=dict)


def judge(
    entry: Entry,
    request_headers: Mapping[str, str],
    settings: Settings,
    now: float,
    *,
    refresh: bool = False,
) -> Decision:
    """Whether ``entry`` answers the request as it is, may be served stale while a refresh
    runs, or must be revalidated first (``refresh``: the caller asked for a revalidation)."""
    age = current_age(entry, now)
    lifetime = freshness_lifetime(entry, settings)
    cc = parse_cache_control(_values(entry.headers, "cache-control"))
    request_cc = parse_cache_control(
        [str(v) for k, v in request_headers.items() if str(k).lower() == "cache-control"]
    )
    pragma_no_cache = any(
        str(k).lower() == "pragma" and "no-cache" in str(v).lower()
        for k, v in request_headers.items()
    )
    fresh = age < lifetime
    swr, sie = _stale_windows(entry, settings)
    stale_for = age - lifetime
    may_serve_on_error = sie > 0 and stale_for <= sie
    conditional = conditional_headers(entry)
    # a fresh immutable response is not revalidated by a request's no-cache (RFC 8246)
    reload = (
        request_cc.no_cache
        or pragma_no_cache
        or (request_cc.max_age is not None and age > request_cc.max_age)
    )
    if refresh or cc.no_cache or (reload and not (fresh and cc.immutable)):
        return Decision("revalidate", age, may_serve_on_error and not cc.no_cache, conditional)
    if fresh:
        return Decision("fresh", age)
    if swr > 0 and stale_for <= swr:
        return Decision("stale-while-revalidate", age, may_serve_on_error, conditional)
    return Decision("revalidate", age, may_serve_on_error, conditional)


def conditional_headers(entry: Entry) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the entry's validators."""
    headers: dict[str, str] = {}
    etag = _first(entry.headers, "etag")
    if etag is not None:
        headers["If-None-Match"] = etag
    last_modified = _first(entry.headers, "last-modified")
    if last_modified is not None:
        headers["If-Modified-Since"] = last_modified
    return headers


def freshen(entry: Entry, not_modified: Iterable[tuple[str, str]], age: float, now: float) -> Entry:
    """The entry refreshed by a 304 (RFC 9111 §4.3.4): the 304's headers replace the stored
    ones of the same name (content metadata excepted); its age is the 304's (``age``, from
    ``initial_age``) as of ``now``."""
    update = [(k, v) for k, v in stored_headers(not_modified) if k.lower() not in _KEPT_ON_304]
    replaced = {k.lower() for k, _ in update}
    headers = [(k, v) for k, v in entry.headers if k.lower() not in replaced] + update
    return replace(entry, headers=tuple(headers), initial_age=age, response_time=now)
