"""Engine URLs (``httpx.URL``) made without parsing again what is already known.

Parsing a URL is one of the dearest steps of a request in httpx: about 12 µs, one call in
every call of a client whose URLs vary (an id in the path, a page in the query). Most of that
work is the origin (``scheme://host:port``: the host's IDNA or IP address checks, the port's
default), which a client repeats with every call. ``parse_url(text)`` parses each origin once,
and builds the URL from the remembered origin plus the path and query when those are already
in the form httpx would give them: only characters httpx leaves as they are in a path or a
query (RFC 3986's unreserved characters, sub-delimiters, ``:``, ``@``, ``/``, ``?`` in the
query, and well-formed ``%XX`` escapes), and no ``.`` or ``..`` segment. Anything else (a
fragment, a space, a non-ASCII character, an origin with userinfo, which is never remembered,
a URL over httpx's length limit) is parsed whole by the engine, so the result, and the error
for a bad URL, are always the engine's own.

This relies on how the engine stores a parsed URL (one named tuple of its parts); that layout
is checked once, and when an engine stores it otherwise every URL is parsed whole.
"""

from __future__ import annotations

import re
from typing import Any

from ._engine import httpx

__all__ = ["netloc_of", "parse_url", "scheme_host_port", "target_parts"]

#: httpx refuses longer URLs ("URL too long"); left to it.
_MAX_LENGTH = 65536

#: How many origins are remembered (the memo is cleared when it is full).
_ORIGINS_KEPT = 64

#: What a path may hold as httpx leaves it: RFC 3986's ``pchar`` and ``/``, ``%`` only as the
#: start of a ``%XX`` escape (``_BAD_ESCAPE``); a query may hold ``?`` as well.
_PATH_CHARS = r"A-Za-z0-9\-._~!$&'()*+,;=:@/%"
#: A path and an optional query, each exactly as httpx would normalise it (with ``_BAD_ESCAPE``).
_TAIL = re.compile(rf"(/[{_PATH_CHARS}]*)(?:\?([{_PATH_CHARS}?]*))?")
#: A ``%`` that does not start a ``%XX`` escape (httpx escapes it).
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

_FIELDS = ("scheme", "userinfo", "host", "port", "path", "query", "fragment")


def _layout_ok() -> bool:
    """Whether the engine keeps a parsed URL as the named tuple this module builds."""
    try:
        parsed = httpx.URL("http://h/p?q")
        reference = parsed._uri_reference
        built = object.__new__(httpx.URL)
        built._uri_reference = tuple.__new__(type(reference), (*reference[:4], "/x", "y", None))
        return (
            list(vars(parsed)) == ["_uri_reference"]  # nothing else is set by the constructor
            and getattr(type(reference), "_fields", None) == _FIELDS
            and str(built) == "http://h/x?y"
        )
    except Exception:  # pragma: no cover - an engine with another layout
        return False


_ENABLED = _layout_ok()
_origins: dict[str, Any] = {}


def _origin(prefix: str) -> Any:
    """The engine's parts of ``scheme://host[:port]`` (path, query and fragment empty), or
    ``None`` when ``prefix`` is not such an origin (the whole URL is then parsed as usual). A
    prefix with userinfo (or what may be a query or fragment) is neither parsed nor kept: the
    memo never holds a credential."""
    if "@" in prefix or "?" in prefix or "#" in prefix:
        return None
    found = _origins.get(prefix)
    if found is not None or prefix in _origins:
        return found
    try:
        parsed = httpx.URL(prefix)._uri_reference
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed = None
    reference = None
    if (
        parsed is not None
        and parsed.scheme
        and parsed.host
        and not parsed.userinfo
        and parsed.path == ""
        and parsed.query is None
        and parsed.fragment is None
    ):
        reference = parsed
    if len(_origins) >= _ORIGINS_KEPT:
        _origins.clear()
    _origins[prefix] = reference
    return reference


def parse_url(text: str) -> httpx.URL:
    """``httpx.URL(text)``, the same value, made faster when ``text`` is an absolute URL whose
    path and query need no normalising (see the module's text)."""
    if _ENABLED and len(text) <= _MAX_LENGTH:
        start = text.find("://")
        if start > 0:
            slash = text.find("/", start + 3)
            if slash > 0:
                origin = _origin(text[:slash])
                if origin is not None:
                    match = _TAIL.fullmatch(text, slash)
                    if (
                        match is not None
                        and ("%" not in text or _BAD_ESCAPE.search(text, slash) is None)
                        and ("/." not in match.group(1) or not _has_dot_segment(match.group(1)))
                    ):
                        url = object.__new__(httpx.URL)
                        # the origin's scheme, userinfo (none), host and port, then the tail
                        url._uri_reference = tuple.__new__(
                            type(origin), (*origin[:4], match.group(1), match.group(2), None)
                        )
                        return url
    return httpx.URL(text)


def scheme_host_port(url: httpx.URL) -> tuple[str, str, int | None]:
    """``(url.scheme, url.host, url.port)``, read from the engine's parsed parts (each
    property reads them again; ``host`` decodes an IDNA name, which is left to it)."""
    if _ENABLED:
        scheme, _, host, port = url._uri_reference[:4]
        if not host.startswith("xn--"):
            return scheme, host, port
    return url.scheme, url.host, url.port


def target_parts(url: httpx.URL) -> tuple[str, str, str, str]:
    """Where ``url`` is sent: its scheme, ``host[:port]`` (an IPv6 host in brackets, no
    default port), path (``/`` when empty) and query (``""`` when there is none). No userinfo
    (httpx sends it as the ``Authorization`` header), no fragment (never sent). Read from the
    engine's parsed parts, without writing the URL out and parsing it again."""
    if not _ENABLED:  # the engine's public properties, which build their values
        path, _, tail = url.raw_path.decode("ascii").partition("?")
        return url.scheme, netloc_of(url), path, tail
    scheme, _, host, port, path, query, _ = url._uri_reference  # query: None when absent
    return scheme, _netloc(host, port), path or "/", query or ""


def netloc_of(url: httpx.URL) -> str:
    """``url.netloc`` as text (``host[:port]``, what the ``Host`` header says), read from the
    engine's parsed parts."""
    if not _ENABLED:
        return url.netloc.decode("ascii")
    reference = url._uri_reference
    return _netloc(reference.host, reference.port)


def _netloc(host: str, port: int | None) -> str:
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


def _has_dot_segment(path: str) -> bool:
    """Whether ``path`` has a ``.`` or ``..`` segment (which httpx removes)."""
    segments = path.split("/")
    return "." in segments or ".." in segments
