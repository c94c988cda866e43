"""Which hosts get signed requests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from axios_python.engine import httpx

__all__ = ["Hosts"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNKNOWN = object()


def _port(url: httpx.URL) -> int | None:
    return url.port or _DEFAULT_PORTS.get(url.scheme)


def _parse(pattern: Any) -> tuple[str, int | None]:
    """``(host, port)`` of a pattern: ``api.example.com``, ``*.amazonaws.com``,
    ``127.0.0.1:8080``, ``[::1]:8080``; the port ``None`` when any port is accepted."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(
            "hosts must hold host names such as 'api.example.com', '*.amazonaws.com' or "
            f"'localhost:4566', got {pattern!r}"
        )
    text = pattern.strip().lower()
    port: int | None = None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError(f"hosts: cannot read {pattern!r} as [address]:port")
        if rest.startswith(":"):
            port_text = rest[1:]
        elif rest:
            raise ValueError(f"hosts: cannot read {pattern!r} as [address]:port")
        else:
            port_text = ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"hosts: {pattern!r} has an invalid port")
        port = int(port_text)
    body = host[2:] if host.startswith("*.") else host
    if not body or "*" in body or "/" in body or " " in body:
        raise ValueError(
            f"hosts: {pattern!r} is not a host name; a wildcard is only accepted as a leading "
            "'*.' (any subdomain)"
        )
    return host, port


class Hosts:
    """The hosts the plugin signs for: by default the host and port of the call's
    ``base_url``; else the patterns given (a host name, ``*.`` for any subdomain, an optional
    ``:port``), compared case-insensitively."""

    def __init__(self, patterns: Iterable[str] | None) -> None:
        self._origins: dict[str, object] = {}
        if patterns is None:
            self.patterns: tuple[tuple[str, int | None], ...] | None = None
            return
        if isinstance(patterns, (str, bytes)) or not isinstance(patterns, Iterable):
            raise TypeError(f"hosts must be a list of host names, got a {type(patterns).__name__}")
        self.patterns = tuple(_parse(p) for p in patterns)
        if not self.patterns:
            raise ValueError("hosts is empty: no request would be signed")

    def _origin(self, base_url: str) -> tuple[str, int | None] | None:
        """The host and port of a base URL (the last few kept: parsing costs more than the
        rest of the check)."""
        found = self._origins.get(base_url, _UNKNOWN)
        if found is _UNKNOWN:
            try:
                base = httpx.URL(base_url)
                found = (base.host.lower(), _port(base))
            except (httpx.InvalidURL, TypeError, ValueError):
                found = None
            if len(self._origins) >= 8:
                self._origins.clear()
            self._origins[base_url] = found
        return found  # type: ignore[return-value]

    def allows(self, url: httpx.URL, ctx: Mapping[str, Any]) -> bool:
        """Whether a request to ``url``, made with configuration ``ctx``, may be signed."""
        host = url.host.lower()
        port = _port(url)
        if self.patterns is None:
            base_url = ctx.get("base_url")
            if not base_url:
                return False
            return (host, port) == self._origin(str(base_url))
        for pattern, wanted in self.patterns:
            if wanted is not None and wanted != port:
                continue
            if pattern.startswith("*."):
                if host.endswith(pattern[1:]):
                    return True
            elif host == pattern:
                return True
        return False

    def __repr__(self) -> str:
        if self.patterns is None:
            return "None"
        shown = []
        for host, port in self.patterns:
            text = f"[{host}]" if ":" in host else host
            shown.append(text if port is None else f"{text}:{port}")
        return repr(shown)
