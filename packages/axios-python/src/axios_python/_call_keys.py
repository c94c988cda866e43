"""Config keys that plugins add to every call of a client (``api.get(url, cache=False)``).

A plugin registers a key while it attaches, with a check and a description of what it
accepts; the key is validated like the core's own (the same messages, also in what hooks hand
on) and removed with the plugin. Plugins read it from the call's configuration,
``ctx.get("cache")``: it is absent unless the caller gave it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["CallKeySpec", "CallKeys"]

_ids = itertools.count(1)


class CallKeySpec(NamedTuple):
    """One registered key: what it accepts (for messages) and its check."""

    accepted: str
    check: Callable[[Any], Any]


class CallKeys:
    """The per-call keys plugins registered on one client (``client.call_keys``).

    ::

        client.call_keys.register(
            "cache", check=check_cache_option, accepted="False, 'refresh' or {'ttl': seconds}"
        )

    ``check(value)`` returns the value to use (it may normalise it) or raises ``ValueError`` or
    ``TypeError``; the call then fails with a ``ConfigError`` naming the key and ``accepted``.
    """

    def __init__(self, on_change: Callable[[str, CallKeys, int], None] | None = None):
        self._on_change = on_change
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[str, CallKeySpec]] = {}
        self._by_name: dict[str, CallKeySpec] = {}

    def register(self, name: str, *, check: Callable[[Any], Any], accepted: str) -> int:
        """Accept ``name`` as a per-call key of this client; returns an id for
        ``unregister``. A name the core or another plugin already uses is refused."""
        from ._config import DEFAULTS

        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"an option name is a Python identifier, got {name!r}")
        if not callable(check):
            raise TypeError(f"check must be a function f(value) -> value, got {check!r}")
        with self._lock:
            if name in DEFAULTS or name in self._by_name or name == "attempt":
                raise ValueError(
                    f"config key {name!r} is already taken (by the core or another plugin)"
                )
            registration = next(_ids)
            spec = CallKeySpec(str(accepted), check)
            self._entries[registration] = (name, spec)
            self._by_name[name] = spec
        if self._on_change is not None:
            self._on_change("use", self, registration)
        return registration

    def unregister(self, registration: int) -> bool:
        """Undo ``register``; ``False`` if the id is unknown."""
        with self._lock:
            entry = self._entries.pop(registration, None)
            if entry is not None:
                self._by_name.pop(entry[0], None)
        if entry is not None and self._on_change is not None:
            self._on_change("eject", self, registration)
        return entry is not None

    # the plugin registry undoes registrations through the same method as interceptors
    eject = unregister

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids of the registrations, in order."""
        return tuple(self._entries)

    @property
    def names(self) -> tuple[str, ...]:
        """The registered keys."""
        return tuple(self._by_name)

    def spec(self, name: str) -> CallKeySpec | None:
        """The registration of ``name``, or ``None``."""
        return self._by_name.get(name)

    def __repr__(self) -> str:
        return f"<CallKeys {sorted(self._by_name)}>"
