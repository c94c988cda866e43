"""Credentials never follow a redirect to another origin.

Every request records the origin it was made to in its extensions (they travel with httpx's
redirect requests); an httpx request event hook, run before each hop, drops the credential
headers of a hop whose origin differs.
"""

from __future__ import annotations

import httpx

from ._redact import is_sensitive_header

__all__ = ["ORIGIN", "async_guard", "origin_of", "sync_guard"]

#: The extension key holding the origin a call was made to.
ORIGIN = "axios_python.origin"


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``."""
    return (url.scheme, url.host, url.port)


def sync_guard(request: httpx.Request) -> None:
    """Drop credential headers from a hop that left the original origin."""
    origin = request.extensions.get(ORIGIN)
    if origin is None or origin == origin_of(request.url):
        return
    for name in [n for n in request.headers if is_sensitive_header(n)]:
        del request.headers[name]


async def async_guard(request: httpx.Request) -> None:
    """The async client's form of ``sync_guard``."""
    sync_guard(request)
