"""axios-python-plugin-redis-cache: axios_python's HTTP cache in Redis, shared across
processes.

::

    import axios_python
    from axios_python_plugin_redis_cache import RedisCachePlugin

    api = axios_python.create({"base_url": "https://api.example.com"})
    api.plugin(RedisCachePlugin(url="redis://localhost:6379/0", ttl=60))

The policy is ``axios_python_plugin_cache``'s (``get_cache_info(response)`` says what the cache
did); redis-py is imported on first use, not with this package. The entry point
``redis-cache`` also lets ``create({"plugins": [("redis-cache", {"url": ...})]})`` build it.
"""

from __future__ import annotations

from ._plugin import RedisCachePlugin
from ._storage import RedisCacheError, RedisStorage
from ._version import __version__

__all__ = ["RedisCacheError", "RedisCachePlugin", "RedisStorage", "__version__"]
