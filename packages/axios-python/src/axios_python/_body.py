"""Request bodies that may go out more than once, and the request-body size limit.

A body of bytes, str, a form or JSON is rebuilt from the configuration on every attempt. The
others are consumed as they are sent, so when a retry is possible the retry engine turns replay
on for the call (``enable_replay``) and each attempt gets its body from here (``wire_body``):

* a seekable file object is rewound to the position it had when the call first sent it;
* a list or tuple of chunks is simply iterated again;
* anything else (a generator, an iterator, an async generator or iterator, a file that cannot
  seek) has the bytes it yields kept as they are sent, up to ``retry_body_limit``: a retry
  sends what was kept, then goes on with the rest of the original iterator, so a body cut
  mid-send still arrives whole. Past the limit the retry is refused (``replay_refusal``).

A seekable file is always sent from where it is, with the ``Content-Length`` of what is left
(httpx declares the whole file's). On the async path a sync file or iterator is read through an
async generator, since httpx's async client takes async bodies only.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from ._call import call_state
from ._engine import httpx
from ._exceptions import AxiosPythonError, ContentTooLarge
from ._types import Config
from ._urls import display_url

__all__ = ["enable_replay", "is_seekable", "limit_request_body", "replay_refusal", "wire_body"]

#: Bytes read from a file object at a time (httpx's own chunk size).
CHUNK = 65_536


class _Bodies:
    """The replayable bodies of one call (in its ``CallState``), by the id of their source."""

    __slots__ = ("limit", "replays")

    def __init__(self) -> None:
        self.limit = 0
        self.replays: dict[int, _Rewind | _Again | _Keep] = {}


_OWNER = _Bodies  # the key of the call-state slot


def enable_replay(ctx: Config) -> None:
    """Make the streamed bodies this call sends replayable (the retry engine calls this when a
    retry is possible)."""
    call_state(ctx).slot(_OWNER, _Bodies).limit = ctx["retry_body_limit"]


def replay_refusal(ctx: Config) -> str | None:
    """Why the call's body cannot be sent again, or ``None`` when it can."""
    bodies: _Bodies | None = call_state(ctx).peek(_OWNER)
    if bodies is None:
        return None
    for replay in bodies.replays.values():
        if isinstance(replay, _Keep) and replay.overflowed:
            return replay.refusal()
    return None


def wire_body(ctx: Config, content: Any, *, is_async: bool) -> tuple[Any, int | None]:
    """What httpx gets as ``content=`` for this attempt, and the ``Content-Length`` to declare
    (``None``: httpx decides). ``content`` is neither None, bytes nor str."""
    if isinstance(content, (bytearray, memoryview)):
        return bytes(content), None
    kind = _kind(content)
    if kind is None:
        return content, None  # not a body: httpx says what is wrong with it
    if not is_async and kind == "async":
        raise TypeError(
            f"an async request body ({type(content).__name__}) needs an async call "
            "(api.async_post(...)); a sync call takes bytes, str, a file or an iterable of bytes"
        )
    bodies: _Bodies | None = call_state(ctx).peek(_OWNER)
    if bodies is not None:
        replay = bodies.replays.get(id(content))
        if replay is None or replay.source is not content:
            replay = bodies.replays[id(content)] = _replay_for(content, kind, bodies.limit)
        return replay.attempt(is_async)
    if kind == "sync" and is_seekable(content):
        return _Rewind(content).attempt(is_async)  # its Content-Length from where it is
    if is_async and kind == "sync":
        return _Keep(content, None).attempt(True)
    return content, None


def _kind(content: Any) -> str | None:
    """``"async"`` for an async iterable or file (``aread``), ``"sync"`` for a file or an
    iterable of chunks, ``None`` for anything else."""
    if hasattr(content, "aread") or isinstance(content, AsyncIterable):
        return "async"
    if hasattr(content, "read"):
        return "sync"
    if isinstance(content, Iterable) and not isinstance(content, (dict, str, bytes)):
        return "sync"
    return None


def is_seekable(content: Any) -> bool:
    """Whether a request body is a sync file-like object that can be rewound (a ``read``
    method and a ``seekable()`` that says so), so it can be read again: hashed before
    sending, replayed on a retry. Async file objects and iterators are not."""
    read = getattr(content, "read", None)
    if not callable(read) or hasattr(content, "aread") or inspect.iscoroutinefunction(read):
        return False
    seekable = getattr(content, "seekable", None)
    try:
        answer = seekable() if callable(seekable) else False
    except (OSError, ValueError):
        return False
    return answer is True


def _replay_for(content: Any, kind: str, limit: int) -> _Rewind | _Again | _Keep:
    if kind == "sync" and is_seekable(content):
        return _Rewind(content)
    if isinstance(content, (list, tuple)):
        return _Again(content)
    return _Keep(content, limit)


class _Rewind:
    """A seekable file: every attempt starts where the first one did."""

    __slots__ = ("length", "source", "start")

    def __init__(self, source: Any) -> None:
        self.source = source
        self.start: int = source.tell()
        end = source.seek(0, io.SEEK_END)
        source.seek(self.start)
        self.length: int = max(0, end - self.start)

    def attempt(self, is_async: bool) -> tuple[Any, int | None]:
        self.source.seek(self.start)
        reader = _Keep(self.source, None)
        return reader.attempt(is_async)[0], self.length


class _Again:
    """A list or tuple of chunks: iterated again on every attempt."""

    __slots__ = ("source",)

    def __init__(self, source: list[Any] | tuple[Any, ...]) -> None:
        self.source = source

    def attempt(self, is_async: bool) -> tuple[Any, int | None]:
        if is_async:
            return _Keep(self.source, None).attempt(True)[0], None
        return self.source, None


_END: Any = object()


class _Keep:
    """A body read once from its source. With a ``limit`` the bytes pulled are kept (while
    they fit) so that a later attempt sends them again, then goes on with the rest; ``None``:
    nothing is kept (one attempt only, or a sync source read on the async path)."""

    __slots__ = ("_next", "_next_async", "done", "kept", "limit", "sent", "source")

    def __init__(self, source: Any, limit: int | None) -> None:
        self.source = source
        self.limit = limit
        self.kept = bytearray()
        self.sent = 0  # bytes pulled from the source so far
        self.done = False
        self._next: Callable[[], Any] | None = None
        self._next_async: Callable[[], Any] | None = None

    @property
    def overflowed(self) -> bool:
        return self.limit is not None and self.sent > self.limit

    def refusal(self) -> str:
        return (
            f"the request body could not be replayed: {self.sent} bytes of it were sent and "
            f"retry_body_limit is {self.limit} bytes; raise retry_body_limit, pass the body as "
            "bytes, or pass a seekable file"
        )

    def attempt(self, is_async: bool) -> tuple[Any, int | None]:
        if self.overflowed:
            raise AxiosPythonError(self.refusal())
        return (self._async_chunks() if is_async else self._chunks()), None

    def _note(self, item: Any) -> bytes:
        if isinstance(item, str):
            chunk = item.encode("utf-8")
        elif isinstance(item, bytes):
            chunk = item
        else:
            chunk = bytes(item)
        self.sent += len(chunk)
        if self.limit is not None:
            if self.sent <= self.limit:
                self.kept += chunk
            elif self.kept:
                self.kept = bytearray()  # past the limit: nothing can be replayed
        return chunk

    def _puller(self) -> Callable[[], Any]:
        if self._next is None:
            source = self.source
            if hasattr(source, "read"):
                read = source.read
                self._next = lambda: read(CHUNK) or _END
            elif isinstance(source, Iterable):
                iterator = iter(source)
                self._next = lambda: next(iterator, _END)
            else:
                raise TypeError(f"a request body of type {type(source).__name__} is not iterable")
        return self._next

    def _chunks(self) -> Iterator[bytes]:
        if self.kept:
            yield bytes(self.kept)
        pull = self._puller()
        while not self.done:
            chunk = pull()
            if chunk is _END:
                self.done = True
                return
            if chunk:
                yield self._note(chunk)

    def _async_puller(self) -> Callable[[], Any]:
        if self._next_async is None:
            source = self.source
            if hasattr(source, "aread"):
                aread = source.aread

                async def pull() -> Any:
                    return await aread(CHUNK) or _END

            elif isinstance(source, AsyncIterable):
                iterator: AsyncIterator[Any] = source.__aiter__()

                async def pull() -> Any:
                    try:
                        return await iterator.__anext__()
                    except StopAsyncIteration:
                        return _END

            else:
                sync_pull = self._puller()

                async def pull() -> Any:
                    return sync_pull()

            self._next_async = pull
        return self._next_async

    async def _async_chunks(self) -> AsyncIterator[bytes]:
        if self.kept:
            yield bytes(self.kept)
        pull = self._async_puller()
        while not self.done:
            chunk = await pull()
            if chunk is _END:
                self.done = True
                return
            if chunk:
                yield self._note(chunk)


# -- max_body_length ---------------------------------------------------------------------------


def _too_large(ctx: Config, request: httpx.Request, limit: int, what: str) -> ContentTooLarge:
    where = display_url(request.url, call_state(ctx).secrets)
    return ContentTooLarge(
        f"the request body {what} max_body_length={limit} bytes ({request.method} {where}); "
        "raise max_body_length or send less",
        key="max_body_length",
        limit=limit,
        config=ctx,
        request=request,
    )


def limit_request_body(ctx: Config, request: httpx.Request, limit: int) -> None:
    """Apply ``max_body_length``: a body of known size is checked now, before anything is sent;
    a streamed one is counted while it is sent and stopped (the connection closed) past it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        size = int(declared)
        if size > limit:
            raise _too_large(ctx, request, limit, f"has {size} bytes, more than")
        return
    if "transfer-encoding" not in request.headers:
        return  # no body

    def count(total: int) -> None:
        if total > limit:
            raise _too_large(ctx, request, limit, "grew past")

    inner = request.stream
    sync = isinstance(inner, httpx.SyncByteStream)
    if sync and isinstance(inner, httpx.AsyncByteStream):
        request.stream = _CountedBoth(inner, count)
    elif sync:
        request.stream = _CountedSync(inner, count)
    else:
        request.stream = _CountedAsync(inner, count)


class _CountedSync(httpx.SyncByteStream):
    def __init__(self, inner: Any, count: Callable[[int], None]) -> None:
        self.inner = inner
        self.count = count

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self.inner:
            total += len(chunk)
            self.count(total)
            yield chunk

    def close(self) -> None:
        self.inner.close()


class _CountedAsync(httpx.AsyncByteStream):
    def __init__(self, inner: Any, count: Callable[[int], None]) -> None:
        self.inner = inner
        self.count = count

    async def __aiter__(self) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in self.inner:
            total += len(chunk)
            self.count(total)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CountedBoth(_CountedSync, _CountedAsync):
    pass
