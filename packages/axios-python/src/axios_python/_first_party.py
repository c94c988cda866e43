"""The first-party plugins: one table for the lazy ``from axios_python import CachePlugin``,
the "install the extra" hints of errors, and the test that checks both against the core's
extras."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["FIRST_PARTY", "FirstParty", "install_hint"]


class FirstParty(NamedTuple):
    """One first-party plugin distribution."""

    #: The entry-point name, which is also the core's extra for it.
    name: str
    #: The plugin class exported by the distribution's top-level package.
    class_name: str

    @property
    def distribution(self) -> str:
        return f"axios-python-plugin-{self.name}"

    @property
    def module(self) -> str:
        return f"axios_python_plugin_{self.name.replace('-', '_')}"


FIRST_PARTY: dict[str, FirstParty] = {
    entry.name: entry
    for entry in (
        FirstParty("auth", "AuthPlugin"),
        FirstParty("cache", "CachePlugin"),
        FirstParty("dedupe", "DedupePlugin"),
        FirstParty("logger", "LoggerPlugin"),
        FirstParty("otel", "OpenTelemetryPlugin"),
        FirstParty("redis-cache", "RedisCachePlugin"),
        FirstParty("sigv4", "SigV4Plugin"),
        FirstParty("timing", "TimingPlugin"),
    )
}

#: Plugin class name -> its first-party entry.
BY_CLASS: dict[str, FirstParty] = {entry.class_name: entry for entry in FIRST_PARTY.values()}


def core_extras() -> frozenset[str]:
    """The extras the installed core distribution declares (read only on an error path)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        declared = metadata("axios-python").get_all("Provides-Extra") or []
    except PackageNotFoundError:
        return frozenset()
    return frozenset(declared)


def install_hint(name: str) -> str:
    """How to install the plugin called ``name``: the core's extra when it declares one, else
    the distribution by its conventional name."""
    entry = FIRST_PARTY.get(name)
    if entry is not None and name in core_extras():
        return f'pip install "axios-python[{name}]"'
    distribution = entry.distribution if entry is not None else f"axios-python-plugin-{name}"
    return f"pip install {distribution}"
