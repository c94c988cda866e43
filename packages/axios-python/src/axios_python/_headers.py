"""A case-insensitive header dict that stays a real ``dict``; and quick reads of an engine's
``Headers`` (whether a name is there, a name's raw values) that decode nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, overload

from ._engine import httpx

__all__ = ["HeaderDict", "has_any", "values_of"]

_MISSING: Any = object()


class HeaderDict(dict[str, str]):
    """A ``dict`` of headers whose keys compare case-insensitively.

    It behaves as a plain dict (``{**headers}``, ``json.dumps``, ``isinstance(h, dict)``), keeps
    the spelling of the last assignment and never holds two spellings of one name, so
    ``headers["authorization"] = ...`` replaces an ``Authorization`` set earlier.
    """

    __slots__ = ("_names",)

    def __init__(self, source: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> None:
        # (dict.__init__ is not called: the dict is empty and is filled below)
        if type(source) is HeaderDict:  # a copy: both dicts are already consistent
            dict.update(self, source)
            self._names: dict[str, str] = source._names.copy()
            return
        self._names = {}
        if source is not None:
            self.update(source)

    def __setitem__(self, key: str, value: str) -> None:
        lower = key.lower()
        old = self._names.get(lower)
        if old is not None and old != key:
            super().__delitem__(old)
        self._names[lower] = key
        super().__setitem__(key, value)

    def __getitem__(self, key: str) -> str:
        name = self._names.get(key.lower(), key) if isinstance(key, str) else key
        return super().__getitem__(name)

    def __delitem__(self, key: str) -> None:
        name = self._names.pop(key.lower(), key)
        super().__delitem__(name)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._names

    @overload
    def get(self, key: str, default: None = None, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...
    @overload
    def get(self, key: str, default: Any, /) -> Any: ...
    def get(self, key: str, default: Any = None, /) -> Any:
        """Return the value of ``key`` (any case), or ``default``."""
        name = self._names.get(key.lower()) if isinstance(key, str) else None
        return default if name is None else super().__getitem__(name)

    def pop(self, key: str, default: Any = _MISSING, /) -> Any:
        """Remove ``key`` (any case) and return its value, or ``default``."""
        name = self._names.pop(key.lower(), None) if isinstance(key, str) else None
        if name is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return super().pop(name)

    def setdefault(self, key: str, default: str = "", /) -> str:
        """Return the value of ``key`` (any case), setting it to ``default`` when absent."""
        if key in self:
            return self[key]
        self[key] = default
        return default

    def update(self, *args: Any, **kwargs: str) -> None:
        """Set every pair of a mapping or iterable of pairs, case-insensitively."""
        for source in (*args, kwargs):
            items = source.items() if isinstance(source, Mapping) else source
            for key, value in items:
                self[key] = value

    def clear(self) -> None:
        """Remove every header."""
        super().clear()
        self._names.clear()

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last header set."""
        key, value = super().popitem()
        del self._names[key.lower()]
        return key, value

    def __ior__(self, other: Any) -> HeaderDict:  # type: ignore[override]
        self.update(other)
        return self

    def __or__(self, other: Any) -> HeaderDict:  # type: ignore[override]
        merged = self.copy()
        merged.update(other)
        return merged

    def copy(self) -> HeaderDict:
        """A shallow copy, still case-insensitive."""
        return HeaderDict(self)

    def __repr__(self) -> str:
        return f"HeaderDict({dict.__repr__(self)})"

    def __reduce__(self) -> Any:
        return (HeaderDict, (dict(self),))


def _lower_keys_kept() -> bool:
    """Whether the engine's ``Headers`` keep each header as ``(name, lower-case name, value)``
    in ``_list`` (httpx and httpx2 do): the lower-case names are then read, not made."""
    try:
        return list(httpx.Headers({"A-B": "c"})._list) == [(b"A-B", b"a-b", b"c")]
    except Exception:  # pragma: no cover - an engine laid out otherwise
        return False


#: Whether the engine's ``Headers`` keep ``(name, lower-case name, value)`` in ``_list``.
LOWER_KEYS_KEPT = _lower_keys_kept()


def has_any(headers: Any, names: frozenset[bytes]) -> bool:
    """Whether the engine's ``headers`` (``httpx.Headers``) hold one of ``names`` (lower-case
    bytes). ``name in headers`` first works out the encoding of every header of a new response,
    and builds a list, on each test; this reads the lower-case names the headers keep."""
    if LOWER_KEYS_KEPT:
        for _, lower, _ in headers._list:  # noqa: SIM110 - no generator per call (hot path)
            if lower in names:
                return True
        return False
    return any(name.lower() in names for name, _ in headers.raw)


def values_of(headers: Any, name: bytes) -> list[bytes]:
    """The raw values of the header ``name`` (lower-case bytes) in the engine's ``headers``,
    in order, without decoding the others."""
    if LOWER_KEYS_KEPT:
        return [value for _, lower, value in headers._list if lower == name]
    return [v for k, v in headers.raw if k.lower() == name]
