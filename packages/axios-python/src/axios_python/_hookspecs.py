"""The pluggy hook specifications of axios_python, and the core's own implementations.

This module imports pluggy; the rest of the core imports it only when discovery is used.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ._client import AxiosPython

__all__ = [
    "DISABLE_ENV",
    "PLUGINS_ENV",
    "PROJECT",
    "HookSpecs",
    "PluginAutoloadWarning",
    "autoload_disabled",
    "hookimpl",
    "hookspec",
]

#: The pluggy project name: markers of other projects are ignored.
PROJECT = "axios_python"
#: Comma-separated plugin names attached to every client the process creates.
PLUGINS_ENV = "AXIOS_PYTHON_PLUGINS"
#: Set to 1 to turn off both ``AXIOS_PYTHON_PLUGINS`` and ``"plugins": "auto"``.
DISABLE_ENV = "AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PluginAutoloadWarning(UserWarning):
    """A plugin named for automatic attachment could not be attached; the client goes on
    without it."""


def autoload_disabled() -> bool:
    """Whether the operator turned automatic attachment off."""
    return os.environ.get(DISABLE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class HookSpecs:
    """Process-wide hooks. Implement them with ``@axios_python.plugins.hookimpl`` on an object
    registered with ``axios_python.plugins.register(obj)`` (or on an entry-point plugin: then
    they run for every client once that plugin has been loaded)."""

    @hookspec
    def axios_python_client_created(self, client: AxiosPython) -> None:
        """Called for every new client, after the plugins of its configuration are attached."""

    @hookspec
    def axios_python_client_closed(self, client: AxiosPython) -> None:
        """Called when a client is closed, after its plugins were uninstalled."""


class EnvironmentAutoload:
    """Attaches the plugins named in ``AXIOS_PYTHON_PLUGINS`` to every new client."""

    @hookimpl
    def axios_python_client_created(self, client: AxiosPython) -> None:
        if autoload_disabled():
            return
        names = [n.strip() for n in os.environ.get(PLUGINS_ENV, "").split(",") if n.strip()]
        attached = {name for name, _ in client._registry.names()}
        for name in names:
            if name in attached:
                continue
            try:
                client.plugin(name)
            except Exception as exc:
                warnings.warn(
                    f"{PLUGINS_ENV} names plugin {name!r}, which could not be attached: {exc}",
                    PluginAutoloadWarning,
                    stacklevel=2,
                )
