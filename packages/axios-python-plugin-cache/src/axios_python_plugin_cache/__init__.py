"""axios-python-plugin-cache: HTTP caching (RFC 9111) for axios_python.

::

    import axios_python
    from axios_python_plugin_cache import CachePlugin, get_cache_info

    api = axios_python.create({"base_url": "https://api.example.com"})
    api.plugin(CachePlugin(ttl=60, max_size=128))
    api.get("/config")                        # miss: sent, stored
    response = api.get("/config")             # hit: no request sent
    get_cache_info(response).status           # "hit"
    api.get("/config", cache=False)           # bypass
    api.get("/config", cache="refresh")       # revalidate with the origin now

Entries are partitioned by who is asking (``axios_python.identity``): requests with different
credentials never share one. The entry point ``cache`` also lets
``create({"plugins": [("cache", {"ttl": 60})]})`` build it by name.
"""

from __future__ import annotations

from ._entry import Entry
from ._plugin import ACCEPTED, CachePlugin, check_cache_option, url_key
from ._status import CacheInfo, CacheStats, CacheStatus, get_cache_info
from ._storage import (
    CacheKey,
    CacheStorage,
    Lease,
    MemoryStorage,
    StorageUnavailable,
    Stored,
)
from ._version import __version__

__all__ = [
    "ACCEPTED",
    "CacheInfo",
    "CacheKey",
    "CachePlugin",
    "CacheStats",
    "CacheStatus",
    "CacheStorage",
    "Entry",
    "Lease",
    "MemoryStorage",
    "StorageUnavailable",
    "Stored",
    "__version__",
    "check_cache_option",
    "get_cache_info",
    "url_key",
]
