"""The fixtures axios_python ships for tests: ``local_server``, ``axios_client`` and
``make_caller`` (one test, both paths)."""

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]
