"""Fixtures of the core's tests: every behavioural test runs on the sync and the async path,
through the ``make_caller`` fixture axios_python ships (``axios_python.testing.fixtures``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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
