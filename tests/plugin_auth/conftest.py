"""Fixtures of the auth plugin's tests: the token-checking server and a second origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from axios_python.testing import LocalServer

from ._auth_server import AuthServer


@pytest.fixture(scope="module")
def _auth_server() -> Iterator[AuthServer]:
    with AuthServer() as server:
        yield server


@pytest.fixture
def auth_server(_auth_server: AuthServer) -> AuthServer:
    """The module's AuthServer, its state reset."""
    _auth_server.reset()
    return _auth_server


@pytest.fixture(scope="module")
def _other_origin() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def other(_other_origin: LocalServer) -> LocalServer:
    """A second LocalServer: another origin (another port) than ``srv``."""
    _other_origin.reset()
    return _other_origin
