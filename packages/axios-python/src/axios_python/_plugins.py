"""Attaching plugins to an instance, recording what each registers so it can be taken back out."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._call_keys import CallKeys
    from ._client import AxiosPython
    from ._interceptors import InterceptorManager
    from ._middleware import MiddlewareManager
    from ._secrets import Secrets

__all__ = ["Plugin", "PluginRegistry", "PluginUninstallWarning"]


@runtime_checkable
class Plugin(Protocol):
    """What a plugin is: any object with ``attach(client)``; ``uninstall(client)`` is optional."""

    def attach(self, client: AxiosPython) -> None:
        """Register the plugin's interceptors and middleware on ``client``."""


class PluginUninstallWarning(UserWarning):
    """A plugin's ``uninstall`` raised; the other plugins were still uninstalled."""


class _Registration(NamedTuple):
    registry: InterceptorManager | MiddlewareManager | Secrets | CallKeys
    id: int


class _Attached:
    __slots__ = ("name", "plugin", "registrations")

    def __init__(self, plugin: Any, name: str) -> None:
        self.plugin = plugin
        self.name = name
        self.registrations: list[_Registration] = []


def plugin_name(plugin: Any) -> str:
    """The name a plugin goes by: its ``name`` attribute, else its class name."""
    name = getattr(plugin, "name", None)
    return name if isinstance(name, str) else type(plugin).__name__


class PluginRegistry:
    """The plugins attached to one instance, in order."""

    def __init__(self) -> None:
        self._attached: list[_Attached] = []
        self._recording: _Attached | None = None

    @property
    def plugins(self) -> tuple[Any, ...]:
        return tuple(a.plugin for a in self._attached)

    def record(
        self,
        action: str,
        registry: InterceptorManager | MiddlewareManager | Secrets | CallKeys,
        id_: int,
    ) -> None:
        """Told of every registration on the instance; keeps those made during ``attach``."""
        if action == "use" and self._recording is not None:
            self._recording.registrations.append(_Registration(registry, id_))

    def names(self) -> list[tuple[str, Any]]:
        """``(name, plugin)`` of every attached plugin, in order."""
        return [(a.name, a.plugin) for a in self._attached]

    def attach(self, client: AxiosPython, plugin: Any, name: str | None = None) -> Any:
        attach = getattr(plugin, "attach", None)
        if not callable(attach):
            legacy = getattr(plugin, "install", None)
            if not callable(legacy):
                raise TypeError(
                    f"{_describe(plugin)} is not a plugin: a plugin is an object with an "
                    "attach(client) method (and optionally uninstall(client))"
                )
            warnings.warn(
                f"plugin {plugin_name(plugin)!r} defines install(client); the contract is "
                "attach(client). install is accepted as an alias for now: rename it to attach",
                DeprecationWarning,
                stacklevel=3,
            )
            attach = legacy
        if any(a.plugin is plugin for a in self._attached):
            raise ValueError(
                f"plugin {plugin_name(plugin)!r} ({_describe(plugin)}) is already attached to "
                "this client; create a second instance of the plugin to attach it twice"
            )
        if self._recording is not None:
            raise RuntimeError("a plugin cannot attach another plugin from its attach()")
        entry = _Attached(plugin, name or plugin_name(plugin))
        self._recording = entry
        try:
            attach(client)
        except BaseException:
            self._recording = None
            _undo(entry)
            raise
        self._recording = None
        self._attached.append(entry)
        return plugin

    def find(self, plugin_or_name: Any) -> _Attached:
        for entry in self._attached:
            if entry.plugin is plugin_or_name:
                return entry
        if isinstance(plugin_or_name, str):
            for entry in self._attached:
                if entry.name == plugin_or_name:
                    return entry
        from ._exceptions import UnknownPluginError

        names = ", ".join(repr(a.name) for a in self._attached) or "none"
        shown = (
            repr(plugin_or_name) if isinstance(plugin_or_name, str) else _describe(plugin_or_name)
        )
        raise UnknownPluginError(
            f"no plugin {shown} is attached to this client (attached: {names})"
        )

    def remove(self, client: AxiosPython, plugin_or_name: Any) -> Any:
        entry = self.find(plugin_or_name)
        self._attached.remove(entry)
        _undo(entry)
        error = _uninstall(client, entry)
        if error is not None:
            raise error
        return entry.plugin

    def remove_all(self, client: AxiosPython) -> list[tuple[str, Exception]]:
        """Uninstall every plugin, last attached first; returns the failures (name, error)
        instead of raising, so one failing ``uninstall`` never stops the others."""
        failures = []
        while self._attached:
            entry = self._attached.pop()
            _undo(entry)
            error = _uninstall(client, entry)
            if error is not None:
                failures.append((entry.name, error))
        return failures

    @staticmethod
    def report(failures: list[tuple[str, Exception]]) -> None:
        """Warn about each failed ``uninstall`` (after everything else was closed)."""
        for name, error in failures:
            warnings.warn(
                f"uninstall of plugin {name!r} failed: {type(error).__name__}: {error}",
                PluginUninstallWarning,
                stacklevel=4,
            )


def _describe(obj: Any) -> str:
    """An object named by its type, for messages: never its repr, which may show the options it
    was built with (a token, a password)."""
    return f"<{type(obj).__qualname__} object>"


def _undo(entry: _Attached) -> None:
    for registration in reversed(entry.registrations):
        registration.registry.eject(registration.id)
    entry.registrations.clear()


def _uninstall(client: AxiosPython, entry: _Attached) -> Exception | None:
    uninstall = getattr(entry.plugin, "uninstall", None)
    if not callable(uninstall):
        return None
    try:
        uninstall(client)
    except Exception as exc:
        return exc
    return None
