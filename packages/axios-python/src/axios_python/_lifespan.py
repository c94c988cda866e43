"""Instances owned by an ASGI application's lifespan (FastAPI, Starlette, or any framework
that takes a ``lifespan(app)`` async context manager): created at startup, closed at shutdown,
handed to request handlers as a dependency. No framework is imported here."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from ._client import AxiosPython
from ._config import normalize_defaults
from ._exceptions import ConfigError
from ._secrets import DEFAULT_SECRETS

__all__ = ["ManagedClient", "combine_lifespans"]

_Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]
_StateLifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[dict[str, Any]]]


class ManagedClient:
    """One upstream service's instance, owned by an application's lifespan.

    ::

        github = ManagedClient({"base_url": "https://api.github.com", "timeout": 5}, name="github")
        app = FastAPI(lifespan=github.lifespan)

        @app.get("/me")
        async def me(api: AxiosPython = Depends(github)) -> dict:
            return (await api.async_get("/user")).data

    ``config`` is what ``axios_python.create`` takes (``plugins`` included); the instance is
    created when the application starts, so nothing is opened at import time, and closed
    (plugins uninstalled, every connection closed) when it stops. Calling the object returns
    the running instance, which makes it a FastAPI dependency; sync handlers (run in a thread
    pool) use the same instance with ``api.get(...)``. With ``name``, the lifespan also puts the
    instance in the application's lifespan state, where Starlette handlers read it as
    ``request.state.<name>``.

    Servers such as uvicorn and granian finish the requests in flight before they run the
    lifespan's shutdown, so calls made by handlers complete; work the application starts in
    the background must be awaited by the application before shutdown, or it is cut off when
    the instance closes.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
        autoload: bool = True,
    ) -> None:
        if config is not None and not isinstance(config, Mapping):
            raise ConfigError(
                f"ManagedClient config must be a mapping like create() takes, not "
                f"{type(config).__name__}"
            )
        if name is not None and (not isinstance(name, str) or not name.isidentifier()):
            raise ConfigError(
                f"ManagedClient name must be a Python identifier (it becomes "
                f"request.state.<name>), not {name!r}"
            )
        self._config = dict(config or {})
        self._name = name
        self._autoload = autoload
        self._instance: AxiosPython | None = None
        self._lock = threading.Lock()
        # a bad key or value fails here, where the client is defined, not at startup
        normalize_defaults(self._config)

    @property
    def name(self) -> str | None:
        """The lifespan-state name, if one was given."""
        return self._name

    @property
    def is_running(self) -> bool:
        """Whether the application is running (the instance exists and is open)."""
        return self._instance is not None

    @property
    def instance(self) -> AxiosPython:
        """The running instance; a ``RuntimeError`` before startup and after shutdown."""
        instance = self._instance
        if instance is None:
            raise RuntimeError(
                f"{self!r} is not running: pass its lifespan to the application "
                "(FastAPI(lifespan=client.lifespan), or combine_lifespans(...) for several) "
                "and make calls while the application runs"
            )
        return instance

    def __call__(self) -> AxiosPython:
        """The running instance (a FastAPI dependency: ``Depends(client)``)."""
        return self.instance

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[dict[str, Any]]:
        """The application's lifespan: create the instance, run the application, close it.

        Yields the lifespan state: ``{name: instance}`` when a name was given, else empty.
        """
        with self._lock:
            if self._instance is not None:
                raise RuntimeError(
                    f"{self!r} is already running in another application; give each "
                    "application its own ManagedClient"
                )
            instance = self._instance = AxiosPython(self._config, autoload=self._autoload)
        try:
            yield {} if self._name is None else {self._name: instance}
        finally:
            self._instance = None
            await instance.aclose()

    def __repr__(self) -> str:
        base = self._config.get("base_url")
        shown = "" if base is None else repr(DEFAULT_SECRETS.redact_url(str(base)))
        named = "" if self._name is None else f"name={self._name!r}"
        return f"ManagedClient({', '.join(part for part in (shown, named) if part)})"


def combine_lifespans(*parts: ManagedClient | _Lifespan) -> _StateLifespan:
    """One lifespan that runs several in order (``ManagedClient`` objects and any other
    ``lifespan(app)`` context managers, such as the application's own) and stops them in
    reverse order; the states they yield (mappings, or ``None``) are merged into one.

    ::

        app = FastAPI(lifespan=combine_lifespans(github, billing, own_lifespan))
    """
    lifespans: list[_Lifespan] = []
    for part in parts:
        if isinstance(part, ManagedClient):
            lifespans.append(part.lifespan)
        elif callable(part):
            lifespans.append(part)
        else:
            raise ConfigError(
                f"combine_lifespans takes ManagedClient objects and lifespan(app) callables, "
                f"not {type(part).__name__}"
            )

    @contextlib.asynccontextmanager
    async def combined(app: Any) -> AsyncIterator[dict[str, Any]]:
        state: dict[str, Any] = {}
        async with contextlib.AsyncExitStack() as stack:
            for lifespan in lifespans:
                part_state = await stack.enter_async_context(lifespan(app))
                if part_state is not None:
                    state.update(part_state)
            yield state

    return combined
