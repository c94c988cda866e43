"""The httpx clients behind an instance: created lazily, one per set of connection options
(and, for async, per event loop), sharing one cookie jar.

The default sync transport's network streams report to the cancellation machinery which socket
a request is using (``_tracking.py``), so a CancelToken can abort a blocked sync read at once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import ssl
import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from ._config import CLIENT_KEYS
from ._cookies import share_jar
from ._engine import httpx
from ._redirects import async_cap_hop, async_guard, sync_cap_hop, sync_guard
from ._types import Config

if TYPE_CHECKING:
    import asyncio

__all__ = ["MAX_POOLS", "Transports", "transport_wrappers", "user_agent"]

T = TypeVar("T")

#: Functions ``wrap(transport) -> transport`` applied to every transport of a client created
#: while they are registered (used by ``axios_python.testing.redirect`` to route to loopback).
transport_wrappers: list[Any] = []


def user_agent() -> str:
    """The default ``User-Agent`` header."""
    from ._version import __version__

    return f"axios-python/{__version__} {httpx.__name__}/{httpx.__version__}"


@functools.lru_cache(maxsize=8)
def _shared_ssl_context(verify: bool, trust_env: bool) -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds: instances with default TLS settings share one.
    return httpx.create_ssl_context(verify=verify, trust_env=trust_env)


def _ssl_context(config: Config) -> ssl.SSLContext:
    verify, cert, trust_env = config["verify"], config["cert"], config["trust_env"]
    if isinstance(verify, ssl.SSLContext):
        context = verify
    elif isinstance(verify, str):
        context = ssl.create_default_context(cafile=verify)
    elif cert is None:
        return _shared_ssl_context(verify, trust_env)
    else:
        context = httpx.create_ssl_context(verify=verify, trust_env=trust_env)
    if cert is not None:
        context.load_cert_chain(*((cert,) if isinstance(cert, str) else cert))
    return context


def _client_options(config: Config, jar: httpx.Cookies, *, is_async: bool) -> dict[str, Any]:
    from ._logfilter import install_log_filters

    install_log_filters()  # httpx's own loggers never show a secret of ours
    return {
        "event_hooks": {
            "request": [async_guard if is_async else sync_guard],
            "response": [async_cap_hop if is_async else sync_cap_hop],
        },
        "cookies": jar,
        "headers": {"User-Agent": user_agent()},
        "trust_env": config["trust_env"],
        "follow_redirects": config["follow_redirects"],
    }


#: The most per-call connection pools (a call overriding ``limits``, ``proxy``, ``verify``,
#: ``cert``, ``transport`` or ``trust_env``) one instance keeps open for sync calls, and for
#: async calls on each event loop; the instance's own pool is not counted. Beyond it the least
#: recently used one is closed, once no request is using it.
MAX_POOLS = 16

#: A config's connection options, in ``CLIENT_KEYS`` order.
_client_options_of = itemgetter(*CLIENT_KEYS)

_SALT = os.urandom(16)


def _proxies_from_env(config: Config) -> dict[str, str | None]:
    """The environment's proxies as mount patterns, when the call takes them: ``trust_env``
    on and no ``proxy`` of its own (a transport the core builds; a given transport object is
    used as it is, as httpx does)."""
    if not config["trust_env"] or config["proxy"] is not None:
        return {}
    from ._env_proxies import environment_proxies

    return environment_proxies()


def _env_mounts(config: Config, build: Callable[[Config, str], T]) -> dict[str, T | None]:
    """httpx mounts for the environment's proxies (``_proxies_from_env``): a transport made by
    ``build(config, proxy_url)`` for each proxied pattern, ``None`` for each direct one."""
    return {
        pattern: None if url is None else build(config, url)
        for pattern, url in _proxies_from_env(config).items()
    }


def _wrapped(transport: Any, mounts: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``transport`` and ``mounts``' transports through every ``transport_wrappers`` entry."""
    for wrap in transport_wrappers:
        transport = wrap(transport)
        mounts = {pattern: None if t is None else wrap(t) for pattern, t in mounts.items()}
    return transport, mounts


def _httpx_transport(kind: Callable[..., T], config: Config, proxy: Any) -> T:
    """httpx's transport ``kind`` (sync or async) for ``config``'s TLS and limits, direct or
    through ``proxy``; a proxy that cannot be used (a ``socks5://`` proxy without ``socksio``,
    an unknown scheme) is a ``ConfigError`` naming it without its credentials, and what to do."""
    try:
        return kind(
            proxy=proxy,
            verify=_ssl_context(config),
            trust_env=config["trust_env"],
            limits=config["limits"] or _DEFAULT_LIMITS,
        )
    except (ImportError, ValueError) as exc:
        if proxy is None:
            raise
        from ._exceptions import ConfigError
        from ._secrets import DEFAULT_SECRETS

        shown = DEFAULT_SECRETS.redact_url(str(getattr(proxy, "url", proxy)))
        why = (
            str(exc)  # socksio missing: httpx's message names the package, not the URL
            if isinstance(exc, ImportError)
            else "accepted: http://, https://, socks5:// and socks5h:// proxies"
        )
        raise ConfigError(
            f"the proxy {shown} cannot be used; {why} (trust_env=False ignores the "
            "environment's proxies)"
        ) from None


def _default_async_transport(config: Config, proxy: Any) -> httpx.AsyncBaseTransport:
    """httpx's async transport, direct or through ``proxy``."""
    from ._pool_pass import faster_pass
    from ._tracking import track_async

    transport = _httpx_transport(httpx.AsyncHTTPTransport, config, proxy)
    track_async(transport)  # a cancelled TLS handshake closes its connection
    faster_pass(transport)  # the pool's pass without its quadratic work
    return transport


class _Same:
    """A key part for an object that has no value to compare (an ``ssl.SSLContext``, a
    transport): equal only to itself. Holding the object keeps its ``id()`` from being given to
    another object while the key is in use."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __repr__(self) -> str:
        return f"<the {type(self.obj).__name__} at {id(self.obj):#x}>"


def _digest(*parts: Any) -> bytes:
    """A keyed digest of values that may hold secrets (a proxy's credentials, a certificate
    password): compared by value, while the key itself never holds or shows them."""
    data = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, key=_SALT, digest_size=20).digest()


def _proxy_part(proxy: Any) -> Any:
    if proxy is None:
        return None
    try:
        # as httpx does: a URL's userinfo becomes the proxy's auth
        value = proxy if isinstance(proxy, httpx.Proxy) else httpx.Proxy(proxy)
    except (TypeError, ValueError):  # refused again, with httpx's message, when the pool is built
        return ("proxy?", _digest(str(proxy)))
    ssl_context = None if value.ssl_context is None else _Same(value.ssl_context)
    return ("proxy", _digest(str(value.url), value.auth, value.headers.multi_items()), ssl_context)


def _part(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if name == "limits" and isinstance(value, httpx.Limits):
        return (
            "limits",
            value.max_connections,
            value.max_keepalive_connections,
            value.keepalive_expiry,
        )
    if name == "proxy":
        return _proxy_part(value)
    if name == "cert":
        return ("cert", _digest(value))
    if isinstance(value, str):
        return (name, value)
    return _Same(value)  # an ssl.SSLContext, a transport: the object itself


def _key(config: Config) -> tuple[Any, ...]:
    """What identifies the connection pool ``config`` needs: its connection options by value
    (``httpx.Limits`` by its numbers, a proxy by its URL, credentials, headers and TLS context,
    a path or URL string as itself); objects without a value by themselves."""
    return tuple(_part(name, config[name]) for name in CLIENT_KEYS)


_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _owned(config: Config) -> bool:
    """Whether the core built the transport of ``config``'s pool (and so closes it): not when
    the caller passed a transport object."""
    return config["transport"] is None or isinstance(config["transport"], str)


class _Retired:
    """A pool evicted from the cache, closed once idle: no caller holds its client any more
    (nothing is between picking the pool and sending) and its connection pool has no request in
    flight (a streamed body still being read keeps it open)."""

    __slots__ = ("client", "parts")

    def __init__(self, client: Any, owned: bool) -> None:
        self.client = weakref.ref(client)
        # what closing the client would close: its transport (only if the client built it: a
        # transport object the caller passed is the caller's) and the proxies found in the
        # environment
        parts = [client._transport] if owned else []
        mounts = getattr(client, "_mounts", {})
        self.parts: list[Any] = parts + [t for t in mounts.values() if t is not None]

    def idle(self) -> bool:
        return self.client() is None and not any(_busy(part) for part in self.parts)


def _busy(transport: Any) -> bool:
    """Whether an httpx transport's connection pool has requests in flight."""
    for _ in range(4):  # through wrappers (``transport_wrappers``) to the pool
        pool = getattr(transport, "_pool", None)
        if pool is not None:
            return bool(getattr(pool, "_requests", ()))
        transport = getattr(transport, "_inner", None)
        if transport is None:
            break
    return False


class _Pools:
    """The clients of one path (sync calls, or async calls on one event loop): the instance's
    own, and at most ``MAX_POOLS`` per-call ones, the least recently used evicted first."""

    def __init__(self, default_key: tuple[Any, ...]) -> None:
        self.default_key = default_key
        self.default: Any = None
        self.per_call: OrderedDict[tuple[Any, ...], tuple[Any, bool]] = OrderedDict()
        self.retired: list[_Retired] = []

    def get(self, key: tuple[Any, ...]) -> Any:
        if key == self.default_key:
            return self.default
        entry = self.per_call.get(key)
        if entry is None:
            return None
        self.per_call.move_to_end(key)
        return entry[0]

    def put(self, key: tuple[Any, ...], client: Any, *, owned: bool) -> None:
        if key == self.default_key:
            self.default = client
            return
        self.per_call[key] = (client, owned)
        while len(self.per_call) > MAX_POOLS:
            _, (old, old_owned) = self.per_call.popitem(last=False)
            self.retired.append(_Retired(old, old_owned))
            del old

    def sweep(self) -> list[Any]:
        """Take out the retired pools that are idle now; returns what to close."""
        if not self.retired:
            return []
        closable = [r for r in self.retired if r.idle()]
        if not closable:
            return []
        self.retired = [r for r in self.retired if r not in closable]
        return [part for r in closable for part in r.parts]

    def everything(self) -> Iterator[Any]:
        """Every client and retired transport, to close them all."""
        if self.default is not None:
            yield self.default
        for client, _ in self.per_call.values():
            yield client
        for retired in self.retired:
            yield from retired.parts


class Transports:
    """The lazily created httpx clients of one instance."""

    def __init__(self, defaults: Config) -> None:
        self._defaults = defaults
        self._default_key = _key(defaults)
        self._lock = threading.Lock()
        self.cookies = httpx.Cookies(defaults["cookies"])
        self._sync = _Pools(self._default_key)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pools] = (
            weakref.WeakKeyDictionary()
        )
        self._closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._default_sync: httpx.Client | None = None
        #: the tracked network backends of the sync clients (close() wakes their requests)
        self._backends: weakref.WeakSet[Any] = weakref.WeakSet()
        self.closed = False

    def _is_default(self, config: Config) -> bool:
        return all(map(is_, _client_options_of(config), _client_options_of(self._defaults)))

    def _share_jar(self, client: httpx.Client | httpx.AsyncClient) -> None:
        share_jar(client, self.cookies.jar)

    # -- sync -----------------------------------------------------------------------------

    def sync_client(self, config: Config) -> httpx.Client:
        """The httpx.Client for ``config``'s connection options."""
        if self._default_sync is not None and self._is_default(config):
            return self._default_sync
        key = _key(config)
        with self._lock:
            self._check_open()
            client: httpx.Client | None = self._sync.get(key)
            if client is None:
                client = self._new_sync(config)
                self._sync.put(key, client, owned=_owned(config))
                if key == self._default_key:
                    self._default_sync = client
            closable = self._sync.sweep()
        for part in closable:
            with contextlib.suppress(Exception):  # a pool that fails to close fails no call
                part.close()
        return client

    def _new_sync(self, config: Config) -> httpx.Client:
        transport = config["transport"]
        if isinstance(transport, str):  # "aiohttp" is for async calls; sync ones use httpx's
            transport = None
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise TypeError(
                f"transport {transport!r} is async-only (httpx.AsyncBaseTransport); a sync call "
                "needs an httpx.BaseTransport such as httpx.MockTransport or httpx.HTTPTransport"
            )
        mounts: dict[str, httpx.BaseTransport | None] = {}
        if transport is None:
            transport = self._default_sync_transport(config, config["proxy"])
            mounts = _env_mounts(config, self._default_sync_transport)
        transport, mounts = _wrapped(transport, mounts)
        client = httpx.Client(
            transport=transport,
            mounts=mounts,
            **_client_options(config, self.cookies, is_async=False),
        )
        self._share_jar(client)
        return client

    def _default_sync_transport(self, config: Config, proxy: Any) -> httpx.BaseTransport:
        """httpx's transport, guarded and abortable, direct or through ``proxy``."""
        from ._pool_guard import guard
        from ._pool_pass import faster_pass
        from ._tracking import track

        transport = _httpx_transport(httpx.HTTPTransport, config, proxy)
        faster_pass(transport)  # the pool's pass without its quadratic work
        guard(transport)  # no thread's pass closes a connection another thread holds
        # a CancelToken aborts its connects, pool waits, reads and writes; close() wakes the
        # requests still on its connections
        backend = track(transport)
        if backend is not None:
            self._backends.add(backend)
        return transport

    # -- async ----------------------------------------------------------------------------

    def async_client(self, config: Config) -> httpx.AsyncClient:
        """The httpx.AsyncClient for ``config``'s connection options on the running loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        pools = self._async.get(loop)
        default = self._is_default(config)
        if default and pools is not None and pools.default is not None:
            default_client: httpx.AsyncClient = pools.default
            return default_client
        key = self._default_key if default else _key(config)
        with self._lock:
            self._check_open()
            pools = self._async.get(loop)
            if pools is None:
                pools = self._async[loop] = _Pools(self._default_key)
                self._closers[loop] = _close_at_loop_shutdown(self, loop)
            client: httpx.AsyncClient | None = pools.get(key)
            if client is None:
                client = self._new_async(config)
                pools.put(key, client, owned=_owned(config))
            closable = pools.sweep()
        for part in closable:
            _close_async_from_sync(loop, part)  # a task on this (running) loop
        return client

    def _new_async(self, config: Config) -> httpx.AsyncClient:
        transport = config["transport"]
        if not isinstance(transport, (str, type(None), httpx.AsyncBaseTransport)):
            raise TypeError(
                f"transport {transport!r} is sync-only (httpx.BaseTransport); an async call "
                "needs an httpx.AsyncBaseTransport such as httpx.MockTransport or "
                "httpx.AsyncHTTPTransport"
            )
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
        if transport is None or transport == "aiohttp":
            # the environment's proxies go through httpx's transport, as httpx routes them
            mounts = _env_mounts(config, _default_async_transport)
        if transport == "aiohttp":
            from ._aiohttp import AiohttpTransport

            transport = AiohttpTransport(
                ssl_context=_ssl_context(config),
                limits=config["limits"] or _DEFAULT_LIMITS,
                proxy=config["proxy"],
            )
        elif transport is None:
            transport = _default_async_transport(config, config["proxy"])
        transport, mounts = _wrapped(transport, mounts)
        client = httpx.AsyncClient(
            transport=transport,
            mounts=mounts,
            **_client_options(config, self.cookies, is_async=True),
        )
        self._share_jar(client)
        return client

    # -- closing --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            from ._exceptions import AxiosPythonError

            raise AxiosPythonError("this client is closed; create a new one with create()")

    def _take_all(self) -> tuple[list[Any], list[tuple[asyncio.AbstractEventLoop, Any]]]:
        """Mark closed and take every client and retired pool out (sync ones, and async ones
        with their loop)."""
        with self._lock:
            self.closed = True
            sync_clients = list(self._sync.everything())
            async_clients = [
                (loop, client)
                for loop, pools in self._async.items()
                for client in pools.everything()
            ]
            self._sync = _Pools(self._default_key)
            self._async.clear()
            self._default_sync = None
        return sync_clients, async_clients

    def close(self) -> None:
        """Close every client; async clients on their own loop where that loop can be reached.
        Sync requests still in flight on other threads are woken and fail at once."""
        sync_clients, async_clients = self._take_all()
        for backend in list(self._backends):
            backend.abort_all()
        for client in sync_clients:
            client.close()
        for loop, aclient in async_clients:
            _close_async_from_sync(loop, aclient)

    async def aclose(self) -> None:
        """Close every client, awaiting those of the running loop."""
        import asyncio

        sync_clients, async_clients = self._take_all()
        for backend in list(self._backends):
            backend.abort_all()
        for client in sync_clients:
            client.close()
        running = asyncio.get_running_loop()
        for loop, aclient in async_clients:
            if loop is running:
                await aclient.aclose()
            else:
                _close_async_from_sync(loop, aclient)


_pending_closes: set[Any] = set()


def _close_at_loop_shutdown(transports: Transports, loop: asyncio.AbstractEventLoop) -> Any:
    """Close ``loop``'s async clients when the loop shuts down.

    ``asyncio.run()`` (and every well-behaved runner) calls ``loop.shutdown_asyncgens()`` before
    closing a loop: it closes the async generators started on that loop, so the ``finally``
    below runs on the loop while it can still close sockets. An instance used from several
    ``asyncio.run()`` calls therefore leaks no connection.
    """

    async def close_pools() -> None:
        with transports._lock:
            pools = transports._async.pop(loop, None)
        for client in [] if pools is None else list(pools.everything()):
            await client.aclose()

    return _AtLoopShutdown(close_pools)


class _AtLoopShutdown:
    """Runs an action when the running loop shuts down its async generators (what
    ``asyncio.run()`` does after cancelling the tasks left), unless ``cancel()`` is called
    first. Keep the object referenced for as long as the action is wanted."""

    def __init__(self, action: Callable[[], Awaitable[None]]) -> None:
        self._wanted = True

        async def runner() -> Any:
            try:
                yield
            finally:
                if self._wanted:
                    await action()

        self._generator = runner()
        step = self._generator.__anext__()  # registers the generator with the running loop
        with contextlib.suppress(StopIteration):  # it stops at its first ``yield``
            step.send(None)

    def cancel(self) -> None:
        """Drop the action: the generator finishes here, with no loop needed."""
        self._wanted = False
        with contextlib.suppress(StopIteration):
            self._generator.aclose().send(None)


def _pooled_connections(client: Any) -> list[Any]:
    """The connections in the pool behind an ``httpx.AsyncClient`` the core created (through
    the transport wrappers of ``axios_python.testing``); empty for other transports."""
    transport = getattr(client, "_transport", client)
    while hasattr(transport, "_inner"):
        transport = transport._inner
    return list(getattr(getattr(transport, "_pool", None), "connections", ()))


async def _aclose_resolutely(client: Any) -> None:
    """``client.aclose()`` that closes every pooled connection even when its task is cancelled
    part-way (``asyncio.run()`` cancels the tasks left when its coroutine returns, and the pool
    closes its connections one after another): each connection closes its socket in the first
    step of its own ``aclose()``."""
    import asyncio

    connections = _pooled_connections(client)
    try:
        await client.aclose()
    except asyncio.CancelledError:
        for connection in connections:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await connection.aclose()
        raise


def _close_async_from_sync(loop: asyncio.AbstractEventLoop, client: Any) -> None:
    """Close ``client`` (an ``httpx.AsyncClient`` or async transport) on ``loop``: a task if it
    is the running loop, from this thread if that loop runs elsewhere or is stopped."""
    import asyncio

    if loop.is_closed():
        return  # its connections died with their loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is running:
        # close() called from a coroutine: close in a task, soon. asyncio.run() (like most
        # runners) cancels the tasks still pending when its coroutine returns, and a task
        # cancelled before its first step never runs; the loop's shutdown of async generators
        # comes after that, so a generator closes the client then if the task did not.
        async def close_then_forget() -> None:
            try:
                await _aclose_resolutely(client)
            finally:
                _pending_closes.discard(fallback)

        task = loop.create_task(_aclose_resolutely(client))
        fallback = _AtLoopShutdown(close_then_forget)
        _pending_closes.update((task, fallback))

        def settled(task: Any) -> None:
            _pending_closes.discard(task)
            if not task.cancelled():
                fallback.cancel()
                _pending_closes.discard(fallback)

        task.add_done_callback(settled)
    elif loop.is_running():
        future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)
    elif running is None:
        loop.run_until_complete(client.aclose())
