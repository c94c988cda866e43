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
from ._body import is_seekable
from ._call import CallState, call_state
from ._call_keys import CallKeys
from ._cancel import CancelToken
from ._client import AxiosPython
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    ContentTooLarge,
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
    TransformError,
    UnknownPluginError,
)
from ._flight import FlightStats, SingleFlight, copy_error
from ._headers import HeaderDict
from ._hooks import Dual, describe_callable, hook_forms
from ._identity import identity
from ._lifespan import ManagedClient, combine_lifespans
from ._models import Response
from ._plugins import Plugin, PluginUninstallWarning
from ._redirects import HopObserver, add_redirect_hook, may_receive_credentials, observe_hops
from ._retry import ExponentialBackoff, FixedBackoff, FixedDelay, LinearBackoff, RetryStrategy
from ._secrets import Secrets
from ._types import AsyncNext, Config, RequestOptions, SyncNext
from ._urls import display_url, wire_url
from ._validate import check_credential, check_header_name, log_level_repr, parse_log_level
from ._version import __version__

#: The name ``wire_url`` had before the plugin toolkit; the same function.
request_url = wire_url

# ``all`` is reachable as ``axios_python.all`` but left out of ``__all__`` on purpose:
# ``from axios_python import *`` must not shadow the builtin.
__all__ = [
    "AsyncNext",
    "AxiosPython",
    "AxiosPythonError",
    "CallKeys",
    "CallState",
    "CancelError",
    "CancelToken",
    "Config",
    "ConfigError",
    "ContentTooLarge",
    "DecodingError",
    "Dual",
    "ExponentialBackoff",
    "FixedBackoff",
    "FixedDelay",
    "FlightStats",
    "HTTPStatusError",
    "HeaderDict",
    "HopObserver",
    "IncompatiblePluginError",
    "InterceptorError",
    "LinearBackoff",
    "ManagedClient",
    "NetworkError",
    "Plugin",
    "PluginError",
    "PluginLoadError",
    "PluginUninstallWarning",
    "RequestOptions",
    "Response",
    "RetryError",
    "RetryStrategy",
    "Secrets",
    "SingleFlight",
    "SyncNext",
    "TimeoutError",
    "TooManyRedirects",
    "TransformError",
    "UnknownPluginError",
    "__version__",
    "add_redirect_hook",
    "async_delete",
    "async_get",
    "async_head",
    "async_options",
    "async_patch",
    "async_post",
    "async_put",
    "async_request",
    "call_state",
    "check_credential",
    "check_header_name",
    "combine_lifespans",
    "copy_error",
    "create",
    "default_instance",
    "delete",
    "describe_callable",
    "display_url",
    "get",
    "head",
    "hook_forms",
    "identity",
    "is_seekable",
    "log_level_repr",
    "may_receive_credentials",
    "observe_hops",
    "options",
    "parse_log_level",
    "patch",
    "post",
    "put",
    "request",
    "request_url",
    "spread",
    "wire_url",
]


def __getattr__(name: str) -> Any:
    if name in ("plugins", "engine"):
        return importlib.import_module(f"axios_python.{name}")
    from ._first_party import BY_CLASS, install_hint

    entry = BY_CLASS.get(name)
    if entry is None:
        raise AttributeError(f"module 'axios_python' has no attribute {name!r}")
    try:
        module = importlib.import_module(entry.module)
    except ModuleNotFoundError as exc:
        if exc.name != entry.module:
            raise
        raise ImportError(
            f"{name} is provided by the {entry.distribution} distribution, which is not "
            f"installed: {install_hint(entry.name)}",
            name=entry.module,
        ) from None
    value = getattr(module, name)
    globals()[name] = value
    return value
