"""The payload hash of an attempt: the SHA-256 of exactly the bytes the core will send.

A body given as bytes, text, a form, JSON or a list of chunks is hashed from what httpx makes
of it (the same function the core's request goes through, so the same bytes). A seekable file
is read from the position the call started at and put back there (the core rewinds it to that
position for every attempt too); a multipart form gets a boundary of ours in its
``Content-Type`` so that the form is rendered the same way twice. None of these is read into
memory whole.

A body that can only be read once (a generator, an iterator, an async body, a file that cannot
seek) cannot be hashed before it is sent: S3 takes ``UNSIGNED-PAYLOAD`` for it, the other
services need the hash, and the plugin says so.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD  # type: ignore[import-untyped]

from axios_python import call_state, is_seekable
from axios_python.engine import httpx

from ._errors import SigV4Error

__all__ = ["EMPTY_SHA256_HASH", "UNSIGNED_PAYLOAD", "Payload", "plan_payload"]

#: Bytes hashed at a time from a file (botocore's own buffer size).
_CHUNK = 1024 * 1024
#: Bodies larger than this are hashed in a worker thread on the async path.
THREAD_ABOVE = 256 * 1024


@dataclass
class Payload:
    """How to get an attempt's payload hash: ``digest`` when known at once, else
    ``compute()`` (which may read a file: ``heavy`` ones run in a thread on the async path);
    ``headers`` are set on the request so that it is sent as it was hashed."""

    digest: str | None = None
    compute: Callable[[], str] | None = None
    heavy: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def now(self) -> str:
        if self.digest is not None:
            return self.digest
        assert self.compute is not None
        return self.compute()


class _Starts:
    """Where each seekable body of a call was when the call first signed it."""

    def __init__(self) -> None:
        self.positions: dict[int, tuple[Any, int]] = {}

    def start_of(self, body: Any) -> int:
        known = self.positions.get(id(body))
        if known is None or known[0] is not body:
            known = self.positions[id(body)] = (body, body.tell())
        return known[1]


def _hash_file(body: Any, start: int) -> str:
    digest = hashlib.sha256()
    body.seek(start)
    try:
        while True:
            chunk = body.read(_CHUNK)
            if not chunk:
                break
            digest.update(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    finally:
        body.seek(start)
    return digest.hexdigest()


def _hash_chunks(chunks: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
    return digest.hexdigest()


def _hash_bytes(body: bytes) -> Payload:
    if len(body) > THREAD_ABOVE:
        return Payload(compute=lambda: hashlib.sha256(body).hexdigest(), heavy=True)
    return Payload(digest=hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256_HASH)


class _Unhashable(Exception):
    """The body cannot be hashed without consuming it; the message says what it is."""


def _file_parts_seekable(files: Any) -> bool:
    items = files.values() if isinstance(files, Mapping) else files
    for item in items:
        if isinstance(item, Mapping):
            return False
        value = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        if isinstance(value, tuple):
            value = value[1] if len(value) > 1 else None
        if not isinstance(value, (bytes, str)) and not is_seekable(value):
            return False
    return True


def _multipart(ctx: Mapping[str, Any], data: Any, files: Any) -> Payload:
    if not _file_parts_seekable(files):
        raise _Unhashable("a multipart form with a file that cannot seek")
    content_type = ctx["headers"].get("content-type")
    headers: dict[str, str] = {}
    if content_type is None or "boundary=" not in str(content_type):
        content_type = f"multipart/form-data; boundary={secrets.token_hex(16)}"
        headers["Content-Type"] = content_type
    request = httpx.Request(
        "POST", "http://localhost/", data=data or {}, files=files,
        headers={"Content-Type": content_type},
    )  # fmt: skip
    stream = request.stream
    assert isinstance(stream, Iterable)
    return Payload(compute=lambda: _hash_chunks(stream), heavy=True, headers=headers)


def _content(ctx: Mapping[str, Any], content: Any) -> Payload:
    if isinstance(content, str):
        return _hash_bytes(content.encode("utf-8"))
    if isinstance(content, (bytes, bytearray, memoryview)):
        return _hash_bytes(bytes(content))
    if isinstance(content, (list, tuple)):
        return Payload(compute=lambda: _hash_chunks(content), heavy=True)
    if is_seekable(content):
        start = call_state(ctx).slot(_Starts, _Starts).start_of(content)
        return Payload(compute=lambda: _hash_file(content, start), heavy=True)
    if hasattr(content, "aread") or isinstance(content, AsyncIterable):
        raise _Unhashable(f"an async body ({type(content).__name__})")
    if hasattr(content, "read"):
        raise _Unhashable(f"a file that cannot seek ({type(content).__name__})")
    raise _Unhashable(f"a streamed body ({type(content).__name__})")


def _plan(ctx: Mapping[str, Any]) -> Payload:
    data, json, content, files = ctx["data"], ctx["json"], ctx["content"], ctx["files"]
    if ctx["transform_request"] and (data is not None or json is not None):
        raise _Unhashable("a body that transform_request changes after it is signed")
    # the order httpx reads them in (the core hands all four to httpx)
    if data is not None and not isinstance(data, Mapping):
        return _content(ctx, data)
    if content is not None:
        return _content(ctx, content)
    if files:
        return _multipart(ctx, data, files)
    if data:
        return _encoded(ctx, httpx.Request("POST", "http://localhost/", data=data))
    if json is not None:
        return _encoded(ctx, httpx.Request("POST", "http://localhost/", json=json))
    return Payload(digest=EMPTY_SHA256_HASH)


def _encoded(ctx: Mapping[str, Any], request: httpx.Request) -> Payload:
    """A form or JSON body as httpx encodes it; its ``Content-Type`` (unless the caller set
    one) joins the signed headers."""
    payload = _hash_bytes(request.read())
    if "content-type" not in ctx["headers"]:
        payload.headers["Content-Type"] = request.headers["content-type"]
    return payload


def plan_payload(ctx: Mapping[str, Any], *, service: str, unsigned_ok: bool) -> Payload:
    """The payload plan of the attempt ``ctx``. A body that cannot be hashed without being
    consumed gets ``UNSIGNED-PAYLOAD`` when ``unsigned_ok`` (S3), else a ``SigV4Error``."""
    try:
        return _plan(ctx)
    except _Unhashable as exc:
        if unsigned_ok:
            return Payload(digest=UNSIGNED_PAYLOAD)
        raise SigV4Error(
            f"SigV4Plugin cannot sign {exc} for the {service!r} service: its signature needs "
            "the SHA-256 of the body before the body is sent, and only S3 accepts "
            "UNSIGNED-PAYLOAD. Pass the body as bytes, str, a form, JSON or a seekable file "
            "(hashed without being read into memory, then rewound)."
        ) from None
