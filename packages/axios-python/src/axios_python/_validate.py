"""Checks of option values that plugins share: header names and logging levels."""

from __future__ import annotations

import logging
from typing import Any

__all__ = [
    "TOKEN_CHARS",
    "check_credential",
    "check_header_name",
    "log_level_repr",
    "parse_log_level",
]

#: The characters of an HTTP token (RFC 9110): method and header names.
TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def check_header_name(value: Any, what: str = "header") -> str:
    """``value`` if it is a valid header name; otherwise a ``ValueError`` naming ``what``, the
    value and what is accepted."""
    if not isinstance(value, str) or not value or not set(value) <= TOKEN_CHARS:
        raise ValueError(
            f"{what} must be a header name such as 'X-Api-Key' (letters, digits and "
            f"!#$%&'*+-.^_`|~), got {value!r}"
        )
    return value


#: Characters a credential can never hold: it goes into a header or a query string.
_NOT_IN_CREDENTIALS = frozenset("\r\n\x00")


def check_credential(value: Any, what: str) -> str:
    """``value`` if it can be a credential (a token, key or secret that goes into a header or
    query string): a non-empty ``str`` without line breaks or NUL. Otherwise a
    ``TypeError``/``ValueError`` naming ``what`` and the problem, never the value."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got a {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} is empty")
    if _NOT_IN_CREDENTIALS & set(value):
        raise ValueError(f"{what} contains a line break or NUL character")
    return value


def parse_log_level(value: Any, what: str = "level") -> int:
    """A logging level from an int (``logging.INFO``) or a name (``"info"``, ``"DEBUG"``);
    otherwise a ``ValueError`` naming ``what``, the value and what is accepted."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        number = logging.getLevelName(value.strip().upper())
        if isinstance(number, int):
            return number
    raise ValueError(
        f"{what} must be a logging level: an int such as logging.INFO or one of the names "
        f"DEBUG, INFO, WARNING, ERROR, CRITICAL; got {value!r}"
    )


def log_level_repr(level: int) -> str:
    """``level`` as ``parse_log_level`` takes it back, for a ``__repr__``: ``'INFO'`` for a
    named level, else the number."""
    name = logging.getLevelName(level)
    return repr(name) if isinstance(name, str) and not name.startswith("Level ") else str(level)
