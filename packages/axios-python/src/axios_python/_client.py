"""AxiosPython: one configured instance serving sync and async calls."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any

from ._call_keys import CallKeys
from ._config import normalize_defaults
from ._engine import httpx
from ._exceptions import ConfigError
from ._headers import HeaderDict
from ._interceptors import Interceptors
from ._middleware import MiddlewareManager, Scope
from ._models import Response
from ._pipeline import Pipeline
from ._plugins import PluginRegistry
from ._secrets import Secrets
from ._transport import Transports
from ._types import Middleware, RequestOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AxiosPython"]


def _entry_shape(item: tuple[Any, ...]) -> str:
    """A ``plugins`` entry described without its values (they may be secrets): the name, then
    the other items by type."""
    parts = [
        repr(v) if i == 0 and isinstance(v, str) else type(v).__name__ for i, v in enumerate(item)
    ]
    return f"a tuple of {len(item)}: ({', '.join(parts)})"


def _overrides(method: str, url: str | httpx.URL | None, options: Any) -> dict[str, Any]:
    overrides = dict(options)
    overrides["method"] = method
    if url is not None:
        overrides["url"] = url
    return overrides


class AxiosPython:
    """A configured HTTP client: defaults, interceptors, middleware and plugins, shared by its
    sync methods (``get``, ``post``, ...) and their async twins (``async_get``, ...).

    Create one per upstream service with ``axios_python.create(config)``; close it with
    ``close()`` / ``aclose()`` or use it as a (async) context manager.

    ``autoload=False`` keeps process-wide plugins (``AXIOS_PYTHON_PLUGINS``) and hooks away
    from this client: for clients a plugin creates for its own use (e.g. to fetch tokens).
    """

    def __init__(self, config: Mapping[str, Any] | None = None, *, autoload: bool = True) -> None:
        defaults = normalize_defaults(config)
        plugins = defaults.pop("plugins", None)
        defaults["plugins"] = None
        self._defaults = defaults
        self._registry = PluginRegistry()
        self.interceptors = Interceptors(self._registry.record)
        self.middleware = MiddlewareManager(self._registry.record)
        #: What is secret for this client: the built-in definition plus the names plugins
        #: (and the application) register; honoured by errors, logs, the redirect guard and
        #: every plugin.
        self.secrets = Secrets(self._registry.record)
        #: Per-call config keys plugins registered (``api.get(url, cache=False)``).
        self.call_keys = CallKeys(self._registry.record)
        self._transports = Transports(defaults)
        self._pipeline = Pipeline(self)
        #: ``identity()``'s last answer for this client: (what identified the caller, digest)
        self._last_identity: tuple[tuple[Any, ...], str] | None = None
        #: its last wire URL's identity parts: (URL, the secret params they were told by, parts)
        self._last_url_parts: tuple[Any, frozenset[str], tuple[Any, Any]] | None = None
        #: the wire URLs its calls built (``wire_url``), by base_url, url and params: a URL
        #: asked for again is not parsed again
        self._wire_urls: dict[tuple[Any, ...], Any] = {}
        self._closed = False
        announced = False
        try:
            self._attach_configured(plugins)
            if autoload:
                from ._discovery import discovery

                announced = True
                discovery.client_created(self)
        except BaseException:
            # a half-built client leaves nothing behind: what was attached is uninstalled (last
            # first), what was opened is closed, and the original error is raised
            self._abandon(announced)
            raise

    def _attach_configured(self, plugins: Any) -> None:
        """Attach the plugins of the ``plugins`` configuration key."""
        if plugins == "auto":
            from ._discovery import discovery

            discovery.attach_all(self)
        elif plugins:
            for item in plugins:
                if isinstance(item, tuple):
                    if len(item) != 2 or not isinstance(item[1], Mapping):
                        raise ConfigError(
                            f"a plugins entry ({_entry_shape(item)}) must be a name, a "
                            "(name, options) pair or a plugin object"
                        )
                    self.plugin(item[0], **item[1])
                else:
                    self.plugin(item)

    def _abandon(self, announced: bool) -> None:
        """Undo a constructor that failed: uninstall, close, and (if the process-wide hooks
        were told of the client) tell them it is closed; failures are warned about."""
        self._closed = True
        failures = self._registry.remove_all(self)
        try:
            self._transports.close()
            if announced:
                self._closed_hook()
        except Exception as exc:
            failures.append(("(closing the client)", exc))
        self._registry.report(failures)

    # -- configuration --------------------------------------------------------------------

    @property
    def config(self) -> Mapping[str, Any]:
        """A read-only snapshot of the instance defaults (changing it changes nothing); override
        any key per call instead."""
        snapshot = dict(self._defaults)
        snapshot["headers"] = HeaderDict(snapshot["headers"])
        for key in ("params", "extensions", "cookies"):
            if isinstance(snapshot[key], dict):
                snapshot[key] = dict(snapshot[key])
        return MappingProxyType(snapshot)

    @property
    def cookies(self) -> httpx.Cookies:
        """The cookie jar shared by the sync and async paths."""
        return self._transports.cookies

    # -- requests -------------------------------------------------------------------------

    def request(
        self, method: str, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a request with any method; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides(method, url, options))

    async def async_request(
        self, method: str, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a request with any method from async code; see ``request``."""
        return await self._pipeline.run_async(_overrides(method, url, options))

    def get(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a GET request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("GET", url, options))

    async def async_get(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a GET request from async code; see ``get``."""
        return await self._pipeline.run_async(_overrides("GET", url, options))

    def post(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a POST request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("POST", url, options))

    async def async_post(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a POST request from async code; see ``post``."""
        return await self._pipeline.run_async(_overrides("POST", url, options))

    def put(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a PUT request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("PUT", url, options))

    async def async_put(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a PUT request from async code; see ``put``."""
        return await self._pipeline.run_async(_overrides("PUT", url, options))

    def patch(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a PATCH request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("PATCH", url, options))

    async def async_patch(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a PATCH request from async code; see ``patch``."""
        return await self._pipeline.run_async(_overrides("PATCH", url, options))

    def delete(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a DELETE request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("DELETE", url, options))

    async def async_delete(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a DELETE request from async code; see ``delete``."""
        return await self._pipeline.run_async(_overrides("DELETE", url, options))

    def head(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a HEAD request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("HEAD", url, options))

    async def async_head(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a HEAD request from async code; see ``head``."""
        return await self._pipeline.run_async(_overrides("HEAD", url, options))

    def options(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a OPTIONS request; ``options`` override the instance's configuration."""
        return self._pipeline.run_sync(_overrides("OPTIONS", url, options))

    async def async_options(
        self, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
    ) -> Response:
        """Send a OPTIONS request from async code; see ``options``."""
        return await self._pipeline.run_async(_overrides("OPTIONS", url, options))

    # -- middleware and plugins -----------------------------------------------------------

    def use(self, middleware: Middleware, *, scope: Scope = "call", validated: bool = False) -> int:
        """Add ``middleware(ctx, next_fn)``; returns an id for ``api.middleware.eject(id)``.

        ``scope="call"`` (default) wraps the whole call, retries included; ``scope="attempt"``
        runs around every attempt. Middleware may be a plain function, an ``async def`` or a
        ``Dual`` of both; not calling ``next_fn`` short-circuits the request.

        What middleware passes to ``next_fn`` is validated as ``create()`` validates it, by
        comparing the config at the inner end of the scope with the one the scope started
        with. ``validated=True`` (for plugins, on the hot path of every call) promises that
        the middleware passes to ``next_fn`` ``ctx`` itself or a whole copy of it that it does
        not use again, and changes in it only values it checked itself, headers (checked as
        they are sent) or internal keys: the core takes that dict as it is, and skips the
        comparison for a scope whose middleware all say so. Leave it ``False`` (the default)
        otherwise.
        """
        return self.middleware.use(middleware, scope=scope, validated=validated)

    def plugin(self, plugin: Any, /, **options: Any) -> Any:
        """Attach a plugin and return it.

        ``plugin`` is an object with ``attach(client)``, or the name of an installed plugin
        (its entry point), built with ``options``: ``api.plugin("cache", ttl=60)``. Everything
        it registers is recorded, so ``remove_plugin`` and ``close`` take it back out.
        """
        if self._closed:
            from ._exceptions import PluginError

            shown = repr(plugin) if isinstance(plugin, str) else type(plugin).__qualname__
            raise PluginError(
                f"this client is closed and takes no plugins (attaching {shown}): a closed "
                "client would never uninstall it; attach plugins to a new client from create()"
            )
        if isinstance(plugin, str):
            from ._discovery import discovery

            return self._registry.attach(self, discovery.create(plugin, options), name=plugin)
        if options:
            raise TypeError(
                f"options {sorted(options)} are only accepted with a plugin name, not with a "
                f"plugin object ({type(plugin).__qualname__}): build the object with its options "
                "instead"
            )
        return self._registry.attach(self, plugin)

    def remove_plugin(self, plugin: Any) -> Any:
        """Detach a plugin (the object or its name): remove what it registered, then call its
        ``uninstall(client)``. Returns the plugin."""
        return self._registry.remove(self, plugin)

    @property
    def plugins(self) -> tuple[Any, ...]:
        """The attached plugins, in attach order."""
        return self._registry.plugins

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether ``close()`` or ``aclose()`` was called."""
        return self._closed

    def close(self) -> None:
        """Uninstall the plugins (last first) and close every connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            failures = self._registry.remove_all(self)
        finally:
            self._transports.close()
        self._closed_hook()
        self._registry.report(failures)

    async def aclose(self) -> None:
        """Like ``close()``, awaiting the async connections. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            failures = self._registry.remove_all(self)
        finally:
            await self._transports.aclose()
        self._closed_hook()
        self._registry.report(failures)

    def _closed_hook(self) -> None:
        from ._discovery import discovery

        # what the client remembered of its callers (URLs may carry credentials) goes with it
        self._wire_urls.clear()
        self._last_identity = self._last_url_parts = None
        discovery.client_closed(self)

    def __enter__(self) -> AxiosPython:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> AxiosPython:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        base = self._defaults["base_url"]
        shown = None if base is None else self.secrets.redact_url(base)
        state = " closed" if self._closed else ""
        return f"<AxiosPython base_url={shown!r}{state}>"
