"""The configuration schema: defaults, validation with helpful errors, and merging."""

from __future__ import annotations

import difflib
import ssl
from collections.abc import Callable, Iterable, Mapping
from http.cookiejar import CookieJar
from typing import Any, NamedTuple

import httpx

from ._exceptions import ConfigError
from ._headers import HeaderDict
from ._types import Config
from ._validate import TOKEN_CHARS

__all__ = [
    "CLIENT_KEYS",
    "DEFAULTS",
    "IDEMPOTENT_METHODS",
    "merge_config",
    "normalize_defaults",
]

#: Methods retried by default: repeating them cannot duplicate an effect on the server.
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

#: Keys that shape the underlying httpx client (connection pool) rather than a single request.
CLIENT_KEYS: tuple[str, ...] = ("transport", "limits", "verify", "cert", "proxy", "trust_env")


class _Key(NamedTuple):
    accepted: str
    check: Callable[[Any], Any]  # returns the normalised value or raises _Reject


class _Reject(Exception):
    pass


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is(*types: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) and bool not in types:
            raise _Reject
        if not isinstance(value, types):
            raise _Reject
        return value

    return check


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        return None if value is None else check(value)

    return optional


def _method(value: Any) -> str:
    if not isinstance(value, str) or not value or not set(value) <= TOKEN_CHARS:
        raise _Reject
    return value.upper()


def _url(value: Any) -> Any:
    if isinstance(value, httpx.URL):
        return str(value)
    if not isinstance(value, str):
        raise _Reject
    return value


def _headers(value: Any) -> HeaderDict:
    if not isinstance(value, Mapping):
        raise _Reject
    for name, item in value.items():
        if not isinstance(name, str) or not (item is None or isinstance(item, (str, bytes))):
            raise _Reject
    return value  # type: ignore[return-value]  # merged into a HeaderDict by merge_config


def _timeout(value: Any) -> Any:
    if value is None or isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _Reject
    return float(value)


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Reject
    return value


def _callables(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    items = (value,) if callable(value) else value
    if not isinstance(items, (list, tuple)) or not all(callable(f) for f in items):
        raise _Reject
    return tuple(items)


def _callable(value: Any) -> Any:
    if value is not None and not callable(value):
        raise _Reject
    return value


def _methods(value: Any) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _Reject
    return frozenset(_method(m) for m in value)


def _retry_strategy(value: Any) -> Any:
    from ._retry import RetryStrategy

    if value is not None and not isinstance(value, RetryStrategy):
        raise _Reject
    return value


def _cancel_token(value: Any) -> Any:
    from ._cancel import CancelToken

    if value is not None and not isinstance(value, CancelToken):
        raise _Reject
    return value


def _auth(value: Any) -> Any:
    if value is None or isinstance(value, httpx.Auth) or callable(value):
        return value
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, (str, bytes)) for v in value)
    ):
        return value
    raise _Reject


def _transport(value: Any) -> Any:
    if value is None or isinstance(value, (httpx.BaseTransport, httpx.AsyncBaseTransport)):
        return value
    raise _Reject


def _verify(value: Any) -> Any:
    if isinstance(value, (bool, str, ssl.SSLContext)):
        return value
    raise _Reject


def _cert(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple) and len(value) in (2, 3) and all(isinstance(v, str) for v in value):
        return value
    raise _Reject


def _anything(value: Any) -> Any:
    return value


def _plugins(value: Any) -> Any:
    if value is None or value == "auto" or isinstance(value, (list, tuple)):
        return value
    raise _Reject


_SCHEMA: dict[str, _Key] = {
    "base_url": _Key("a URL string, httpx.URL or None", _optional(_url)),
    "method": _Key("an HTTP method name such as 'GET' or 'post'", _method),
    "url": _Key("a URL string or httpx.URL", _optional(_url)),
    "headers": _Key("a mapping of header name (str) to str, bytes or None", _headers),
    "params": _Key(
        "a mapping, a sequence of (name, value) pairs, a query string or None",
        _optional(_is(Mapping, list, tuple, str, bytes)),
    ),
    "data": _Key("a form dict, str, bytes or None", _anything),
    "json": _Key("any JSON-serialisable value", _anything),
    "files": _Key(
        "a mapping of field name to a file handle or (filename, handle[, mimetype])",
        _optional(_is(Mapping, list, tuple)),
    ),
    "content": _Key("str, bytes, an iterable of bytes or None", _anything),
    "stream": _Key("True or False", _is(bool)),
    "timeout": _Key("a number of seconds >= 0, None (no timeout) or httpx.Timeout", _timeout),
    "follow_redirects": _Key("True or False", _is(bool)),
    "transform_request": _Key("a callable f(data, headers) -> data or a list of them", _callables),
    "transform_response": _Key("a callable f(data) -> data or a list of them", _callables),
    "max_retries": _Key("an integer >= 0", _non_negative_int),
    "retry_strategy": _Key("a RetryStrategy instance or None", _retry_strategy),
    "retry_on": _Key("a callable f(exception) -> bool or None", _callable),
    "retry_methods": _Key("an iterable of HTTP method names, e.g. ['GET', 'POST']", _methods),
    "cancel_token": _Key("a CancelToken or None", _cancel_token),
    "extensions": _Key(
        "a mapping of httpx request extensions (e.g. {'trace': callback}) or None",
        _optional(_is(Mapping)),
    ),
    "validate_status": _Key("a callable f(status_code) -> bool or None", _callable),
    "auth": _Key("a (username, password) tuple, an httpx.Auth, a callable or None", _auth),
    "cookies": _Key(
        "a mapping of cookie names to values, httpx.Cookies, a CookieJar or None",
        _optional(_is(Mapping, httpx.Cookies, CookieJar)),
    ),
    "transport": _Key(
        "an httpx.BaseTransport or httpx.AsyncBaseTransport instance or None", _transport
    ),
    "limits": _Key("an httpx.Limits or None", _optional(_is(httpx.Limits))),
    "verify": _Key("True, False, a CA bundle path or an ssl.SSLContext", _verify),
    "cert": _Key("a certificate path, a (cert, key[, password]) tuple or None", _cert),
    "proxy": _Key(
        "a proxy URL string, httpx.URL, httpx.Proxy or None",
        _optional(_is(str, httpx.URL, httpx.Proxy)),
    ),
    "trust_env": _Key("True or False", _is(bool)),
    "plugins": _Key(
        "a list of plugin objects, names or (name, options) pairs, or 'auto'", _plugins
    ),
}

#: The defaults of a new instance.
DEFAULTS: Config = {
    "base_url": None,
    "method": "GET",
    "url": None,
    "headers": HeaderDict(),
    "params": None,
    "data": None,
    "json": None,
    "files": None,
    "content": None,
    "stream": False,
    "timeout": 30.0,
    "follow_redirects": True,
    "transform_request": (),
    "transform_response": (),
    "max_retries": 0,
    "retry_strategy": None,
    "retry_on": None,
    "retry_methods": IDEMPOTENT_METHODS,
    "cancel_token": None,
    "extensions": None,
    "validate_status": None,
    "auth": None,
    "cookies": None,
    "transport": None,
    "limits": None,
    "verify": True,
    "cert": None,
    "proxy": None,
    "trust_env": True,
    "plugins": None,
}

#: Mapping keys whose per-call value merges into the default key by key.
_MERGED = frozenset({"params", "extensions"})

#: Mutable defaults each call gets its own copy of.
_COPIED = ("params", "extensions", "cookies")

#: Keys only ``create()`` takes: they describe the instance, not one request.
_CREATE_ONLY = frozenset({"plugins"})


def _check(key: str, value: Any, *, per_call: bool) -> Any:
    spec = _SCHEMA.get(key)
    if spec is None or (per_call and key in _CREATE_ONLY):
        if spec is not None:
            raise ConfigError(
                f"config key {key!r} can only be given to create(), not to a single call"
            )
        close = difflib.get_close_matches(str(key), _SCHEMA, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"unknown config key {key!r} (value {value!r}).{hint} "
            f"Accepted keys: {', '.join(sorted(_SCHEMA))}."
        )
    try:
        return spec.check(value)
    except _Reject:
        raise ConfigError(
            f"config key {key!r} got {value!r} ({_type_name(value)}); accepted: {spec.accepted}"
        ) from None


def _merge_headers(base: Mapping[str, Any], extra: Mapping[str, Any] | None) -> HeaderDict:
    merged = HeaderDict(base)
    if extra:
        for name, value in extra.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value.decode("latin-1") if isinstance(value, bytes) else value
    return merged


def normalize_defaults(config: Mapping[str, Any] | None) -> Config:
    """Validate the configuration given to ``create()`` and fill in the defaults."""
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ConfigError(
            f"create() takes a mapping of config keys, got {config!r} ({_type_name(config)})"
        )
    result = dict(DEFAULTS)
    for key, value in config.items():
        result[key] = _check(key, value, per_call=False)
    result["headers"] = _merge_headers({}, config.get("headers"))
    return result


def merge_config(defaults: Config, overrides: Mapping[str, Any]) -> Config:
    """Per-call configuration: ``defaults`` with ``overrides`` on top.

    Every override is validated. Headers merge case-insensitively (a ``None`` value removes a
    default header); mapping params and extensions merge key by key; anything else replaces
    the default.
    """
    config = defaults.copy()
    headers = None
    for key, value in overrides.items():
        value = _check(key, value, per_call=True)
        if key == "headers":
            headers = value
        elif key in _MERGED and isinstance(value, Mapping) and isinstance(config[key], Mapping):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    config["headers"] = _merge_headers(defaults["headers"], headers)
    for key in _COPIED:
        value = config[key]
        if value is not None and value is defaults[key] and isinstance(value, dict):
            config[key] = value.copy()  # a call (or its interceptors) never edits the defaults
    return config
