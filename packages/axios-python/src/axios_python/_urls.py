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

import httpx

from ._exceptions import ConfigError
from ._secrets import DEFAULT_SECRETS, MASK

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
    """
    allow = config.get("allow_absolute_urls", True)
    url = httpx.URL(resolve_url(config.get("base_url"), config.get("url"), allow_absolute=allow))
    params = config.get("params")
    return url.copy_merge_params(params) if params else url


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
