"""Module-level helpers: ``create``, a lazily created default instance and its methods,
``all`` and ``spread``."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ._client import AxiosPython
from ._engine import httpx
from ._models import Response
from ._types import RequestOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "all",
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
    "spread",
]

T = TypeVar("T")
R = TypeVar("R")

_default: AxiosPython | None = None
_default_lock = threading.Lock()


def create(config: Mapping[str, Any] | None = None, *, autoload: bool = True) -> AxiosPython:
    """Create a configured instance; every key can still be overridden on each call.

    ::

        api = axios_python.create({"base_url": "https://api.example.com", "timeout": 5.0})

    ``autoload=False`` skips process-wide plugins and hooks (``AXIOS_PYTHON_PLUGINS``): use it
    for clients a plugin creates for itself.
    """
    return AxiosPython(config, autoload=autoload)


def default_instance() -> AxiosPython:
    """The instance behind ``axios_python.get(...)`` and friends, created on first use."""
    global _default
    if _default is None or _default.is_closed:
        with _default_lock:
            if _default is None or _default.is_closed:
                _default = AxiosPython()
    return _default


def request(
    method: str, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a request with any method with the module's default instance."""
    return default_instance().request(method, url, **options)


async def async_request(
    method: str, url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a request with any method from async code with the module's default instance."""
    return await default_instance().async_request(method, url, **options)


def get(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a GET request with the module's default instance."""
    return default_instance().get(url, **options)


async def async_get(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a GET request from async code with the module's default instance."""
    return await default_instance().async_get(url, **options)


def post(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a POST request with the module's default instance."""
    return default_instance().post(url, **options)


async def async_post(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a POST request from async code with the module's default instance."""
    return await default_instance().async_post(url, **options)


def put(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a PUT request with the module's default instance."""
    return default_instance().put(url, **options)


async def async_put(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a PUT request from async code with the module's default instance."""
    return await default_instance().async_put(url, **options)


def patch(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a PATCH request with the module's default instance."""
    return default_instance().patch(url, **options)


async def async_patch(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a PATCH request from async code with the module's default instance."""
    return await default_instance().async_patch(url, **options)


def delete(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a DELETE request with the module's default instance."""
    return default_instance().delete(url, **options)


async def async_delete(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a DELETE request from async code with the module's default instance."""
    return await default_instance().async_delete(url, **options)


def head(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a HEAD request with the module's default instance."""
    return default_instance().head(url, **options)


async def async_head(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a HEAD request from async code with the module's default instance."""
    return await default_instance().async_head(url, **options)


def options(url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]) -> Response:
    """Send a OPTIONS request with the module's default instance."""
    return default_instance().options(url, **options)


async def async_options(
    url: str | httpx.URL | None = None, /, **options: Unpack[RequestOptions]
) -> Response:
    """Send a OPTIONS request from async code with the module's default instance."""
    return await default_instance().async_options(url, **options)


async def all(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Await every call concurrently and return their results in order (like ``Promise.all``);
    the first failure is raised and the calls still running are cancelled."""
    import asyncio

    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def spread(callback: Callable[..., R]) -> Callable[[Sequence[Any]], R]:
    """Turn ``callback(a, b, c)`` into a function of one list ``[a, b, c]`` (``all()``'s result)."""

    def spread_call(results: Sequence[Any]) -> R:
        return callback(*results)

    return spread_call
