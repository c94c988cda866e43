"""Retry strategies and the policy that decides, attempt by attempt, whether to try again."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AxiosPythonError,
    CancelError,
    HTTPStatusError,
    NetworkError,
    RetryError,
    TimeoutError,
    TooManyRedirects,
)
from ._types import Config

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
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class RetryPolicy:
    """The retry decisions of one call, built from its configuration."""

    __slots__ = ("allowed", "config", "max_retries", "retry_on", "strategy")

    def __init__(self, config: Config) -> None:
        self.config = config
        self.max_retries: int = config["max_retries"]
        self.strategy: RetryStrategy = config["retry_strategy"] or DEFAULT_STRATEGY
        self.retry_on = config["retry_on"]
        self.allowed: bool = config["method"] in config["retry_methods"]

    def _should_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, CancelError) or not self.allowed:
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
        """Seconds to wait before trying again after ``exc`` on ``attempt``; raises when done."""
        if not self._should_retry(exc):
            raise exc
        if attempt > self.max_retries:
            raise RetryError(
                f"gave up after {attempt} attempts: {type(exc).__name__}: {exc}",
                last_exception=exc,
                attempts=attempt,
                config=self.config,
                request=getattr(exc, "request", None),
            ) from exc
        response = exc.response if isinstance(exc, HTTPStatusError) else None
        return self._wait(attempt, response)


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
