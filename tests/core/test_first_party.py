"""The table of first-party plugins is the one source of the lazy imports and install hints,
and it agrees with the extras the core declares."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python._first_party import FIRST_PARTY, core_extras, install_hint

# tomllib is 3.11+ (the suite runs on the workspace's 3.11); mypy checks for 3.10
tomllib: Any = importlib.import_module("tomllib")

ROOT = Path(__file__).resolve().parents[2]
CORE = tomllib.loads((ROOT / "packages/axios-python/pyproject.toml").read_text())["project"]
EXTRAS: dict[str, list[str]] = CORE["optional-dependencies"]
#: The extras that install no plugin: the fast async transport (aiohttp) and the httpx2 engine.
NOT_PLUGINS = {"all", "fast", "httpx2"}


def test_every_extra_is_a_first_party_plugin_of_that_name() -> None:
    for extra, requirements in EXTRAS.items():
        if extra in NOT_PLUGINS:
            continue
        assert extra in FIRST_PARTY, extra
        assert requirements == [f"{FIRST_PARTY[extra].distribution}>=1.0,<2"], extra
    declared = {name for name in EXTRAS if name not in NOT_PLUGINS}
    assert EXTRAS["all"] == [f"axios-python[{','.join(sorted(declared))}]"]


def test_installed_metadata_declares_the_same_extras() -> None:
    assert core_extras() == set(EXTRAS)


@pytest.mark.parametrize("name", sorted(FIRST_PARTY))
def test_no_hint_names_an_extra_that_does_not_exist(name: str) -> None:
    hint = install_hint(name)
    named = re.findall(r"axios-python\[([a-z0-9-]+)\]", hint)
    if name in EXTRAS:
        assert named == [name]
    else:
        assert named == [] and hint == f"pip install {FIRST_PARTY[name].distribution}"


def test_every_workspace_plugin_is_in_the_table_with_its_extra_and_class() -> None:
    for folder in sorted((ROOT / "packages").glob("axios-python-plugin-*")):
        name = folder.name.removeprefix("axios-python-plugin-")
        if name == "template":
            continue
        entry = FIRST_PARTY[name]
        assert name in EXTRAS, f"{folder.name} has no extra in the core"
        module = importlib.import_module(entry.module)
        assert getattr(axios_python, entry.class_name) is getattr(module, entry.class_name)


def test_a_missing_distribution_without_extra_names_the_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    absent = [entry for name, entry in FIRST_PARTY.items() if name not in EXTRAS]
    for entry in absent:
        monkeypatch.setitem(sys.modules, entry.module, None)
        monkeypatch.delitem(vars(axios_python), entry.class_name, raising=False)
        with pytest.raises(ImportError, match=f"pip install {entry.distribution}$"):
            getattr(axios_python, entry.class_name)
