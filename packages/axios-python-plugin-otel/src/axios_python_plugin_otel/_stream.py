"""The body of a streamed response, wrapped so that the span of its request ends when the body
has been read to its end or the response is closed, and records an error raised while reading.

The wrapper replaces ``response.stream`` (the attribute httpx reads the body from, as the core's
own redirect cap does): ``iter_raw``/``aiter_raw`` iterate it and close the response at the
end, and ``close()``/``aclose()`` close it, so every way a body is read or dropped passes here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from axios_python.engine import httpx

__all__ = ["AsyncSpanStream", "StreamWatcher", "SyncSpanStream"]


class StreamWatcher(Protocol):
    """Told how a streamed body ended; only the first call counts."""

    def stream_done(self, size: int) -> None:
        """The body was read to its end: ``size`` bytes as received."""

    def stream_failed(self, exc: BaseException) -> None:
        """Reading the body raised ``exc``."""

    def stream_closed(self) -> None:
        """The response was closed (after the end, or before it)."""


class SyncSpanStream(httpx.SyncByteStream):
    """A sync response body that tells ``watcher`` when it ends, fails or is closed."""

    def __init__(self, inner: Any, watcher: StreamWatcher) -> None:
        self._inner = inner
        self._watcher = watcher

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        try:
            for chunk in self._inner:
                size += len(chunk)
                yield chunk
        except GeneratorExit:  # the reader stopped early; closing the response ends the span
            raise
        except BaseException as exc:
            self._watcher.stream_failed(exc)
            raise
        self._watcher.stream_done(size)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._watcher.stream_closed()


class AsyncSpanStream(httpx.AsyncByteStream):
    """An async response body that tells ``watcher`` when it ends, fails or is closed."""

    def __init__(self, inner: Any, watcher: StreamWatcher) -> None:
        self._inner = inner
        self._watcher = watcher

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        try:
            async for chunk in self._inner:
                size += len(chunk)
                yield chunk
        except GeneratorExit:
            raise
        except BaseException as exc:
            self._watcher.stream_failed(exc)
            raise
        self._watcher.stream_done(size)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._watcher.stream_closed()
