"""The fixtures axios_python ships for tests: ``local_server`` and ``axios_client``."""

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]
