"""Retry strategies and the policy that decides, attempt by attempt, whether to try again."""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from ._body import replay_refusal
from ._call import call_state
from ._engine import httpx
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ContentTooLarge,
    HTTPStatusError,
    NetworkError,
    RetryError,
    TimeoutError,
    TooManyRedirects,
    TransformError,
)
from ._types import Config
from ._urls import display_url

if TYPE_CHECKING:
    from ._models import Response

__all__ = [
    "ExponentialBackoff",
    "FixedBackoff",
    "FixedDelay",
    "LinearBackoff",
    "RetryPolicy",
    "RetryStrategy",
]

#: Statuses whose Retry-After header is honoured.
_RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Ceiling for a Retry-After wait when the strategy sets no ``max_delay``.
DEFAULT_MAX_RETRY_AFTER = 60.0


def _number(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        accepted = "a number >= 0" + (" or None" if allow_none else "")
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return float(value)


class RetryStrategy:
    """Decides how long to wait before retry number ``attempt`` (1 for the first retry).

    Subclass it and override ``get_delay`` for your own schedule. ``retry_on_status`` lists HTTP
    statuses that are retried like network errors (their ``Retry-After`` header is honoured on
    429 and 503, capped at ``max_delay``). ``jitter`` (0 to 1) randomises that share of each
    delay: 1.0 is "full jitter", 0 none.
    """

    def __init__(
        self,
        *,
        max_delay: float | None = None,
        retry_on_status: Iterable[int] = (),
        jitter: float | bool = 0.0,
    ) -> None:
        self.max_delay = _number("max_delay", max_delay, allow_none=True)
        statuses = frozenset(retry_on_status)
        if not all(isinstance(s, int) and 100 <= s <= 599 for s in statuses):
            raise ValueError(
                f"retry_on_status must hold HTTP status codes, got {retry_on_status!r}"
            )
        self.retry_on_status = statuses
        jitter = 1.0 if jitter is True else jitter
        if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= 1:
            raise ValueError(f"jitter must be a number from 0 to 1 (or True), got {jitter!r}")
        self.jitter = float(jitter)

    def get_delay(self, attempt: int) -> float:
        """Seconds to wait before retry ``attempt`` (1-indexed). Override in subclasses."""
        return 0.0

    def delay(self, attempt: int) -> float:
        """``get_delay`` capped at ``max_delay`` with jitter applied."""
        value = max(0.0, float(self.get_delay(attempt)))
        if self.max_delay is not None:
            value = min(value, self.max_delay)
        if self.jitter:
            value -= value * self.jitter * random.random()
        return value

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if v not in ((), None))
        return f"{type(self).__name__}({fields})"


class FixedDelay(RetryStrategy):
    """The same wait before every retry."""

    def __init__(
        self,
        delay: float = 1.0,
        *,
        max_delay: float | None = None,
        retry_on_status: Iterable[int] = (),
        jitter: float | bool = 0.0,
    ) -> None:
        super().__init__(max_delay=max_delay, retry_on_status=retry_on_status, jitter=jitter)
        self.delay_seconds = _number("delay", delay)

    def get_delay(self, attempt: int) -> float:
        """``delay`` seconds, whatever the attempt."""
        assert self.delay_seconds is not None
        return self.delay_seconds


#: Another name for ``FixedDelay``.
FixedBackoff = FixedDelay


class LinearBackoff(RetryStrategy):
    """``base + attempt * increment`` seconds, capped at ``max_delay``."""

    def __init__(
        self,
        base: float = 1.0,
        increment: float = 1.0,
        max_delay: float | None = 30.0,
        *,
        retry_on_status: Iterable[int] = (),
        jitter: float | bool = 0.0,
    ) -> None:
        super().__init__(max_delay=max_delay, retry_on_status=retry_on_status, jitter=jitter)
        self.base = _number("base", base)
        self.increment = _number("increment", increment)

    def get_delay(self, attempt: int) -> float:
        """``base + attempt * increment``."""
        assert self.base is not None and self.increment is not None
        return self.base + attempt * self.increment


class ExponentialBackoff(RetryStrategy):
    """``base * multiplier ** attempt`` seconds, capped at ``max_delay``."""

    def __init__(
        self,
        base: float = 1.0,
        multiplier: float = 2.0,
        max_delay: float | None = 30.0,
        retry_on_status: Iterable[int] = (),
        jitter: float | bool = 0.0,
    ) -> None:
        super().__init__(max_delay=max_delay, retry_on_status=retry_on_status, jitter=jitter)
        self.base = _number("base", base)
        self.multiplier = _number("multiplier", multiplier)

    def get_delay(self, attempt: int) -> float:
        """``base * multiplier ** attempt``."""
        assert self.base is not None and self.multiplier is not None
        try:
            return self.base * self.multiplier**attempt
        except OverflowError:
            return float("inf")


#: The strategy used when ``max_retries`` is set but no ``retry_strategy``: 0.5 s, 1 s, 2 s, ...
DEFAULT_STRATEGY = ExponentialBackoff(base=0.25, multiplier=2.0, max_delay=30.0)


def _retry_after(response: Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds: delay-seconds (a negative number
    is no wait) or an HTTP date; ``None`` when absent or not understood (the strategy's delay
    is used then)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return max(0.0, float(value))
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


#: delay-seconds, leniently: ASCII digits, an optional sign and fraction ("²" is no digit here)
_SECONDS = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?", re.ASCII)


#: The header ``idempotency_key=True`` sends.
IDEMPOTENCY_HEADER = "Idempotency-Key"

#: Failures never retried, whatever ``retry_on`` says: the caller stopped the call, the body
#: was too large (it stays so), a transform failed (the response was received).
_NEVER_RETRIED = (CancelError, ContentTooLarge, TransformError)


class _IdempotencyKey:
    """Owner of the call-state slot holding the call's generated idempotency key."""


def cap_timeout(timeout: Any, left: float) -> Any:
    """``timeout`` (seconds, ``None`` or ``httpx.Timeout``) with every part at most ``left``."""
    if isinstance(timeout, httpx.Timeout):
        return httpx.Timeout(
            connect=left if timeout.connect is None else min(timeout.connect, left),
            read=left if timeout.read is None else min(timeout.read, left),
            write=left if timeout.write is None else min(timeout.write, left),
            pool=left if timeout.pool is None else min(timeout.pool, left),
        )
    return left if timeout is None else min(timeout, left)


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"


class RetryPolicy:
    """The retry decisions of one call, built from its configuration: which failures are tried
    again and after how long, the call's deadline, its idempotency key."""

    __slots__ = (
        "allowed",
        "config",
        "deadline",
        "deadline_at",
        "key_header",
        "max_retries",
        "retry_on",
        "strategy",
    )

    def __init__(self, config: Config) -> None:
        self.config = config
        self.max_retries: int = config["max_retries"]
        self.strategy: RetryStrategy = config["retry_strategy"] or DEFAULT_STRATEGY
        self.retry_on = config["retry_on"]
        key = config["idempotency_key"]
        self.key_header: str | None = IDEMPOTENCY_HEADER if key is True else (key or None)
        self.allowed: bool = (
            config["method"] in config["retry_methods"] or self.key_header is not None
        )
        self.deadline: float | None = config["deadline"]
        self.deadline_at: float | None = (
            None if self.deadline is None else call_state(config).started + self.deadline
        )

    @property
    def can_retry(self) -> bool:
        """Whether any failure of this call may be retried."""
        return self.max_retries > 0 and self.allowed

    def time_left(self) -> float | None:
        """Seconds until the deadline (negative once passed); ``None`` without a deadline."""
        return None if self.deadline_at is None else self.deadline_at - time.perf_counter()

    def before_attempt(self, attempt: int, last: BaseException | None) -> None:
        """Raise the deadline's ``TimeoutError`` when no time is left for attempt ``attempt``."""
        left = self.time_left()
        if left is not None and left <= 0:
            raise self.deadline_error(attempt - 1, last)

    def prepare(self, ctx: Config) -> None:
        """Set up one attempt's configuration (a copy): its timeout capped by the time left,
        the call's idempotency key (the same on every attempt; one the caller set is kept)."""
        name = self.key_header
        if name is not None and name not in ctx["headers"]:
            ctx["headers"][name] = call_state(ctx).slot(_IdempotencyKey, _new_key)
        left = self.time_left()
        if left is not None:
            ctx["timeout"] = cap_timeout(ctx["timeout"], max(left, 0.001))

    def deadline_error(
        self, attempts: int, cause: BaseException | None, wait: float | None = None
    ) -> TimeoutError:
        """The error of a call whose deadline ran out after ``attempts`` attempts, or (with
        ``wait``) would run out during the next back-off wait."""
        config = self.config
        where = f"({config['method']} {display_url(config, call_state(config).secrets)})"
        if wait is None:
            message = (
                f"deadline of {self.deadline:g} s exceeded after {_attempts(attempts)} {where}"
            )
        else:
            left = max(0.0, self.time_left() or 0.0)
            message = (
                f"deadline of {self.deadline:g} s would be exceeded: the call ended after "
                f"{_attempts(attempts)} {where} because the next retry would wait {wait:.3g} s "
                f"and {left:.3g} s were left"
            )
        if cause is not None:
            message += f"; last error: {_named(cause)}"
        error = TimeoutError(message, config=config, request=getattr(cause, "request", None))
        error.__cause__ = cause
        return error

    def _should_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, _NEVER_RETRIED) or not self.allowed:
            return False
        if (
            isinstance(exc, HTTPStatusError)
            and exc.response.status_code in self.strategy.retry_on_status
        ):
            return True
        if self.retry_on is not None:
            return bool(self.retry_on(exc))
        return isinstance(exc, (NetworkError, TimeoutError)) and not isinstance(
            exc, TooManyRedirects
        )

    def _wait(self, attempt: int, response: Response | None) -> float:
        if response is not None and response.status_code in _RETRY_AFTER_STATUSES:
            after = _retry_after(response)
            if after is not None:
                cap = self.strategy.max_delay
                return min(after, DEFAULT_MAX_RETRY_AFTER if cap is None else cap)
        return self.strategy.delay(attempt)

    def retry_status(self, response: Response) -> bool:
        """Whether a response that passed validation still asks for a retry by its status."""
        return self.allowed and response.status_code in self.strategy.retry_on_status

    def after_error(self, exc: BaseException, attempt: int) -> float:
        """Seconds to wait before trying again after ``exc`` on ``attempt``; raises when done:
        ``exc`` itself when it is not retried, ``RetryError`` when attempts run out or the body
        cannot be sent again, the deadline's ``TimeoutError`` when time runs out."""
        retryable = self.max_retries > 0 and self._should_retry(exc)
        left = self.time_left()
        if left is not None and left <= 0 and (retryable or isinstance(exc, TimeoutError)):
            raise self.deadline_error(attempt, exc) from exc
        if not retryable:
            raise exc
        if attempt > self.max_retries:
            raise self._gave_up(f"gave up after {attempt} attempts: {_named(exc)}", exc, attempt)
        refusal = replay_refusal(self.config)
        if refusal is not None:
            raise self._gave_up(
                f"not retried after {_attempts(attempt)}: {refusal} (the attempt failed with "
                f"{_named(exc)})",
                exc,
                attempt,
            )
        response = exc.response if isinstance(exc, HTTPStatusError) else None
        delay = self._wait(attempt, response)
        if left is not None and delay >= left:
            raise self.deadline_error(attempt, exc, wait=delay) from exc
        return delay

    def _gave_up(self, message: str, exc: BaseException, attempts: int) -> RetryError:
        error = RetryError(
            message,
            last_exception=exc,
            attempts=attempts,
            config=self.config,
            request=getattr(exc, "request", None),
        )
        error.__cause__ = exc
        return error


def _named(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _new_key() -> str:
    return str(uuid.uuid4())


def status_error(response: Response) -> HTTPStatusError:
    """The error that stands for a response retried for its status."""
    request = response._request
    return HTTPStatusError(
        f"HTTP {response.status_code} {response.reason_phrase} (retryable status)",
        response=response,
        config=response.config,
        request=request,
    )


def is_retryable_error(exc: BaseException) -> bool:
    """Errors the retry engine looks at; anything else propagates untouched."""
    return isinstance(exc, AxiosPythonError)
