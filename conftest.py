"""Root configuration of the whole suite: ``tests/`` and every package's own ``tests/``."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

# The fixtures axios_python ships for its users: local_server, axios_client, make_caller.
pytest_plugins = ["axios_python.testing.fixtures"]

#: Proxy variables of the machine running the tests: the core uses them (``trust_env``), and
#: every test talks to servers on loopback, so they are removed for the whole run (and for the
#: processes it starts); ``tests/core/test_env_proxies.py`` sets its own.
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def pytest_configure(config: pytest.Config) -> None:
    """Start from an environment without proxies."""
    for name in _PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.upper(), None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI nothing is skipped silently: a skip there is a failure."""
    report = yield
    if report.skipped and os.environ.get("CI"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"
    return report
