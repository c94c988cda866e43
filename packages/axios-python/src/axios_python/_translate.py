"""What an httpx (or transport) error becomes: the axios_python error that stands for it, its
message scrubbed of the call's secret values and naming the redacted URL. Used where the
request is sent (``_send.py``) and where a response body is read (``_models.py``)."""

from __future__ import annotations

from ._call import call_state
from ._engine import httpx
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    DecodingError,
    NetworkError,
    TimeoutError,
    TooManyRedirects,
)
from ._secrets import scrub
from ._types import Config
from ._urls import display_url

__all__ = ["HTTPX_ERRORS", "send_error", "translate_error", "translate_errors"]


def translate_error(
    exc: BaseException, config: Config | None, request: httpx.Request | None
) -> AxiosPythonError:
    """The axios_python error that stands for an httpx (or transport) error."""
    token = config.get("cancel_token") if config else None
    if token is not None and token.cancelled:
        return CancelError(token.reason or "Request cancelled", config=config, request=request)
    secrets = call_state(config).secrets
    message = str(exc) or type(exc).__name__
    if config is not None:
        message = scrub(message, secrets.secret_values(config))
    if request is not None and isinstance(exc, httpx.HTTPError):
        message = f"{message} ({request.method} {display_url(request.url, secrets)})"
    error: AxiosPythonError
    if isinstance(exc, httpx.TimeoutException):
        error = TimeoutError(message, config=config, request=request)
    elif isinstance(exc, httpx.TooManyRedirects):
        error = TooManyRedirects(message, config=config, request=request)
    elif isinstance(exc, httpx.DecodingError):
        error = DecodingError(message, config=config, request=request)
    elif isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        error = ConfigError(message, config=config, request=request)
    else:
        error = NetworkError(message, config=config, request=request)
    error.__cause__ = exc
    return error


HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


def send_error(exc: BaseException) -> bool:
    """Whether sending raised ``exc`` as a failure of the request: an httpx error, or h11's
    ``LocalProtocolError``, which httpcore lets out when a body does not match its declared
    Content-Length (recognised by name: h11 is imported only when a connection is made)."""
    if isinstance(exc, HTTPX_ERRORS):
        return True
    kind = type(exc)
    return kind.__name__ == "LocalProtocolError" and kind.__module__.startswith("h11")


class translate_errors:
    """Re-raise httpx errors raised inside the block as axios_python errors. A class rather
    than a ``contextmanager`` generator: every response body is read inside one."""

    __slots__ = ("_config", "_request")

    def __init__(self, config: Config | None, request: httpx.Request | None) -> None:
        self._config = config
        self._request = request

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if isinstance(exc, HTTPX_ERRORS):
            raise translate_error(exc, self._config, self._request) from exc
