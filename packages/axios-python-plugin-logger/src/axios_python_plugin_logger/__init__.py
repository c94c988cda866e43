"""Request and response logging for axios_python.

``LoggerPlugin`` logs one line when a request goes out and one when its answer comes back,
through the standard ``logging`` module, with structured fields for JSON handlers, secrets
redacted, and next to no cost when its level is disabled.

::

    import logging
    from axios_python_plugin_logger import LoggerPlugin

    api.plugin(LoggerPlugin(level=logging.INFO))
"""

from __future__ import annotations

from ._plugin import DEFAULT_LOGGER, LoggerPlugin
from ._version import __version__

__all__ = ["DEFAULT_LOGGER", "LoggerPlugin", "__version__"]
