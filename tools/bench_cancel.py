"""How long a CancelToken takes to abort a request in flight (the aim: well under 100 ms).

    uv run python tools/bench_cancel.py [--runs 20]

For the sync and the async path: a request to a route that stalls for 30 s is cancelled from
another thread (sync) or task (async) 50 ms after it starts; the figure is the time from
``cancel()`` to ``CancelError`` reaching the caller. Also measured during a back-off wait.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time

import axios_python
from axios_python import CancelError, CancelToken, FixedDelay
from axios_python.testing import LocalServer


def _sync_once(api: axios_python.AxiosPython, url: str, **options: object) -> float:
    token = CancelToken()
    cancelled_at: list[float] = []

    def cancel() -> None:
        time.sleep(0.05)
        cancelled_at.append(time.perf_counter())
        token.cancel("benchmark")

    thread = threading.Thread(target=cancel)
    thread.start()
    try:
        api.get(url, cancel_token=token, **options)  # type: ignore[arg-type]
    except CancelError:
        raised = time.perf_counter()
    else:
        raise AssertionError("the request was not cancelled")
    thread.join()
    return (raised - cancelled_at[0]) * 1000


async def _async_once(api: axios_python.AxiosPython, url: str, **options: object) -> float:
    token = CancelToken()
    cancelled_at: list[float] = []

    async def cancel() -> None:
        await asyncio.sleep(0.05)
        cancelled_at.append(time.perf_counter())
        token.cancel("benchmark")

    task = asyncio.create_task(cancel())
    try:
        await api.async_get(url, cancel_token=token, **options)  # type: ignore[arg-type]
    except CancelError:
        raised = time.perf_counter()
    else:
        raise AssertionError("the request was not cancelled")
    await task
    return (raised - cancelled_at[0]) * 1000


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    stall = "/stall?seconds=30"
    backoff = {"max_retries": 3, "retry_strategy": FixedDelay(30)}
    with LocalServer() as server:
        with axios_python.create({"base_url": server.base_url}) as api:
            sync_flight = [_sync_once(api, stall) for _ in range(args.runs)]
            sync_wait = [_sync_once(api, "/drop", **backoff) for _ in range(args.runs)]

        async def run_async() -> tuple[list[float], list[float]]:
            async with axios_python.create({"base_url": server.base_url}) as api:
                flight = [await _async_once(api, stall) for _ in range(args.runs)]
                wait = [await _async_once(api, "/drop", **backoff) for _ in range(args.runs)]
            return flight, wait

        async_flight, async_wait = asyncio.run(run_async())
    rows = [
        ("sync, in flight", sync_flight),
        ("sync, back-off wait", sync_wait),
        ("async, in flight", async_flight),
        ("async, back-off wait", async_wait),
    ]
    print(f"cancel() -> CancelError, {args.runs} runs")
    print(f"{'case':<22} {'median ms':>10} {'max ms':>8}")
    for name, values in rows:
        print(f"{name:<22} {statistics.median(values):>10.2f} {max(values):>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
