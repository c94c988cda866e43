"""Fixtures of the dedupe plugin's tests: a route that holds requests until the test releases
them (``hold``), a gate that holds a leader's upstream request until its followers wait
(``gate``) and a runner of concurrent calls on a caller's path (``together``).

Nothing here depends on timing: a test releases what it holds once the plugin's own counters
(``stats().waiting``) or the server's show that every call it started has arrived.
"""

# ruff: noqa: E402  (pytest_plugins comes first, as in every package's conftest)

from __future__ import annotations

pytest_plugins = ["axios_python.testing.fixtures"]

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from axios_python import AxiosPython, Dual, Response
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply
from axios_python_plugin_dedupe import DedupePlugin

#: Seconds a test waits for a state it expects; never reached when all is well.
DEADLINE = 30.0

#: One call of ``Hold.run``: its options (``method`` defaults to GET, ``url`` to the held
#: route, ``client`` to the caller's instance), or a function returning them, called on the
#: call's own thread or task right before it.
Step = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the expected state"
        time.sleep(0.002)


async def until_async(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the expected state"
        await asyncio.sleep(0.002)


def _request(step: Step) -> tuple[str, str, dict[str, Any]]:
    options = dict(step() if callable(step) else step)
    return options.pop("method", "GET"), options.pop("url", Hold.path), options


class Hold:
    """The route ``/held``: its requests wait until the test releases them, then it answers
    ``{"headers": {...}, "query": {...}}``, what it saw (header names lower-cased).

    ``run(caller, plugin, steps)`` starts one call per step on the caller's path (threads for
    sync calls, tasks for async ones), one after the other: each starts once the previous one is
    accounted for, at the server or waiting for a leader. So the first call leads and all the
    calls overlap, whether the plugin collapses them or not; then the held requests are released
    and each call's response returned (the first error raised).
    """

    path = "/held"

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.release = threading.Event()
        server.route(self.path, self._answer)

    def _answer(self, request: RecordedRequest) -> Reply:
        if not self.release.wait(DEADLINE):
            return Reply(status=504, json={"error": "never released"})
        headers = {name.lower(): value for name, value in request.headers}
        return Reply(json={"headers": headers, "query": request.query})

    @property
    def upstream(self) -> int:
        """The requests that reached the route."""
        return self.server.count(self.path)

    def _arrived(self, plugin: DedupePlugin | None, calls: int) -> bool:
        waiting = plugin.stats().waiting if plugin is not None else 0
        return self.upstream + waiting >= calls

    def run(
        self, caller: Caller, plugin: DedupePlugin | None, steps: Sequence[Step]
    ) -> list[Response]:
        self.release.clear()
        if caller.is_async:
            return caller.run(self._run_async(caller.api, plugin, steps))
        return self._run_sync(caller.api, plugin, steps)

    def _run_sync(
        self, api: AxiosPython, plugin: DedupePlugin | None, steps: Sequence[Step]
    ) -> list[Response]:
        def call(step: Step) -> Response:
            method, url, options = _request(step)
            client: AxiosPython = options.pop("client", api)
            return client.request(method, url, **options)

        futures: list[Future[Response]] = []
        with ThreadPoolExecutor(len(steps)) as pool:
            try:
                for count, step in enumerate(steps, 1):
                    future = pool.submit(call, step)
                    futures.append(future)
                    until(lambda: future.done() or self._arrived(plugin, count))  # noqa: B023
            finally:
                self.release.set()
            return [future.result() for future in futures]

    async def _run_async(
        self, api: AxiosPython, plugin: DedupePlugin | None, steps: Sequence[Step]
    ) -> list[Response]:
        async def call(step: Step) -> Response:
            method, url, options = _request(step)
            client: AxiosPython = options.pop("client", api)
            return await client.async_request(method, url, **options)

        tasks: list[asyncio.Future[Response]] = []
        try:
            for count, step in enumerate(steps, 1):
                task = asyncio.ensure_future(call(step))
                tasks.append(task)
                await until_async(lambda: task.done() or self._arrived(plugin, count))  # noqa: B023
        finally:
            self.release.set()
        return list(await asyncio.gather(*tasks))


@pytest.fixture
def hold(local_server: LocalServer) -> Iterator[Hold]:
    """The ``/held`` route on the session's server, for this test."""
    held = Hold(local_server)
    yield held
    held.release.set()
    local_server.remove_route(Hold.path)


class Gate:
    """Holds upstream attempts (attempt-scoped middleware: only calls that go upstream reach
    it) until enough followers wait.

    Attempt number ``i`` through the gate (counting every call that goes upstream) is held
    until ``waiting[i]`` followers wait (an int applies to every one of ``holds`` attempts),
    then ``then`` runs (once, on the first release). Later attempts pass at once.
    """

    def __init__(
        self,
        api: AxiosPython,
        plugin: DedupePlugin,
        waiting: int | tuple[int, ...],
        then: Callable[[], object] = bool,
        holds: int = 1,
    ) -> None:
        self.plugin = plugin
        self.stages = list(waiting) if isinstance(waiting, tuple) else [waiting] * holds
        self.then = then
        self.opened: set[int] = set()
        self.lock = threading.Lock()
        api.use(Dual(sync=self._sync, async_=self._async), scope="attempt")

    @property
    def armed(self) -> bool:
        return bool(self.stages)

    def _take(self) -> int | None:
        with self.lock:
            return self.stages.pop(0) if self.stages else None

    def _parked(self) -> int:
        """Followers parked on a flight still in progress. ``stats().waiting`` also counts
        followers of a flight a cancelled leader abandoned until each wakes up to take over
        (under load, some time later): the new leader must wait for them to re-join, or it
        may finish before a late one comes back and leads a second request."""
        total = 0
        for flights in list(self.plugin._flights.values()):
            with flights._lock:
                total += sum(
                    len(f.sync_waiters) + len(f.task_waiters)
                    for f in flights._flights.values()
                    if not f.done
                )
        return total

    def _ready(self, waiting: int) -> bool:
        # a latch: once a threshold was seen, it holds for every attempt that waits for it
        # (when one held leader answers, its followers stop waiting)
        if waiting not in self.opened and self._parked() >= waiting:
            self.opened.add(waiting)
        return waiting in self.opened

    def _release(self) -> None:
        with self.lock:
            then, self.then = self.then, bool
        then()

    def _sync(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        waiting = self._take()
        if waiting is not None:
            until(lambda: self._ready(waiting))
            self._release()
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def _async(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        waiting = self._take()
        if waiting is not None:
            await until_async(lambda: self._ready(waiting))
            self._release()
        return await next_fn(ctx)  # type: ignore[no-any-return]


@pytest.fixture
def gate() -> type[Gate]:
    """``gate(api, plugin, waiting, then=..., holds=1)``: see ``Gate``."""
    return Gate


@pytest.fixture(name="until")
def until_fixture() -> Callable[[Callable[[], bool]], None]:
    """``until(condition)``: wait (on this thread) until ``condition()`` holds."""
    return until


@pytest.fixture(name="until_async")
def until_async_fixture() -> Callable[[Callable[[], bool]], Awaitable[None]]:
    """``await until_async(condition)``: wait (on this task) until ``condition()`` holds."""
    return until_async


def _together(caller: Caller, calls: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Run ``calls`` (options with ``url``, ``method`` defaulting to GET) at the same time on
    the caller's path: threads released together, or tasks gathered. Each call's response or
    error, in order."""
    requests = [_request(call) for call in calls]
    if caller.is_async:
        api = caller.api

        async def gathered() -> list[Any]:
            return list(
                await asyncio.gather(
                    *(api.async_request(m, u, **o) for m, u, o in requests),
                    return_exceptions=True,
                )
            )

        return caller.run(gathered())
    barrier = threading.Barrier(len(requests))

    def run(request: tuple[str, str, dict[str, Any]]) -> Any:
        barrier.wait()
        try:
            return caller.api.request(request[0], request[1], **request[2])
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(run, requests))


@pytest.fixture
def together() -> Callable[[Caller, Sequence[Mapping[str, Any]]], list[Any]]:
    """``together(caller, calls)``: see ``_together``."""
    return _together
