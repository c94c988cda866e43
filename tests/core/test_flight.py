"""SingleFlight: one fetch for many threads and tasks, with defined failure rules."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from axios_python import CancelError, CancelToken, HTTPStatusError, Response, SingleFlight


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


class Gate:
    """A fetch that blocks (thread or task) until released, counting its calls."""

    def __init__(self, value: Any = "value") -> None:
        self.value = value
        self.calls = 0
        self.release = threading.Event()
        self.error: BaseException | None = None

    def sync(self) -> Any:
        self.calls += 1
        self.release.wait(5)
        if self.error is not None:
            raise self.error
        return self.value

    async def async_(self) -> Any:
        self.calls += 1
        while not self.release.is_set():
            await asyncio.sleep(0.001)
        if self.error is not None:
            raise self.error
        return self.value


def run_loop_thread(coro_factory: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def target() -> None:
        try:
            results.append(asyncio.run(coro_factory()))
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_threads_and_tasks_on_two_loops_share_one_fetch() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(flight.run_sync("k", gate.sync)))
        for _ in range(4)
    ]
    threads[0].start()
    wait_until(lambda: flight.in_flight("k"))
    for thread in threads[1:]:
        thread.start()

    async def tasks() -> list[str]:
        return await asyncio.gather(*(flight.run_async("k", gate.async_) for _ in range(4)))

    loops = [run_loop_thread(tasks, results) for _ in range(2)]
    wait_until(lambda: flight.stats().waiting == 3 + 8)
    gate.release.set()
    for thread in [*threads, *loops]:
        thread.join(5)
    assert gate.calls == 1
    assert sorted(map(str, results)) == sorted(["value"] * 4 + [str(["value"] * 4)] * 2)
    assert flight.stats() == (1, 11, 0, 0)


def test_share_once_follow_per_follower() -> None:
    flight: SingleFlight[list[int]] = SingleFlight()
    gate = Gate([1])
    shared: list[int] = []
    got: list[list[int]] = []

    def share(value: list[int]) -> list[int]:
        shared.append(1)
        return list(value)

    def worker() -> None:
        got.append(flight.run_sync("k", gate.sync, share=share, follow=lambda v: [*v, 2]))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    threads[0].start()
    wait_until(lambda: flight.in_flight("k"))
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: flight.stats().waiting == 2)
    gate.release.set()
    for thread in threads:
        thread.join(5)
    assert shared == [1]
    assert sorted(got) == [[1], [1, 2], [1, 2]]
    assert got.count(gate.value) == 1  # the leader has its own value, the followers copies


def test_every_follower_gets_its_own_copy_of_the_leaders_error() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    response = Response(status_code=503, data={"down": True})
    gate.error = HTTPStatusError("HTTP 503", response=response)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            flight.run_sync("k", gate.sync)
        except HTTPStatusError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    threads[0].start()
    wait_until(lambda: flight.in_flight("k"))
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: flight.stats().waiting == 2)
    gate.release.set()
    for thread in threads:
        thread.join(5)
    assert gate.calls == 1 and len(errors) == 3
    assert len({id(e) for e in errors}) == 3
    assert {str(e) for e in errors} == {"HTTP 503"}
    assert len({id(e.response) for e in errors if isinstance(e, HTTPStatusError)}) == 3


async def test_a_cancelled_leader_hands_over_to_a_follower() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    leader = asyncio.create_task(flight.run_async("k", gate.async_))
    while not flight.in_flight("k"):
        await asyncio.sleep(0)
    followers = [asyncio.create_task(flight.run_async("k", gate.async_)) for _ in range(3)]
    while flight.stats().waiting < 3:
        await asyncio.sleep(0)
    leader.cancel()
    while gate.calls < 2:
        await asyncio.sleep(0.001)
    gate.release.set()
    assert await asyncio.gather(*followers) == ["value"] * 3
    assert leader.cancelled()
    assert gate.calls == 2  # the cancelled leader's fetch, then one follower's
    assert flight.stats().waiting == 0


def test_a_cancelled_sync_follower_stops_alone() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    token = CancelToken()
    outcome: list[Any] = []

    def follower() -> None:
        try:
            outcome.append(flight.run_sync("k", gate.sync, cancel_token=token))
        except CancelError as exc:
            outcome.append(exc)

    leader = threading.Thread(target=lambda: outcome.append(flight.run_sync("k", gate.sync)))
    leader.start()
    wait_until(lambda: flight.in_flight("k"))
    thread = threading.Thread(target=follower)
    thread.start()
    wait_until(lambda: flight.stats().waiting == 1)
    token.cancel("user left")
    thread.join(5)
    assert isinstance(outcome[0], CancelError) and outcome[0].reason == "user left"
    assert flight.stats().waiting == 0
    gate.release.set()
    leader.join(5)
    assert outcome[1] == "value"


async def test_a_cancelled_async_follower_stops_alone() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    leader = asyncio.create_task(flight.run_async("k", gate.async_))
    while not flight.in_flight("k"):
        await asyncio.sleep(0)
    follower = asyncio.create_task(flight.run_async("k", gate.async_))
    while flight.stats().waiting < 1:
        await asyncio.sleep(0)
    follower.cancel()
    with pytest.raises(asyncio.CancelledError):
        await follower
    gate.release.set()
    assert await leader == "value"
    assert flight.stats() == (1, 0, 0, 0)


async def test_a_sync_caller_on_the_loop_thread_never_waits() -> None:
    # The leader is a task of this loop; a sync caller on the same thread could only wait by
    # blocking the loop the leader needs: it fetches on its own instead.
    flight: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "leader's"

    leader = asyncio.create_task(flight.run_async("k", slow))
    while not flight.in_flight("k"):
        await asyncio.sleep(0)
    assert flight.run_sync("k", lambda: "own") == "own"
    release.set()
    assert await leader == "leader's"


def test_a_nested_fetch_of_the_same_key_runs_directly() -> None:
    flight: SingleFlight[str] = SingleFlight()

    def outer() -> str:
        return "outer+" + flight.run_sync("k", lambda: "inner")

    assert flight.run_sync("k", outer) == "outer+inner"


def test_clear_forgets_running_flights() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = Gate()
    thread = threading.Thread(target=lambda: flight.run_sync("k", gate.sync))
    thread.start()
    wait_until(lambda: flight.in_flight("k"))
    flight.clear()
    assert not flight.in_flight("k")
    assert flight.run_sync("k", lambda: "fresh") == "fresh"
    # a leader that started after clear() keeps its flight when the first one finishes
    second = Gate()
    other = threading.Thread(target=lambda: flight.run_sync("k", second.sync))
    other.start()
    wait_until(lambda: flight.in_flight("k"))
    gate.release.set()
    thread.join(5)
    assert flight.in_flight("k")
    second.release.set()
    other.join(5)
    assert not flight.in_flight("k")
