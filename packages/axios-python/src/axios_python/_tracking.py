"""Network streams that tell the cancellation machinery which socket a sync request uses.

httpcore's sync backend is wrapped: every read and write reports its stream to the active
cancel scope (a context variable), so ``CancelToken.cancel()`` from another thread can shut the
socket down and a blocked read returns at once. Imported when the first sync client is built.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpcore

from ._cancel import bind_stream

__all__ = ["TrackedBackend", "TrackedStream"]


class TrackedStream(httpcore.NetworkStream):
    """A network stream that tells the active cancel scope it is in use."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bind_stream(self._inner)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        bind_stream(self._inner)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class TrackedBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return TrackedStream(self._inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return TrackedStream(self._inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
