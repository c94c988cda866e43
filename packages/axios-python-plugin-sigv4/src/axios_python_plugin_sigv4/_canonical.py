"""The wire form of a URL that AWS rebuilds byte for byte.

botocore signs the path and query string of the URL it is given as they are written, and AWS
recomputes them from what it receives by its own rule: every byte but ``A-Z a-z 0-9 - _ . ~``
percent-encoded, a space as ``%20`` (never ``+``). A URL written any other way (httpx encodes a
space in ``params`` as ``+`` and keeps a ``+`` in a path as it is; a caller may write ``~`` as
``%7E``) is signed as one string and checked as another. So the plugin sends, and signs, that
one form: each path segment and each query name and value decoded, then encoded by the rule.
A ``+`` in a query is a space (form decoding, as servers and ``httpx.QueryParams`` read it); in
a path it is a ``+``. ``%2F`` inside a segment stays an escaped slash; ``?acl`` becomes
``?acl=``, which AWS reads the same way.
"""

from __future__ import annotations

from urllib.parse import quote, unquote_to_bytes

from axios_python.engine import httpx

__all__ = ["canonical_url"]

_UNRESERVED = "-_.~"


def _encode(raw: bytes) -> str:
    return quote(raw, safe=_UNRESERVED)


def _path(raw: bytes) -> str:
    return "/".join(_encode(unquote_to_bytes(segment)) for segment in raw.split(b"/")) or "/"


def _query(raw: bytes) -> str:
    pairs = []
    for item in raw.split(b"&"):
        if not item:
            continue
        name, _, value = item.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" "))
        value = unquote_to_bytes(value.replace(b"+", b" "))
        pairs.append(f"{_encode(name)}={_encode(value)}")
    return "&".join(pairs)


def canonical_url(url: httpx.URL) -> httpx.URL:
    """``url`` with its path and query string in the form AWS rebuilds (see the module)."""
    path = _path(url.raw_path.partition(b"?")[0])
    query = _query(url.query)
    target = (f"{path}?{query}" if query else path).encode("ascii")
    if target == url.raw_path and not url.fragment:
        return url  # already in that form (parsing a URL again costs more than this check)
    return url.copy_with(raw_path=target, fragment=None)
