"""The public names are pinned: adding or removing one is a deliberate change."""

from __future__ import annotations

import subprocess
import sys

import pytest

import axios_python

PUBLIC = {
    "AxiosPython", "AxiosPythonError", "CancelError", "CancelToken", "Config", "ConfigError",
    "DecodingError", "Dual", "ExponentialBackoff", "FixedBackoff", "FixedDelay",
    "HTTPStatusError", "HeaderDict", "IncompatiblePluginError", "InterceptorError",
    "LinearBackoff", "NetworkError", "Plugin", "PluginError", "PluginLoadError",
    "PluginUninstallWarning", "UnknownPluginError", "RequestOptions", "Response", "RetryError",
    "RetryStrategy", "TimeoutError", "TooManyRedirects", "__version__",
    "ContentTooLarge", "TransformError",
    "request", "get", "post", "put", "patch", "delete", "head", "options",
    "async_request", "async_get", "async_post", "async_put", "async_patch", "async_delete",
    "async_head", "async_options", "create", "default_instance", "spread",
    "AsyncNext", "SyncNext", "request_url",
    # the plugin toolkit
    "CallState", "call_state", "FlightStats", "SingleFlight", "copy_error", "Secrets",
    "wire_url", "display_url", "identity", "add_redirect_hook", "may_receive_credentials",
    "hook_forms", "describe_callable", "check_header_name", "parse_log_level",
    "log_level_repr", "HopObserver", "observe_hops", "CallKeys", "check_credential",
    "is_seekable",
    # framework integrations
    "ManagedClient", "combine_lifespans",
}  # fmt: skip


def test_public_names_are_pinned() -> None:
    assert set(axios_python.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(axios_python, name) is not None


def test_all_is_available_but_not_star_exported() -> None:
    assert callable(axios_python.all)
    namespace: dict[str, object] = {}
    exec("from axios_python import *", namespace)
    assert "all" not in namespace and "get" in namespace


def test_every_private_module_declares_all() -> None:
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(axios_python.__path__):
        module = importlib.import_module(f"axios_python.{info.name}")
        assert isinstance(getattr(module, "__all__", None), list), info.name


def test_missing_plugin_class_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # an installed first-party plugin made missing: the hint is the core's extra
    monkeypatch.setitem(sys.modules, "axios_python_plugin_timing", None)
    monkeypatch.delitem(vars(axios_python), "TimingPlugin", raising=False)
    with pytest.raises(ImportError, match=r'pip install "axios-python\[timing\]"'):
        from axios_python import TimingPlugin  # noqa: F401
    with pytest.raises(AttributeError):
        _ = axios_python.NoSuchThing


def test_import_loads_no_plugin_and_no_heavy_dependency() -> None:
    code = (
        "import sys, axios_python\n"
        "prefixes = ('axios_python_plugin', 'botocore', 'opentelemetry', 'redis')\n"
        "print(sorted(m for m in sys.modules if m.startswith(prefixes)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
