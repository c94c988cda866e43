"""LoggerPlugin: one line when a request goes out, one when its answer comes back."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable
from time import perf_counter
from typing import Any

import httpx

from axios_python import AsyncNext, AxiosPython, Config, Dual, Response, SyncNext

from ._redact import Redactor, names

__all__ = ["LoggerPlugin"]

DEFAULT_LOGGER = "axios_python.logger"


class _Call:
    """What one call has done so far, shared by its call-scope and attempt-scope hooks."""

    __slots__ = ("last", "last_ms", "method", "secrets", "sends", "source", "start", "url")

    def __init__(self, ctx: Config, url: str, secrets: list[str]) -> None:
        self.source = (ctx["url"], ctx["params"])  # what ``url`` was made from
        self.method = ctx["method"]
        self.url = url
        self.secrets = secrets
        self.sends = 0
        self.last: Response | BaseException | None = None  # outcome of the latest send
        self.last_ms = 0.0
        self.start = perf_counter()


#: The calls in progress in this context, by plugin (several LoggerPlugins may share a client).
_CURRENT: contextvars.ContextVar[dict[int, _Call]] = contextvars.ContextVar(
    "axios_python_logger_calls"
)
_NONE: dict[int, _Call] = {}


def _level(value: Any, what: str) -> int:
    if isinstance(value, str):
        number = logging.getLevelName(value.upper())
        if isinstance(number, int):
            return number
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(
        f"{what} must be a logging level such as logging.INFO or 'DEBUG', got {value!r}"
    )


def _duration(ms: float) -> str:
    return f"{ms:.1f}ms" if ms < 10 else f"{ms:,.0f}ms"


def _size(response: Response, stream: bool) -> int | None:
    if not stream:
        try:
            return len(response.content)
        except httpx.ResponseNotRead:
            pass
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


class LoggerPlugin:
    """Logs every request of a client through the standard ``logging`` module.

    ::

        api.plugin(LoggerPlugin(level=logging.INFO))
        api.plugin(LoggerPlugin(logger=logging.getLogger("github_client")))

    A call logs ``--> GET https://host/path`` when it goes out and
    ``<-- 200 OK https://host/path (1,204 bytes, 83ms)`` when its response comes back; a retried
    or re-sent request adds a line per failed attempt; a failed call logs its error. Every record
    carries ``method``, ``url``, ``status``, ``duration_ms``, ``attempt`` and ``bytes`` as
    attributes (``extra``) for structured handlers. Headers and bodies are off by default; when
    on, credentials are redacted, as are secrets in query strings. When the level is disabled
    the plugin formats nothing.
    """

    name = "logger"

    def __init__(
        self,
        level: int | str = logging.INFO,
        logger: logging.Logger | logging.LoggerAdapter[Any] | str | None = None,
        *,
        log_headers: bool = False,
        log_bodies: bool = False,
        max_body_bytes: int = 1024,
        redact_headers: Iterable[str] = (),
        redact_params: Iterable[str] = (),
        error_level: int | str | None = None,
    ) -> None:
        """``level`` is the level of the request and response lines; failures and retries use
        ``error_level`` (default: ``level``, at least WARNING). ``logger`` is a Logger, a
        LoggerAdapter or a logger name (default ``"axios_python.logger"``).
        ``redact_headers`` / ``redact_params`` add names to the built-in redaction lists."""
        self.level = _level(level, "level")
        self.error_level = (
            max(self.level, logging.WARNING)
            if error_level is None
            else _level(error_level, "error_level")
        )
        self._extra: dict[str, Any] = {}
        if logger is None:
            logger = logging.getLogger(DEFAULT_LOGGER)
        elif isinstance(logger, str):
            logger = logging.getLogger(logger)
        elif isinstance(logger, logging.LoggerAdapter):
            self._extra = dict(logger.extra or {})
            logger = logger.logger
        if not isinstance(logger, logging.Logger):
            raise TypeError(
                "logger must be a logging.Logger, a logging.LoggerAdapter or a logger name, "
                f"got {logger!r}"
            )
        self.logger = logger
        for option, value in (("log_headers", log_headers), ("log_bodies", log_bodies)):
            if not isinstance(value, bool):
                raise TypeError(f"{option} must be True or False, got {value!r}")
        self.log_headers = log_headers
        self.log_bodies = log_bodies
        if (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or max_body_bytes < 0
        ):
            raise ValueError(f"max_body_bytes must be an integer >= 0, got {max_body_bytes!r}")
        self.max_body_bytes = max_body_bytes
        self._redactor = Redactor(
            names(redact_headers, "redact_headers"), names(redact_params, "redact_params")
        )

    def attach(self, client: AxiosPython) -> None:
        """Register the call-scope (summary) and attempt-scope (per request sent) hooks."""
        client.use(Dual(sync=self._call_sync, async_=self._call_async))
        client.use(Dual(sync=self._attempt_sync, async_=self._attempt_async), scope="attempt")

    def __repr__(self) -> str:
        return (
            f"LoggerPlugin(level={logging.getLevelName(self.level)}, "
            f"logger={self.logger.name!r}, log_headers={self.log_headers}, "
            f"log_bodies={self.log_bodies})"
        )

    # -- hooks --------------------------------------------------------------------------------

    def _begin(self, ctx: Config) -> tuple[_Call, contextvars.Token[dict[int, _Call]]]:
        url = httpx.URL(ctx["url"])
        if ctx["params"]:
            url = url.copy_merge_params(httpx.QueryParams(ctx["params"]))
        shown, secrets = self._redactor.url(url)
        call = _Call(ctx, shown, secrets)
        return call, _CURRENT.set({**_CURRENT.get(_NONE), id(self): call})

    def _call_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        if not self.logger.isEnabledFor(self.level):
            return self._quiet_sync(ctx, next_fn)
        call, token = self._begin(ctx)
        try:
            response = next_fn(ctx)
        except Exception as exc:
            self._failed(call, ctx, exc)
            raise
        finally:
            _CURRENT.reset(token)
        self._answered(call, ctx, response)
        return response

    async def _call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        if not self.logger.isEnabledFor(self.level):
            start = perf_counter()  # inline, not another coroutine: the quiet path stays cheap
            try:
                return await next_fn(ctx)
            except Exception as exc:
                if self.logger.isEnabledFor(self.error_level):
                    self._quiet_failure(ctx, exc, start)
                raise
        call, token = self._begin(ctx)
        try:
            response = await next_fn(ctx)
        except Exception as exc:
            self._failed(call, ctx, exc)
            raise
        finally:
            _CURRENT.reset(token)
        self._answered(call, ctx, response)
        return response

    def _quiet_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        # the level is off: only a failure may still be logged, at error_level
        start = perf_counter()
        try:
            return next_fn(ctx)
        except Exception as exc:
            if self.logger.isEnabledFor(self.error_level):
                self._quiet_failure(ctx, exc, start)
            raise

    def _quiet_failure(self, ctx: Config, exc: Exception, start: float) -> None:
        call, token = self._begin(ctx)
        _CURRENT.reset(token)
        call.start = start
        self._failed(call, ctx, exc)

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        call = _CURRENT.get(_NONE).get(id(self))
        if call is None:
            return next_fn(ctx)
        self._sending(call, ctx)
        start = perf_counter()
        try:
            response = next_fn(ctx)
        except BaseException as exc:
            call.last, call.last_ms = exc, (perf_counter() - start) * 1000
            raise
        call.last, call.last_ms = response, (perf_counter() - start) * 1000
        return response

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        call = _CURRENT.get(_NONE).get(id(self))
        if call is None:
            return await next_fn(ctx)
        self._sending(call, ctx)
        start = perf_counter()
        try:
            response = await next_fn(ctx)
        except BaseException as exc:
            call.last, call.last_ms = exc, (perf_counter() - start) * 1000
            raise
        call.last, call.last_ms = response, (perf_counter() - start) * 1000
        return response

    # -- lines --------------------------------------------------------------------------------

    def _emit(
        self,
        level: int,
        message: str,
        args: tuple[Any, ...],
        call: _Call,
        *,
        status: int | None = None,
        duration_ms: float | None = None,
        attempt: int | None = None,
        size: int | None = None,
        details: list[str] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        extra = {
            **self._extra,
            "method": call.method,
            "url": call.url,
            "status": status,
            "duration_ms": None if duration_ms is None else round(duration_ms, 3),
            "attempt": attempt,
            "bytes": size,
        }
        if fields:
            extra.update(fields)
        if details:
            message += "%s"
            args = (*args, "".join(f"\n    {line}" for line in details))
        self.logger.log(level, message, *args, extra=extra)

    def _sending(self, call: _Call, ctx: Config) -> None:
        """Before each request sent: the line for a previous failed send, then ``-->``."""
        if call.last is not None:
            self._resend_line(call, ctx)
        call.sends += 1
        url_source, params = call.source
        if ctx["url"] == url_source and ctx["params"] is params:
            url = call.url
        else:  # an outer attempt middleware changed the URL (e.g. a key in the query string)
            attempt_url = httpx.URL(ctx["url"])
            if ctx["params"]:
                attempt_url = attempt_url.copy_merge_params(httpx.QueryParams(ctx["params"]))
            url, secrets = self._redactor.url(attempt_url)
            call.secrets = list({*call.secrets, *secrets})
        suffix = f" (attempt {call.sends})" if call.sends > 1 else ""
        details: list[str] = []
        fields: dict[str, Any] = {}
        if self.log_headers:
            items = self._redactor.header_items(ctx["headers"])
            details.extend(f"{name}: {value}" for name, value in items)
            fields["headers"] = dict(items)
        if self.log_bodies:
            body = self._redactor.request_body(ctx, self.max_body_bytes)
            if body is not None:
                details.append(f"body: {body}")
                fields["body"] = body
        self._emit(
            self.level,
            "--> %s %s%s",
            (call.method, url, suffix),
            call,
            attempt=call.sends,
            details=details,
            fields=fields,
        )

    def _resend_line(self, call: _Call, ctx: Config) -> None:
        last = call.last
        number = call.sends
        if isinstance(last, Response):
            size = _size(last, ctx["stream"])
            self._emit(
                self.error_level,
                "<-- %s %s %s (attempt %d, %s): sending again",
                (last.status_code, last.reason_phrase, call.url, number, _duration(call.last_ms)),
                call,
                status=last.status_code,
                duration_ms=call.last_ms,
                attempt=number,
                size=size,
            )
        elif last is not None:
            self._emit(
                self.error_level,
                "<-- failed %s %s (attempt %d, %s): %s: %s; retrying",
                (
                    call.method,
                    call.url,
                    number,
                    _duration(call.last_ms),
                    type(last).__name__,
                    self._redactor.scrub(str(last), call.secrets),
                ),
                call,
                duration_ms=call.last_ms,
                attempt=number,
                fields={"error": type(last).__name__},
            )
        call.last = None

    def _answered(self, call: _Call, ctx: Config, response: Response) -> None:
        ms = (perf_counter() - call.start) * 1000
        if call.sends == 0:  # answered without a request (cache hit, mock): still one pair
            self._emit(self.level, "--> %s %s", (call.method, call.url), call, attempt=0)
        stream = bool(ctx["stream"])
        size = _size(response, stream)
        shown_size = "streamed" if size is None else f"{size:,} bytes"
        attempts = f", {call.sends} attempts" if call.sends > 1 else ""
        details: list[str] = []
        fields: dict[str, Any] = {}
        if self.log_headers:
            items = self._redactor.header_items(response.headers)
            details.extend(f"{name}: {value}" for name, value in items)
            fields["headers"] = dict(items)
        if self.log_bodies:
            body = self._response_body(response, stream)
            details.append(f"body: {body}")
            fields["body"] = body
        self._emit(
            self.level,
            "<-- %s %s %s (%s, %s%s)",
            (response.status_code, response.reason_phrase, call.url, shown_size, _duration(ms),
             attempts),
            call,
            status=response.status_code,
            duration_ms=ms,
            attempt=call.sends,
            size=size,
            details=details,
            fields=fields,
        )  # fmt: skip

    def _response_body(self, response: Response, stream: bool) -> str:
        if stream:
            return "<streamed body, not read by the logger>"
        try:
            raw = response.content
        except httpx.ResponseNotRead:
            return "<body not read>"
        return self._redactor.text(raw, self.max_body_bytes, response.headers.get("content-type"))

    def _failed(self, call: _Call, ctx: Config, exc: BaseException) -> None:
        ms = (perf_counter() - call.start) * 1000
        if call.sends == 0:
            self._emit(self.level, "--> %s %s", (call.method, call.url), call, attempt=0)
        attempts = f", {call.sends} attempts" if call.sends > 1 else ""
        status = getattr(getattr(exc, "response", None), "status_code", None)
        self._emit(
            self.error_level,
            "<-- failed %s %s (%s%s): %s: %s",
            (call.method, call.url, _duration(ms), attempts, type(exc).__name__,
             self._redactor.scrub(str(exc), call.secrets)),
            call,
            status=status if isinstance(status, int) else None,
            duration_ms=ms,
            attempt=call.sends,
            fields={"error": type(exc).__name__},
        )  # fmt: skip
