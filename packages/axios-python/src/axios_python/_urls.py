"""The URL a call goes to, and the form of it that may be shown.

``ctx["url"]`` in interceptors and middleware is the URL as the caller wrote it (as in axios,
where ``baseURL`` is joined at dispatch). ``wire_url(ctx)`` is where the request really goes:
``url`` joined to ``base_url`` and ``params`` merged into the URL's own query string (httpx
alone would replace it). ``display_url(ctx)`` is that URL with its secrets masked, for logs,
spans and messages. No plugin builds a URL itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._call import CALL_KEY, CallState
from ._engine import httpx
from ._exceptions import ConfigError
from ._secrets import DEFAULT_SECRETS, MASK
from ._url_parse import parse_url

if TYPE_CHECKING:
    from ._secrets import Secrets

__all__ = ["display_url", "resolve_url", "wire_url"]

_ABSOLUTE_URL = re.compile(r"^([a-zA-Z][a-zA-Z\d+\-.]*:)?//")


def resolve_url(base_url: str | None, url: str | None, *, allow_absolute: bool = True) -> str:
    """Join ``url`` to ``base_url`` unless it is absolute, as axios does. With
    ``allow_absolute=False`` the result must stay under ``base_url`` (same origin, path within
    the base path): a ``ConfigError`` otherwise."""
    if not allow_absolute:
        return _within_base(base_url, resolve_url(base_url, url))
    if url is None:
        url = ""
    if _ABSOLUTE_URL.match(url):
        return url
    if not base_url:
        if not url:
            raise ConfigError("no url given: pass a url to the call or set base_url in create()")
        raise ConfigError(
            f"url {DEFAULT_SECRETS.redact_url(url)!r} is relative and no base_url is set: pass "
            "an absolute URL (https://host/path) or set base_url in create()"
        )
    if not url:
        return base_url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def wire_url(config: Mapping[str, Any]) -> httpx.URL:
    """The URL a request made with ``config`` is sent to: ``url`` joined to ``base_url``, and
    ``params`` added to the URL's own query string. Cache and de-duplication keys built from it
    match what goes on the wire.

    ::

        wire_url({"base_url": "https://h/v1", "url": "/items?page=2", "params": {"q": "x"}})
        # URL('https://h/v1/items?page=2&q=x')

    Within the calls of a client (a ``ctx`` a hook received), the URL is built once per
    distinct ``base_url``, ``url`` and ``params`` (of plain values: strings, numbers, ``None``):
    the core and every plugin asking for it get the same object, call after call (``httpx.URL``
    is immutable). A client remembers its last ``KNOWN_URLS`` distinct URLs at most.
    """
    base_url, url, params = config.get("base_url"), config.get("url"), config.get("params")
    allow = config.get("allow_absolute_urls", True)
    state = config.get(CALL_KEY)
    known = state.wire_urls if isinstance(state, CallState) else None
    key: tuple[Any, ...] | None = None
    if known is not None:
        if not params and type(url) is str and type(base_url) is str:  # most calls
            key = (base_url, url, allow)
        else:
            key = _plain_key(base_url, url, allow, params)
        if key is not None:
            found: httpx.URL | None = known.get(key)
            if found is not None:
                return found
    joined = resolve_url(base_url, url, allow_absolute=allow)
    if not params:
        result = parse_url(joined)
    elif "?" not in joined and "#" not in joined:  # nothing to merge with: one parse
        result = parse_url(f"{joined}?{httpx.QueryParams(params)}")
    else:
        result = httpx.URL(joined).copy_merge_params(params)
    if known is not None and key is not None:
        if len(known) >= KNOWN_URLS:
            known.clear()  # a bound, cheaper than keeping an order: the next calls refill it
        known[key] = result
    return result


#: How many distinct wire URLs a client remembers (``wire_url``).
KNOWN_URLS = 256

_PLAIN = (str, int, float, bool, type(None))


def _plain_key(base_url: Any, url: Any, allow: Any, params: Any) -> tuple[Any, ...] | None:
    """A key standing for these values, or ``None`` when a value is not plain data (an object
    whose text may change between two asks is never taken from the cache)."""
    if not isinstance(base_url, _PLAIN) or not isinstance(url, _PLAIN):
        return None
    if not params:
        return (base_url, url, allow)
    if isinstance(params, str):
        return (base_url, url, allow, params)
    items = params.items() if isinstance(params, Mapping) else params
    try:
        flat: list[Any] = []
        for name, value in items:
            # with each value's type: 1, 1.0 and True are equal keys but different queries
            if isinstance(value, (list, tuple)):
                if not all(isinstance(v, _PLAIN) for v in value):
                    return None
                flat.append((name, tuple((type(v), v) for v in value)))
            elif isinstance(value, _PLAIN):
                flat.append((name, type(value), value))
            else:
                return None
    except (TypeError, ValueError):  # not pairs: httpx will say what is wrong
        return None
    return (base_url, url, allow, tuple(flat))


def display_url(
    config_or_url: Mapping[str, Any] | httpx.URL | str,
    secrets: Secrets | None = None,
    *,
    mask: str = MASK,
) -> str:
    """The wire URL of a configuration (or a URL as given) with userinfo and secret query
    values replaced by ``mask``, by the definition of ``secrets`` (a client's
    ``client.secrets``; the built-in definition when ``None``). Never raises: a URL that cannot
    be built shows as ``<invalid URL>``."""
    definition = DEFAULT_SECRETS if secrets is None else secrets
    if isinstance(config_or_url, Mapping):
        try:
            url: Any = wire_url(config_or_url)
        except (httpx.InvalidURL, ConfigError, TypeError, ValueError):
            return "<invalid URL>"
    else:
        url = config_or_url
    return definition.redact_url(url, mask=mask)


def _within_base(base_url: str | None, joined: str) -> str:
    """``joined`` if it lies under ``base_url``; the guard of ``allow_absolute_urls=False``."""
    base = httpx.URL(base_url or "")
    target = httpx.URL(joined)
    prefix = base.path.rstrip("/")
    inside = (
        (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
        and not target.userinfo
        and (target.path == prefix or target.path.startswith(prefix + "/") or not prefix)
    )
    if not inside:
        raise ConfigError(
            f"url {DEFAULT_SECRETS.redact_url(target)!r} leaves base_url "
            f"{DEFAULT_SECRETS.redact_url(base)!r}, and this instance has "
            "allow_absolute_urls=False: only URLs under base_url are sent (a guard against "
            "sending the instance's credentials to a host a caller passed in)"
        )
    return joined
