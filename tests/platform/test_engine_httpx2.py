"""The core and every first-party plugin run on httpx or on httpx2 (``axios_python.engine``).

The engine is chosen once per process, so each test of another engine runs in a subprocess:
short scripts for the selection itself (a bad value, httpx not installed, httpx2 not
installed) and every plugin on httpx2. CI (``.ci/run``) also runs the core's whole suite
(``tests/core``) with ``AXIOS_PYTHON_ENGINE=httpx2``, as a step of its own next to the test
command.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import axios_python
from axios_python import _engine, engine
from axios_python._transport import user_agent
from axios_python.testing import LocalServer

ROOT = Path(__file__).resolve().parents[2]

#: What xdist and pytest tell a worker; a subprocess pytest must not inherit them.
_RUNNER_VARIABLES = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _RUNNER_VARIABLES}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.pop(engine.ENV_VAR, None)
    env.update(values)
    return env


def _python(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=_env(**env),
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize("chosen", ["httpx", "httpx2"])
def test_importing_the_core_loads_neither_httpcore_nor_h11(chosen: str) -> None:
    """httpx loads its transport layer with the first connection pool; so does the core (the
    engine's ``httpcore`` is imported when first asked for)."""
    done = _python(
        """
        import sys
        import axios_python
        from axios_python import engine
        loaded = sorted(m for m in ("httpcore", "httpcore2", "h11") if m in sys.modules)
        assert loaded == [], loaded
        assert engine.httpcore.__name__ in sys.modules  # there when asked for
        print("ok")
        """,
        **{engine.ENV_VAR: chosen},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_this_process_runs_on_httpx_by_default() -> None:
    import httpx

    assert os.environ.get(engine.ENV_VAR, "") == ""
    assert engine.name == "httpx" and engine.httpx is httpx
    assert axios_python.engine is engine  # reachable from the package, like .plugins
    assert engine.version == httpx.__version__
    assert engine.httpcore.__name__ == "httpcore"
    assert user_agent() == f"axios-python/{axios_python.__version__} httpx/{httpx.__version__}"


def test_choose_takes_the_engine_named_or_the_default() -> None:
    import httpcore2
    import httpx2

    assert _engine.choose("httpx2") == ("httpx2", httpx2, httpcore2)
    assert _engine.choose(" HTTPX2 ") == ("httpx2", httpx2, httpcore2)
    assert _engine.choose("httpx")[0] == "httpx"
    assert _engine.choose("")[0] == _engine.choose(None)[0] == "httpx"


def test_a_bad_value_names_itself_and_what_is_accepted() -> None:
    with pytest.raises(ImportError) as caught:
        _engine.choose("requests")
    message = str(caught.value)
    assert "AXIOS_PYTHON_ENGINE='requests'" in message
    assert "'httpx' or 'httpx2'" in message and "empty/unset" in message


def test_a_selected_engine_that_is_not_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "httpx2", None)  # what importing a missing package does
    with pytest.raises(ImportError) as caught:
        _engine.choose("httpx2")
    message = str(caught.value)
    assert "AXIOS_PYTHON_ENGINE='httpx2' selects httpx2, which cannot be imported" in message
    assert 'pip install "axios-python[httpx2]"' in message
    # the default falls back to httpx2 when httpx is missing, and says so when both are
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ImportError, match="needs httpx or httpx2 and can import neither"):
        _engine.choose(None)


def test_a_bad_value_stops_the_import_of_axios_python() -> None:
    result = _python("import axios_python", **{engine.ENV_VAR: "httpx3"})
    assert result.returncode != 0
    assert "ImportError: AXIOS_PYTHON_ENGINE='httpx3' names no engine" in result.stderr


#: Run with httpx made unimportable: the default engine is httpx2, every first-party plugin
#: imports and works on it, and the errors are the library's.
_WITHOUT_HTTPX = """
import sys

sys.modules["httpx"] = None  # as if httpx were not installed
sys.modules["httpcore"] = None

import axios_python
from axios_python import engine
from axios_python._first_party import FIRST_PARTY
from axios_python.testing import LocalServer

assert engine.name == "httpx2", engine.name
plugins = [getattr(axios_python, entry.class_name) for entry in FIRST_PARTY.values()]
with LocalServer() as server:
    api = axios_python.create(
        {
            "base_url": server.base_url,
            "timeout": 5,
            "plugins": [axios_python.TimingPlugin(), axios_python.DedupePlugin()],
        }
    )
    seen = api.get("/echo").data["headers"]
    print("UA", seen.get("User-Agent") or seen.get("user-agent"))
    try:
        api.get("/drop")
    except axios_python.NetworkError as exc:
        print("DROP", type(exc).__name__, type(exc.__cause__).__module__.split(".")[0])
    api.close()
try:
    axios_python.get("http://127.0.0.1:9/", timeout=2)
except axios_python.NetworkError as exc:
    print("REFUSED", type(exc).__name__, type(exc.__cause__).__qualname__)
loaded = [m for m, module in sys.modules.items() if module and m.split(".")[0] == "httpx"]
print("LOADED", sorted(loaded))
print("PLUGINS", len(plugins))
"""


def test_without_httpx_the_core_and_every_plugin_run_on_httpx2() -> None:
    import httpx2

    result = _python(_WITHOUT_HTTPX)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["UA"] == f"axios-python/{axios_python.__version__} httpx2/{httpx2.__version__}"
    assert lines["DROP"] == "NetworkError httpx2"
    assert lines["REFUSED"] == "NetworkError ConnectError"
    assert lines["LOADED"] == "[]"
    assert int(lines["PLUGINS"]) >= 8


_ON_HTTPX2 = """
import httpx

import axios_python
from axios_python import engine

assert engine.name == "httpx2", engine.name
try:
    axios_python.create({"transport": httpx.MockTransport(lambda request: httpx.Response(200))})
except axios_python.ConfigError as exc:
    print(exc)
"""


def test_an_object_of_the_other_engine_is_refused_with_what_is_accepted() -> None:
    result = _python(_ON_HTTPX2, **{engine.ENV_VAR: "httpx2"})
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "config key 'transport': got httpx.MockTransport, an object of httpx" in message
    assert "axios_python runs on httpx2 in this process" in message
    assert "from axios_python.engine import httpx" in message
    assert "accepted: an httpx.BaseTransport or httpx.AsyncBaseTransport" in message


def test_an_httpx2_object_is_refused_on_httpx() -> None:
    import httpx2

    with pytest.raises(axios_python.ConfigError, match=r"got httpx2\.Limits, an object of httpx2"):
        axios_python.create({"limits": httpx2.Limits()})


def test_errors_of_the_engine_surface_as_the_library_s(local_server: LocalServer) -> None:
    """This process's engine (httpx): the same checks as the httpx2 subprocess above."""
    with (
        axios_python.create({"base_url": local_server.base_url}) as api,
        pytest.raises(axios_python.NetworkError) as caught,
    ):
        api.get("/drop")
    assert isinstance(caught.value.__cause__, engine.httpx.RemoteProtocolError)


def test_no_module_imports_httpx_but_the_engine() -> None:
    """Every module of the core and the plugins takes httpx and httpcore from the engine, so
    the process has one set of classes."""
    imports = re.compile(r"^\s*(?:import|from)\s+(httpx|httpcore)2?\b.*$", re.MULTILINE)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sorted(ROOT.glob("packages/*/src/**/*.py"))
        if path.name != "_engine.py"
        for match in imports.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
