"""RedisStorage: the cache's entries in Redis, shared by every process that uses the same
server and namespace.

Keys (``NS`` is the namespace; every part after it is a hex digest, never a URL or a
credential in clear)::

    NS:v1:e:<url>:<part>   the variants of one request (method + identity), a TTL on each
    NS:v1:g:<url>          the URL's invalidation generation (INCR by unsafe requests)
    NS:v1:l:<url>:<part>   the lock of the process fetching that request (SET NX PX)

redis-py's sync client serves sync calls and ``redis.asyncio`` async ones (one client per event
loop, closed with the loop or by ``close()``). Every failure is raised as ``RedisCacheError``
with a message that never shows the password; after a connection failure the server is not
tried again for ``retry_interval`` seconds (``StorageUnavailable``), so a request waits for
Redis at most once per interval, never longer than ``socket_timeout``.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import secrets
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from axios_python import Secrets
from axios_python.redaction import scrub
from axios_python_plugin_cache import (
    CacheKey,
    CacheStorage,
    Entry,
    Lease,
    StorageUnavailable,
    Stored,
)

from ._format import decode, encode

if TYPE_CHECKING:
    import asyncio

    import redis
    import redis.asyncio

__all__ = ["RedisCacheError", "RedisStorage"]

#: How long a URL's invalidation generation lives: longer than any entry (``MAX_TTL``), so a
#: generation that expired can only be recreated once every entry stored under it is gone.
_GENERATION_TTL_MS = 8 * 24 * 3600 * 1000
#: The longest an entry is kept.
MAX_TTL = 7 * 24 * 3600.0

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisCacheError(Exception):
    """A Redis operation of the cache failed (the message never shows the password)."""


def _shown_url(url: str) -> str:
    return Secrets().redact_url(url)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class RedisStorage(CacheStorage):
    """Entries in Redis (see the module). Built by ``RedisCachePlugin``; usable alone with
    ``CachePlugin(storage=RedisStorage(...))``.

    Options: ``url`` (``redis://``, ``rediss://`` for TLS, ``user:password@`` for ACLs) or
    ``client`` (a ``redis.Redis``, a ``redis.asyncio.Redis``, or a pair of both: used as given
    and never closed by the storage); ``namespace``; ``socket_timeout`` (connect and each
    command); ``retry_interval`` (seconds Redis is left alone after a connection failure);
    ``lock_timeout`` (a lock expires after it, even when its owner died); ``lock_wait`` (how
    long a process waits for another one's fetch).
    """

    shared_across_processes = True

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        namespace: str = "axios-python-cache",
        socket_timeout: float = 0.25,
        retry_interval: float = 1.0,
        lock_timeout: float = 30.0,
        lock_wait: float = 10.0,
        poll_interval: float = 0.02,
    ) -> None:
        self.url = url
        self.namespace = namespace
        self.socket_timeout = socket_timeout
        self.retry_interval = retry_interval
        self.lock_timeout = lock_timeout
        self.lock_wait = lock_wait
        self.poll_interval = poll_interval
        self._given_sync, self._given_async = _split_clients(client)
        self._password = _password(url, self._given_sync, self._given_async)
        self._lock = threading.Lock()
        self._sync: redis.Redis | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
            weakref.WeakKeyDictionary()
        )
        self._closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._down_until = -math.inf
        self._prefix = f"{namespace}:v1:"

    def __repr__(self) -> str:
        where = _shown_url(self.url) if self.url is not None else "client"
        return f"RedisStorage({where!r}, namespace={self.namespace!r})"

    # -- keys -----------------------------------------------------------------------------------

    def _entry_key(self, key: CacheKey) -> str:
        return f"{self._prefix}e:{key.url[:40]}:{key.part[:40]}"

    def _generation_key(self, url: str) -> str:
        return f"{self._prefix}g:{url[:40]}"

    def _lock_key(self, key: CacheKey) -> str:
        return f"{self._prefix}l:{key.url[:40]}:{key.part[:40]}"

    def _check(self, key: CacheKey) -> str:
        return _digest(self._entry_key(key))

    # -- clients ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Import redis-py (sync and asyncio), so that no request pays for it."""
        import redis
        import redis.asyncio
        import redis.backoff
        import redis.retry  # noqa: F401

    def _options(self) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return {
            "socket_timeout": self.socket_timeout,
            "socket_connect_timeout": self.socket_timeout,
            # one try per operation: a down server costs one timeout, never several
            "retry": Retry(NoBackoff(), 0),
            "retry_on_timeout": False,
        }

    def _sync_client(self) -> Any:
        if self._given_sync is not None:
            return self._given_sync
        client = self._sync
        if client is None:
            if self.url is None:
                raise StorageUnavailable("no sync Redis client: pass a redis.Redis too")
            import redis

            with self._lock:
                client = self._sync
                if client is None:
                    client = self._sync = redis.Redis.from_url(self.url, **self._options())
        return client

    def _async_client(self) -> Any:
        if self._given_async is not None:
            return self._given_async
        import asyncio

        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            if self.url is None:
                raise StorageUnavailable("no async Redis client: pass a redis.asyncio.Redis too")
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(self.url, **self._options())
            self._async[loop] = client
            if loop not in self._closers:
                self._closers[loop] = _close_with_loop(weakref.ref(self), loop)
        return client

    def close(self) -> None:
        """Close the connections the storage opened (clients given to it are left alone).
        They are opened again if the storage is used again."""
        import asyncio

        with self._lock:
            sync, self._sync = self._sync, None
            clients = list(self._async.items())
            self._async.clear()
            closers = list(self._closers.values())
            self._closers.clear()
        for closer in closers:
            _finish(closer)  # its client is gone from ``_async``: it ends without awaiting
        if sync is not None:
            sync.close()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for loop, client in clients:
            if loop.is_closed():
                continue
            if loop is running:
                _close_now(client)  # from a sync hook on that loop: no await possible
            elif loop.is_running():
                future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
                with contextlib.suppress(Exception):
                    future.result(timeout=max(1.0, self.socket_timeout * 4))
            else:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(client.aclose())

    # -- failures ----------------------------------------------------------------------------------

    def _available(self) -> None:
        if time.monotonic() < self._down_until:
            raise StorageUnavailable("Redis failed less than retry_interval seconds ago")

    def _error(self, exc: Exception) -> RedisCacheError:
        import redis

        if isinstance(exc, (redis.ConnectionError, redis.TimeoutError, OSError)):
            self._down_until = time.monotonic() + self.retry_interval
        where = f" ({_shown_url(self.url)})" if self.url is not None else ""
        message = f"{type(exc).__name__}: {exc}{where}"
        if self._password:
            message = scrub(message, [self._password])
        return RedisCacheError(message)

    # -- the interface -------------------------------------------------------------------------
    #
    # Each operation is one function of a client, run by ``_run`` with the sync client or
    # awaited by ``_arun`` with the event loop's async client: both skip Redis while it is
    # known to be down and turn every failure into a ``RedisCacheError`` without the password.

    def _run(self, operation: Callable[[Any], Any]) -> Any:
        self._available()
        try:
            return operation(self._sync_client())
        except StorageUnavailable:
            raise
        except Exception as exc:
            raise self._error(exc) from None

    async def _arun(self, operation: Callable[[Any], Awaitable[Any]]) -> Any:
        self._available()
        try:
            return await operation(self._async_client())
        except StorageUnavailable:
            raise
        except Exception as exc:
            raise self._error(exc) from None

    def _read(self, key: CacheKey) -> Callable[[Any], Any]:
        return lambda client: client.mget(self._entry_key(key), self._generation_key(key.url))

    def _write(
        self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any
    ) -> Callable[[Any], Any]:
        value = encode(entries, self._check(key), version)
        return lambda client: client.set(self._entry_key(key), value, px=_ms(ttl))

    def _bump(self, url: str) -> Callable[[Any], Any]:
        def bump(client: Any) -> Any:
            pipe = client.pipeline(transaction=True)
            pipe.incr(self._generation_key(url))
            pipe.pexpire(self._generation_key(url), _GENERATION_TTL_MS)
            return pipe.execute()

        return bump

    def _take(self, key: CacheKey, token: str) -> Callable[[Any], Any]:
        return lambda client: client.set(
            self._lock_key(key), token, nx=True, px=_ms(self.lock_timeout)
        )

    def _release(self, key: CacheKey, lease: Lease) -> Callable[[Any], Any]:
        return lambda client: client.eval(_UNLOCK, 1, self._lock_key(key), lease)

    def _held(self, key: CacheKey) -> Callable[[Any], Any]:
        return lambda client: client.exists(self._lock_key(key))

    def get(self, key: CacheKey) -> Stored:
        return self._stored(key, *self._run(self._read(key)))

    def put(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        self._run(self._write(key, entries, ttl, version))

    def invalidate(self, url: str) -> None:
        self._run(self._bump(url))

    def lock(self, key: CacheKey) -> Lease | None:
        token = secrets.token_hex(16)
        return token if self._run(self._take(key, token)) else None

    def unlock(self, key: CacheKey, lease: Lease) -> None:
        self._run(self._release(key, lease))

    def locked(self, key: CacheKey) -> bool:
        return bool(self._run(self._held(key)))

    async def aget(self, key: CacheKey) -> Stored:
        return self._stored(key, *await self._arun(self._read(key)))

    async def aput(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        await self._arun(self._write(key, entries, ttl, version))

    async def ainvalidate(self, url: str) -> None:
        await self._arun(self._bump(url))

    async def alock(self, key: CacheKey) -> Lease | None:
        token = secrets.token_hex(16)
        return token if await self._arun(self._take(key, token)) else None

    async def aunlock(self, key: CacheKey, lease: Lease) -> None:
        await self._arun(self._release(key, lease))

    async def alocked(self, key: CacheKey) -> bool:
        return bool(await self._arun(self._held(key)))

    # -- values --------------------------------------------------------------------------------

    def _stored(self, key: CacheKey, value: bytes | None, generation: bytes | None) -> Stored:
        """The entries of a value read (none unless intact and stored under the URL's current
        generation), and that generation as the version for ``put``."""
        version = None if generation is None else generation.decode("ascii", "replace")
        if value is None:
            return Stored((), version)
        try:
            entries, stored_under = decode(value, self._check(key))
        except Exception:
            return Stored((), version)  # corrupted, truncated or foreign: nothing stored
        return Stored(entries if stored_under == version else (), version)


def _ms(seconds: float) -> int:
    return max(1, int(min(seconds, MAX_TTL) * 1000))


def _split_clients(client: Any) -> tuple[Any, Any]:
    """(sync, async) clients from ``client=``: one of either kind, or a pair."""
    if client is None:
        return None, None
    import redis
    import redis.asyncio

    given = list(client) if isinstance(client, (tuple, list)) else [client]
    sync = [c for c in given if isinstance(c, redis.Redis)]
    async_ = [c for c in given if isinstance(c, redis.asyncio.Redis)]
    if len(sync) + len(async_) != len(given) or len(sync) > 1 or len(async_) > 1:
        raise TypeError(
            "client must be a redis.Redis, a redis.asyncio.Redis, or a pair of one of each; "
            f"got {', '.join(type(c).__name__ for c in given)}"
        )
    return (sync[0] if sync else None), (async_[0] if async_ else None)


def _password(url: str | None, *clients: Any) -> str | None:
    """The password to keep out of messages."""
    if url is not None:
        from urllib.parse import unquote, urlsplit

        password = urlsplit(url).password
        if password:
            return unquote(password)
    for client in clients:
        if client is not None:
            value = client.connection_pool.connection_kwargs.get("password")
            if value:
                return str(value)
    return None


def _close_now(client: redis.asyncio.Redis) -> None:
    """Close an async client's connections without awaiting (from sync code on its loop)."""
    pool = client.connection_pool
    for connection in [
        *getattr(pool, "_available_connections", ()),
        *getattr(pool, "_in_use_connections", ()),
    ]:
        close = getattr(connection, "_close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()


def _finish(generator: Any) -> None:
    """End a ``_close_with_loop`` generator now, synchronously (left suspended, the loop would
    finish it later in a task of its own)."""
    with contextlib.suppress(BaseException):
        generator.aclose().send(None)


def _close_with_loop(storage: weakref.ref[RedisStorage], loop: asyncio.AbstractEventLoop) -> Any:
    """An async generator, started on the running loop, whose ``finally`` closes the storage's
    client of that loop when the loop shuts down (``asyncio.run`` and well-behaved runners call
    ``shutdown_asyncgens`` before closing a loop)."""

    async def closer() -> Any:
        try:
            yield
        finally:
            owner = storage()
            client = None if owner is None else owner._async.pop(loop, None)
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    generator = closer()
    first = generator.asend(None)  # registers the generator with the loop's hooks
    with contextlib.suppress(StopIteration):
        first.send(None)
    return generator
