"""Discovery through entry points: listing, loading, broken and incompatible plugins."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import axios_python
import axios_python.plugins as plugins
from axios_python.testing import Caller, LocalServer

from .conftest import MODULES


@contextlib.contextmanager
def _without(name: str) -> Iterator[None]:
    """The installed plugin ``name`` hidden from discovery for the block."""
    from axios_python._discovery import discovery

    discovery.refresh()
    discovery.entry_points().pop(name, None)
    try:
        yield
    finally:
        discovery.refresh()


def _by_name() -> dict[str, plugins.PluginInfo]:
    return {info.name: info for info in plugins.available()}


def test_listing_imports_no_plugin_module(fake_plugins: Path) -> None:
    infos = _by_name()
    fake = infos["fake"]
    assert (fake.distribution, fake.version) == ("axios-python-plugin-fake", "1.2.3")
    assert fake.summary == "The fake test plugin"
    assert fake.target == "fakeplugin_good:FakePlugin"
    assert fake.status == "not loaded" and fake.error is None
    assert {"broken", "wrongobj", "future", "needsopts", "exits", "twin", "twin-alias"} <= set(
        infos
    )
    assert not [m for m in MODULES if m in sys.modules]


def test_check_reports_each_plugin_and_a_broken_one_hides_nothing(fake_plugins: Path) -> None:
    infos = {info.name: info for info in plugins.available(check=True)}
    assert infos["fake"].status == "loaded"
    assert infos["needsopts"].status == "loaded"
    broken = infos["broken"]
    assert broken.status == "error"
    assert broken.error is not None
    for part in ("axios-python-plugin-broken", "broken = fakeplugin_broken:Plugin", "nonexistent"):
        assert part in broken.error
    assert infos["wrongobj"].status == "error"
    assert "not a plugin class or factory" in (infos["wrongobj"].error or "")
    assert infos["future"].status == "error"


def test_load_errors_name_distribution_entry_point_and_cause(fake_plugins: Path) -> None:
    with pytest.raises(plugins.PluginLoadError) as info:
        plugins.load("broken")
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert "axios-python-plugin-broken 0.1.0" in str(info.value)
    # the failure is remembered; the good plugin still loads
    with pytest.raises(plugins.PluginLoadError):
        plugins.load("broken")
    assert plugins.load("fake").__name__ == "FakePlugin"


def test_incompatible_plugin_names_both_versions(fake_plugins: Path) -> None:
    with pytest.raises(plugins.IncompatiblePluginError) as info:
        plugins.load("future")
    message = str(info.value)
    assert "axios-python<3,>=2.0" in message
    assert f"axios-python {axios_python.__version__} is installed" in message
    assert "fakeplugin_future" not in sys.modules  # refused before importing


def test_unknown_name_lists_installed_and_suggests(fake_plugins: Path) -> None:
    with pytest.raises(plugins.UnknownPluginError) as info:
        plugins.load("fak")
    message = str(info.value)
    assert "Did you mean 'fake'?" in message
    assert "broken" in message and "fake" in message
    assert "pip install axios-python-plugin-fak" in message
    # a first-party plugin is installed through the core's extra (timing's, here, made absent)
    with (
        pytest.raises(plugins.UnknownPluginError, match=r'pip install "axios-python\[timing\]"'),
        _without("timing"),
    ):
        plugins.load("timing")
    assert isinstance(info.value, LookupError)


def test_attach_by_name_with_options(fake_plugins: Path, srv: LocalServer) -> None:
    with axios_python.create({"base_url": srv.base_url}) as api:
        plugin = api.plugin("fake", value="custom")
        assert type(plugin).__name__ == "FakePlugin"
        assert api.get("/echo").data["headers"]["x-fake"] == "custom"
        assert api.remove_plugin("fake") is plugin
        assert plugin.uninstalled == 1
        assert "x-fake" not in api.get("/echo").data["headers"]
        with pytest.raises(TypeError, match="could not be built with options"):
            api.plugin("fake", nope=1)
        with pytest.raises(TypeError, match="only accepted with a plugin name"):
            api.plugin(plugin, value="x")


def test_plugins_config_names_pairs_and_objects(fake_plugins: Path, srv: LocalServer) -> None:
    class Marker:
        def attach(self, client: axios_python.AxiosPython) -> None:
            client.interceptors.request.use(self.mark)

        def mark(self, config: dict[str, object]) -> dict[str, object]:
            config["headers"]["X-Marker"] = "1"  # type: ignore[index]
            return config

    config = {"base_url": srv.base_url, "plugins": [("fake", {"value": "pair"}), Marker()]}
    with axios_python.create(config) as api:
        headers = api.get("/echo").data["headers"]
        assert headers["x-fake"] == "pair" and headers["x-marker"] == "1"
    with pytest.raises(axios_python.ConfigError, match="must be a name, a \\(name, options\\)"):
        axios_python.create({"plugins": [("fake", "value")]})


def test_auto_attaches_every_installed_plugin_it_can(fake_plugins: Path, srv: LocalServer) -> None:
    with pytest.warns(plugins.PluginAutoloadWarning) as caught:
        api = axios_python.create({"base_url": srv.base_url, "plugins": "auto"})
    names = {name for name, _ in api._registry.names()}
    assert "fake" in names
    assert {"twin", "twin-alias"} <= names  # one class, two names: both attached
    assert not {"broken", "wrongobj", "future", "needsopts", "exits"} & names
    messages = " ".join(str(w.message) for w in caught)
    assert "SystemExit: 7" in messages  # a module ending the process is one plugin's failure
    for name in ("broken", "wrongobj", "future", "needsopts", "exits"):
        assert f"plugin {name!r}" in messages
    assert api.get("/echo").data["headers"]["x-fake"] == "on"
    api.close()


def test_a_client_that_asked_for_nothing_gets_nothing(fake_plugins: Path) -> None:
    plugins.available(check=True)  # even with every plugin loaded in the process
    with axios_python.create() as api:
        assert api.plugins == ()


def test_environment_autoload(
    fake_plugins: Path, srv: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "fake, ")
    with axios_python.create({"base_url": srv.base_url}) as api:
        assert api.get("/echo").data["headers"]["x-fake"] == "on"
    # explicit configuration wins; the variable does not attach it twice
    with axios_python.create({"plugins": [("fake", {"value": "mine"})]}) as api:
        assert len(api.plugins) == 1 and api.plugins[0].value == "mine"
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "fake,typo")
    with pytest.warns(plugins.PluginAutoloadWarning, match="'typo'"):
        api = axios_python.create()
    assert len(api.plugins) == 1
    api.close()


def test_disable_turns_both_autoloads_off(
    fake_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "fake")
    monkeypatch.setenv("AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD", "1")
    with axios_python.create() as api:
        assert api.plugins == ()
    with axios_python.create({"plugins": "auto"}) as api:
        assert api.plugins == ()
    with axios_python.create({"plugins": ["fake"]}) as api:  # explicit names still work
        assert len(api.plugins) == 1


def test_process_wide_hooks(fake_plugins: Path) -> None:
    events: list[tuple[str, int]] = []

    class Operator:
        @plugins.hookimpl
        def axios_python_client_created(self, client: axios_python.AxiosPython) -> None:
            events.append(("created", id(client)))

        @plugins.hookimpl
        def axios_python_client_closed(self, client: axios_python.AxiosPython) -> None:
            events.append(("closed", id(client)))

    operator = Operator()
    plugins.register(operator, name="operator")
    try:
        api = axios_python.create()
        api.close()
        assert events == [("created", id(api)), ("closed", id(api))]
        assert plugins.manager().project_name == "axios_python"
    finally:
        plugins.manager().unregister(operator)


def test_listing_in_a_fresh_process_imports_nothing(fake_plugins: Path) -> None:
    code = (
        "import sys, json, axios_python, axios_python.plugins as p\n"
        "names = [i.name for i in p.available()]\n"
        "mods = sorted(m for m in sys.modules if m.startswith(('fakeplugin', 'axios_python_plugin',"
        " 'botocore', 'opentelemetry', 'redis')))\n"
        "print(json.dumps({'names': names, 'modules': mods}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(fake_plugins)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    result = json.loads(out.stdout)
    assert "fake" in result["names"] and "broken" in result["names"]
    assert result["modules"] == []


def test_autoload_false_keeps_process_wide_plugins_away(
    fake_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "fake")
    with axios_python.create(autoload=False) as internal, axios_python.create() as normal:
        assert internal.plugins == ()
        assert len(normal.plugins) == 1


def test_a_plugin_that_exits_at_import_is_its_own_load_error(fake_plugins: Path) -> None:
    infos = {info.name: info for info in plugins.available(check=True)}
    exits = infos["exits"]
    assert exits.status == "error" and exits.error is not None
    for part in (
        "axios-python-plugin-exits 0.3.0",
        "exits = fakeplugin_exits:Plugin",
        "SystemExit",
    ):
        assert part in exits.error
    assert infos["fake"].status == "loaded" and infos["twin"].status == "loaded"
    with pytest.raises(plugins.PluginLoadError) as info:
        plugins.load("exits")
    assert isinstance(info.value.__cause__, SystemExit)


@pytest.mark.parametrize("order", [("twin", "twin-alias"), ("twin-alias", "twin")])
def test_two_entry_point_names_for_one_class_both_load_in_either_order(
    fake_plugins: Path, make_caller: Callable[..., Caller], order: tuple[str, str]
) -> None:
    first, second = order
    assert plugins.load(first) is plugins.load(second)
    assert plugins.manager().is_registered(plugins.load(first))  # its hooks, registered once
    call = make_caller()
    for name in order:
        call.api.plugin(name)
    assert call.get("/echo").data["headers"]["x-twin"] == "1"
    assert [name for name, _ in call.api._registry.names()] == list(order)
    call.api.remove_plugin(first)
    assert call.get("/echo").data["headers"]["x-twin"] == "1"  # the other one still stamps
    statuses = {i.name: i.status for i in plugins.available()}
    assert statuses["twin"] == statuses["twin-alias"] == "loaded"


def test_an_option_value_never_shows_in_a_plugin_error(fake_plugins: Path) -> None:
    with axios_python.create() as api:
        with pytest.raises(plugins.PluginError) as info:
            api.plugin("needsopts", secret="s3cr3t-value")
        message = str(info.value)
        assert "could not be built with options ['secret']: ValueError:" in message
        assert "s3cr3t-value" not in message
        assert info.value.__cause__ is None and info.value.__suppress_context__
        assert api.plugin("needsopts", secret="sk-fine").secret == "sk-fine"
        # a message without any value is left as the plugin wrote it
        with pytest.raises(AttributeError):
            api.plugin("needsopts", secret=42)
