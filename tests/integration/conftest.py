"""Fixtures of the cross-package tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import axios_python
from axios_python.testing import Caller

_SERVER = (
    "import sys\n"
    "from axios_python.testing import LocalServer\n"
    "server = LocalServer().start()\n"
    "print(server.base_url, flush=True)\n"
    "sys.stdin.read()\n"
    "server.stop()\n"
)


@pytest.fixture(scope="session")
def remote_server() -> Iterator[str]:
    """A LocalServer in a child process; its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture(params=["sync", "async", "async-aiohttp"])
def callers_on_path(request: pytest.FixtureRequest) -> Iterator[Callable[..., Caller]]:
    """``callers_on_path(base_url, config)``: a Caller for a new instance on the test's path:
    sync, async, or async through the high-throughput transport (``"transport": "aiohttp"``),
    which must behave the same; every instance is closed after the test."""
    path = str(request.param)
    extra = {"transport": "aiohttp"} if path == "async-aiohttp" else {}
    made: list[Caller] = []

    def factory(base_url: str, config: dict[str, Any] | None = None) -> Caller:
        merged = {"base_url": base_url, "timeout": 10.0, **extra, **(config or {})}
        caller = Caller(path.partition("-")[0], axios_python.create(merged))
        made.append(caller)
        return caller

    yield factory
    for caller in made:
        caller.close()
