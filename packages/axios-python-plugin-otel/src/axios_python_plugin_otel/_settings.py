"""The plugin's options that come from the OTEL_* environment conventions when not given: which
URLs are not traced, which headers are captured (and which of those are masked), which HTTP
methods are known. Read once, when the plugin is built, as the OpenTelemetry instrumentations
read them when they instrument."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._semconv import KNOWN_METHODS

__all__ = [
    "ENV_CAPTURE_REQUEST",
    "ENV_CAPTURE_RESPONSE",
    "ENV_EXCLUDED",
    "ENV_EXCLUDED_ANY",
    "ENV_KNOWN_METHODS",
    "ENV_SANITIZE",
    "Patterns",
    "known_methods",
    "patterns",
]

#: URLs this plugin does not trace (comma-separated regular expressions, searched in the URL).
ENV_EXCLUDED = "OTEL_PYTHON_AXIOS_PYTHON_EXCLUDED_URLS"
#: The same for every Python instrumentation; read when ``ENV_EXCLUDED`` is not set.
ENV_EXCLUDED_ANY = "OTEL_PYTHON_EXCLUDED_URLS"
#: Request and response headers captured as span attributes (comma-separated names).
ENV_CAPTURE_REQUEST = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST"
ENV_CAPTURE_RESPONSE = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE"
#: Captured headers whose values are masked, on top of the client's credential headers.
ENV_SANITIZE = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"
#: The HTTP methods known to the instrumentation (a full replacement of the default list).
ENV_KNOWN_METHODS = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"


class Patterns:
    """Regular expressions given as an option (a comma-separated string, or a list of strings
    and compiled patterns), kept with their source text for ``repr``."""

    __slots__ = ("compiled", "sources")

    def __init__(self, sources: tuple[str, ...], compiled: tuple[re.Pattern[str], ...]) -> None:
        self.sources = sources
        self.compiled = compiled

    def __bool__(self) -> bool:
        return bool(self.compiled)

    def search(self, text: str) -> bool:
        """Whether one of the patterns is found in ``text``."""
        return any(p.search(text) for p in self.compiled)

    def fullmatch(self, text: str) -> bool:
        """Whether one of the patterns matches all of ``text``."""
        return any(p.fullmatch(text) for p in self.compiled)

    def __repr__(self) -> str:
        return repr(list(self.sources))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def patterns(
    value: Any,
    what: str,
    env: Iterable[str] = (),
    *,
    flags: int = 0,
    environ: Mapping[str, str] | None = None,
) -> Patterns:
    """``value`` as ``Patterns``; when ``value`` is ``None``, the first of the ``env``
    variables that is set (a comma-separated list), else none."""
    if value is None:
        environ = os.environ if environ is None else environ
        for name in env:
            found = environ.get(name)
            if found is not None:
                value = found
                what = f"{what} (from ${name})"
                break
        else:
            return Patterns((), ())
    if isinstance(value, str):
        items: list[Any] = _split(value)
    elif isinstance(value, re.Pattern) or not isinstance(value, Iterable):
        raise TypeError(
            f"{what} must be a comma-separated str or a list of regular expressions, got {value!r}"
        )
    else:
        items = list(value)
    sources: list[str] = []
    compiled: list[re.Pattern[str]] = []
    for item in items:
        if isinstance(item, re.Pattern) and isinstance(item.pattern, str):
            sources.append(item.pattern)
            compiled.append(item)
            continue
        if not isinstance(item, str) or not item.strip():
            raise TypeError(f"{what} must hold non-empty str patterns, got {item!r}")
        try:
            compiled.append(re.compile(item.strip(), flags))
        except re.error as exc:
            raise ValueError(
                f"{what} holds {item!r}, which is not a regular expression: {exc}"
            ) from None
        sources.append(item.strip())
    return Patterns(tuple(sources), tuple(compiled))


def known_methods(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The HTTP methods known to the instrumentation: ``$OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS``
    (a full replacement, case-sensitive) or RFC 9110's and PATCH."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_KNOWN_METHODS)
    if value is None:
        return KNOWN_METHODS
    return frozenset(_split(value))
