"""Where entries live: the storage interface the cache policy drives, and the in-memory one.

A storage maps a ``CacheKey`` to the stored variants of one request (its ``Vary`` variants).
The policy never reads or writes an entry any other way, so another storage (Redis, in
``axios-python-plugin-redis-cache``) only implements these methods.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ._entry import Entry

__all__ = ["CacheKey", "CacheStorage", "Lease", "MemoryStorage", "StorageUnavailable", "Stored"]


class CacheKey(NamedTuple):
    """Where the variants of one request are stored.

    ``url`` is a digest of the URL the request goes to (what an unsafe request to that URL
    invalidates, for every user); ``part`` a digest of the method and who is asking
    (``axios_python.identity``). Both are hex digests: a storage key never shows a URL, a
    query string or a credential in clear.
    """

    url: str
    part: str


class Stored(NamedTuple):
    """What ``get`` found: the variants, and a version to hand back to ``put`` (a storage
    refuses, or forgets, a ``put`` whose URL was invalidated since that ``get``)."""

    entries: tuple[Entry, ...]
    version: Any


class StorageUnavailable(Exception):
    """Raised by a storage that skips an operation because it is known to be down (it failed
    a moment ago and is not tried again yet): the plugin goes on without it, as for any
    storage error, but counts no new error and logs nothing."""


#: An opaque proof that this caller holds a lock (``lock``/``unlock``).
Lease = Any

_NO_LEASE: Lease = object()


class CacheStorage:
    """The interface of a storage. Subclass it and implement the sync methods; the async
    ones call them by default (right for storages that do no I/O, such as ``MemoryStorage``),
    so override them when the storage has an async client.

    Errors: a method may raise; the plugin then counts an error, logs a rate-limited warning
    and carries on as if the cache were empty (fail-open). Storages shared by several
    processes set ``shared_across_processes`` and implement ``lock``/``unlock``/``locked``, so
    concurrent misses in several processes make one upstream request.
    """

    #: whether several processes use the same entries (then misses are coordinated by lock)
    shared_across_processes: bool = False
    #: how long a process waits for another one's fetch before fetching itself (seconds)
    lock_wait: float = 0.0
    #: how often a waiting process looks for the entry (seconds)
    poll_interval: float = 0.02
    #: how long a lock is held at most (it expires then, even if its owner died)
    lock_timeout: float = 0.0

    def get(self, key: CacheKey) -> Stored:
        """The variants stored for ``key`` (none: ``Stored((), version)``)."""
        raise NotImplementedError

    def put(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        """Replace the variants of ``key``, kept ``ttl`` seconds; ``version`` is what ``get``
        returned before the response was fetched."""
        raise NotImplementedError

    def invalidate(self, url: str) -> None:
        """Forget every entry whose ``CacheKey.url`` is ``url`` (every method and user)."""
        raise NotImplementedError

    def lock(self, key: CacheKey) -> Lease | None:
        """Try to become the one process fetching ``key``: a lease, or ``None`` when another
        process holds the lock. Never waits."""
        return _NO_LEASE

    def unlock(self, key: CacheKey, lease: Lease) -> None:
        """Release a lock taken with ``lock`` (only by its owner)."""

    def locked(self, key: CacheKey) -> bool:
        """Whether a process holds the lock of ``key``."""
        return False

    def close(self) -> None:
        """Release what the storage holds (connections)."""

    async def aget(self, key: CacheKey) -> Stored:
        """``get`` for the async path."""
        return self.get(key)

    async def aput(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        """``put`` for the async path."""
        self.put(key, entries, ttl, version)

    async def ainvalidate(self, url: str) -> None:
        """``invalidate`` for the async path."""
        self.invalidate(url)

    async def alock(self, key: CacheKey) -> Lease | None:
        """``lock`` for the async path."""
        return self.lock(key)

    async def aunlock(self, key: CacheKey, lease: Lease) -> None:
        """``unlock`` for the async path."""
        self.unlock(key, lease)

    async def alocked(self, key: CacheKey) -> bool:
        """``locked`` for the async path."""
        return self.locked(key)


class _Slot(NamedTuple):
    entries: tuple[Entry, ...]
    expires: float
    size: int
    version: int


class MemoryStorage(CacheStorage):
    """Entries in this process's memory: least recently used first out beyond ``max_size``
    keys or ``max_bytes`` bytes; each kept for the ``ttl`` the plugin gives (by ``clock``).
    Thread-safe; its async methods never wait."""

    def __init__(
        self,
        max_size: int = 128,
        max_bytes: int = 64 * 1024 * 1024,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_size = max_size
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: OrderedDict[CacheKey, _Slot] = OrderedDict()
        self._by_url: dict[str, set[CacheKey]] = {}
        self._bytes = 0
        # the invalidation generation of each URL (a unique number: a forgotten generation is
        # never reused, so a put racing an invalidation is refused)
        self._generations: OrderedDict[str, int] = OrderedDict()
        self._counter = itertools.count(1)
        #: entries pushed out to respect max_size / max_bytes
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._slots)

    @property
    def bytes(self) -> int:
        """The bytes the stored entries take (roughly)."""
        return self._bytes

    def get(self, key: CacheKey) -> Stored:
        with self._lock:
            version = self._generations.get(key.url, 0)
            slot = self._slots.get(key)
            if slot is None:
                return Stored((), version)
            if slot.expires <= self._clock() or slot.version != version:
                self._drop(key)
                return Stored((), version)
            self._slots.move_to_end(key)
            return Stored(slot.entries, version)

    def put(self, key: CacheKey, entries: Sequence[Entry], ttl: float, version: Any) -> None:
        size = sum(entry.size for entry in entries)
        with self._lock:
            if version != self._generations.get(key.url, 0):
                return  # invalidated while the response was fetched
            if key in self._slots:
                self._drop(key)
            if not entries or ttl <= 0 or size > self.max_bytes:
                return
            self._slots[key] = _Slot(tuple(entries), self._clock() + ttl, size, version)
            self._by_url.setdefault(key.url, set()).add(key)
            self._bytes += size
            while len(self._slots) > self.max_size or self._bytes > self.max_bytes:
                oldest = next(iter(self._slots))
                self._drop(oldest)
                self.evictions += 1

    def invalidate(self, url: str) -> None:
        with self._lock:
            for key in list(self._by_url.get(url, ())):
                self._drop(key)
            self._generations[url] = next(self._counter)
            self._generations.move_to_end(url)
            while len(self._generations) > max(4096, 4 * self.max_size):
                self._generations.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._slots.clear()
            self._by_url.clear()
            self._bytes = 0

    def _drop(self, key: CacheKey) -> None:
        slot = self._slots.pop(key, None)
        if slot is None:
            return
        self._bytes -= slot.size
        keys = self._by_url.get(key.url)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_url[key.url]

    def __repr__(self) -> str:
        return f"MemoryStorage(max_size={self.max_size}, max_bytes={self.max_bytes})"
