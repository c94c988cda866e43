"""Single-flight for threads and tasks together: one caller fetches, the others wait for it.

Used by the auth plugin's token refresh, the dedupe plugin and the cache's stampede protection,
and by plugin authors: one definition of the waiting, cancellation and error rules.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ._exceptions import CancelError, HTTPStatusError

if TYPE_CHECKING:
    import asyncio

    from ._cancel import CancelToken

__all__ = ["FlightStats", "SingleFlight", "copy_error"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)


class FlightStats(NamedTuple):
    """Counters of one ``SingleFlight``."""

    #: Fetches started by a leader.
    leaders: int
    #: Callers answered (value or error) by another caller's fetch.
    followers: int
    #: Flights running now.
    in_flight: int
    #: Followers waiting now.
    waiting: int


def copy_error(error: E) -> E:
    """A copy of ``error`` for another caller: same type, message, attributes and cause, its own
    traceback; an ``HTTPStatusError`` gets its own copy of the response. Falls back to ``error``
    itself when the type cannot be copied."""
    cls = type(error)
    try:
        copy = cls.__new__(cls, *error.args)
        copy.__dict__.update(error.__dict__)
    except Exception:
        return error
    copy.args = error.args
    copy.__cause__ = error.__cause__
    copy.__context__ = error.__context__
    copy.__suppress_context__ = error.__suppress_context__
    if isinstance(copy, HTTPStatusError):
        with contextlib.suppress(Exception):  # a streamed body cannot be copied: share it
            copy.response = copy.response.clone()
    return copy


def _abandons(error: BaseException) -> bool:
    """Whether a leader stopped for its own reasons (cancelled, interrupted), not the fetch's."""
    return isinstance(error, CancelError) or not isinstance(error, Exception)


def _loop_running_here() -> bool:
    asyncio = sys.modules.get("asyncio")  # never imported by a sync-only program
    return asyncio is not None and asyncio._get_running_loop() is not None


def _setter(event: threading.Event) -> Callable[[str], None]:
    def wake(reason: str) -> None:
        event.set()

    return wake


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Flight:
    """One fetch in progress and the callers waiting for it."""

    __slots__ = ("abandoned", "done", "error", "followers", "sync_waiters", "task_waiters", "value")

    def __init__(self) -> None:
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.abandoned = False
        self.followers = 0
        self.sync_waiters: list[threading.Event] = []
        self.task_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []


class SingleFlight(Generic[T]):
    """Runs at most one fetch per key at a time; callers asking for a key while its fetch runs
    wait for that fetch instead of starting their own. Threads (sync calls) and tasks on any
    event loop (async calls) share the same flights.

    ::

        flight: SingleFlight[Token] = SingleFlight()
        token = flight.run_sync("token", fetch_token)          # from sync code
        token = await flight.run_async("token", afetch_token)  # from async code

    The rules, on both paths:

    * **The leader raises**: every follower raises a copy of its error (``copy_error``).
    * **The leader is cancelled** (its task, its ``CancelToken``, ``KeyboardInterrupt``): its
      followers are not failed with its cancellation; the first of them to wake leads a new
      fetch and the others follow it.
    * **A follower is cancelled**: only that follower stops (a sync follower through its
      ``cancel_token``, raising ``CancelError``; an async one by its task's cancellation).
    * **No deadlock**: a sync caller on a thread that is running an event loop (a sync call
      made from async code) never waits for another caller, whose fetch may need that loop: it
      runs its own fetch, unshared. A caller already leading ``key`` in this thread or task (a
      fetch that reaches the same key again) runs the nested fetch directly.

    ``share(value)`` is applied once, when the leader finishes with followers waiting, before
    the leader's caller can change the value (e.g. ``Response.clone``); ``follow(value)`` then
    gives each follower its own value, and ``follow_error(error)`` its own error.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}
        # the keys this thread or task leads: a tuple (most often of none or one key, which
        # ``in`` finds by identity), so that leading costs no hash of the key
        self._leading: contextvars.ContextVar[tuple[Hashable, ...]] = contextvars.ContextVar(
            f"axios_python_flight_{id(self)}", default=()
        )
        self._leaders = 0
        self._followers = 0
        self._waiting = 0

    # -- introspection ----------------------------------------------------------------------

    def stats(self) -> FlightStats:
        """Counters since creation, and what is in flight now."""
        with self._lock:
            return FlightStats(self._leaders, self._followers, len(self._flights), self._waiting)

    def in_flight(self, key: Hashable) -> bool:
        """Whether a fetch for ``key`` is running."""
        return key in self._flights

    def clear(self) -> None:
        """Forget the running flights: later callers start their own. Leaders still answer the
        followers already waiting for them."""
        with self._lock:
            self._flights.clear()

    # -- joining ----------------------------------------------------------------------------

    def _join(self, key: Hashable, sync: bool) -> tuple[_Flight | None, bool]:
        """(flight, lead): the flight to lead or follow; ``(None, True)`` to fetch unshared."""
        leading = self._leading.get()
        if leading and key in leading:
            return None, True
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight()
                self._leaders += 1
                return flight, True
            if sync and _loop_running_here():
                return None, True
            flight.followers += 1
            self._waiting += 1
            return flight, False

    def _settle(
        self,
        key: Hashable,
        flight: _Flight,
        value: Any,
        error: BaseException | None,
        share: Callable[[T], T] | None,
    ) -> None:
        with self._lock:
            found = self._flights.pop(key, None)
            if found is not None and found is not flight:
                self._flights[key] = found  # another leader's, after clear(): left alone
            followers = flight.followers
            if not followers:  # nobody waits, and nobody can join any more: the usual case
                flight.done = True
                return
        if error is not None:
            if _abandons(error):
                flight.abandoned = True
            else:
                flight.error = error
        elif followers and share is not None:
            try:
                flight.value = share(value)
            except Exception as exc:
                flight.error = exc
        else:
            flight.value = value
        with self._lock:
            flight.done = True
            sync_waiters, flight.sync_waiters = flight.sync_waiters, []
            task_waiters, flight.task_waiters = flight.task_waiters, []
        for event in sync_waiters:
            event.set()
        for loop, future in task_waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits there
                loop.call_soon_threadsafe(_wake, future)

    def _leave(self, flight: _Flight, waiter: Any) -> None:
        """A follower stops waiting before the outcome (cancelled)."""
        with self._lock:
            if not flight.done:
                flight.followers -= 1
                for waiters in (flight.sync_waiters, flight.task_waiters):
                    if waiter in waiters:
                        waiters.remove(waiter)
            self._waiting -= 1

    def _outcome(
        self,
        flight: _Flight,
        follow: Callable[[T], T] | None,
        follow_error: Callable[[BaseException], BaseException] | None,
    ) -> T:
        with self._lock:
            self._waiting -= 1
            self._followers += 1
        if flight.error is not None:
            error = copy_error(flight.error)
            raise follow_error(error) if follow_error is not None else error
        value: T = flight.value
        return follow(value) if follow is not None else value

    # -- sync -------------------------------------------------------------------------------

    def run_sync(
        self,
        key: Hashable,
        fetch: Callable[[], T],
        *,
        share: Callable[[T], T] | None = None,
        follow: Callable[[T], T] | None = None,
        follow_error: Callable[[BaseException], BaseException] | None = None,
        cancel_token: CancelToken | None = None,
    ) -> T:
        """``fetch()``'s value for ``key``: fetched by this caller, or by the caller already
        fetching it. See the class for the rules."""
        while True:
            flight, lead = self._join(key, sync=True)
            if flight is None:
                return fetch()
            if lead:
                return self._lead_sync(key, flight, fetch, share)
            event = threading.Event()
            with self._lock:
                ready = flight.done
                if not ready:
                    flight.sync_waiters.append(event)
            if not ready:
                unsubscribe = None
                if cancel_token is not None:
                    unsubscribe = cancel_token.subscribe(_setter(event))
                try:
                    event.wait()
                finally:
                    if unsubscribe is not None:
                        unsubscribe()
                if not flight.done:  # woken by this follower's own token
                    self._leave(flight, event)
                    assert cancel_token is not None
                    raise CancelError(cancel_token.reason or "Request cancelled")
            if flight.abandoned:
                with self._lock:
                    self._waiting -= 1
                if cancel_token is not None and cancel_token.cancelled:
                    raise CancelError(cancel_token.reason or "Request cancelled")
                continue
            return self._outcome(flight, follow, follow_error)

    def _lead_sync(
        self,
        key: Hashable,
        flight: _Flight,
        fetch: Callable[[], T],
        share: Callable[[T], T] | None,
    ) -> T:
        reset = self._leading.set((*self._leading.get(), key))
        try:
            value = fetch()
        except BaseException as exc:
            self._settle(key, flight, None, exc, share)
            raise
        finally:
            self._leading.reset(reset)
        self._settle(key, flight, value, None, share)
        return value

    # -- async ------------------------------------------------------------------------------

    async def run_async(
        self,
        key: Hashable,
        fetch: Callable[[], Awaitable[T]],
        *,
        share: Callable[[T], T] | None = None,
        follow: Callable[[T], T] | None = None,
        follow_error: Callable[[BaseException], BaseException] | None = None,
    ) -> T:
        """The async twin of ``run_sync``: waiting never blocks the event loop; a follower is
        cancelled by cancelling its task."""
        import asyncio

        while True:
            flight, lead = self._join(key, sync=False)
            if flight is None:
                return await fetch()
            if lead:
                return await self._lead_async(key, flight, fetch, share)
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            waiter = (loop, future)
            with self._lock:
                ready = flight.done
                if not ready:
                    flight.task_waiters.append(waiter)
            if not ready:
                try:
                    await future
                except BaseException:
                    self._leave(flight, waiter)
                    raise
            if flight.abandoned:
                with self._lock:
                    self._waiting -= 1
                continue
            return self._outcome(flight, follow, follow_error)

    async def _lead_async(
        self,
        key: Hashable,
        flight: _Flight,
        fetch: Callable[[], Awaitable[T]],
        share: Callable[[T], T] | None,
    ) -> T:
        reset = self._leading.set((*self._leading.get(), key))
        try:
            value = await fetch()
        except BaseException as exc:
            self._settle(key, flight, None, exc, share)
            raise
        finally:
            self._leading.reset(reset)
        self._settle(key, flight, value, None, share)
        return value

    def __repr__(self) -> str:
        stats = self.stats()
        return f"<SingleFlight in_flight={stats.in_flight} waiting={stats.waiting}>"
