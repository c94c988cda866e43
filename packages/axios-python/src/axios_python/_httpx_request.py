"""The ``httpx.Request`` of one attempt.

``client.build_request`` merges the client's URL, headers, cookies and query parameters into
the call's, then builds the request; with nothing of the client's to merge but its default
headers (our clients have no ``base_url`` and no ``params``, and a cookie jar that is most
often empty) that merging costs as much as the request itself. ``build_request`` here merges
the headers the way httpx does (the client's, less every name the call sets, then the call's)
and builds the ``httpx.Request`` directly; a call with cookies, a client whose jar holds some,
or a URL that is not absolute goes through ``client.build_request`` as before.
"""

from __future__ import annotations

from typing import Any

from ._cookies import jar_is_empty
from ._engine import httpx
from ._headers import LOWER_KEYS_KEPT
from ._url_parse import netloc_of

__all__ = ["build_request"]

#: ``Timeout(value).as_dict()`` of the plain timeouts seen so far, by type and value.
_TIMEOUTS: dict[tuple[type, Any], dict[str, float | None]] = {}
_PLAIN_TIMEOUT = (int, float, type(None))


def _timeout(value: Any) -> dict[str, float | None]:
    """The ``timeout`` request extension for a ``timeout`` config value (a fresh dict)."""
    if isinstance(value, httpx.Timeout):
        return value.as_dict()
    if type(value) not in _PLAIN_TIMEOUT:
        return httpx.Timeout(value).as_dict()  # a tuple, or a bad value: httpx says why
    key = (type(value), value)
    found = _TIMEOUTS.get(key)
    if found is None:
        found = httpx.Timeout(value).as_dict()
        if len(_TIMEOUTS) < 64:
            _TIMEOUTS[key] = found
    return found.copy()


def _headers(
    defaults: httpx.Headers, headers: list[tuple[str, str | bytes]]
) -> httpx.Headers | list[Any]:
    """The client's default headers merged with the call's, as ``Headers.update`` merges (the
    client's, less every name the call sets, then the call's). A ``Headers`` is returned when
    it can be: ``httpx.Request`` copies one without checking its items again."""
    if not headers:
        return defaults
    merged = _with_call_headers(defaults, headers)
    return _merged_raw(defaults, headers) if merged is None else merged


def _with_call_headers(
    start: httpx.Headers, headers: list[tuple[str, str | bytes]]
) -> httpx.Headers | None:
    """A copy of ``start`` (one list copy, no checks) with the call's headers set as
    ``Headers.update`` sets them: a name ``start`` has loses its place and goes last, after
    ``start``'s other names. ``None`` for a call with a value that is not ASCII (bytes:
    ``Headers`` would set it as a str)."""
    merged = httpx.Headers(start)
    for name, value in headers:
        if type(value) is not str:
            return None
        size = len(merged)
        merged[name] = value
        if len(merged) <= size:  # it replaced a value where it stood: move it last
            del merged[name]
            merged[name] = value
    return merged


#: Methods httpx gives no ``Content-Length: 0`` when they have no body (both engines).
_NO_AUTO_LENGTH = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE"})

#: The headers httpx starts a request without a body from (``Host``, then the client's
#: defaults), by the client's default headers and the URL's netloc.
_STARTS: dict[tuple[tuple[tuple[bytes, bytes], ...], str], httpx.Headers] = {}

#: The netloc and the client's default headers (a copy of their pairs) the last start was
#: found for, and that start: most calls of a client go to one host.
_last_start: tuple[str, list[Any], httpx.Headers] = ("", [], httpx.Headers())


def _start(defaults: httpx.Headers, url: httpx.URL) -> httpx.Headers:
    """``Host`` and the client's default headers, as httpx starts a request without a body."""
    global _last_start
    netloc = netloc_of(url)
    pairs = defaults._list if LOWER_KEYS_KEPT else defaults.raw
    last = _last_start
    if last[0] == netloc and last[1] == pairs:
        return last[2]
    raw = defaults.raw
    key = (tuple(raw), netloc)
    start = _STARTS.get(key)
    if start is None:
        start = httpx.Headers([(b"Host", netloc.encode("ascii")), *raw])
        if len(_STARTS) >= 64:  # a client's defaults change rarely, hosts are few: a safeguard
            _STARTS.clear()
        _STARTS[key] = start
    _last_start = (netloc, list(pairs), start)
    return start


#: The empty body of a request without one (httpx's ``ByteStream`` is never changed).
_NO_BODY = httpx.ByteStream(b"")


def _read_by_content() -> bool:
    """Whether ``Request.read()`` of a request over a ``ByteStream`` only sets ``_content``
    (httpx and httpx2): a request without a body is then marked read directly."""
    try:
        request = httpx.Request("GET", "http://h/", stream=_NO_BODY)
        before = dict(vars(request))
        request.read()
        return vars(request) == {**before, "_content": b""}
    except Exception:  # pragma: no cover - an engine laid out otherwise
        return False


_READ_BY_CONTENT = _read_by_content()


def _bodiless(
    defaults: httpx.Headers, url: httpx.URL, headers: list[tuple[str, str | bytes]]
) -> httpx.Headers | None:
    """The headers of a request without a body, as httpx orders them (``Host``, the client's
    defaults less every name the call sets, then the call's), built from a remembered start
    instead of normalising every header again; ``None`` for a call with a value that is not
    ASCII (httpx builds that one)."""
    start = _start(defaults, url)
    if not headers:
        return start  # ``httpx.Request`` copies it
    return _with_call_headers(start, headers)


def _merged_raw(defaults: httpx.Headers, headers: list[tuple[str, str | bytes]]) -> list[Any]:
    """``_headers`` as a list of pairs (for a call with a value that is not ASCII)."""
    names = {name.encode("ascii").lower() for name, _ in headers}
    return [item for item in defaults.raw if item[0].lower() not in names] + headers


def build_request(
    client: httpx.Client | httpx.AsyncClient,
    method: str,
    url: httpx.URL,
    *,
    headers: list[tuple[str, str | bytes]],
    cookies: Any,
    timeout: Any,
    extensions: dict[str, Any],
    body: dict[str, Any],
) -> httpx.Request:
    """What ``client.build_request(method, url, headers=..., cookies=..., timeout=...,
    extensions=..., **body)`` returns, built with less work when the client has nothing to
    merge but its default headers. ``extensions`` is the request's own (it is added to)."""
    if cookies or client.params or not url.is_absolute_url or not jar_is_empty(client.cookies.jar):
        return client.build_request(
            method,
            url,
            headers=headers,  # type: ignore[arg-type]  # httpx takes str and bytes pairs mixed
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
            **body,
        )
    if "timeout" not in extensions:
        extensions["timeout"] = _timeout(timeout)
    if (
        method in _NO_AUTO_LENGTH
        and body.get("content") is None
        and body.get("data") is None
        and body.get("json") is None
        and body.get("files") is None
    ):
        merged = _bodiless(client.headers, url, headers)
        if merged is not None:
            # as httpx builds it, less the work: no body to encode, the headers prepared
            request = httpx.Request(
                method, url, headers=merged, extensions=extensions, stream=_NO_BODY
            )
            if _READ_BY_CONTENT:
                request._content = b""  # what ``read()`` sets, without iterating the stream
            else:
                request.read()
            return request
    return httpx.Request(
        method, url, headers=_headers(client.headers, headers), extensions=extensions, **body
    )
