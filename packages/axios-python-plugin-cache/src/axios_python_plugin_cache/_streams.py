"""A streamed response's body, stored once the caller has read it to the end.

The tee passes every chunk on as it comes and keeps a copy while the body stays within the
size limit; past it the copy is dropped (nothing is stored, nothing more is buffered). A body
closed before its end is not stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from axios_python.engine import httpx

__all__ = ["tee_async", "tee_sync"]


class _Copy:
    __slots__ = ("chunks", "limit", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] | None = []

    def feed(self, chunk: bytes) -> None:
        if self.chunks is None:
            return
        self.size += len(chunk)
        if self.size > self.limit:
            self.chunks = None  # too large to store: stop keeping it
        else:
            self.chunks.append(chunk)

    def body(self) -> bytes | None:
        return None if self.chunks is None else b"".join(self.chunks)


class _SyncTee(httpx.SyncByteStream):
    def __init__(self, inner: Any, limit: int, complete: Callable[[bytes], object]) -> None:
        self._inner = inner
        self._copy = _Copy(limit)
        self._complete = complete

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._copy.feed(chunk)
            yield chunk
        body = self._copy.body()
        if body is not None:
            self._complete(body)

    def close(self) -> None:
        self._inner.close()


class _AsyncTee(httpx.AsyncByteStream):
    def __init__(
        self, inner: Any, limit: int, complete: Callable[[bytes], Awaitable[object]]
    ) -> None:
        self._inner = inner
        self._copy = _Copy(limit)
        self._complete = complete

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._copy.feed(chunk)
            yield chunk
        body = self._copy.body()
        if body is not None:
            await self._complete(body)

    async def aclose(self) -> None:
        await self._inner.aclose()


def tee_sync(inner: Any, limit: int, complete: Callable[[bytes], object]) -> _SyncTee:
    """A sync stream passing ``inner`` on; ``complete(body)`` once it was read to the end
    within ``limit`` bytes."""
    return _SyncTee(inner, limit, complete)


def tee_async(inner: Any, limit: int, complete: Callable[[bytes], Awaitable[object]]) -> _AsyncTee:
    """The async twin of ``tee_sync``."""
    return _AsyncTee(inner, limit, complete)
