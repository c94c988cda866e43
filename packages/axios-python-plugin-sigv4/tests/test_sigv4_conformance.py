"""SigV4Plugin passes the core's conformance kit, against an endpoint that accepts only
requests whose signature it verified."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from axios_python.testing import LocalServer, PluginConformance
from axios_python_plugin_sigv4 import SigV4Plugin


class TestSigV4Conformance(PluginConformance):
    path = "/conformance"

    @pytest.fixture(autouse=True)
    def _keys(self, keys: tuple[str, str]) -> None:
        self.keys = keys

    @pytest.fixture
    def conformance_server(
        self, verifier_on: Callable[[LocalServer], Any]
    ) -> Iterator[LocalServer]:
        with LocalServer() as server:
            verifier_on(server)
            yield server

    def make_plugin(self) -> Any:
        return SigV4Plugin("execute-api", "us-east-1", self.keys)


class TestS3Conformance(TestSigV4Conformance):
    def make_plugin(self) -> Any:
        return SigV4Plugin("s3", "eu-west-1", self.keys)
