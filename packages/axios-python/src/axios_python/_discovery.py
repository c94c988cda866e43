"""Finding installed plugins through the ``axios_python.plugins`` entry-point group.

Listing reads package metadata only; a plugin's module is imported (through pluggy, one entry
point at a time, so one broken plugin never hides the others) when it is first used by name.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

from ._exceptions import IncompatiblePluginError, PluginLoadError, UnknownPluginError
from ._versions import core_requirement, satisfies

if TYPE_CHECKING:
    from importlib.metadata import Distribution, EntryPoint

    import pluggy

    from ._client import AxiosPython

__all__ = ["GROUP", "PluginInfo", "discovery"]

#: The entry-point group plugins register under.
GROUP = "axios_python.plugins"


class PluginInfo(NamedTuple):
    """One installed plugin, as ``axios_python.plugins.available()`` reports it."""

    name: str
    distribution: str
    version: str
    summary: str
    target: str
    status: str
    error: str | None


def _summary(dist: Distribution | None) -> str:
    if dist is None:
        return ""
    metadata: Any = dist.metadata  # an email.message.Message: .get() never warns or raises
    return str(metadata.get("Summary") or "")


def _install_hint(name: str) -> str:
    from ._first_party import install_hint

    return install_hint(name)


class Discovery:
    """The process's view of installed plugins: scanned lazily, once."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entry_points: dict[str, EntryPoint] | None = None
        self._manager: pluggy.PluginManager | None = None
        self._errors: dict[str, PluginLoadError] = {}

    # -- scanning -------------------------------------------------------------------------

    def entry_points(self) -> dict[str, EntryPoint]:
        """Installed plugins by name (metadata only; nothing is imported)."""
        if self._entry_points is None:
            from importlib.metadata import entry_points

            with self._lock:
                if self._entry_points is None:
                    found: dict[str, EntryPoint] = {}
                    for ep in entry_points(group=GROUP):
                        found.setdefault(ep.name, ep)
                    self._entry_points = found
        return self._entry_points

    def refresh(self) -> None:
        """Forget the scan and the load failures: the next use looks at the installation again.
        Plugins already loaded stay loaded."""
        with self._lock:
            self._entry_points = None
            self._errors.clear()

    # -- pluggy ---------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._manager is not None

    def manager(self) -> pluggy.PluginManager:
        """The pluggy PluginManager holding the hook specifications and loaded plugins."""
        if self._manager is None:
            with self._lock:
                if self._manager is None:
                    import pluggy

                    from ._hookspecs import PROJECT, EnvironmentAutoload, HookSpecs

                    manager = pluggy.PluginManager(PROJECT)
                    manager.add_hookspecs(HookSpecs)
                    manager.register(EnvironmentAutoload(), name="axios_python.environment")
                    self._manager = manager
        return self._manager

    # -- loading --------------------------------------------------------------------------

    def _describe(self, ep: EntryPoint) -> str:
        dist = ep.dist
        where = f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"
        return f"plugin {ep.name!r} (entry point '{ep.name} = {ep.value}' of {where})"

    def _check_compatible(self, ep: EntryPoint) -> None:
        from ._version import __version__

        dist = ep.dist
        if dist is None:
            return
        specifier = core_requirement(dist.requires)
        if specifier and not satisfies(__version__, specifier):
            raise IncompatiblePluginError(
                f"{self._describe(ep)} requires axios-python{specifier}, but axios-python "
                f"{__version__} is installed: install a release of {dist.name} made for "
                f"axios-python {__version__.split('.')[0]}.x, or upgrade axios-python"
            )

    def load(self, name: str) -> Any:
        """The plugin class (or factory) registered under ``name``, loaded once."""
        if not isinstance(name, str):
            raise TypeError(f"a plugin name must be a str, got {name!r}")
        eps = self.entry_points()
        ep = eps.get(name)
        if ep is None:
            raise self._unknown(name, eps)
        manager = self.manager()
        with self._lock:
            plugin = manager.get_plugin(name)
            if plugin is not None:
                return plugin
            if name in self._errors:
                raise self._errors[name]
            try:
                self._check_compatible(ep)
                manager.load_setuptools_entrypoints(GROUP, name=name)
                plugin = manager.get_plugin(name)
                if plugin is None:
                    raise LookupError("the entry point was not found when loading it")
                if not callable(plugin):
                    manager.unregister(name=name)
                    raise TypeError(
                        f"it points to {plugin!r}, which is not a plugin class or factory "
                        "(a callable returning an object with attach(client))"
                    )
            except IncompatiblePluginError as exc:
                self._errors[name] = exc
                raise
            except Exception as exc:
                error = PluginLoadError(
                    f"{self._describe(ep)} failed to load: {type(exc).__name__}: {exc}"
                )
                error.__cause__ = exc
                self._errors[name] = error
                raise error from exc
            return plugin

    def _unknown(self, name: str, eps: dict[str, EntryPoint]) -> UnknownPluginError:
        installed = ", ".join(sorted(eps)) or "none"
        close = difflib.get_close_matches(name, list(eps), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return UnknownPluginError(
            f"no plugin named {name!r} is installed.{hint} Installed plugins: {installed}. "
            f"To install it: {_install_hint(name)}"
        )

    def create(self, name: str, options: dict[str, Any]) -> Any:
        """Load plugin ``name`` and build it with ``options``."""
        factory = self.load(name)
        try:
            return factory(**options)
        except TypeError as exc:
            raise TypeError(
                f"plugin {name!r} could not be built with options {options!r}: {exc}"
            ) from exc

    # -- listing --------------------------------------------------------------------------

    def available(self, *, check: bool = False) -> list[PluginInfo]:
        """Every installed plugin with its distribution, version, summary and status.

        Listing imports nothing. With ``check=True`` each plugin is loaded, so its status says
        whether it works; a broken plugin is reported, never raised.
        """
        infos = []
        for name, ep in sorted(self.entry_points().items()):
            if check:
                with contextlib.suppress(PluginLoadError):
                    self.load(name)
            error = self._errors.get(name)
            loaded = self._manager is not None and self._manager.get_plugin(name) is not None
            dist = ep.dist
            infos.append(
                PluginInfo(
                    name=name,
                    distribution=dist.name if dist is not None else "?",
                    version=dist.version if dist is not None else "?",
                    summary=_summary(dist),
                    target=ep.value,
                    status="error" if error else ("loaded" if loaded else "not loaded"),
                    error=str(error) if error else None,
                )
            )
        return infos

    # -- hooks ----------------------------------------------------------------------------

    def client_created(self, client: AxiosPython) -> None:
        """Fire ``axios_python_client_created`` (cheap when nothing could implement it)."""
        from ._hookspecs import PLUGINS_ENV

        if self._manager is None and not os.environ.get(PLUGINS_ENV):
            return
        self.manager().hook.axios_python_client_created(client=client)

    def client_closed(self, client: AxiosPython) -> None:
        """Fire ``axios_python_client_closed`` if any plugin machinery was started."""
        if self._manager is not None:
            self._manager.hook.axios_python_client_closed(client=client)

    def attach_all(self, client: AxiosPython) -> None:
        """``"plugins": "auto"``: attach every installed plugin that builds without options."""
        import warnings

        from ._hookspecs import PluginAutoloadWarning, autoload_disabled

        if autoload_disabled():
            return
        attached = {n for n, _ in client._registry.names()}
        for name in sorted(self.entry_points()):
            if name in attached:
                continue
            try:
                client.plugin(name)
            except Exception as exc:
                warnings.warn(
                    f'"plugins": "auto" could not attach plugin {name!r}: {exc}. Attach it '
                    f'explicitly with its options, e.g. ("{name}", {{...}})',
                    PluginAutoloadWarning,
                    stacklevel=4,
                )


discovery = Discovery()
