"""``Timings``: how long one call took, as the plugin reports it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

__all__ = ["Timings", "get_timings"]


@dataclass(frozen=True)
class Timings:
    """How long one call took. Every duration is in seconds (``time.perf_counter`` clock).

    ``total`` and ``attempts`` describe the call; the phase fields describe the final attempt's
    exchange with the server (the last hop when redirects were followed). A phase that did not
    happen is ``None``: ``connect`` and ``tls`` on a reused keep-alive connection, ``tls`` over
    plain http, every phase when no request reached the transport (a cache hit, a deduplicated
    follower, a mock middleware), ``download`` for ``stream=True`` (see ``TimingPlugin``).
    """

    #: The whole call as the middleware saw it: every attempt, every back-off wait between them
    #: and whatever the middleware registered after this plugin did.
    total: float
    #: The duration of each attempt, in order (one entry per try; empty when no attempt ran).
    attempts: tuple[float, ...]
    #: Opening the TCP connection, DNS resolution included.
    connect: float | None = None
    #: The TLS handshake.
    tls: float | None = None
    #: Writing the request (headers and body) to the connection.
    send: float | None = None
    #: From the request being sent to the response headers being received (time to first byte).
    waiting: float | None = None
    #: Reading the response body.
    download: float | None = None
    #: When the call started, as a Unix timestamp (``time.time()``), for metrics systems.
    started_at: float = 0.0

    @property
    def retries(self) -> int:
        """How many attempts followed the first one."""
        return max(0, len(self.attempts) - 1)


#: The fields with a default, and their defaults.
_DEFAULTS = {field.name: field.default for field in fields(Timings) if field.default is not MISSING}


def build_timings(
    total: float, attempts: tuple[float, ...], started_at: float, phases: Mapping[str, Any]
) -> Timings:
    """``Timings(total=..., attempts=..., started_at=..., **phases)``, on every call: filled in
    directly rather than by the frozen dataclass's ``__init__``, whose one ``__setattr__`` per
    field costs five times as much. The result is the same object in every respect."""
    timings = object.__new__(Timings)
    values = timings.__dict__
    values.update(_DEFAULTS)
    values.update(phases)
    values["total"] = total
    values["attempts"] = attempts
    values["started_at"] = started_at
    return timings


def get_timings(obj: object) -> Timings | None:
    """The ``Timings`` the plugin attached to a response or an error, or ``None``.

    Same as ``response.timings`` (or ``error.timings``), but typed for static checkers.
    """
    value = getattr(obj, "timings", None)
    return value if isinstance(value, Timings) else None
