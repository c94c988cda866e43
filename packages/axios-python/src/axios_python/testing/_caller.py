"""One test body, both paths: a ``Caller`` sends requests through an instance either
synchronously or asynchronously."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import axios_python

if TYPE_CHECKING:
    import asyncio

__all__ = ["Caller"]

T = TypeVar("T")


class Caller:
    """Sends requests through ``api`` on one path: ``mode`` is ``"sync"`` (``api.get``) or
    ``"async"`` (``await api.async_get``, on an event loop the caller owns, so one plain test
    function serves both paths).

    ::

        def test_stamps_every_request(make_caller):        # runs twice: sync and async
            call = make_caller({"plugins": [MyPlugin()]})
            assert call.get("/echo").data["headers"]["x-mine"] == "1"
    """

    def __init__(self, mode: str, api: axios_python.AxiosPython) -> None:
        if mode not in ("sync", "async"):
            raise ValueError(f"mode must be 'sync' or 'async', got {mode!r}")
        self.mode = mode
        self.api = api
        self.loop: asyncio.AbstractEventLoop | None = None
        if mode == "async":
            import asyncio

            self.loop = asyncio.new_event_loop()

    @property
    def is_async(self) -> bool:
        """Whether requests go through the async methods."""
        return self.loop is not None

    def __call__(
        self, method: str, url: str | None = None, **options: Any
    ) -> axios_python.Response:
        """Send a request with ``method``; ``options`` as for ``api.request``."""
        if self.loop is None:
            return self.api.request(method, url, **options)
        return self.loop.run_until_complete(self.api.async_request(method, url, **options))

    def get(self, url: str | None = None, **options: Any) -> axios_python.Response:
        """A GET on this caller's path."""
        return self("GET", url, **options)

    def post(self, url: str | None = None, **options: Any) -> axios_python.Response:
        """A POST on this caller's path."""
        return self("POST", url, **options)

    def put(self, url: str | None = None, **options: Any) -> axios_python.Response:
        """A PUT on this caller's path."""
        return self("PUT", url, **options)

    def delete(self, url: str | None = None, **options: Any) -> axios_python.Response:
        """A DELETE on this caller's path."""
        return self("DELETE", url, **options)

    def read(self, response: axios_python.Response) -> bytes:
        """Read a streamed response's body on this caller's path (``read`` or ``aread``)."""
        if self.loop is None:
            return response.read()
        return self.loop.run_until_complete(response.aread())

    def close_response(self, response: axios_python.Response) -> None:
        """Close a streamed response on this caller's path (``close`` or ``aclose``)."""
        if self.loop is None:
            response.close()
        else:
            self.loop.run_until_complete(response.aclose())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this caller's loop (async mode only)."""
        if self.loop is None:
            coro.close()
            raise RuntimeError("Caller.run() needs an async caller")
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        """Close the instance on this caller's path (and the caller's loop)."""
        if self.loop is None:
            self.api.close()
            return
        self.loop.run_until_complete(self.api.aclose())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def __repr__(self) -> str:
        return f"<Caller {self.mode} {self.api!r}>"
