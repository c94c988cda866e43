"""The small version-specifier checker used for plugin compatibility."""

from __future__ import annotations

import pytest

from axios_python._versions import core_requirement, satisfies


@pytest.mark.parametrize(
    ("version", "specifier", "expected"),
    [
        ("1.0.0", ">=1.0,<2.0", True),
        ("2.0.0", ">=1.0,<2.0", False),
        ("1.4.2", "~=1.2", True),
        ("2.0", "~=1.2", False),
        ("1.1", "~=1.2", False),
        ("1.9.9", "==1.*", True),
        ("2.0.0", "!=2.*", False),
        ("1.0.0", "", True),
        ("1.0.0", ">1.0", False),
        ("1.0.1", ">1.0", True),
        ("1.0", "==1.0.0", True),
        ("1.0.0", "<=0.9", False),
    ],
)
def test_satisfies(version: str, specifier: str, expected: bool) -> None:
    assert satisfies(version, specifier) is expected


def test_core_requirement() -> None:
    assert core_requirement(["httpx>=0.27", "axios-python<2.0,>=1.0"]) == "<2.0,>=1.0"
    assert core_requirement(["Axios_Python (>=1.0)"]) == ">=1.0"
    assert core_requirement(['axios-python[redis-cache]>=1.1; python_version >= "3.10"']) == ">=1.1"
    assert core_requirement(['axios-python>=9; extra == "test"']) is None
    assert core_requirement(None) is None
