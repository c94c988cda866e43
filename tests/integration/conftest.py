"""Fixtures of the cross-package tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

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
