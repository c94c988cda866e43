"""Installed plugins: discovery through the ``axios_python.plugins`` entry-point group.

::

    import axios_python.plugins

    for info in axios_python.plugins.available():
        print(info.name, info.distribution, info.version, info.status)

A plugin distribution declares its class under the entry-point group; users attach it by name
(``api.plugin("timing")``, ``create({"plugins": ["timing", ("cache", {"ttl": 60})]})``), every
installed one with ``"plugins": "auto"``, or process-wide with ``AXIOS_PYTHON_PLUGINS=a,b``
(``AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD=1`` turns both automatic forms off).
"""

from __future__ import annotations

from typing import Any

from ._discovery import GROUP, PluginInfo, discovery
from ._exceptions import (
    IncompatiblePluginError,
    PluginError,
    PluginLoadError,
    UnknownPluginError,
)
from ._hookspecs import (
    DISABLE_ENV,
    PLUGINS_ENV,
    HookSpecs,
    PluginAutoloadWarning,
    hookimpl,
    hookspec,
)

__all__ = [
    "DISABLE_ENV",
    "GROUP",
    "PLUGINS_ENV",
    "HookSpecs",
    "IncompatiblePluginError",
    "PluginAutoloadWarning",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "UnknownPluginError",
    "available",
    "hookimpl",
    "hookspec",
    "load",
    "manager",
    "refresh",
    "register",
]


def available(*, check: bool = False) -> list[PluginInfo]:
    """Every installed plugin: name, distribution, version, summary, target, status, error.

    Nothing is imported unless ``check=True``, which loads each plugin to report whether it
    works. A broken plugin is listed with its error; it never hides the others.
    """
    return discovery.available(check=check)


def load(name: str) -> Any:
    """The plugin class registered under ``name`` (loaded on first use).

    Raises ``UnknownPluginError`` (listing what is installed and what to install),
    ``PluginLoadError`` (naming the distribution, the entry point and the cause) or
    ``IncompatiblePluginError`` (naming the required and the installed core version).
    """
    return discovery.load(name)


def refresh() -> None:
    """Scan the installation again (after installing or removing a plugin at run time)."""
    discovery.refresh()


def manager() -> Any:
    """The ``pluggy.PluginManager`` (project ``axios_python``) holding the hook specifications."""
    return discovery.manager()


def register(obj: Any, name: str | None = None) -> str | None:
    """Register an object implementing hooks (``@hookimpl``) for the whole process."""
    result: str | None = discovery.manager().register(obj, name=name)
    return result
