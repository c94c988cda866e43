"""RedisCachePlugin: the cache plugin's policy over a RedisStorage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axios_python_plugin_cache import CachePlugin

from ._storage import RedisStorage, _shown_url

if TYPE_CHECKING:
    from axios_python import AxiosPython

__all__ = ["RedisCachePlugin"]

_MIB = 1024 * 1024


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
    return float(value)


class RedisCachePlugin(CachePlugin):
    """HTTP caching (RFC 9111) in Redis: entries shared by every process using the same
    server and namespace, one upstream request for concurrent misses across processes, and
    fail-open (Redis down, slow, full or refusing: every request still goes to the origin).

    ::

        api.plugin(RedisCachePlugin(url="redis://cache.internal:6379/0", ttl=60))

    Options (besides those of ``CachePlugin``, except ``max_size``/``max_bytes``: Redis's
    ``maxmemory`` bounds the size):
        url: ``redis://[user:password@]host:port/db`` or ``rediss://`` for TLS (the default,
            ``redis://localhost:6379/0``, when no ``client`` is given).
        client: a ``redis.Redis``, a ``redis.asyncio.Redis``, or a pair of both, used instead
            of ``url`` (never closed by the plugin; with only one kind, calls of the other
            kind go without the cache).
        namespace: the prefix of every key.
        max_entry_bytes: the largest response stored.
        socket_timeout: seconds to connect and per command; a request never waits longer
            for Redis.
        retry_interval: seconds Redis is left alone after a connection failure.
        lock_timeout: seconds a process's fetch lock lives at most (it expires even if the
            process died).
        lock_wait: seconds other processes wait for that fetch before fetching themselves.
    """

    name = "redis-cache"

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        namespace: str = "axios-python-cache",
        ttl: float = 60,
        max_entry_bytes: int = _MIB,
        socket_timeout: float = 0.25,
        retry_interval: float = 1.0,
        lock_timeout: float = 30.0,
        lock_wait: float = 10.0,
        shared: bool = False,
        stale_while_revalidate: float = 0,
        stale_if_error: float = 0,
        keep_stale: float = 3600,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if url is not None and client is not None:
            raise ValueError("pass url or client, not both")
        if url is None and client is None:
            url = "redis://localhost:6379/0"
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://"))
        ):
            raise ValueError(
                "url must be a redis://, rediss:// or unix:// URL, got "
                + (repr(_shown_url(url)) if isinstance(url, str) else type(url).__name__)
            )
        if not isinstance(namespace, str) or not namespace or any(c.isspace() for c in namespace):
            raise ValueError(f"namespace must be a non-empty str without spaces, got {namespace!r}")
        storage = RedisStorage(
            url,
            client=client,
            namespace=namespace,
            socket_timeout=_positive(socket_timeout, "socket_timeout"),
            retry_interval=float(retry_interval)
            if retry_interval == 0
            else _positive(retry_interval, "retry_interval"),
            lock_timeout=_positive(lock_timeout, "lock_timeout"),
            lock_wait=float(lock_wait) if lock_wait == 0 else _positive(lock_wait, "lock_wait"),
        )
        super().__init__(
            ttl=ttl,
            max_entry_bytes=max_entry_bytes,
            shared=shared,
            stale_while_revalidate=stale_while_revalidate,
            stale_if_error=stale_if_error,
            keep_stale=keep_stale,
            storage=storage,
            clock=clock,
        )
        self.url = url
        self.namespace = namespace
        self.socket_timeout = storage.socket_timeout
        self.retry_interval = storage.retry_interval
        self.lock_timeout = storage.lock_timeout
        self.lock_wait = storage.lock_wait
        self.redis_storage = storage

    def _repr_options(self) -> list[str]:
        where = f"url={_shown_url(self.url)!r}" if self.url is not None else "client=<redis client>"
        options = [where, f"namespace={self.namespace!r}"]
        for option in super()._repr_options():
            if not option.startswith(("max_size=", "storage=", "max_entry_bytes=")):
                options.append(option)
        if self.max_entry_bytes != _MIB:
            options.append(f"max_entry_bytes={self.max_entry_bytes}")
        if self.socket_timeout != 0.25:
            options.append(f"socket_timeout={self.socket_timeout:g}")
        if self.retry_interval != 1.0:
            options.append(f"retry_interval={self.retry_interval:g}")
        if self.lock_timeout != 30.0:
            options.append(f"lock_timeout={self.lock_timeout:g}")
        if self.lock_wait != 10.0:
            options.append(f"lock_wait={self.lock_wait:g}")
        return options

    def attach(self, client: AxiosPython) -> None:
        """Import redis-py now (it takes a moment), not in the first request."""
        self.redis_storage.prepare()
        super().attach(client)

    def uninstall(self, client: AxiosPython) -> None:
        """Stop background refreshes and close the Redis connections the plugin opened (they
        are opened again if the plugin is used again)."""
        super().uninstall(client)
        self.redis_storage.close()
