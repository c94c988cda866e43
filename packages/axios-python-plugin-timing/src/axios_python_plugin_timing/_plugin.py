"""TimingPlugin: how long each call took, attempt by attempt and phase by phase.

Two middleware cooperate through the call's state (``call_state(ctx).slot(self, ...)``):

* a call-scoped one measures the whole call (retries and back-off waits included), builds the
  ``Timings``, sets ``response.timings``, logs one line and feeds ``on_timing``;
* an attempt-scoped one measures every attempt and passes an httpcore ``trace`` callback
  (through the ``extensions`` config key) that timestamps the connection phases.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axios_python import (
    AsyncNext,
    CallState,
    Config,
    Dual,
    SyncNext,
    call_state,
    describe_callable,
    display_url,
    hook_forms,
    log_level_repr,
    parse_log_level,
)

from ._timings import Timings, build_timings
from ._trace import AttemptTrace

if TYPE_CHECKING:
    from axios_python import AxiosPython, Response

__all__ = ["OnTiming", "TimingPlugin"]


#: ``on_timing(timings, response_or_error, config)``: a plain function, or a ``Dual`` whose
#: ``async_`` form is awaited in async calls.
OnTiming = Callable[[Timings, Any, Config], object] | Dual

_LOG_FORMAT = "[%s] %s — %.1fms (%s)"


class _CallRecord:
    """One call's measurements: the call middleware starts it, each attempt adds to it."""

    __slots__ = ("attempts", "phases", "start", "started_at")

    def __init__(self) -> None:
        self.started_at = time.time()
        self.start = time.perf_counter()
        self.attempts: list[float] = []
        self.phases: dict[str, float | None] = {}

    def add_attempt(self, duration: float, phases: dict[str, float | None]) -> None:
        self.attempts.append(duration)
        self.phases = phases

    def finish(self) -> Timings:
        total = time.perf_counter() - self.start
        return build_timings(total, tuple(self.attempts), self.started_at, self.phases)


def _check_on_timing(on_timing: Any) -> tuple[Any, Any]:
    """The (sync, async) forms of ``on_timing``; the async form may be ``None``."""
    if on_timing is None:
        return None, None
    try:
        sync_form, async_form = hook_forms(on_timing, "on_timing")
    except TypeError:
        raise TypeError(
            "on_timing must be a function f(timings, response_or_error, config) or a "
            f"Dual(sync=..., async_=...) of two, got {on_timing!r}"
        ) from None
    if sync_form is None:
        raise TypeError(
            f"on_timing {describe_callable(on_timing)} is an async function, which a sync call "
            "could only run on an event loop; pass a plain function, or Dual(sync=..., "
            "async_=...) to have the async form awaited in async calls"
        )
    return sync_form, async_form


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


class TimingPlugin:
    """Measures every call and reports it three ways.

    * ``response.timings`` (``error.timings`` on failure): a frozen ``Timings`` with the
      call's ``total`` (retries and back-off waits included), the duration of each attempt and
      the connection phases of the final attempt (``connect``, ``tls``, ``send``, ``waiting``,
      ``download``), taken from httpcore's ``trace`` extension.
    * One log line per call on ``logger_name`` at ``level``, as in the plugin-authoring guide::

          [GET] https://api.github.com/users/octocat — 91.4ms (HTTP 200)

      The URL is the one sent on the wire, with userinfo and secret query values masked by
      the client's definition of secret (``client.secrets``); a failed call ends with
      ``(failed: NetworkError)``.
    * ``on_timing(timings, response_or_error, config)``, for metrics: called after every call,
      failed ones included. A plain function runs in sync and async calls; give a ``Dual`` to
      have an async form awaited in async calls. An exception it raises is logged on the timing
      logger and does not fail the request.

    ``stream=True``: the call returns when the response headers arrive, so ``total`` and the
    last attempt end there and ``download`` is ``None``; reading the body is the caller's time.

    Options:
        logger_name: the logger the line goes to (default ``"axios_python.timing"``).
        level: the level of the line, an int or a name (default ``INFO``).
        log: ``False`` turns the log line off.
        on_timing: the metrics callback described above.
        trace: ``False`` leaves the ``trace`` extension alone (no phases, only durations).
    """

    name = "timing"

    def __init__(
        self,
        logger_name: str = "axios_python.timing",
        *,
        level: int | str = logging.INFO,
        log: bool = True,
        on_timing: OnTiming | None = None,
        trace: bool = True,
    ) -> None:
        if not isinstance(logger_name, str) or not logger_name:
            raise TypeError(f"logger_name must be a non-empty string, got {logger_name!r}")
        self.logger = logging.getLogger(logger_name)
        self.level = parse_log_level(level, "level")
        self.log = _check_bool("log", log)
        self.trace = _check_bool("trace", trace)
        self.on_timing = on_timing
        self._on_timing_sync, self._on_timing_async = _check_on_timing(on_timing)

    def __repr__(self) -> str:
        on_timing = (
            "" if self.on_timing is None else f", on_timing={describe_callable(self.on_timing)}"
        )
        return (
            f"TimingPlugin(logger_name={self.logger.name!r}, level={log_level_repr(self.level)}, "
            f"log={self.log!r}{on_timing}, trace={self.trace!r})"
        )

    def attach(self, client: AxiosPython) -> None:
        """Register the call-scoped and the attempt-scoped middleware on ``client``."""
        client.use(Dual(sync=self._call_sync, async_=self._call_async), validated=True)
        client.use(  # adds its trace callback to the extensions: a dict, as they are
            Dual(sync=self._attempt_sync, async_=self._attempt_async),
            scope="attempt",
            validated=True,
        )

    # -- call scope -----------------------------------------------------------------------

    def _call_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        state = call_state(ctx)
        record = state.slot(self, _CallRecord)
        try:
            response = next_fn(ctx)
        except Exception as exc:
            self._finish_sync(record.finish(), exc, ctx, state)
            raise
        self._finish_sync(record.finish(), response, ctx, state)
        return response

    async def _call_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        state = call_state(ctx)
        record = state.slot(self, _CallRecord)
        try:
            response = await next_fn(ctx)
        except (Exception, asyncio.CancelledError) as exc:
            await self._finish_async(record.finish(), exc, ctx, state)
            raise
        await self._finish_async(record.finish(), response, ctx, state)
        return response

    def _finish_sync(self, timings: Timings, outcome: Any, ctx: Config, state: CallState) -> None:
        self._publish(timings, outcome, ctx, state)
        if self._on_timing_sync is not None:
            try:
                self._on_timing_sync(timings, outcome, ctx)
            except Exception:
                self.logger.exception(
                    "on_timing callback %s failed", describe_callable(self.on_timing)
                )

    async def _finish_async(
        self, timings: Timings, outcome: Any, ctx: Config, state: CallState
    ) -> None:
        self._publish(timings, outcome, ctx, state)
        callback = self._on_timing_async or self._on_timing_sync
        if callback is not None:
            try:
                result = callback(timings, outcome, ctx)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                self.logger.exception(
                    "on_timing callback %s failed", describe_callable(self.on_timing)
                )

    def _publish(self, timings: Timings, outcome: Any, ctx: Config, state: CallState) -> None:
        try:  # noqa: SIM105 (on every call: contextlib.suppress costs a context manager)
            outcome.timings = timings
        except AttributeError:  # an exception type with __slots__
            pass
        if self.log and self.logger.isEnabledFor(self.level):
            if isinstance(outcome, BaseException):
                result = f"failed: {type(outcome).__name__}"
            else:
                result = f"HTTP {outcome.status_code}"
            self.logger.log(
                self.level,
                _LOG_FORMAT,
                str(ctx.get("method", "")).upper(),
                display_url(ctx, state.secrets),
                timings.total * 1000,
                result,
            )

    # -- attempt scope --------------------------------------------------------------------

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        record: _CallRecord | None = call_state(ctx).peek(self)
        tracer = AttemptTrace()
        if self.trace:
            ctx = tracer.install_sync(ctx)
        start = time.perf_counter()
        try:
            return next_fn(ctx)
        finally:
            if record is not None:
                record.add_attempt(time.perf_counter() - start, tracer.freeze())

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        record: _CallRecord | None = call_state(ctx).peek(self)
        tracer = AttemptTrace()
        if self.trace:
            ctx = tracer.install_async(ctx)
        start = time.perf_counter()
        try:
            return await next_fn(ctx)
        finally:
            if record is not None:
                record.add_attempt(time.perf_counter() - start, tracer.freeze())
