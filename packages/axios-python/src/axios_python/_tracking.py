"""The transports' hooks for cancellation: a sync request is abortable wherever it blocks, and a
cancelled async TLS handshake closes its connection.

``track(transport)`` (called once per default ``httpx.HTTPTransport`` the core creates) wraps
httpcore's connection pool so that, while a cancel scope is active (``_cancel.py``; a call with
a ``cancel_token``), ``CancelToken.cancel()`` from another thread ends what the request is
blocked on at once:

- **reading or writing**: every read and write reports its stream to the scope, which shuts
  the socket down;
- **connecting**: the TCP connect goes through a socket the scope knows before ``connect()`` is
  called, so cancelling shuts it down (a non-blocking connect, so no cancellation is missed
  between the two); httpcore's behaviour is kept otherwise: every address ``getaddrinfo``
  gives, ``local_address``, ``socket_options``, ``TCP_NODELAY``, the connect timeout, and its
  ``ConnectError`` / ``ConnectTimeout``. The TLS handshake runs on a TLS socket the scope
  knows too (``start_tls`` is given an SSL context whose ``wrap_socket`` reports it);
- **waiting for a pooled connection** (``max_connections`` reached): the waiter is handed a
  connection that fails at once, so the pool removes it from its queue as for any error.

Calls without a token, and a connect through a network backend that is not httpcore's own
``SyncBackend``, take httpcore's paths unchanged.

httpcore internals relied on (httpcore 1.0.x; ``tests/core/test_cancel_inflight.py``
``test_httpcore_internals_for_sync_cancellation`` fails loudly if they change; if they are
missing, ``track`` leaves that part out and the request is simply not abortable there):

- ``httpx.HTTPTransport._pool`` is the ``httpcore.ConnectionPool`` (or a proxy subclass);
- ``ConnectionPool._network_backend`` is the backend its connections connect through;
- ``ConnectionPool._requests`` is the list of ``PoolRequest`` objects, appended (under
  ``ConnectionPool._optional_thread_lock``) by the thread whose request enters the pool, before
  it waits; ``PoolRequest.is_queued()`` and ``PoolRequest.assign_to_connection(connection)``
  (which sets the event the waiter blocks on), the waiter then calls
  ``connection.handle_request`` and, when that raises, removes its request from the queue;
- ``httpcore._backends.sync.SyncStream(sock)`` is the stream ``SyncBackend.connect_tcp``
  returns for a connected socket; its ``start_tls`` calls ``ssl_context.wrap_socket``.
"""

from __future__ import annotations

import errno
import importlib
import math
import os
import select
import socket
import ssl
import time
import weakref
from asyncio.trsock import TransportSocket
from collections.abc import Iterable
from typing import Any

from ._cancel import _Scope, abort_stream, bind_stream, current_scope
from ._connects import opened as _opened
from ._engine import httpcore

try:  # the engine's httpcore: httpcore or httpcore2
    _SyncStream: Any = importlib.import_module(f"{httpcore.__name__}._backends.sync").SyncStream
except (ImportError, AttributeError):  # pragma: no cover - a future httpcore: not abortable
    _SyncStream = None

try:  # what the engine's async streams answer ``get_extra_info("is_readable")`` with
    _is_socket_readable: Any = importlib.import_module(
        f"{httpcore.__name__}._utils"
    ).is_socket_readable
except (ImportError, AttributeError):  # pragma: no cover - a future httpcore: asked each time
    _is_socket_readable = None

__all__ = ["TrackedBackend", "TrackedStream", "track"]

#: How often a connect in progress looks at its scope, where shutting the socket down does not
#: wake it (on Linux it does, at once).
_SLICE = 0.1

#: What a non-blocking ``connect_ex`` returns while the connection is being made (EINTR: it
#: goes on asynchronously).
_IN_PROGRESS = frozenset(
    {
        errno.EINPROGRESS,
        errno.EWOULDBLOCK,
        errno.EAGAIN,
        errno.EINTR,
        getattr(errno, "WSAEWOULDBLOCK", 10035),
    }
)


def track(transport: Any) -> TrackedBackend | None:
    """Make a default ``httpx.HTTPTransport``'s requests abortable by their cancel scope;
    returns the tracked backend (``abort_all()`` wakes every request on it)."""
    pool: Any = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    tracked = None
    if backend is not None:
        tracked = pool._network_backend = TrackedBackend(backend)
    requests = getattr(pool, "_requests", None)
    lock = getattr(pool, "_optional_thread_lock", None)
    if type(requests) is list and not requests and lock is not None:
        pool._requests = _Queue(lock)
    return tracked


class TrackedStream(httpcore.NetworkStream):
    """A network stream that tells the active cancel scope it is in use."""

    def __init__(self, inner: httpcore.NetworkStream, owner: TrackedBackend | None = None) -> None:
        self._inner = inner
        self._owner = owner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bind_stream(self._inner)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:  # httpcore writes b"" for an empty body and its end: nothing to do
            return
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
        scope = current_scope()
        if scope is not None:  # the handshake's socket is one the scope can shut down
            ssl_context = _ScopedTLS(ssl_context, scope)  # type: ignore[assignment]
        stream = self._inner.start_tls(ssl_context, server_hostname, timeout)
        if self._owner is None:
            return TrackedStream(stream)
        return self._owner._tracked(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class TrackedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with streams that report to the cancel scope and a TCP
    connect the scope can abort."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self._streams: weakref.WeakSet[TrackedStream] = weakref.WeakSet()

    def _tracked(self, stream: httpcore.NetworkStream) -> TrackedStream:
        _opened()
        tracked = TrackedStream(stream, self)
        self._streams.add(tracked)
        return tracked

    def abort_all(self) -> None:
        """Shut down the socket of every stream still open, waking the threads blocked on
        them (closing the client alone would leave them waiting for the server)."""
        for stream in list(self._streams):
            abort_stream(stream._inner)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        scope = current_scope()
        if scope is None or _SyncStream is None or type(self._inner) is not httpcore.SyncBackend:
            return self._tracked(
                self._inner.connect_tcp(
                    host,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            )
        sock = _connect_tcp(scope, host, port, timeout, local_address, socket_options or ())
        return self._tracked(_SyncStream(sock))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return self._tracked(self._inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _ScopedTLS:
    """An ``ssl.SSLContext`` whose ``wrap_socket`` tells the cancel scope about the TLS socket
    before the handshake (wrapping detaches the TCP socket the scope knew)."""

    def __init__(self, context: ssl.SSLContext, scope: _Scope) -> None:
        self._context = context
        self._scope = scope

    def wrap_socket(
        self,
        sock: socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLSocket:
        tls = self._context.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=False,
            suppress_ragged_eofs=suppress_ragged_eofs,
            server_hostname=server_hostname,
            session=session,
        )
        try:
            if not self._scope.connecting(tls):
                raise _Cancelled
            if do_handshake_on_connect:
                tls.do_handshake()
        except BaseException:
            tls.close()  # as wrap_socket does when its own handshake fails
            raise
        return tls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


# -- connect --------------------------------------------------------------------------------


class _Cancelled(OSError):
    """The scope was cancelled before or during a connect (httpcore maps an OSError raised in
    ``start_tls`` to ``ConnectError``)."""

    def __init__(self) -> None:
        super().__init__("the connection attempt was cancelled")


def _connect_tcp(
    scope: _Scope,
    host: str,
    port: int,
    timeout: float | None,
    local_address: str | None,
    socket_options: Iterable[Any],
) -> socket.socket:
    """``socket.create_connection`` as httpcore's ``SyncBackend`` uses it, abortable by
    ``scope``; errors as httpcore raises them."""
    source = None if local_address is None else (local_address, 0)
    try:
        last: OSError | None = None
        for info in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            try:
                sock = _connect_one(scope, info, timeout, source)
            except _Cancelled:
                raise
            except OSError as exc:  # the next address, as socket.create_connection does
                last = exc
                continue
            try:
                for option in socket_options:
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except BaseException:
                sock.close()
                raise
            return sock
        raise last or OSError("getaddrinfo returns an empty list")
    except _Cancelled:
        raise httpcore.ConnectError("the connection attempt was cancelled") from None
    except TimeoutError as exc:  # socket.timeout
        raise httpcore.ConnectTimeout(exc) from exc
    except OSError as exc:
        raise httpcore.ConnectError(exc) from exc


def _connect_one(
    scope: _Scope, info: Any, timeout: float | None, source: tuple[str, int] | None
) -> socket.socket:
    family, kind, proto, _, address = info
    sock = socket.socket(family, kind, proto)
    try:
        if source is not None:
            sock.bind(source)
        if not scope.connecting(sock):
            raise _Cancelled
        # Non-blocking: a cancellation that came before connect_ex (its shutdown found nothing
        # to abort yet) is seen by the check below; one after it finds the socket connecting.
        sock.setblocking(False)
        code = sock.connect_ex(address)
        deadline = None if timeout is None else time.monotonic() + timeout
        while code:
            if code not in _IN_PROGRESS:
                raise OSError(code, os.strerror(code))
            if scope.cancelled:
                raise _Cancelled
            wait = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("timed out")
            if _wait_writable(sock, wait):
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))
        if scope.cancelled:
            raise _Cancelled
        sock.settimeout(timeout)
        return sock
    except BaseException:
        sock.close()
        raise


def _wait_writable(sock: socket.socket, seconds: float) -> bool:
    if hasattr(select, "poll"):  # no FD_SETSIZE limit
        poller = select.poll()
        poller.register(sock, select.POLLOUT)
        return bool(poller.poll(math.ceil(seconds * 1000)))
    _, writable, failed = select.select([], [sock], [sock], seconds)  # pragma: no cover
    return bool(writable or failed)  # pragma: no cover


# -- waiting for a pooled connection ---------------------------------------------------------


class _CancelledConnection(httpcore.ConnectionInterface):
    """Handed to a request waiting for a pooled connection when its scope is cancelled: the
    waiter wakes up, and sending fails at once (the pool then drops the request)."""

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        raise httpcore.ConnectError("cancelled while waiting for a connection from the pool")

    def close(self) -> None:
        pass

    def info(self) -> str:
        return "cancelled"

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return False

    def is_available(self) -> bool:
        return False

    def has_expired(self) -> bool:
        return False

    def is_idle(self) -> bool:
        return False

    def is_closed(self) -> bool:
        return True


_CANCELLED = _CancelledConnection()


class _Queue(list):  # type: ignore[type-arg]
    """A pool's queue of requests (``ConnectionPool._requests``): a request entering it from a
    call with a cancel scope can be woken by cancelling that scope."""

    def __init__(self, lock: Any) -> None:
        super().__init__()
        self._lock = lock

    def append(self, pool_request: Any) -> None:
        super().append(pool_request)  # the pool holds its lock here
        scope = current_scope()
        if scope is not None and not scope.waiting(lambda: self._wake(pool_request)):
            pool_request.assign_to_connection(_CANCELLED)

    def _wake(self, pool_request: Any) -> None:
        with self._lock:
            if pool_request.is_queued() and any(r is pool_request for r in self):
                pool_request.assign_to_connection(_CANCELLED)


# -- async ----------------------------------------------------------------------------------


def track_async(transport: Any) -> None:
    """Wrap a default ``httpx.AsyncHTTPTransport``'s network backend so a TLS handshake that
    is cancelled (its task cancelled: a token, ``task.cancel()``, ``wait_for``) closes its TCP
    stream: httpcore's anyio backend closes it on ``Exception`` only, and the socket then stays
    open until the event loop closes."""
    pool: Any = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _ClosingAsyncBackend(backend)


#: ``_ClosingAsyncStream._socket`` before the stream was first asked whether it is readable.
_NOT_ASKED: Any = object()

#: The sockets httpcore's anyio streams report on asyncio, which ``_is_socket_readable`` is
#: asked about (any other kind of stream answers for itself).
_ASKABLE_SOCKETS = (socket.socket, TransportSocket)


class _ClosingAsyncStream(httpcore.AsyncNetworkStream):
    """An async stream that closes itself when its TLS handshake is cancelled, and answers
    whether it is readable from its socket directly.

    httpcore asks every idle connection of a pool whether its socket is readable (the server
    closed it) each time it assigns requests to connections: at 32 concurrent requests, some
    26 times per request. Its anyio stream builds a table of every attribute it can report to
    look the socket up each time, the largest single cost of a request there. The socket is
    looked up once here and asked the same question the same way (the engine's
    ``is_socket_readable``)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: Any = _NOT_ASKED

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            stream = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:
            import anyio

            with anyio.CancelScope(shield=True):  # close even though the task is cancelled
                await self._inner.aclose()
            raise
        return _ClosingAsyncStream(stream)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and _is_socket_readable is not None:
            sock = self._socket
            if sock is _NOT_ASKED:
                sock = self._inner.get_extra_info("socket")
                self._socket = sock = sock if isinstance(sock, _ASKABLE_SOCKETS) else None
            if sock is not None:
                return _is_socket_readable(sock)
        return self._inner.get_extra_info(info)


class _ClosingAsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        _opened()
        return _ClosingAsyncStream(
            await self._inner.connect_tcp(
                host,
                port,
                timeout=timeout,
                local_address=local_address,
                socket_options=socket_options,
            )
        )

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        _opened()
        return _ClosingAsyncStream(await self._inner.connect_unix_socket(*args, **kwargs))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
