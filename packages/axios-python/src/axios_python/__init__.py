"""axios_python: the request-lifecycle orchestration layer above httpx.

One configured instance serves sync and async code: interceptors, middleware, retries,
cancellation and plugins, the same for ``api.get(...)`` and ``await api.async_get(...)``.

::

    import axios_python

    api = axios_python.create({"base_url": "https://api.example.com", "timeout": 5.0})
    users = api.get("/users").data
"""

from __future__ import annotations

import importlib
from typing import Any

from ._api import all as all  # kept out of __all__: see below
from ._api import (
    async_delete,
    async_get,
    async_head,
    async_options,
    async_patch,
    async_post,
    async_put,
    async_request,
    create,
    default_instance,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    request,
    spread,
)
from ._cancel import CancelToken
from ._client import AxiosPython
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    DecodingError,
    HTTPStatusError,
    IncompatiblePluginError,
    InterceptorError,
    NetworkError,
    PluginError,
    PluginLoadError,
    RetryError,
    TimeoutError,
    TooManyRedirects,
    UnknownPluginError,
)
from ._headers import HeaderDict
from ._hooks import Dual
from ._models import Response
from ._plugins import Plugin, PluginUninstallWarning
from ._retry import ExponentialBackoff, FixedBackoff, FixedDelay, LinearBackoff, RetryStrategy
from ._send import request_url
from ._types import AsyncNext, Config, RequestOptions, SyncNext
from ._version import __version__

# ``all`` is reachable as ``axios_python.all`` but left out of ``__all__`` on purpose:
# ``from axios_python import *`` must not shadow the builtin.
__all__ = [
    "AsyncNext",
    "AxiosPython",
    "AxiosPythonError",
    "CancelError",
    "CancelToken",
    "Config",
    "ConfigError",
    "DecodingError",
    "Dual",
    "ExponentialBackoff",
    "FixedBackoff",
    "FixedDelay",
    "HTTPStatusError",
    "HeaderDict",
    "IncompatiblePluginError",
    "InterceptorError",
    "LinearBackoff",
    "NetworkError",
    "Plugin",
    "PluginError",
    "PluginLoadError",
    "PluginUninstallWarning",
    "RequestOptions",
    "Response",
    "RetryError",
    "RetryStrategy",
    "SyncNext",
    "TimeoutError",
    "TooManyRedirects",
    "UnknownPluginError",
    "__version__",
    "async_delete",
    "async_get",
    "async_head",
    "async_options",
    "async_patch",
    "async_post",
    "async_put",
    "async_request",
    "create",
    "default_instance",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "request_url",
    "spread",
]

#: First-party plugin classes importable from here, each from its own distribution (extra).
_PLUGIN_CLASSES: dict[str, tuple[str, str]] = {
    "AuthPlugin": ("axios_python_plugin_auth", "auth"),
    "CachePlugin": ("axios_python_plugin_cache", "cache"),
    "LoggerPlugin": ("axios_python_plugin_logger", "logger"),
    "RedisCachePlugin": ("axios_python_plugin_redis_cache", "redis-cache"),
    "OpenTelemetryPlugin": ("axios_python_plugin_otel", "otel"),
    "SigV4Plugin": ("axios_python_plugin_sigv4", "sigv4"),
    "TimingPlugin": ("axios_python_plugin_timing", "timing"),
    "DedupePlugin": ("axios_python_plugin_dedupe", "dedupe"),
}


def __getattr__(name: str) -> Any:
    if name == "plugins":
        return importlib.import_module("axios_python.plugins")
    spec = _PLUGIN_CLASSES.get(name)
    if spec is None:
        raise AttributeError(f"module 'axios_python' has no attribute {name!r}")
    module_name, extra = spec
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ImportError(
            f"{name} is provided by the axios-python-plugin-{extra} distribution, which is not "
            f'installed: pip install "axios-python[{extra}]"',
            name=module_name,
        ) from None
    value = getattr(module, name)
    globals()[name] = value
    return value
