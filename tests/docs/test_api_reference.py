"""The API reference is generated from docstrings (mkdocstrings, built by ``.ci/run``): every
public class, function and public method of the core, its testing kit and every installed
first-party plugin has one, and each has a reference page."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from axios_python._first_party import FIRST_PARTY

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
CORE = [
    "axios_python",
    "axios_python.testing",
    "axios_python.redaction",
    "axios_python.plugins",
    "axios_python.engine",
]
PLUGINS = [entry.module for entry in FIRST_PARTY.values()]


def undocumented(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    missing = []
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        if not (value.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(value):
            missing += [f"{name}.{attr}" for attr in _undocumented_members(value)]
    return missing


def _undocumented_members(cls: type) -> list[str]:
    """Public methods and properties defined by ``cls`` without a docstring (an override of a
    documented base-class method inherits its documentation)."""
    missing = []
    for attr, member in vars(cls).items():
        if attr.startswith("_"):
            continue
        function: Any = member.fget if isinstance(member, property) else member
        if isinstance(function, (staticmethod, classmethod)):
            function = function.__func__
        if inspect.isfunction(function) and not _inherited_doc(cls, attr, function):
            missing.append(attr)
    return missing


def _inherited_doc(cls: type, attr: str, function: Any) -> str:
    if (function.__doc__ or "").strip():
        return str(function.__doc__)
    for base in cls.__mro__[1:]:
        documented = getattr(vars(base).get(attr), "__doc__", None)
        if documented and documented.strip():
            return str(documented)
    return ""


@pytest.mark.parametrize("module_name", CORE + PLUGINS)
def test_every_public_name_has_a_docstring(module_name: str) -> None:
    assert undocumented(module_name) == []


def test_every_module_has_a_reference_page() -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in REFERENCE.glob("*.md"))
    referenced = {line.split()[1] for line in text.splitlines() if line.startswith("::: ")}
    assert set(CORE + PLUGINS) <= referenced
