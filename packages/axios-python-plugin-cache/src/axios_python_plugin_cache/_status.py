"""What the cache did for a response: ``get_cache_info(response)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CacheInfo", "CacheStats", "CacheStatus", "get_cache_info"]

#: What the cache did for one call:
#:
#: * ``"hit"``: a fresh stored response, no request sent;
#: * ``"stale"``: a stale stored response, no request waited for (stale-while-revalidate: a
#:   refresh runs in the background) or the request failed (stale-if-error);
#: * ``"revalidated"``: the stored response, confirmed by the origin (a 304 to a conditional
#:   request);
#: * ``"miss"``: the origin's response (nothing usable was stored, or the origin sent a new
#:   one when asked to confirm the stored one);
#: * ``"bypass"``: the cache took no part: ``cache=False``, a method it does not cache (an
#:   unsafe one invalidates the URL's entries), a conditional or range request of the caller's.
CacheStatus = Literal["hit", "stale", "revalidated", "miss", "bypass"]


@dataclass(frozen=True)
class CacheInfo:
    """What the cache did for a response (``get_cache_info(response)``, or
    ``response.cache``)."""

    #: see ``CacheStatus``
    status: CacheStatus
    #: the stored response's age in seconds when it was served (``None`` for a miss or a
    #: bypass)
    age: float | None = None
    #: whether this response was stored (for a stream: once it has been read to the end)
    stored: bool = False

    @property
    def from_cache(self) -> bool:
        """Whether the body came from the cache (hit, stale, revalidated)."""
        return self.status in ("hit", "stale", "revalidated")


def get_cache_info(response: object) -> CacheInfo:
    """What the cache plugin did for ``response`` (``response.cache``, typed for static
    checkers). A ``LookupError`` when no cache plugin saw the call."""
    value = getattr(response, "cache", None)
    if not isinstance(value, CacheInfo):
        raise LookupError(
            "this response has no cache information: no cache plugin (CachePlugin, "
            "RedisCachePlugin) was attached to the client that made the call"
        )
    return value


@dataclass(frozen=True)
class CacheStats:
    """Counters of one cache plugin (``plugin.stats()``), since it was created."""

    hits: int = 0
    stale: int = 0
    revalidated: int = 0
    misses: int = 0
    bypassed: int = 0
    #: responses stored
    stored: int = 0
    #: storage operations that failed (the call went on as if nothing were stored)
    errors: int = 0
    #: times this process waited for another process fetching the same entry
    stampede_waits: int = 0
    #: background refreshes started (stale-while-revalidate)
    refreshes: int = 0
    #: background refreshes running now
    refreshing: int = 0
    #: calls waiting now for another call's request to the origin (in this process)
    waiting: int = 0
