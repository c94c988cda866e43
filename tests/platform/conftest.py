"""Fake installed plugin distributions: real ``.dist-info`` folders with entry points on
``sys.path``, so discovery goes through importlib.metadata and pluggy as in production."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from axios_python._discovery import discovery

#: name -> (distribution, version, requires, module source, entry-point target)
FAKES: dict[str, tuple[str, str, str, str, str]] = {
    "fake": (
        "axios-python-plugin-fake",
        "1.2.3",
        "axios-python<2.0,>=1.0",
        """
        class FakePlugin:
            name = "fake"

            def __init__(self, value="on"):
                self.value = value
                self.uninstalled = 0

            def attach(self, client):
                client.interceptors.request.use(self._stamp)

            def uninstall(self, client):
                self.uninstalled += 1

            def _stamp(self, config):
                config["headers"]["X-Fake"] = self.value
                return config
        """,
        "fakeplugin_good:FakePlugin",
    ),
    "broken": (
        "axios-python-plugin-broken",
        "0.1.0",
        "axios-python>=1.0",
        "import nonexistent_dependency_xyz\n",
        "fakeplugin_broken:Plugin",
    ),
    "wrongobj": (
        "axios-python-plugin-wrongobj",
        "0.2.0",
        "",
        "NOT_A_PLUGIN = 'just a string'\n",
        "fakeplugin_wrongobj:NOT_A_PLUGIN",
    ),
    "future": (
        "axios-python-plugin-future",
        "2.0.0",
        "axios-python<3,>=2.0",
        "class FuturePlugin:\n    def attach(self, client):\n        pass\n",
        "fakeplugin_future:FuturePlugin",
    ),
    "needsopts": (
        "axios-python-plugin-needsopts",
        "1.0.0",
        "axios-python~=1.0",
        """
        class NeedsOptions:
            def __init__(self, secret):
                if not secret.startswith("sk-"):  # a plugin whose message shows the value
                    raise ValueError(f"secret {secret!r} does not start with 'sk-'")
                self.secret = secret

            def attach(self, client):
                pass
        """,
        "fakeplugin_needsopts:NeedsOptions",
    ),
    # a module that ends the process when imported: a load error of this plugin only
    "exits": (
        "axios-python-plugin-exits",
        "0.3.0",
        "axios-python>=1.0",
        "raise SystemExit(7)\n",
        "fakeplugin_exits:Plugin",
    ),
    # one class under two entry-point names (an alias): both names load, in either order
    "twin": (
        "axios-python-plugin-twin",
        "1.0.0",
        "axios-python>=1.0",
        """
        class TwinPlugin:
            def attach(self, client):
                client.interceptors.request.use(self._stamp)

            def _stamp(self, config):
                config["headers"]["X-Twin"] = "1"
                return config
        """,
        "fakeplugin_twin:TwinPlugin",
    ),
}

#: more entry points of a fake distribution: name -> [(entry-point name, target)]
ALIASES: dict[str, list[tuple[str, str]]] = {"twin": [("twin-alias", "fakeplugin_twin:TwinPlugin")]}

MODULES = [target.split(":")[0] for *_, target in FAKES.values()]


def write_fakes(root: Path) -> None:
    for name, (dist, version, requires, source, target) in FAKES.items():
        module = target.split(":")[0]
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        metadata = [
            "Metadata-Version: 2.1",
            f"Name: {dist}",
            f"Version: {version}",
            f"Summary: The {name} test plugin",
        ]
        if requires:
            metadata.append(f"Requires-Dist: {requires}")
        (info / "METADATA").write_text("\n".join(metadata) + "\n")
        lines = [f"{ep} = {where}" for ep, where in [(name, target), *ALIASES.get(name, [])]]
        (info / "entry_points.txt").write_text("[axios_python.plugins]\n" + "\n".join(lines) + "\n")


def _forget() -> None:
    discovery.refresh()
    for name in [*FAKES, *(ep for eps in ALIASES.values() for ep, _ in eps)]:
        discovery.unload(name)
    for module in MODULES:
        sys.modules.pop(module, None)


@pytest.fixture
def fake_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Installs the fake plugin distributions for one test."""
    write_fakes(tmp_path)
    monkeypatch.delenv("AXIOS_PYTHON_PLUGINS", raising=False)
    monkeypatch.delenv("AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    sys.path.insert(0, str(tmp_path))
    _forget()
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        _forget()
