"""Who is asking: one digest of everything in a request that identifies its user.

Caches and the dedupe plugin partition by it, so two users never share an answer.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any

from ._call import call_state
from ._cookies import jar_is_empty
from ._engine import httpx
from ._urls import wire_url

if TYPE_CHECKING:
    from ._client import AxiosPython
    from ._secrets import Secrets

__all__ = ["identity"]

#: Objects that cannot be read (a custom ``httpx.Auth``) are identified by this process's nonce
#: and their id: never equal to anything in another process, or to another object here.
_PROCESS_NONCE = os.urandom(16).hex()
#: ``(url.username, url.password)`` of a URL without userinfo.
_NO_USERINFO = ("", "")


def _auth_part(auth: Any) -> tuple[Any, ...]:
    if auth is None:
        return ()
    if isinstance(auth, tuple):
        return ("auth", *(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in auth))
    header = getattr(auth, "_auth_header", None)  # httpx.BasicAuth
    if isinstance(auth, httpx.BasicAuth) and isinstance(header, str):
        return ("auth", header)
    return ("auth-object", _PROCESS_NONCE, id(auth))


def _cookie_part(cookies: Any) -> tuple[Any, ...]:
    if cookies is None:
        return ()
    if isinstance(cookies, httpx.Cookies):
        cookies = cookies.jar
    if isinstance(cookies, CookieJar):
        return tuple(sorted((c.name, c.value or "", c.domain, c.path) for c in cookies))
    if isinstance(cookies, Mapping):
        return tuple(sorted((str(k), str(v)) for k, v in cookies.items()))
    return ("cookies-object", _PROCESS_NONCE, id(cookies))


def _jar_part(jar: CookieJar, url: httpx.URL) -> str:
    """The Cookie header the jar would send to ``url``."""
    if jar_is_empty(jar):
        return ""
    import urllib.request

    probe = urllib.request.Request(str(url))
    jar.add_cookie_header(probe)
    return probe.get_header("Cookie") or ""


def identity(
    ctx: Mapping[str, Any],
    client: AxiosPython | None = None,
    *,
    secrets: Secrets | None = None,
) -> str:
    """A digest (hex) of who is asking in the request ``ctx`` describes: every credential
    header (built-in and registered on the client), ``auth=``, cookies (the call's and the
    client's jar's for this URL), URL userinfo and secret query values. Requests by different
    users have different identities; the same user asking again has the same one.

    ``client`` defaults to the client of the call ``ctx`` belongs to (``call_state(ctx)``).
    """
    state = call_state(ctx)
    client = client if client is not None else state.client
    definition = secrets or (client.secrets if client is not None else state.secrets)
    is_secret = definition.is_secret_header
    credentials = [
        (str(name).lower(), str(value))
        for name, value in (ctx.get("headers") or {}).items()
        if value is not None and is_secret(str(name))
    ]
    credentials.sort()
    parts: list[Any] = [tuple(credentials)]
    auth, cookies = ctx.get("auth"), ctx.get("cookies")  # most often None: ()
    parts.append(() if auth is None else _auth_part(auth))
    parts.append(() if cookies is None else _cookie_part(cookies))
    try:
        url = wire_url(ctx)
    except Exception:
        url = None
    if url is not None:
        if client is None:
            parts.extend(_url_parts(url, definition))
        else:
            # a client's calls go to the same URL objects (``wire_url``) again and again: the
            # parts of its last one are kept, for the same definition of secret
            seen = client._last_url_parts
            if seen is not None and seen[0] is url and seen[1] is definition._params:
                parts.extend(seen[2])
            else:
                known = _url_parts(url, definition)
                client._last_url_parts = (url, definition._params, known)
                parts.extend(known)
            jar = client.cookies.jar
            parts.append("" if jar_is_empty(jar) else _jar_part(jar, url))
    if client is None:
        return _digest(parts)
    # A client's calls mostly come from one caller: its last answer is kept (by the client,
    # which holds that caller's credentials anyway) and given again for the same parts.
    key = tuple(parts)
    last = client._last_identity
    if last is not None and last[0] == key:
        return last[1]
    digest = _digest(parts)
    client._last_identity = (key, digest)
    return digest


def _url_parts(url: httpx.URL, definition: Secrets) -> tuple[Any, Any]:
    """The URL's userinfo and its secret query parameters."""
    # most URLs carry no userinfo and no query: their parts are known without parsing
    userinfo = (url.username, url.password) if url.userinfo else _NO_USERINFO
    if not url.query:
        return userinfo, ()
    secret = definition.is_secret_param
    return userinfo, tuple(sorted((n, v) for n, v in url.params.multi_items() if secret(n)))


def _digest(parts: list[Any]) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
