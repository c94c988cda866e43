"""The plugin: a request interceptor and a middleware offered in both forms."""

from __future__ import annotations

import threading

from axios_python import AsyncNext, AxiosPython, Config, Dual, Response, SyncNext

__all__ = ["TemplatePlugin"]


class TemplatePlugin:
    """Stamps ``header: value`` on every request and counts what passes through.

    ``calls`` counts calls (once per request, whatever its retries) and ``attempts`` counts
    attempts on the wire; both start at 0 and are safe to read from any thread.
    """

    #: The entry-point name: ``api.plugin("template")`` and ``api.remove_plugin("template")``.
    name = "template"

    def __init__(self, value: str = "axios-python", header: str = "X-Request-Source") -> None:
        if not isinstance(value, str) or not value:
            raise ValueError(f"value must be a non-empty str, got {value!r}")
        if not isinstance(header, str) or not header or ":" in header:
            raise ValueError(f"header must be a header name such as 'X-Source', got {header!r}")
        self.value = value
        self.header = header
        self.calls = 0
        self.attempts = 0
        self._lock = threading.Lock()

    def attach(self, client: AxiosPython) -> None:
        """Register the hooks; the client records them for ``remove_plugin`` and ``close``."""
        client.interceptors.request.use(self._stamp)
        client.use(Dual(sync=self._count_call, async_=self._count_call_async))
        per_attempt = Dual(sync=self._count_attempt, async_=self._count_attempt_async)
        client.use(per_attempt, scope="attempt")

    def uninstall(self, client: AxiosPython) -> None:
        """Release resources (this sample holds none; the counters are kept for inspection)."""

    def __repr__(self) -> str:
        return f"TemplatePlugin(header={self.header!r}, value={self.value!r})"

    # -- hooks ----------------------------------------------------------------------------

    def _stamp(self, config: Config) -> Config:
        config["headers"][self.header] = self.value
        return config

    def _bump(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def _count_call(self, ctx: Config, next_fn: SyncNext) -> Response:
        self._bump("calls")
        return next_fn(ctx)

    async def _count_call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        self._bump("calls")
        return await next_fn(ctx)

    def _count_attempt(self, ctx: Config, next_fn: SyncNext) -> Response:
        self._bump("attempts")
        return next_fn(ctx)

    async def _count_attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        self._bump("attempts")
        return await next_fn(ctx)
