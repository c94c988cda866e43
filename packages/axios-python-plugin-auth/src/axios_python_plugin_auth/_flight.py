"""One fetch at a time for many threads and tasks: the first caller fetches, the others wait
for its result (a "single flight"), and a caller holding a value that was already replaced gets
the replacement without fetching again."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class _Abandoned(Exception):
    """The caller leading a fetch was cancelled before it finished: a waiter takes over."""


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Flight(Generic[T]):
    """One fetch in progress; threads wait on an event, tasks on a future of their own loop."""

    __slots__ = ("_done", "_error", "_lock", "_result", "_waiters")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._result: tuple[int, T] | None = None
        self._error: BaseException | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def finish(self, result: tuple[int, T] | None, error: BaseException | None) -> None:
        with self._lock:
            self._result, self._error = result, error
            self._done.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits there
                loop.call_soon_threadsafe(_wake, future)

    def _outcome(self) -> tuple[int, T]:
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def wait_sync(self) -> tuple[int, T]:
        self._done.wait()
        return self._outcome()

    async def wait_async(self) -> tuple[int, T]:
        future: asyncio.Future[None] | None = None
        with self._lock:
            if not self._done.is_set():
                loop = asyncio.get_running_loop()
                future = loop.create_future()
                self._waiters.append((loop, future))
        if future is not None:
            await future
        return self._outcome()


class SingleFlight(Generic[T]):
    """A value replaced by fetches that never overlap, shared by threads and tasks.

    ``generation`` counts the successful fetches. A caller passes the generation it saw when it
    took the value it now wants replaced: if a fetch landed since, it gets that fetch's value at
    once; if one is running, it waits for it; otherwise it fetches itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._value: T | None = None
        self._flight: _Flight[T] | None = None

    def snapshot(self) -> tuple[int, T | None]:
        """The current generation and value (``None`` before the first fetch)."""
        with self._lock:
            return self._generation, self._value

    @property
    def busy(self) -> bool:
        """Whether a fetch is running."""
        return self._flight is not None

    def _join(self, seen: int) -> tuple[tuple[int, T] | None, _Flight[T], bool]:
        with self._lock:
            if self._generation != seen and self._value is not None:
                return (self._generation, self._value), _Flight(), False
            if self._flight is None:
                self._flight = _Flight()
                return None, self._flight, True
            return None, self._flight, False

    def _land(self, flight: _Flight[T], value: T) -> int:
        with self._lock:
            self._flight = None
            self._generation += 1
            self._value = value
            generation = self._generation
        flight.finish((generation, value), None)
        return generation

    def _fail(self, flight: _Flight[T], error: BaseException) -> None:
        with self._lock:
            self._flight = None
        flight.finish(None, error)

    def run_sync(self, seen: int, fetch: Callable[[], T]) -> tuple[int, T]:
        """The value replacing generation ``seen``, fetching it with ``fetch`` if nobody is."""
        while True:
            ready, flight, leader = self._join(seen)
            if ready is not None:
                return ready
            if not leader:
                try:
                    return flight.wait_sync()
                except _Abandoned:
                    continue
            try:
                value = fetch()
            except Exception as exc:
                self._fail(flight, exc)
                raise
            except BaseException:
                self._fail(flight, _Abandoned())
                raise
            return self._land(flight, value), value

    async def run_async(self, seen: int, fetch: Callable[[], Awaitable[T]]) -> tuple[int, T]:
        """The async twin of ``run_sync``: waiting never blocks the event loop."""
        while True:
            ready, flight, leader = self._join(seen)
            if ready is not None:
                return ready
            if not leader:
                try:
                    return await flight.wait_async()
                except _Abandoned:
                    continue
            try:
                value = await fetch()
            except Exception as exc:
                self._fail(flight, exc)
                raise
            except BaseException:  # cancelled: let a waiter fetch instead
                self._fail(flight, _Abandoned())
                raise
            return self._land(flight, value), value
