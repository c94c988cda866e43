"""The instance's cookie jar as each of its httpx clients sees it.

Every client of an instance (one per connection options, per event loop) shares the instance's
``CookieJar``. httpx runs every response through ``http.cookiejar`` (two adapter objects and
the jar's whole extraction) even when it sets no cookie, which on a small response costs as
much as the rest of our pipeline; here a response without ``Set-Cookie`` (or the obsolete
``Set-Cookie2``) skips it. Cookies a response sets are stored exactly as httpx stores them.

httpx internals relied on: the client's ``cookies`` property returns ``client._cookies``, and
``Client._send_single_request`` calls ``self.cookies.extract_cookies(response)``
(``tests/core/test_config.py`` checks both; without ``_cookies`` the jar is shared the plain
way and every response is extracted, as before).
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any

from ._engine import httpx
from ._headers import has_any

_SETS_COOKIES = frozenset({b"set-cookie", b"set-cookie2"})

__all__ = ["jar_is_empty", "share_jar"]


class _SetCookiesOnly(httpx.Cookies):
    """``httpx.Cookies`` over a shared jar, extracting only from a response that sets one."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies ``response`` sets (none: nothing to do)."""
        if has_any(response.headers, _SETS_COOKIES):
            super().extract_cookies(response)


def share_jar(client: Any, jar: CookieJar) -> None:
    """Make ``client`` (an ``httpx.Client`` or ``AsyncClient``) keep its cookies in ``jar``."""
    if hasattr(client, "_cookies"):
        shared = _SetCookiesOnly()
        shared.jar = jar
        client._cookies = shared
    else:  # pragma: no cover - an httpx without the attribute: the plain way
        client.cookies.jar = jar


def jar_is_empty(jar: CookieJar) -> bool:
    """Whether ``jar`` holds no cookie; an empty jar is told without walking it (``len()`` of a
    ``CookieJar`` walks every cookie; its ``_cookies`` dict, by domain, is empty)."""
    stored = getattr(jar, "_cookies", None)
    return (stored is not None and not stored) or not len(jar)
