"""LoggerPlugin passes the core's conformance kit, quiet and verbose (the verbose one registers
secret names on the client: removal must undo them too)."""

from __future__ import annotations

import logging
from typing import Any

from axios_python.testing import PluginConformance
from axios_python_plugin_logger import LoggerPlugin


class TestLoggerConformance(PluginConformance):
    def make_plugin(self) -> Any:
        return LoggerPlugin()


class TestVerboseLoggerConformance(PluginConformance):
    def make_plugin(self) -> Any:
        logger = logging.getLogger("axios_python.logger.conformance")
        logger.addHandler(logging.NullHandler())
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return LoggerPlugin(
            level=logging.DEBUG,
            logger=logger,
            log_headers=True,
            log_bodies=True,
            redact_headers=["X-Internal"],
            redact_params=["tenant"],
        )
