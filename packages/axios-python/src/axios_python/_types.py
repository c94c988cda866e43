"""Type aliases and the typed shape of a request configuration."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from ._engine import httpx

if TYPE_CHECKING:
    from ._cancel import CancelToken
    from ._models import Response
    from ._retry import RetryStrategy

__all__ = [
    "AsyncNext",
    "Config",
    "Middleware",
    "RequestOptions",
    "SyncNext",
]

#: A request configuration: the instance defaults merged with the per-call options.
Config = dict[str, Any]

#: The ``next_fn`` a synchronous middleware receives.
SyncNext = Callable[[Config], "Response"]
#: The ``next_fn`` an asynchronous middleware receives.
AsyncNext = Callable[[Config], Awaitable["Response"]]
#: A middleware: ``fn(ctx, next_fn)``, plain or ``async def``, or a ``Dual`` of both.
Middleware = Any

HeaderValues = Mapping[str, str | bytes | None]


class RequestOptions(TypedDict, total=False):
    """Every configuration key, as accepted by ``create()`` and by each call."""

    base_url: str | httpx.URL | None
    method: str
    url: str | httpx.URL
    headers: HeaderValues
    params: Mapping[str, Any] | Sequence[tuple[str, Any]] | str | None
    data: Any
    json: Any
    files: Any
    content: str | bytes | Iterable[bytes] | AsyncIterable[bytes] | None
    stream: bool
    timeout: float | httpx.Timeout | None
    deadline: float | None
    idempotency_key: bool | str | None
    allow_absolute_urls: bool
    max_content_length: int | None
    max_body_length: int | None
    retry_body_limit: int
    follow_redirects: bool
    transform_request: Callable[..., Any] | Sequence[Callable[..., Any]]
    transform_response: Callable[..., Any] | Sequence[Callable[..., Any]]
    max_retries: int
    retry_strategy: RetryStrategy | None
    retry_on: Callable[[BaseException], bool] | None
    retry_methods: Iterable[str]
    cancel_token: CancelToken | None
    extensions: Mapping[str, Any] | None
    validate_status: Callable[[int], bool] | None
    auth: tuple[str, str] | httpx.Auth | None
    cookies: Mapping[str, str] | httpx.Cookies | None
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
    limits: httpx.Limits | None
    verify: bool | str | ssl.SSLContext
    cert: str | tuple[str, str] | tuple[str, str, str] | None
    proxy: str | httpx.URL | httpx.Proxy | None
    trust_env: bool
    plugins: Any
    # per-call keys of first-party plugins (registered with ``client.call_keys`` by the plugin,
    # refused when it is not attached); typed here so that ``api.get(url, cache=False)`` checks
    #: the cache plugins: ``False`` bypasses, ``"refresh"`` revalidates, a number is a ttl
    cache: bool | float | str
