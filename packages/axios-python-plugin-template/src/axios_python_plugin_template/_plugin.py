"""The plugin: a request interceptor and call- and attempt-scope middleware, built on the
core's plugin toolkit (per-call state, the client's definition of secret, the display URL)."""

from __future__ import annotations

import logging
import threading

from axios_python import (
    AsyncNext,
    AxiosPython,
    Config,
    Dual,
    Response,
    SyncNext,
    call_state,
    check_header_name,
    display_url,
)

__all__ = ["TemplatePlugin"]

log = logging.getLogger("axios_python.template")


class _CallRecord:
    """What one call's hooks share (``call_state(ctx).slot(plugin, _CallRecord)``)."""

    __slots__ = ("attempts",)

    def __init__(self) -> None:
        self.attempts = 0


class TemplatePlugin:
    """Stamps ``header: value`` on every request and counts what passes through.

    ``calls`` counts calls (once per request, whatever its retries) and ``attempts`` counts
    attempts on the wire; both start at 0 and are safe to read from any thread. Each call is
    logged at DEBUG on ``axios_python.template`` with its URL (secrets masked) and the number of
    attempts it took. ``secret=True`` makes the header a credential for the client: it is then
    masked in logs and error messages and never follows a redirect to another origin.
    """

    #: The entry-point name: ``api.plugin("template")`` and ``api.remove_plugin("template")``.
    name = "template"

    def __init__(
        self, value: str = "axios-python", header: str = "X-Request-Source", *, secret: bool = False
    ) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError(f"value must be a non-empty str, got {value!r}")
        self.header = check_header_name(header, "header")
        if not isinstance(secret, bool):
            raise TypeError(f"secret must be True or False, got {secret!r}")
        self.value = value
        self.secret = secret
        self.calls = 0
        self.attempts = 0
        self._lock = threading.Lock()

    def attach(self, client: AxiosPython) -> None:
        """Register the hooks; the client records them (and the secret name) for
        ``remove_plugin`` and ``close``."""
        if self.secret:
            client.secrets.register(headers=[self.header])
        client.interceptors.request.use(self._stamp)
        client.use(Dual(sync=self._call, async_=self._call_async))
        client.use(Dual(sync=self._attempt, async_=self._attempt_async), scope="attempt")

    def __repr__(self) -> str:
        shown = "***" if self.secret else repr(self.value)
        return f"TemplatePlugin(value={shown}, header={self.header!r}, secret={self.secret})"

    # -- hooks ----------------------------------------------------------------------------

    def _stamp(self, config: Config) -> Config:
        config["headers"][self.header] = self.value
        return config

    def _bump(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def _done(self, ctx: Config) -> None:
        record = call_state(ctx).slot(self, _CallRecord)
        if log.isEnabledFor(logging.DEBUG):
            url = display_url(ctx, call_state(ctx).secrets)
            log.debug("%s %s: %d attempt(s)", ctx["method"], url, record.attempts)

    def _call(self, ctx: Config, next_fn: SyncNext) -> Response:
        self._bump("calls")
        try:
            return next_fn(ctx)
        finally:
            self._done(ctx)

    async def _call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        self._bump("calls")
        try:
            return await next_fn(ctx)
        finally:
            self._done(ctx)

    def _attempt(self, ctx: Config, next_fn: SyncNext) -> Response:
        self._bump("attempts")
        call_state(ctx).slot(self, _CallRecord).attempts += 1
        return next_fn(ctx)

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        self._bump("attempts")
        call_state(ctx).slot(self, _CallRecord).attempts += 1
        return await next_fn(ctx)
