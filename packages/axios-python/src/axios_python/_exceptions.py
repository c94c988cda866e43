"""The exception hierarchy: every error the client raises derives from AxiosPythonError."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._engine import httpx
    from ._models import Response

__all__ = [
    "AxiosPythonError",
    "CancelError",
    "ConfigError",
    "ContentTooLarge",
    "DecodingError",
    "HTTPStatusError",
    "IncompatiblePluginError",
    "InterceptorError",
    "NetworkError",
    "PluginError",
    "PluginLoadError",
    "RetryError",
    "TimeoutError",
    "TooManyRedirects",
    "TransformError",
    "UnknownPluginError",
]


#: Config keys whose values are shown only as a summary in an error's config: they may carry
#: credentials that no definition of secret can pick out (a password in ``auth``, a body).
_SUMMARISED = frozenset({"auth", "cookies", "data", "json", "content", "files", "cert"})
#: Config keys that hold URLs (userinfo and secret query values masked).
_URL_KEYS = frozenset({"url", "base_url", "proxy"})


class ShownConfig(dict):  # type: ignore[type-arg]
    """The configuration an error carries: a plain ``dict`` whose ``repr`` (and ``str``) never
    shows a secret, so logging ``error.config`` is safe. Credential headers, secret query
    parameters and URL userinfo are masked by the call's definition of secret
    (``client.secrets``); ``auth``, cookies and bodies are summarised. Reading a key gives the
    real value."""

    def __repr__(self) -> str:
        from ._call import CALL_KEY, call_state
        from ._secrets import MASK

        secrets = call_state(self).secrets
        shown: dict[str, Any] = {}
        for key, value in self.items():
            if key == CALL_KEY:
                continue
            if value is None:
                shown[key] = None
            elif key == "headers":
                shown[key] = dict(secrets.redact_headers(value))
            elif key == "params":
                shown[key] = secrets.redact_fields(value)
            elif key in _URL_KEYS:
                shown[key] = secrets.redact_url(value)
            elif key in _SUMMARISED:
                shown[key] = MASK if key in ("auth", "cookies", "cert") else _summary(value)
            else:
                shown[key] = value
        return repr(shown)

    __str__ = __repr__


def _summary(body: Any) -> str:
    size = len(body) if isinstance(body, (bytes, str)) else None
    kind = type(body).__name__
    return f"<{kind}, {size} long>" if size is not None else f"<{kind}>"


class AxiosPythonError(Exception):
    """Base class of every error raised by axios_python.

    ``config`` is the request configuration the failing call was made with (``None`` when the
    error happened before a configuration existed) and ``request`` the ``httpx.Request`` that was
    sent, when one was.
    """

    def __init__(
        self,
        message: str,
        *,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The failing call's configuration (a ``ShownConfig``: safe to log).
        self.config = ShownConfig(config) if type(config) is dict else config
        self.request = request

    def __str__(self) -> str:
        return self.message


class ConfigError(AxiosPythonError, ValueError):
    """A configuration key or value is not accepted; the message names both and what is."""


class NetworkError(AxiosPythonError):
    """The request could not be sent or its response could not be received (connection refused,
    reset, dropped, protocol violation)."""


class TooManyRedirects(NetworkError):
    """More redirects than allowed were followed."""


class DecodingError(AxiosPythonError):
    """The response body could not be decoded (bad content encoding)."""


class TimeoutError(AxiosPythonError, builtins.TimeoutError):
    """A connect, read, write or pool timeout expired. Also a builtin ``TimeoutError``."""


class CancelError(AxiosPythonError):
    """The request was cancelled through its ``CancelToken``; ``reason`` says why."""

    def __init__(
        self,
        reason: str,
        *,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(reason, config=config, request=request)
        self.reason = reason


class RetryError(AxiosPythonError):
    """Every allowed attempt failed. ``last_exception`` (also ``__cause__``) is the final error,
    ``attempts`` how many attempts were made."""

    def __init__(
        self,
        message: str,
        *,
        last_exception: BaseException,
        attempts: int,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, config=config, request=request)
        self.last_exception = last_exception
        self.attempts = attempts


class ContentTooLarge(AxiosPythonError):
    """A body is larger than its limit: a response body after decoding (``max_content_length``)
    or a request body (``max_body_length``). ``key`` names the config key, ``limit`` its value in
    bytes. The connection the body was travelling on is closed, never reused."""

    def __init__(
        self,
        message: str,
        *,
        key: str,
        limit: int,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, config=config, request=request)
        self.key = key
        self.limit = limit


class TransformError(AxiosPythonError):
    """A ``transform_request`` or ``transform_response`` function raised an exception that is
    not an AxiosPythonError; the message names the function, the original is ``__cause__`` and
    ``original``. ``response`` is the response being transformed (``None`` for a request
    transform). Never retried: the response was received."""

    def __init__(
        self,
        message: str,
        *,
        original: BaseException,
        response: Response | None = None,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, config=config, request=request)
        self.original = original
        self.response = response


class InterceptorError(AxiosPythonError):
    """An interceptor raised an exception that is not an AxiosPythonError; the original is
    ``__cause__`` and ``original``."""

    def __init__(
        self,
        message: str,
        *,
        original: BaseException,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, config=config, request=request)
        self.original = original


class HTTPStatusError(AxiosPythonError):
    """The response status was rejected (``raise_for_status()`` or ``validate_status``)."""

    def __init__(
        self,
        message: str,
        *,
        response: Response,
        config: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, config=config, request=request)
        self.response = response
        shown = self.config
        if shown is not None and getattr(response, "config", None) is config:
            response.config = shown  # one object for both, safe to log from either

    @property
    def status_code(self) -> int:
        """The rejected response's status code."""
        return self.response.status_code


class PluginError(AxiosPythonError):
    """A plugin could not be found, loaded or attached."""


class UnknownPluginError(PluginError, LookupError):
    """No installed plugin has that name (the message lists the installed ones), or no plugin
    attached to the client has it (``remove_plugin``; the message lists the attached ones)."""


class PluginLoadError(PluginError, ImportError):
    """An installed plugin failed to load; the message names its distribution, entry point and
    the cause (``__cause__``)."""


class IncompatiblePluginError(PluginLoadError):
    """The plugin was built for another version of axios-python; the message names both."""
