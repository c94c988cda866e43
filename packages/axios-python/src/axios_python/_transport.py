"""The httpx clients behind an instance: created lazily, one per set of connection options
(and, for async, per event loop), sharing one cookie jar.

The default sync transport's network streams report to the cancellation machinery which socket
a request is using (``_tracking.py``), so a CancelToken can abort a blocked sync read at once.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import weakref
from typing import TYPE_CHECKING, Any

import httpx

from ._config import CLIENT_KEYS
from ._redirects import async_guard, sync_guard
from ._types import Config

if TYPE_CHECKING:
    import asyncio

__all__ = ["Transports", "transport_wrappers", "user_agent"]

#: Functions ``wrap(transport) -> transport`` applied to every transport of a client created
#: while they are registered (used by ``axios_python.testing.redirect`` to route to loopback).
transport_wrappers: list[Any] = []


def user_agent() -> str:
    """The default ``User-Agent`` header."""
    from ._version import __version__

    return f"axios-python/{__version__} httpx/{httpx.__version__}"


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
        "event_hooks": {"request": [async_guard if is_async else sync_guard]},
        "cookies": jar,
        "headers": {"User-Agent": user_agent()},
        "trust_env": config["trust_env"],
        "follow_redirects": config["follow_redirects"],
    }


def _key(config: Config) -> tuple[Any, ...]:
    return tuple(
        value if value is None or isinstance(value, (bool, str, tuple)) else id(value)
        for value in (config[k] for k in CLIENT_KEYS)
    )


class Transports:
    """The lazily created httpx clients of one instance."""

    def __init__(self, defaults: Config) -> None:
        self._defaults = defaults
        self._default_key = _key(defaults)
        self._lock = threading.Lock()
        self.cookies = httpx.Cookies(defaults["cookies"])
        self._sync: dict[tuple[Any, ...], httpx.Client] = {}
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]
        ] = weakref.WeakKeyDictionary()
        self._closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._default_sync: httpx.Client | None = None
        self.closed = False

    def _is_default(self, config: Config) -> bool:
        defaults = self._defaults
        return all(config[k] is defaults[k] for k in CLIENT_KEYS)

    def _share_jar(self, client: httpx.Client | httpx.AsyncClient) -> None:
        client.cookies.jar = self.cookies.jar

    # -- sync -----------------------------------------------------------------------------

    def sync_client(self, config: Config) -> httpx.Client:
        """The httpx.Client for ``config``'s connection options."""
        if self._default_sync is not None and self._is_default(config):
            return self._default_sync
        key = _key(config)
        client = self._sync.get(key)
        if client is None:
            with self._lock:
                self._check_open()
                client = self._sync.get(key)
                if client is None:
                    client = self._sync[key] = self._new_sync(config)
                    if key == self._default_key:
                        self._default_sync = client
        return client

    def _new_sync(self, config: Config) -> httpx.Client:
        transport = config["transport"]
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise TypeError(
                f"transport {transport!r} is async-only (httpx.AsyncBaseTransport); a sync call "
                "needs an httpx.BaseTransport such as httpx.MockTransport or httpx.HTTPTransport"
            )
        if transport is None:
            transport = httpx.HTTPTransport(
                verify=_ssl_context(config),
                trust_env=config["trust_env"],
                limits=config["limits"]
                or httpx.Limits(max_connections=100, max_keepalive_connections=20),
                proxy=config["proxy"],
            )
            pool = getattr(transport, "_pool", None)
            backend = getattr(pool, "_network_backend", None)
            if backend is not None:
                from ._tracking import TrackedBackend

                pool._network_backend = TrackedBackend(backend)  # type: ignore[union-attr]
        for wrap in transport_wrappers:
            transport = wrap(transport)
        client = httpx.Client(
            transport=transport, **_client_options(config, self.cookies, is_async=False)
        )
        self._share_jar(client)
        return client

    # -- async ----------------------------------------------------------------------------

    def async_client(self, config: Config) -> httpx.AsyncClient:
        """The httpx.AsyncClient for ``config``'s connection options on the running loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        clients = self._async.get(loop)
        key = self._default_key if self._is_default(config) else _key(config)
        client = None if clients is None else clients.get(key)
        if client is None:
            with self._lock:
                self._check_open()
                clients = self._async.get(loop)
                if clients is None:
                    clients = self._async[loop] = {}
                    self._closers[loop] = _close_at_loop_shutdown(self, loop)
                client = clients.get(key)
                if client is None:
                    client = clients[key] = self._new_async(config)
        return client

    def _new_async(self, config: Config) -> httpx.AsyncClient:
        transport = config["transport"]
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(
                f"transport {transport!r} is sync-only (httpx.BaseTransport); an async call "
                "needs an httpx.AsyncBaseTransport such as httpx.MockTransport or "
                "httpx.AsyncHTTPTransport"
            )
        if transport is None:
            transport = httpx.AsyncHTTPTransport(
                verify=_ssl_context(config),
                trust_env=config["trust_env"],
                limits=config["limits"]
                or httpx.Limits(max_connections=100, max_keepalive_connections=20),
                proxy=config["proxy"],
            )
        for wrap in transport_wrappers:
            transport = wrap(transport)
        client = httpx.AsyncClient(
            transport=transport, **_client_options(config, self.cookies, is_async=True)
        )
        self._share_jar(client)
        return client

    # -- closing --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            from ._exceptions import AxiosPythonError

            raise AxiosPythonError("this client is closed; create a new one with create()")

    def _take_all(
        self,
    ) -> tuple[list[httpx.Client], list[tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]]]:
        with self._lock:
            self.closed = True
            sync_clients = list(self._sync.values())
            async_clients = [
                (loop, client)
                for loop, clients in self._async.items()
                for client in clients.values()
            ]
            self._sync.clear()
            self._async.clear()
            self._default_sync = None
        return sync_clients, async_clients

    def close(self) -> None:
        """Close every client; async clients on their own loop where that loop can be reached."""
        sync_clients, async_clients = self._take_all()
        for client in sync_clients:
            client.close()
        for loop, aclient in async_clients:
            _close_async_from_sync(loop, aclient)

    async def aclose(self) -> None:
        """Close every client, awaiting those of the running loop."""
        import asyncio

        sync_clients, async_clients = self._take_all()
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

    async def closer() -> Any:
        try:
            yield
        finally:
            with transports._lock:
                clients = transports._async.pop(loop, {})
            for client in clients.values():
                await client.aclose()

    generator = closer()
    step = generator.__anext__()  # registers the generator with the running loop
    with contextlib.suppress(StopIteration):  # it stops at its first ``yield``
        step.send(None)
    return generator


def _close_async_from_sync(loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
    import asyncio

    if loop.is_closed():
        return  # its connections died with their loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is running:
        task = loop.create_task(client.aclose())
        _pending_closes.add(task)
        task.add_done_callback(_pending_closes.discard)
    elif loop.is_running():
        future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)
    elif running is None:
        loop.run_until_complete(client.aclose())
