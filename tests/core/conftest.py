"""Fixtures of the core's tests: every behavioural test runs on the sync and the async path,
through the ``make_caller`` fixture axios_python ships (``axios_python.testing.fixtures``)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from axios_python._transport import transport_wrappers
from axios_python.testing import Caller


@pytest.fixture
def mode(axios_mode: str) -> str:
    """``"sync"`` or ``"async"``: the path this run of the test takes."""
    return axios_mode


@pytest.fixture
def make(make_caller: Callable[..., Caller]) -> Callable[..., Caller]:
    """``make(config)`` builds an instance on the test's path, base_url set to the server."""
    return make_caller


@pytest.fixture
def call(make: Callable[..., Caller]) -> Caller:
    """A default instance on the test's path."""
    return make()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 and its key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def built() -> Iterator[list[Any]]:
    """Every transport the clients build during the test (the pools' connections can be
    counted on them)."""
    transports: list[Any] = []

    def record(transport: Any) -> Any:
        transports.append(transport)
        return transport

    transport_wrappers.append(record)
    try:
        yield transports
    finally:
        transport_wrappers.remove(record)
