"""A request, once the first ones have loaded what they need, imports nothing: no search of
``sys.path`` per call. httpcore 1.0 imports ``sniffio`` inside every async lock; without
sniffio installed (httpx and anyio no longer require it) each async request searched the path
for it about four times and took twice as long. The core requires sniffio; this test fails if
that, or any other import per request, comes back. Both paths, on a real loopback server."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

import pytest

from axios_python.testing import Caller


class _Spy(importlib.abc.MetaPathFinder):
    """Records every module the import system is asked to find (it finds none itself)."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        self.searched.append(fullname)
        return None


@pytest.fixture
def spy() -> Iterator[_Spy]:
    finder = _Spy()
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)


def test_requests_import_nothing_once_warm(call: Caller, spy: _Spy) -> None:
    for _ in range(3):  # the first requests load what the path needs
        call.get("/json", params={"n": "1"})
    spy.searched.clear()
    for _ in range(10):
        assert call.get("/json", params={"n": "1"}).status_code == 200
    assert spy.searched == []
