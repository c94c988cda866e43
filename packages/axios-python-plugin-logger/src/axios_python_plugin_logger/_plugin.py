"""LoggerPlugin: one line when a request goes out, one when its answer comes back."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from time import perf_counter
from typing import Any
from urllib.parse import urlencode

from axios_python import (
    AsyncNext,
    AxiosPython,
    Config,
    Dual,
    Response,
    Secrets,
    SyncNext,
    call_state,
    check_header_name,
    display_url,
    log_level_repr,
    parse_log_level,
)
from axios_python.engine import httpx
from axios_python.redaction import scrub

__all__ = ["DEFAULT_LOGGER", "LoggerPlugin"]

DEFAULT_LOGGER = "axios_python.logger"

#: What the logger writes in place of a secret.
REDACTED = "[REDACTED]"


class _Call:
    """What one call has done so far: the slot the call-scope hook opens in the call's state
    (``call_state(ctx).slot``) and its attempt-scope hook finds again."""

    __slots__ = (
        "ctx", "last", "last_ctx", "last_ms", "method", "secrets", "sends", "source", "start",
        "url",
    )  # fmt: skip

    def __init__(self, ctx: Config, start: float) -> None:
        self.ctx = ctx
        self.secrets: Secrets = call_state(ctx).secrets  # the client's definition of secret
        self.source = (ctx["base_url"], ctx["url"], ctx["params"])  # what ``url`` shows
        self.method = ctx["method"]
        self.url = display_url(ctx, self.secrets, mask=REDACTED)
        self.start = start
        self.sends = 0
        self.last: Response | BaseException | None = None  # outcome of the latest send
        self.last_ms = 0.0
        self.last_ctx: Config | None = None  # configuration of the latest send

    def values(self) -> set[str]:
        """The secret values the call carries (its configuration and its latest attempt's,
        where attempt middleware may have added a credential), to scrub from free text."""
        found = self.secrets.secret_values(self.ctx)
        if self.last_ctx is not None:
            found |= self.secrets.secret_values(self.last_ctx)
        return found

    def preview(
        self, raw: str | bytes, content_type: str | None, limit: int, values: set[str]
    ) -> str:
        """A body preview that shows no secret: the core's redaction, with the call's secret
        values scrubbed from what it shows (an echoed body holds them in plain strings)."""
        secrets = self.secrets
        return secrets.redact_body(raw, content_type, limit=limit, mask=REDACTED, values=values)


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


def _names(values: Iterable[str], option: str, header: bool) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{option} must be a list of names such as ['X-Tenant'], got {values!r}")
    names = tuple(values)
    for name in names:
        if header:
            check_header_name(name, f"each name in {option}")
        elif not isinstance(name, str) or not name.strip():
            raise ValueError(f"{option} must hold non-empty str names, got {name!r}")
    return names


class LoggerPlugin:
    """Logs every request of a client through the standard ``logging`` module.

    ::

        api.plugin(LoggerPlugin(level=logging.INFO))
        api.plugin(LoggerPlugin(logger=logging.getLogger("github_client")))

    A call logs ``--> GET https://host/path`` when it goes out and
    ``<-- 200 OK https://host/path (1,204 bytes, 83ms)`` when its response comes back; a retried
    or re-sent request adds a line per failed attempt; a failed call logs its error. Every record
    carries ``method``, ``url``, ``status``, ``duration_ms``, ``attempt`` and ``bytes`` as
    attributes (``extra``) for structured handlers. Headers and bodies are off by default. What
    is secret is the client's definition (``client.secrets``: the core's names plus those
    plugins registered); secrets show as ``[REDACTED]`` in URLs, headers, bodies and messages.
    When the level is disabled the plugin formats nothing.
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
        ``redact_headers`` / ``redact_params`` are registered as secret on each client the
        plugin attaches to (``client.secrets.register``), for every component of that client."""
        self.level = parse_log_level(level, "level")
        self._error_level_given = error_level is not None
        self.error_level = (
            max(self.level, logging.WARNING)
            if error_level is None
            else parse_log_level(error_level, "error_level")
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
        self.redact_headers = _names(redact_headers, "redact_headers", header=True)
        self.redact_params = _names(redact_params, "redact_params", header=False)

    def attach(self, client: AxiosPython) -> None:
        """Register the extra secret names on the client, then the call-scope (summary) and
        attempt-scope (per request sent) hooks. The client undoes all three on removal."""
        if self.redact_headers or self.redact_params:
            client.secrets.register(headers=self.redact_headers, params=self.redact_params)
        client.use(Dual(sync=self._call_sync, async_=self._call_async), validated=True)
        client.use(
            Dual(sync=self._attempt_sync, async_=self._attempt_async),
            scope="attempt",
            validated=True,  # both pass ctx on as they got it
        )

    def __repr__(self) -> str:
        options = [
            f"level={log_level_repr(self.level)}",
            f"logger={self.logger.name!r}",
            f"log_headers={self.log_headers}",
            f"log_bodies={self.log_bodies}",
        ]
        if self.max_body_bytes != 1024:
            options.append(f"max_body_bytes={self.max_body_bytes}")
        if self.redact_headers:
            options.append(f"redact_headers={list(self.redact_headers)!r}")
        if self.redact_params:
            options.append(f"redact_params={list(self.redact_params)!r}")
        if self._error_level_given:
            options.append(f"error_level={log_level_repr(self.error_level)}")
        return f"LoggerPlugin({', '.join(options)})"

    # -- hooks --------------------------------------------------------------------------------

    def _begin(self, ctx: Config) -> _Call:
        return call_state(ctx).slot(self, lambda: _Call(ctx, perf_counter()))

    def _call_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        if not self.logger.isEnabledFor(self.level):
            # the level is off: no slot is opened (the attempt hooks pass through); only a
            # failure may still be logged, at error_level (inline: the quiet path stays cheap)
            start = perf_counter()
            try:
                return next_fn(ctx)
            except Exception as exc:
                if self.logger.isEnabledFor(self.error_level):
                    self._failed(_Call(ctx, start), exc)
                raise
        call = self._begin(ctx)
        try:
            response = next_fn(ctx)
        except Exception as exc:
            self._failed(call, exc)
            raise
        self._answered(call, ctx, response)
        return response

    async def _call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        if not self.logger.isEnabledFor(self.level):
            start = perf_counter()  # inline, not another coroutine: the quiet path stays cheap
            try:
                return await next_fn(ctx)
            except Exception as exc:
                if self.logger.isEnabledFor(self.error_level):
                    self._failed(_Call(ctx, start), exc)
                raise
        call = self._begin(ctx)
        try:
            response = await next_fn(ctx)
        except Exception as exc:
            self._failed(call, exc)
            raise
        self._answered(call, ctx, response)
        return response

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        call: _Call | None = call_state(ctx).peek(self)
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
        call: _Call | None = call_state(ctx).peek(self)
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
        url: str | None = None,
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
            "url": call.url if url is None else url,
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
        call.last_ctx = ctx
        base_url, url_source, params = call.source
        if ctx["url"] == url_source and ctx["params"] is params and ctx["base_url"] == base_url:
            url = call.url
        else:  # an outer attempt middleware changed the URL (e.g. a key in the query string)
            url = display_url(ctx, call.secrets, mask=REDACTED)
        suffix = f" (attempt {call.sends})" if call.sends > 1 else ""
        details: list[str] = []
        fields: dict[str, Any] = {}
        if self.log_headers:
            items = call.secrets.redact_headers(ctx["headers"], mask=REDACTED)
            details.extend(f"{name}: {value}" for name, value in items)
            fields["headers"] = dict(items)
        if self.log_bodies:
            body = self._request_body(call, ctx)
            if body is not None:
                details.append(f"body: {body}")
                fields["body"] = body
        self._emit(
            self.level,
            "--> %s %s%s",
            (call.method, url, suffix),
            call,
            url=url,
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
                    scrub(str(last), call.values(), mask=REDACTED),
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
            items = call.secrets.redact_headers(response.headers, mask=REDACTED)
            details.extend(f"{name}: {value}" for name, value in items)
            fields["headers"] = dict(items)
        if self.log_bodies:
            body = self._response_body(call, response, stream)
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

    def _failed(self, call: _Call, exc: BaseException) -> None:
        ms = (perf_counter() - call.start) * 1000
        if call.sends == 0:
            self._emit(self.level, "--> %s %s", (call.method, call.url), call, attempt=0)
        attempts = f", {call.sends} attempts" if call.sends > 1 else ""
        status = getattr(getattr(exc, "response", None), "status_code", None)
        self._emit(
            self.error_level,
            "<-- failed %s %s (%s%s): %s: %s",
            (call.method, call.url, _duration(ms), attempts, type(exc).__name__,
             scrub(str(exc), call.values(), mask=REDACTED)),
            call,
            status=status if isinstance(status, int) else None,
            duration_ms=ms,
            attempt=call.sends,
            fields={"error": type(exc).__name__},
        )  # fmt: skip

    # -- bodies -------------------------------------------------------------------------------

    def _request_body(self, call: _Call, ctx: Config) -> str | None:
        """A preview of the body ``ctx`` sends, or ``None`` when it has none."""
        data, files = ctx.get("data"), ctx.get("files")
        if files:
            count = len(files) if hasattr(files, "__len__") else "?"
            names = f", fields {sorted(map(str, data))}" if isinstance(data, Mapping) else ""
            return f"<multipart body: {count} file(s){names}>"
        content_type: str | None = ctx["headers"].get("content-type")
        raw: str | bytes
        secrets = call.secrets
        if data is not None:
            if isinstance(data, Mapping):
                form = secrets.redact_fields(dict(data), mask=REDACTED)
                raw, content_type = urlencode(form, doseq=True), "application/x-www-form-urlencoded"
            elif isinstance(data, (str, bytes)):
                raw = data
            else:
                return f"<{type(data).__name__} body>"
        elif ctx.get("json") is not None:
            try:
                raw = json.dumps(
                    secrets.redact_fields(ctx["json"], mask=REDACTED),
                    ensure_ascii=False,
                    default=str,
                )
            except (TypeError, ValueError):
                return f"<{type(ctx['json']).__name__} JSON body>"
            content_type = "application/json"
        else:
            content = ctx.get("content")
            if content is None:
                return None
            if not isinstance(content, (str, bytes)):
                return "<streamed request body>"
            raw = content
        return call.preview(raw, content_type, self.max_body_bytes, secrets.secret_values(ctx))

    def _response_body(self, call: _Call, response: Response, stream: bool) -> str:
        if stream:
            return "<streamed body, not read by the logger>"
        try:
            raw = response.content
        except httpx.ResponseNotRead:
            return "<body not read>"
        content_type = response.headers.get("content-type")
        return call.preview(raw, content_type, self.max_body_bytes, call.values())
