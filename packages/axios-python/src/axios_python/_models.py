"""The Response: httpx's response plus ``data``, ``ok`` and ``config``."""

from __future__ import annotations

import contextlib
import copy
import datetime
import json as _json
import warnings
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any

from . import _config
from ._engine import httpx, joined
from ._exceptions import ContentTooLarge, HTTPStatusError
from ._headers import values_of
from ._translate import translate_errors
from ._types import Config

__all__ = ["Response"]

_UNSET: Any = object()

#: Attributes ``clone`` rebuilds rather than shares (httpx internals and the parsed data).
_CLONE_SKIP = frozenset(
    {
        "status_code", "headers", "_request", "request", "stream", "_content", "_text",
        "_decoder", "is_closed", "is_stream_consumed", "_num_bytes_downloaded", "extensions",
        "history", "default_encoding", "_data", "config", "_elapsed", "next_request", "_unwatch",
        "_abandoned", "_timed_stream",
    }
)  # fmt: skip


_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv", "html")


def _is_binary(content_type: str, content: bytes) -> bool:
    """Whether ``data`` should stay bytes: a declared non-text type, or undeclared non-UTF-8."""
    if content_type:
        return "charset=" not in content_type and not any(t in content_type for t in _TEXT_TYPES)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _pieces(data: bytes, step: int) -> list[bytes] | tuple[bytes]:
    if not step or len(data) <= step:
        return (data,)
    return [data[i : i + step] for i in range(0, len(data), step)]


class _Chunker:
    """Re-cuts decoded bytes into ``size``-byte chunks (``None``: as they come)."""

    __slots__ = ("buffer", "size")

    def __init__(self, size: int | None) -> None:
        self.size = size
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        size = self.size
        if size is None:
            return [data] if data else []
        self.buffer += data
        whole = len(self.buffer) - len(self.buffer) % size
        if not whole:
            return []
        chunks = [bytes(self.buffer[i : i + size]) for i in range(0, whole, size)]
        del self.buffer[:whole]
        return chunks

    def flush(self) -> list[bytes]:
        if not self.buffer:
            return []
        chunk = bytes(self.buffer)
        self.buffer.clear()
        return [chunk]


_closing: set[Any] = set()


def _release_abandoned(stream: Any, loop: Any) -> None:
    """Close the stream of a streamed response that was dropped without being closed."""
    warnings.warn(
        "a streamed response was garbage-collected without being closed; its connection was "
        "closed now: read it to the end, or use `with` / `async with` (or close()/aclose())",
        ResourceWarning,
        stacklevel=2,
    )
    if loop is None:
        with contextlib.suppress(Exception):
            stream.close()
        return
    if loop.is_closed():
        return  # its connections died with the loop

    def close_on_loop() -> None:
        task = loop.create_task(stream.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
        loop.call_soon_threadsafe(close_on_loop)


class Response(httpx.Response):
    """An HTTP response.

    Everything ``httpx.Response`` offers, plus:

    * ``data``: the parsed body (JSON when the body is JSON, bytes for binary types such as
      ``application/octet-stream`` or ``image/*``, else text), settable, so response
      interceptors and ``transform_response`` can reshape it;
    * ``ok``: ``True`` for status codes below 400, the non-raising twin of ``raise_for_status()``;
    * ``config``: the configuration the request was made with.

    Middleware that short-circuits builds one by hand::

        Response(status_code=200, headers={}, data="pong", request=None)

    With ``stream=True`` the body is not read: use the response as a context manager
    (``with`` / ``async with``) and iterate it; the connection is released when the block ends.
    """

    config: Config
    _data: Any
    #: Set for a streamed response with a CancelToken: stops watching the token.
    _unwatch: Callable[[], None] | None = None
    #: Set for a streamed response: releases its connection if it is dropped unclosed.
    _abandoned: weakref.finalize[Any, Any] | None = None
    #: httpx2 keeps a response's ``elapsed`` on the client's bound stream and reads it from
    #: ``response.stream``; a plugin that wraps the stream hides it, so the core keeps it here.
    _timed_stream: Any = None

    def __init__(
        self,
        status_code: int = 200,
        *,
        headers: Any = None,
        data: Any = _UNSET,
        content: Any = None,
        text: str | None = None,
        json: Any = None,
        request: httpx.Request | None = None,
        config: Config | None = None,
        **kwargs: Any,
    ) -> None:
        if data is not _UNSET and content is None and text is None and json is None:
            if isinstance(data, (bytes, bytearray)):
                content = bytes(data)
            elif isinstance(data, str):
                text = data
            elif data is not None:
                json = data
        self._data = data
        self.config = {} if config is None else config
        super().__init__(
            status_code,
            headers=headers,
            content=content,
            text=text,
            json=json,
            request=request,
            **kwargs,
        )

    @classmethod
    def _adopt(cls, raw: httpx.Response, config: Config) -> Response:
        """Turn the transport's ``httpx.Response`` into a Response in place (no copy)."""
        raw.__class__ = cls
        response: Response = raw  # type: ignore[assignment]
        response._data = _UNSET
        response.config = config
        if hasattr(raw.stream, "elapsed"):  # httpx2's bound stream (httpx sets the response's)
            response._timed_stream = raw.stream
        return response

    @property
    def elapsed(self) -> datetime.timedelta:
        """The time from sending the request to closing the response (as httpx's)."""
        try:
            return super().elapsed
        except RuntimeError:  # not read or closed yet, or httpx2's time under a wrapped stream
            found = getattr(self._timed_stream, "elapsed", None)
            if found is None:
                raise
            return found  # type: ignore[no-any-return]

    @elapsed.setter
    def elapsed(self, elapsed: datetime.timedelta) -> None:
        httpx.Response.elapsed.fset(self, elapsed)  # type: ignore[attr-defined]

    def clone(self) -> Response:
        """An independent copy: same status, headers, body, request and config; a deep copy of
        ``data`` when it was set or parsed. The body must have been read (not a live stream)."""
        clone = Response(
            self.status_code,
            headers=self.headers.copy(),
            content=self.content,
            request=self._request,
            config=self.config,
            extensions=dict(self.extensions),
        )
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _CLONE_SKIP})
        if self._data is not _UNSET:
            clone._data = copy.deepcopy(self._data)
        if hasattr(self, "_elapsed"):
            clone.elapsed = self.elapsed
        return clone

    @property
    def data(self) -> Any:
        """The parsed body: JSON when the body is JSON, bytes when it is binary, else text;
        settable."""
        if self._data is _UNSET:
            self._data = self._parse_body()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def _parse_body(self) -> Any:
        content = self.content
        if not content:
            return ""
        content_type = self.headers.get("content-type", "").lower()
        if "json" in content_type:
            try:
                return _json.loads(content)
            except ValueError:
                pass
        if _is_binary(content_type, content):
            return content
        return self.text

    @property
    def ok(self) -> bool:
        """``True`` when the status code is below 400."""
        return self.status_code < 400

    def raise_for_status(self) -> Response:
        """Raise ``HTTPStatusError`` for a status of 400 or more; return the response otherwise."""
        if self.ok:
            return self
        from ._call import call_state
        from ._urls import display_url

        request = self._request
        secrets = call_state(self.config).secrets
        where = (
            f" for {request.method} {display_url(request.url, secrets)}"
            if request is not None
            else ""
        )
        reason = f" {self.reason_phrase}" if self.reason_phrase else ""
        raise HTTPStatusError(
            f"HTTP {self.status_code}{reason}{where}",
            response=self,
            config=self.config,
            request=request,
        )

    def _content_limit(self) -> int | None:
        """The most bytes the body may have after decoding: ``max_content_length``, or by
        default ``DEFAULT_MAX_BUFFERED`` for a body read whole and no limit for a stream."""
        config = self.config
        limit: int | None = config.get("max_content_length")
        if limit is None and not config.get("stream", False):
            return _config.DEFAULT_MAX_BUFFERED
        return limit

    def _fits(self, limit: int) -> bool:
        """Whether the body cannot exceed ``limit``: not encoded, and a ``Content-Length`` of
        at most ``limit`` (the HTTP/1.1 parser reads no byte past it), so httpx's own reading
        needs no counting."""
        if self._encoded():
            return False
        lengths = values_of(self.headers, b"content-length")  # no decoding of every header
        length = lengths[-1] if lengths else None
        return length is not None and length.isdigit() and int(length) <= limit

    def _take_buffered(self) -> bool:
        """Take a body the transport already holds whole (an ``httpx.ByteStream``: aiohttp's
        small bodies, a mock's, a replay) as read, without iterating through httpx's layers
        of generators; ``False`` (nothing changed) for any other body, an encoded one or one
        over the limit, which ``read()``/``aread()`` read (and refuse) as before. The caller
        then closes the response with ``_close_taken``/``_aclose_taken``."""
        inner = getattr(self.stream, "_stream", self.stream)  # under httpx's bound stream
        if type(inner) is not httpx.ByteStream or self.is_stream_consumed or self.is_closed:
            return False
        if self._encoded():
            return False
        body = b"".join(inner)
        limit = self._content_limit()
        if limit is not None and len(body) > limit:
            return False
        self._content = body
        self._num_bytes_downloaded = len(body)
        self.is_stream_consumed = True
        return True

    def _close_taken(self) -> None:
        """``close()`` for a response whose body ``_take_buffered`` took, before anyone else
        saw it: nothing is watching it, and its stream (httpx's bound stream over an
        ``httpx.ByteStream``, or the byte stream itself) only sets ``elapsed``; httpx's
        checks and error context around closing are skipped."""
        stream = self.stream
        assert isinstance(stream, httpx.SyncByteStream)
        self.is_closed = True
        stream.close()

    async def _aclose_taken(self) -> None:
        """``aclose()`` for a response whose body ``_take_buffered`` took (``_close_taken``)."""
        stream = self.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        self.is_closed = True
        await stream.aclose()

    def _encoded(self) -> bool:
        """Whether a ``Content-Encoding`` other than ``identity`` applies to the body."""
        for value in values_of(self.headers, b"content-encoding"):  # no decoding of the rest
            if value.strip().lower() != b"identity":
                return True
        return False

    def _decode_step(self, limit: int) -> int:
        """How many raw bytes to decode at a time: a compressed body is fed to its decoder in
        small pieces, so one piece cannot expand far past the limit (gzip and deflate expand
        at most ~1,000 times); 0 for a body that is not encoded."""
        encoding = self.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            return 0
        return min(16_384, max(256, limit // 1024))

    def _too_large(self, limit: int, seen: int) -> ContentTooLarge:
        from ._call import call_state
        from ._urls import display_url

        config = self.config
        request = self._request
        where = (
            f" ({request.method} {display_url(request.url, call_state(config).secrets)})"
            if request is not None
            else ""
        )
        if config.get("max_content_length") is None:
            what = f"the {limit}-byte limit for a body read whole (max_content_length=None)"
            advice = "set max_content_length, or pass stream=True and read it in parts"
        else:
            what = f"max_content_length={limit} bytes"
            advice = "raise max_content_length"
        return ContentTooLarge(
            f"the response body exceeds {what} after decoding{where}: reading stopped at "
            f"{seen} bytes and the connection was closed; {advice}",
            key="max_content_length",
            limit=limit,
            config=config,
            request=request,
        )

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Iterate over the decoded body, at most ``max_content_length`` bytes of it (then
        ``ContentTooLarge`` is raised and the connection closed)."""
        limit = self._content_limit()
        if limit is None or hasattr(self, "_content") or self._fits(limit):
            yield from super().iter_bytes(chunk_size)
            return
        decoder = self._get_content_decoder()
        step = self._decode_step(limit)
        chunker = _Chunker(chunk_size)
        seen = 0
        raw = self.iter_raw()
        try:
            with translate_errors(self.config, self._request):
                for data in raw:
                    for piece in _pieces(data, step):
                        decoded = joined(decoder.decode(piece))
                        seen += len(decoded)
                        if seen > limit:
                            self.close()
                            raise self._too_large(limit, seen)
                        yield from chunker.feed(decoded)
                decoded = joined(decoder.flush())
                seen += len(decoded)
                if seen > limit:
                    self.close()
                    raise self._too_large(limit, seen)
            yield from chunker.feed(decoded)
            yield from chunker.flush()
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Iterate asynchronously over the decoded body, at most ``max_content_length`` bytes
        of it (then ``ContentTooLarge`` is raised and the connection closed)."""
        limit = self._content_limit()
        if limit is None or hasattr(self, "_content") or self._fits(limit):
            async for chunk in super().aiter_bytes(chunk_size):
                yield chunk
            return
        decoder = self._get_content_decoder()
        step = self._decode_step(limit)
        chunker = _Chunker(chunk_size)
        seen = 0
        raw = self.aiter_raw()
        try:
            with translate_errors(self.config, self._request):
                async for data in raw:
                    for piece in _pieces(data, step):
                        decoded = joined(decoder.decode(piece))
                        seen += len(decoded)
                        if seen > limit:
                            await self.aclose()
                            raise self._too_large(limit, seen)
                        for chunk in chunker.feed(decoded):
                            yield chunk
                decoded = joined(decoder.flush())
                seen += len(decoded)
                if seen > limit:
                    await self.aclose()
                    raise self._too_large(limit, seen)
            for chunk in chunker.feed(decoded) + chunker.flush():
                yield chunk
        finally:
            aclose = getattr(raw, "aclose", None)
            if aclose is not None:
                await aclose()

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Iterate over the raw body; transport errors surface as axios_python errors."""
        token = self.config.get("cancel_token")
        with translate_errors(self.config, self._request):
            for chunk in super().iter_raw(chunk_size):
                if token is not None:
                    token.raise_if_cancelled(self.config)
                yield chunk

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Iterate asynchronously over the raw body; errors surface as axios_python errors."""
        token = self.config.get("cancel_token")
        with translate_errors(self.config, self._request):
            async for chunk in super().aiter_raw(chunk_size):
                if token is not None:
                    token.raise_if_cancelled(self.config)
                yield chunk

    def close(self) -> None:
        """Close the response and release its connection."""
        self._stop_watching()
        super().close()
        if self.config.get("stream"):  # a response read whole was unbound when it was read
            unbind_stream(self)

    async def aclose(self) -> None:
        """Close the response and release its connection (async)."""
        self._stop_watching()
        await super().aclose()
        if self.config.get("stream"):
            unbind_stream(self)

    def _stop_watching(self) -> None:
        unwatch = self._unwatch
        if unwatch is not None:
            self._unwatch = None
            unwatch()
        abandoned = self._abandoned
        if abandoned is not None:
            self._abandoned = None
            abandoned.detach()

    def _release_when_abandoned(self, *, is_async: bool) -> None:
        """If this streamed response is garbage-collected unclosed, close its stream then."""
        # httpx's stream object refers back to the response, which would keep it alive: hold
        # the transport's stream under it (httpx's BoundSyncStream/BoundAsyncStream._stream)
        inner = getattr(self.stream, "_stream", None)
        if inner is None:
            return
        loop = None
        if is_async:
            import asyncio

            loop = asyncio.get_running_loop()
        self._abandoned = weakref.finalize(self, _release_abandoned, inner, loop)

    def __enter__(self) -> Response:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"


def unbind_stream(response: httpx.Response) -> None:
    """Once a response is read or closed: the stream httpx bound to it, which refers back to
    the response, gives way to a plain stream over its body (empty if it was never read), for
    the response and the redirects it followed, ``elapsed`` kept (httpx2 reads it from the bound
    stream, httpx from the response). No cycle is left, so a call's objects are freed as soon
    as the caller drops the response, not by the garbage collector later."""
    _plain_stream(response)
    for hop in response.history:  # httpx read each one before following it
        _plain_stream(hop)


def _plain_stream(response: httpx.Response) -> None:
    try:
        content = response.content
    except httpx.ResponseNotRead:  # closed unread: nothing can be read from it any more
        content = b""
    if "_elapsed" in vars(response):  # kept on the response (httpx's closing sets it there)
        response.stream = httpx.ByteStream(content)
        return
    try:
        elapsed = response.elapsed
    except RuntimeError:  # never closed (a body given whole to the response): none to keep
        elapsed = None
    response.stream = httpx.ByteStream(content)
    if elapsed is not None:
        response.elapsed = elapsed
