"""The configuration schema: defaults, validation with helpful errors, and merging."""

from __future__ import annotations

import difflib
import math
import ssl
from collections.abc import Callable, Iterable, Mapping
from http.cookiejar import CookieJar
from itertools import compress
from operator import is_not
from typing import TYPE_CHECKING, Any, NamedTuple

from ._engine import httpx, mismatch
from ._exceptions import ConfigError
from ._headers import HeaderDict
from ._types import Config
from ._validate import TOKEN_CHARS

if TYPE_CHECKING:
    from ._call_keys import CallKeys

__all__ = [
    "CLIENT_KEYS",
    "DEFAULTS",
    "DEFAULT_MAX_BUFFERED",
    "IDEMPOTENT_METHODS",
    "INTERNAL_PREFIX",
    "check_header",
    "merge_config",
    "normalize_defaults",
    "revalidate",
]

#: Methods retried by default: repeating them cannot duplicate an effect on the server.
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

#: Keys that shape the underlying httpx client (connection pool) rather than a single request.
CLIENT_KEYS: tuple[str, ...] = ("transport", "limits", "verify", "cert", "proxy", "trust_env")


class _Key(NamedTuple):
    accepted: str
    check: Callable[[Any], Any]  # returns the normalised value or raises _Reject


class _Reject(Exception):
    """A value is not accepted; ``reason``, when given, replaces the generic message (it names
    what is wrong without showing a value that may be secret)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


#: Configuration keys added by the pipeline and plugins start with this (``axios_python.call``,
#: ``axios_python.redirect_hooks``); they are not config keys and are never validated.
INTERNAL_PREFIX = "axios_python."

#: The most bytes a response body read whole may have after decoding when
#: ``max_content_length`` is ``None`` (streamed bodies are then unlimited): 256 MiB.
DEFAULT_MAX_BUFFERED = 256 * 1024 * 1024

#: Keys whose values may hold secrets: their errors show the type, never the value.
_SECRET_VALUED = frozenset(
    {"headers", "auth", "cookies", "params", "data", "json", "content", "files", "proxy", "cert"}
)
#: Control characters a header value may not hold (HTAB is allowed): CR and LF would inject
#: headers, the rest no server accepts.
_CONTROL = frozenset(chr(c) for c in [*range(0x20), 0x7F]) - {"\t"}


def _type_name(value: Any) -> str:
    return type(value).__name__


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


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


#: Methods seen valid, as given, with their upper-case form (every call names one).
_METHODS: dict[str, str] = {}


def _method(value: Any) -> str:
    known = _METHODS.get(value) if type(value) is str else None
    if known is not None:
        return known
    if not isinstance(value, str) or not value or not set(value) <= TOKEN_CHARS:
        raise _Reject
    upper = value.upper()
    if len(_METHODS) < 64:  # a bound: methods are few
        _METHODS[value] = upper
    return upper


def _url(value: Any) -> Any:
    if isinstance(value, httpx.URL):
        return str(value)
    if not isinstance(value, str):
        raise _Reject
    return value


def check_header(name: Any, value: Any) -> None:
    """Raise ``ConfigError`` for a header that cannot be sent: a name that is not an HTTP token,
    a value that is not str, bytes or None, or a line break or NUL in either (header
    injection). The message names the header, never its value."""
    try:
        _check_header(name, value)
    except _Reject as exc:
        raise ConfigError(f"config key 'headers': {exc.reason}") from None


#: Header names seen valid (every attempt checks every header it sends).
_HEADER_NAMES: set[str] = set()


def _check_header(name: Any, value: Any) -> None:
    if type(name) is not str or name not in _HEADER_NAMES:
        if not isinstance(name, str) or not name or not set(name) <= TOKEN_CHARS:
            shown = repr(name) if isinstance(name, str) else _a(_type_name(name))
            raise _Reject(
                f"header name {shown} is not accepted: a name is a non-empty str of letters, "
                "digits and !#$%&'*+-.^_`|~"
            )
        if type(name) is str and len(_HEADER_NAMES) < 512:  # a bound: names are mostly fixed
            _HEADER_NAMES.add(name)
    if value is None:
        return
    if isinstance(value, bytes):
        text = value.decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        raise _Reject(
            f"header {name!r} has a value of type {_type_name(value)}; accepted: str, bytes, "
            "or None to remove a default header"
        )
    if not _CONTROL.isdisjoint(text):
        raise _Reject(
            f"header {name!r} has a value with a line break, NUL or another control character, "
            "which would let it inject headers; strip it first (a token read from a file keeps "
            "its newline)"
        )


def _headers(value: Any) -> HeaderDict:
    if not isinstance(value, Mapping):
        raise _Reject
    for name, item in value.items():
        _check_header(name, item)
    return value  # type: ignore[return-value]  # merged into a HeaderDict by merge_config


def _seconds(value: Any) -> float:
    """A finite number of seconds > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Reject
    if math.isnan(value) or math.isinf(value) or value <= 0:
        raise _Reject
    return float(value)


def _timeout(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            seconds = getattr(value, part)
            if seconds is not None:
                try:
                    _seconds(seconds)
                except _Reject:
                    raise _Reject(
                        f"httpx.Timeout has {part}={seconds!r}; each part must be a finite "
                        "number of seconds > 0 or None (no limit)"
                    ) from None
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        raise _Reject(
            "got 0: in axios 0 means no timeout, in httpx an immediate one; say which: None "
            "(no timeout) or a number of seconds > 0"
        )
    return _seconds(value)


def _params(value: Any) -> Any:
    if not isinstance(value, (Mapping, list, tuple, str, bytes)):
        raise _Reject
    try:
        httpx.QueryParams(value)  # what the request will be built with
    except Exception:
        raise _Reject from None
    return value


def _file_part(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, str)) or callable(getattr(value, "read", None))


def _files(value: Any) -> Any:
    items = value.items() if isinstance(value, Mapping) else value
    if not isinstance(items, (list, tuple)) and not isinstance(value, Mapping):
        raise _Reject
    for item in items:
        if not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise _Reject
        part = item[1]
        if isinstance(part, tuple):
            if not 2 <= len(part) <= 4 or not _file_part(part[1]):
                raise _Reject
            if part[0] is not None and not isinstance(part[0], str):
                raise _Reject
        elif not _file_part(part):
            raise _Reject
    return value


def _content(value: Any) -> Any:
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return value
    if callable(getattr(value, "read", None)) or hasattr(value, "__aiter__"):
        return value
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise _Reject
    if isinstance(value, (list, tuple)) and not all(
        isinstance(chunk, (bytes, bytearray)) for chunk in value
    ):
        raise _Reject
    return value


def _optional_seconds(value: Any) -> float | None:
    return None if value is None else _seconds(value)


def _optional_size(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Reject
    return value


def _idempotency_key(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value and set(value) <= TOKEN_CHARS:
        return value
    raise _Reject


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


#: Transports named by a string: ``"aiohttp"`` sends async calls through aiohttp.
NAMED_TRANSPORTS = ("aiohttp",)


def _transport(value: Any) -> Any:
    if value is None or isinstance(value, (httpx.BaseTransport, httpx.AsyncBaseTransport)):
        return value
    if isinstance(value, str) and value in NAMED_TRANSPORTS:
        import importlib.util

        if importlib.util.find_spec("aiohttp") is None:
            raise _Reject(
                "transport 'aiohttp' needs aiohttp, which is not installed: "
                "pip install 'axios-python[fast]'"
            )
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
        "a mapping of names to str, int, float, bool, None or lists of them, a sequence of "
        "(name, value) pairs, a query string, or None",
        _optional(_params),
    ),
    "data": _Key(
        "a form dict, str, bytes or None (an iterable of bytes goes in content=)",
        _optional(_is(Mapping, str, bytes, bytearray)),
    ),
    "json": _Key("any JSON-serialisable value", _anything),
    "files": _Key(
        "a mapping (or list of pairs) of field name to bytes, str, a file opened in binary "
        "mode, or (filename, one of those[, content type[, headers]])",
        _optional(_files),
    ),
    "content": _Key(
        "str, bytes, a file opened in binary mode, an iterable or async iterable of bytes, or None",
        _optional(_content),
    ),
    "stream": _Key("True or False", _is(bool)),
    "timeout": _Key("a finite number of seconds > 0, None (no timeout) or httpx.Timeout", _timeout),
    "deadline": _Key(
        "a finite number of seconds > 0 for the whole call (every attempt and back-off wait), "
        "or None",
        _optional_seconds,
    ),
    "idempotency_key": _Key(
        "True (an Idempotency-Key header), a header name such as 'X-Request-Key', or "
        "False/None (off)",
        _idempotency_key,
    ),
    "allow_absolute_urls": _Key("True or False", _is(bool)),
    "max_content_length": _Key(
        "a number of bytes >= 0 a response body may have after decoding, or None (256 MiB "
        "for a body read whole, no limit for stream=True)",
        _optional_size,
    ),
    "max_body_length": _Key(
        "a number of bytes >= 0 a request body may have, or None (no limit)", _optional_size
    ),
    "retry_body_limit": _Key(
        "a number of bytes >= 0 of a streamed request body kept to replay it on a retry",
        _non_negative_int,
    ),
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
        "an httpx.BaseTransport or httpx.AsyncBaseTransport instance, 'aiohttp' (async calls "
        "through aiohttp: the axios-python[fast] extra) or None",
        _transport,
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
    "deadline": None,
    "idempotency_key": None,
    "allow_absolute_urls": True,
    "max_content_length": None,
    "max_body_length": None,
    "retry_body_limit": 1024 * 1024,
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


def _shown(key: str, value: Any) -> str:
    """How an error shows a rejected value: a URL without its secrets, a value that may hold
    secrets by its type only, anything else by its repr (shortened)."""
    if key in ("url", "base_url") and isinstance(value, (str, httpx.URL)):
        from ._secrets import DEFAULT_SECRETS

        return repr(DEFAULT_SECRETS.redact_url(value))
    if key in _SECRET_VALUED or not isinstance(key, str) or key not in _SCHEMA:
        return _a(_type_name(value))
    text = repr(value)
    shown = text if len(text) <= 80 else text[:77] + "..."
    return f"{shown} ({_type_name(value)})"


def _check(key: str, value: Any, *, per_call: bool, options: CallKeys | None = None) -> Any:
    spec = _SCHEMA.get(key)
    if spec is None and per_call and options is not None:
        registered = options.spec(key) if isinstance(key, str) else None
        if registered is not None:
            try:
                return registered.check(value)
            except (ValueError, TypeError):
                raise ConfigError(
                    f"config key {key!r} got {_shown(key, value)}; accepted: {registered.accepted}"
                ) from None
    if spec is None or (per_call and key in _CREATE_ONLY):
        if spec is not None:
            raise ConfigError(
                f"config key {key!r} can only be given to create(), not to a single call"
            )
        known = [*_SCHEMA, *(options.names if options is not None else ())]
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"unknown config key {key!r} (given {_shown(key, value)}).{hint} "
            f"Accepted keys: {', '.join(sorted(known))}."
        )
    try:
        return spec.check(value)
    except _Reject as exc:
        if exc.reason is not None:
            raise ConfigError(f"config key {key!r}: {exc.reason}") from None
        other = mismatch(value, httpx.__name__)  # an httpx object given to the core on httpx2
        if other is not None:
            raise ConfigError(f"config key {key!r}: {other}; accepted: {spec.accepted}") from None
        raise ConfigError(
            f"config key {key!r} got {_shown(key, value)}; accepted: {spec.accepted}"
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
    if not result["allow_absolute_urls"] and not result["base_url"]:
        raise ConfigError(
            "allow_absolute_urls=False keeps every call under base_url, so it needs a base_url"
        )
    return result


def merge_config(
    defaults: Config, overrides: Mapping[str, Any], options: CallKeys | None = None
) -> Config:
    """Per-call configuration: ``defaults`` with ``overrides`` on top.

    Every override is validated (keys plugins registered in ``options`` too). Headers merge
    case-insensitively (a ``None`` value removes a default header); mapping params and
    extensions merge key by key; anything else replaces the default.
    """
    config = defaults.copy()
    headers = None
    for key, value in overrides.items():
        value = _check(key, value, per_call=True, options=options)
        if key == "headers":
            headers = value
        elif key in _MERGED and isinstance(value, Mapping) and isinstance(config[key], Mapping):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    config["headers"] = _merge_headers(defaults["headers"], headers)
    for key in _COPIED:
        value = config[key]
        if value is not None and value is defaults[key] and isinstance(value, (dict, list)):
            config[key] = value.copy()  # a call (or its interceptors) never edits the defaults
    return config


def completed(returned: Mapping[str, Any], given: Config) -> Config:
    """A new configuration from what a hook returned for ``given``: its keys over ``given``'s,
    so a partial dict keeps the call's other settings. A whole copy (the usual form) is copied
    once more rather than merged (half the cost with 37 keys); either way the result is the
    core's own dict, so what the layers below add to it in place never shows in a dict the hook
    may reuse."""
    if type(returned) is dict and len(returned) >= len(given) and returned.keys() >= given.keys():
        return returned.copy()
    return {**given, **returned}


def revalidate(
    config: Config, baseline: Mapping[str, Any], options: CallKeys | None = None
) -> Config:
    """Validate what hooks changed: every key of ``config`` whose value is not the one in
    ``baseline`` (a configuration validated before) is checked as ``create()`` checks it, with
    the same messages; unknown keys are refused. Keys ``baseline`` has and ``config`` lacks (a
    hook returned a new, partial dict) are taken from ``baseline``. Returns ``config``."""
    for key in _changed(config, baseline):
        value = config[key]
        if key == "attempt" or (isinstance(key, str) and key.startswith(INTERNAL_PREFIX)):
            continue
        if key == "headers" and type(value) is HeaderDict:
            # every attempt copies its headers, so they always differ from the baseline; each
            # header is checked where it is sent (``_wire_headers``), with the same message
            continue
        checked = _check(key, value, per_call=True, options=options)
        if key == "headers":
            if not isinstance(value, HeaderDict):
                config[key] = _merge_headers({}, checked)
        elif checked is not value:
            config[key] = checked
    if len(config) < len(baseline):
        for key, value in baseline.items():
            config.setdefault(key, value)
    return config


def _changed(config: Config, baseline: Mapping[str, Any]) -> list[str]:
    """The keys of ``config`` whose value is not (``is not``) the one in ``baseline``, or that
    ``baseline`` lacks. Where ``config`` kept ``baseline``'s keys in order (a hook changed values
    in place, or added keys after them: the usual case) the values are compared pairwise
    without a Python-level loop; this runs up to three times per call with hooks (after the
    request interceptors, and at the leaf of each middleware scope)."""
    keys = list(config)
    size = len(baseline)
    if len(keys) >= size and (keys if len(keys) == size else keys[:size]) == list(baseline):
        changed = list(compress(keys, map(is_not, config.values(), baseline.values())))
        if len(keys) > size:
            changed += keys[size:]
        return changed
    known = baseline.get
    return [key for key, value in config.items() if known(key, _MISSING) is not value]


_MISSING: Any = object()
