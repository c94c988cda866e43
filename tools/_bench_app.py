"""The tiny ASGI application that ``tools/bench.py`` serves (with granian, or uvicorn as a
fallback) in a process of its own. Plain ASGI, no framework, so the server's own work stays
small next to the client's. Three routes, ``GET`` only:

* ``/json``: a small JSON document (``Cache-Control: max-age=3600``, so a cache plugin stores
  it: the cache-hit cases read it; the other cases never cache);
* ``/bytes?n=N``: a body of ``N`` bytes (default 1024), sent in one piece;
* ``/stream?size=N``: a body of ``N`` bytes sent in chunks of 64 KiB (the memory case).

Anything else answers 404.

Usage (what ``tools/bench.py`` runs)::

    uv run granian --interface asgi --working-dir tools _bench_app:app
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

__all__ = ["JSON_BODY", "STREAM_CHUNK", "app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The body of ``/json``.
JSON_BODY = b'{"hello": "world", "items": [1, 2, 3]}'
#: The chunk size of ``/stream``.
STREAM_CHUNK = 64 * 1024

_CHUNK = b"x" * STREAM_CHUNK
_JSON_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(JSON_BODY)).encode()),
    (b"cache-control", b"max-age=3600"),
]
_BYTES: dict[int, bytes] = {}  # the /bytes bodies already made, by size
_MAX_BYTES = 64 * 1024 * 1024  # /bytes makes its body in memory: keep it bounded


def _size(query: bytes, name: str, default: int) -> int | None:
    """The non-negative integer query parameter ``name`` (``default`` when absent), or None
    when it is not one."""
    values = parse_qs(query.decode("latin-1")).get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        return None
    return value if value >= 0 else None


async def _reply(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application: ``/json``, ``/bytes?n=`` and ``/stream?size=``."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    path = scope["path"]
    query = scope.get("query_string", b"")
    if path == "/json":
        await send({"type": "http.response.start", "status": 200, "headers": _JSON_HEADERS})
        await send({"type": "http.response.body", "body": JSON_BODY})
    elif path == "/bytes":
        n = _size(query, "n", 1024)
        if n is None or n > _MAX_BYTES:
            await _reply(send, 400, b"n must be an integer from 0 to 64 MiB", b"text/plain")
            return
        body = _BYTES.get(n)
        if body is None:
            body = _BYTES[n] = b"x" * n
        await _reply(send, 200, body, b"application/octet-stream")
    elif path == "/stream":
        size = _size(query, "size", STREAM_CHUNK)
        if size is None:
            await _reply(send, 400, b"size must be a non-negative integer", b"text/plain")
            return
        headers = [
            (b"content-type", b"application/octet-stream"),
            (b"content-length", str(size).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        left = size
        while left > STREAM_CHUNK:
            await send({"type": "http.response.body", "body": _CHUNK, "more_body": True})
            left -= STREAM_CHUNK
        await send({"type": "http.response.body", "body": _CHUNK[:left]})
    else:
        await _reply(send, 404, b"not found", b"text/plain")
