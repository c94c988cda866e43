"""Finding installed plugins through the ``axios_python.plugins`` entry-point group.

Listing reads package metadata only; a plugin's module is imported when it is first used by
name, one entry point at a time (never pluggy's bulk loader), so one broken plugin never hides
the others and two entry-point names for one class both work, in either order. What a loaded
plugin object implements of the hook specifications is registered in the pluggy manager once.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ._exceptions import IncompatiblePluginError, PluginError, PluginLoadError, UnknownPluginError
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


def _option_values(value: Any, depth: int = 0) -> list[str]:
    """The text forms of option values (inside lists and mappings too), to mask them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, bytearray)):
        return [bytes(value).decode("utf-8", "replace")]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if depth > 3:
        return []
    if isinstance(value, Mapping):
        return [v for item in value.values() for v in _option_values(item, depth + 1)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for item in value for v in _option_values(item, depth + 1)]
    return []


def _install_hint(name: str) -> str:
    from ._first_party import install_hint

    return install_hint(name)


class Discovery:
    """The process's view of installed plugins: scanned lazily, once."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entry_points: dict[str, EntryPoint] | None = None
        self._manager: pluggy.PluginManager | None = None
        self._loaded: dict[str, Any] = {}
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
            raise TypeError(f"a plugin name must be a str, got a {type(name).__name__}")
        eps = self.entry_points()
        ep = eps.get(name)
        if ep is None:
            raise self._unknown(name, eps)
        manager = self.manager()
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            if name in self._errors:
                raise self._errors[name]
            try:
                self._check_compatible(ep)
                plugin = ep.load()
                if not callable(plugin):
                    raise TypeError(
                        f"it points to a {type(plugin).__name__}, which is not a plugin class or "
                        "factory (a callable returning an object with attach(client))"
                    )
                self._register_hooks(manager, plugin, name)
            except IncompatiblePluginError as exc:
                self._errors[name] = exc
                raise
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                # SystemExit, GeneratorExit... raised by a module being imported are that
                # plugin's failure, never the process's: load() runs no generator of its own
                detail = str(exc)
                error = PluginLoadError(
                    f"{self._describe(ep)} failed to load: {type(exc).__name__}"
                    + (f": {detail}" if detail else "")
                )
                self._errors[name] = error
                raise error from exc
            self._loaded[name] = plugin
            return plugin

    @staticmethod
    def _register_hooks(manager: pluggy.PluginManager, plugin: Any, name: str) -> None:
        """Register ``plugin`` for its hook implementations, once: a second entry-point name
        for the same object (an alias) finds it registered already."""
        if manager.is_registered(plugin):
            return
        manager.register(plugin, name=None if manager.has_plugin(name) else name)

    def unload(self, name: str) -> None:
        """Forget that ``name`` was loaded (and unregister its object's hooks unless another
        loaded name is the same object). For tests that install and remove fake plugins."""
        with self._lock:
            plugin = self._loaded.pop(name, None)
            self._errors.pop(name, None)
            if plugin is None or self._manager is None:
                return
            if any(other is plugin for other in self._loaded.values()):
                return
            if self._manager.is_registered(plugin):
                self._manager.unregister(plugin)

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
        except Exception as exc:
            # the message names the options, never their values (a token, a password); the
            # plugin's own message is shown with every option value masked
            from ._secrets import scrub

            detail = str(exc)
            shown = scrub(detail, _option_values(options))
            if not isinstance(exc, TypeError) and shown == detail:
                raise
            error_type = TypeError if isinstance(exc, TypeError) else PluginError
            what = f"{type(exc).__name__}: " if error_type is PluginError else ""
            error = error_type(
                f"plugin {name!r} could not be built with options {sorted(options)}: {what}{shown}"
            )
            raise error from (exc if shown == detail else None)

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
            loaded = name in self._loaded
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
