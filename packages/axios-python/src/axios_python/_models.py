"""The Response: httpx's response plus ``data``, ``ok`` and ``config``."""

from __future__ import annotations

import copy
import json as _json
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any

import httpx

from ._exceptions import HTTPStatusError
from ._types import Config

__all__ = ["Response"]

_UNSET: Any = object()

#: Attributes ``clone`` rebuilds rather than shares (httpx internals and the parsed data).
_CLONE_SKIP = frozenset(
    {
        "status_code", "headers", "_request", "request", "stream", "_content", "_text",
        "_decoder", "is_closed", "is_stream_consumed", "_num_bytes_downloaded", "extensions",
        "history", "default_encoding", "_data", "config", "_elapsed", "next_request", "_unwatch",
    }
)  # fmt: skip


_TEXT_TYPES = ("text/", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv", "html")


def _is_binary(content_type: str, content: bytes) -> bool:
    """Whether ``data`` should stay bytes: a declared non-text type, or undeclared non-UTF-8."""
    if content_type:
        return "charset=" not in content_type and not any(t in content_type for t in _TEXT_TYPES)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class Response(httpx.Response):
    """An HTTP response.

    Everything ``httpx.Response`` offers, plus:

    * ``data``: the parsed body (JSON when the body is JSON, bytes for binary types such as
      ``application/octet-stream`` or ``image/*``, else text), settable, so response
      interceptors and ``transform_response`` can reshape it;
    * ``ok``: ``True`` for status codes below 400, the non-raising twin of ``raise_for_status()``;
    * ``config``: the configuration the request was made with.

    Middleware that short-circuits builds one by hand::

        Response(status_code=200, headers={}, data="pong", request=None)

    With ``stream=True`` the body is not read: use the response as a context manager
    (``with`` / ``async with``) and iterate it; the connection is released when the block ends.
    """

    config: Config
    _data: Any
    #: Set for a streamed response with a CancelToken: stops watching the token.
    _unwatch: Callable[[], None] | None = None

    def __init__(
        self,
        status_code: int = 200,
        *,
        headers: Any = None,
        data: Any = _UNSET,
        content: Any = None,
        text: str | None = None,
        json: Any = None,
        request: httpx.Request | None = None,
        config: Config | None = None,
        **kwargs: Any,
    ) -> None:
        if data is not _UNSET and content is None and text is None and json is None:
            if isinstance(data, (bytes, bytearray)):
                content = bytes(data)
            elif isinstance(data, str):
                text = data
            elif data is not None:
                json = data
        self._data = data
        self.config = {} if config is None else config
        super().__init__(
            status_code,
            headers=headers,
            content=content,
            text=text,
            json=json,
            request=request,
            **kwargs,
        )

    @classmethod
    def _adopt(cls, raw: httpx.Response, config: Config) -> Response:
        """Turn the transport's ``httpx.Response`` into a Response in place (no copy)."""
        raw.__class__ = cls
        response: Response = raw  # type: ignore[assignment]
        response._data = _UNSET
        response.config = config
        return response

    def clone(self) -> Response:
        """An independent copy: same status, headers, body, request and config; a deep copy of
        ``data`` when it was set or parsed. The body must have been read (not a live stream)."""
        clone = Response(
            self.status_code,
            headers=self.headers.copy(),
            content=self.content,
            request=self._request,
            config=self.config,
            extensions=dict(self.extensions),
        )
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _CLONE_SKIP})
        if self._data is not _UNSET:
            clone._data = copy.deepcopy(self._data)
        if hasattr(self, "_elapsed"):
            clone.elapsed = self.elapsed
        return clone

    @property
    def data(self) -> Any:
        """The parsed body: JSON when the body is JSON, bytes when it is binary, else text;
        settable."""
        if self._data is _UNSET:
            self._data = self._parse_body()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def _parse_body(self) -> Any:
        content = self.content
        if not content:
            return ""
        content_type = self.headers.get("content-type", "").lower()
        if "json" in content_type:
            try:
                return _json.loads(content)
            except ValueError:
                pass
        if _is_binary(content_type, content):
            return content
        return self.text

    @property
    def ok(self) -> bool:
        """``True`` when the status code is below 400."""
        return self.status_code < 400

    def raise_for_status(self) -> Response:
        """Raise ``HTTPStatusError`` for a status of 400 or more; return the response otherwise."""
        if self.ok:
            return self
        from ._call import call_state
        from ._urls import display_url

        request = self._request
        secrets = call_state(self.config).secrets
        where = (
            f" for {request.method} {display_url(request.url, secrets)}"
            if request is not None
            else ""
        )
        reason = f" {self.reason_phrase}" if self.reason_phrase else ""
        raise HTTPStatusError(
            f"HTTP {self.status_code}{reason}{where}",
            response=self,
            config=self.config,
            request=request,
        )

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Iterate over the raw body; transport errors surface as axios_python errors."""
        from ._send import translate_errors

        token = self.config.get("cancel_token")
        with translate_errors(self.config, self._request):
            for chunk in super().iter_raw(chunk_size):
                if token is not None:
                    token.raise_if_cancelled(self.config)
                yield chunk

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Iterate asynchronously over the raw body; errors surface as axios_python errors."""
        from ._send import translate_errors

        token = self.config.get("cancel_token")
        with translate_errors(self.config, self._request):
            async for chunk in super().aiter_raw(chunk_size):
                if token is not None:
                    token.raise_if_cancelled(self.config)
                yield chunk

    def close(self) -> None:
        """Close the response and release its connection."""
        self._stop_watching()
        super().close()

    async def aclose(self) -> None:
        """Close the response and release its connection (async)."""
        self._stop_watching()
        await super().aclose()

    def _stop_watching(self) -> None:
        unwatch = self._unwatch
        if unwatch is not None:
            self._unwatch = None
            unwatch()

    def __enter__(self) -> Response:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"
