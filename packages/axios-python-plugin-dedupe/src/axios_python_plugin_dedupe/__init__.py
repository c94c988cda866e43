"""axios-python-plugin-dedupe: concurrent identical requests share one upstream call.

::

    import axios_python
    from axios_python_plugin_dedupe import DedupePlugin

    api = axios_python.create({"base_url": "https://api.example.com"})
    api.plugin(DedupePlugin())
    # 100 tasks asking for /config at once: one request reaches the server
    await asyncio.gather(*(api.async_get("/config") for _ in range(100)))

Two requests share a response only when they are identical: same method, URL, identity
(``axios_python.identity``) and headers, except per-request correlation headers
(``CORRELATION_HEADERS``). The entry point ``dedupe`` also lets
``create({"plugins": ["dedupe"]})`` build it by name.
"""

from __future__ import annotations

from ._plugin import CORRELATION_HEADERS, DedupePlugin, DedupeStats
from ._version import __version__

__all__ = ["CORRELATION_HEADERS", "DedupePlugin", "DedupeStats", "__version__"]
