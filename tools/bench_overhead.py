"""Per-request overhead of axios_python over raw httpx, on one loopback route.

Both clients talk to the same ``axios_python.testing.LocalServer`` route (``GET /json``) over
kept-alive connections; the difference in per-request time is what the orchestration layer
(config merge, interceptors, middleware, retry engine, Response adoption) costs. The server's
own latency is in both numbers and cancels out of the overhead column.

Cases, each run sequentially (one request after another) unless noted:

* sync:  ``httpx.Client`` | bare instance | + one sync middleware and one request interceptor |
  + one ``async def`` middleware (a sync call: runs on the thread's reused event loop);
* async: ``httpx.AsyncClient`` | bare instance | + one sync middleware and one request
  interceptor (the middleware runs on a worker thread) | + one ``async def`` middleware;
* async, concurrent: ``asyncio.gather`` of ``--concurrency`` tasks, httpx vs bare instance
  (per-request time = time of the gather / number of tasks).

Every case is warmed up, then the cases take turns (in alternating order) for ``--repeat``
rounds of ``--requests`` requests, so drift on the machine spreads over all of them; ratio and
overhead are computed round by round against the httpx case run alongside. The server runs in a
child process so that its threads do not compete with the client for the GIL (``--in-process``
keeps it in this process).

Usage::

    uv run python tools/bench_overhead.py [--requests N] [--repeat R] [--concurrency C]
                                          [--in-process] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

import axios_python
from axios_python import AxiosPython, Config, Response
from axios_python.testing import LocalServer

__all__ = ["CaseResult", "main", "run_benchmark"]

Mode = Literal["sync", "async", "async-concurrent"]
SyncCall = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]

ROUTE = "/json"


@dataclass
class Round:
    """One round of one case: the time of each request and the client's CPU per request
    (a round may be measured in several slices)."""

    samples_us: list[float] = field(default_factory=list)
    cpu_total_us: float = 0.0
    measured: int = 0

    @property
    def cpu_us(self) -> float:
        """The client's CPU time per request of the round."""
        return self.cpu_total_us / self.measured if self.measured else 0.0

    def add_cpu(self, total_ns: int, requests: int) -> None:
        """Count the CPU time of one slice of ``requests`` requests."""
        self.cpu_total_us += total_ns / 1000
        self.measured += requests


@dataclass
class CaseResult:
    """The samples and statistics of one case (times in microseconds per request)."""

    mode: Mode
    name: str
    baseline: str | None  # name of the httpx case this one is compared with; None for httpx
    rounds: list[Round] = field(default_factory=list)

    def new_round(self) -> Round:
        """The round the next samples go to."""
        self.rounds.append(Round())
        return self.rounds[-1]

    @property
    def samples_us(self) -> list[float]:
        """Every sample of every round."""
        return [sample for round_ in self.rounds for sample in round_.samples_us]

    @property
    def round_medians_us(self) -> list[float]:
        """The median of each round."""
        return [statistics.median(round_.samples_us) for round_ in self.rounds]

    @property
    def cpu_us(self) -> float:
        """This process's CPU time per request (the client's work: the server runs
        elsewhere), median over rounds."""
        return statistics.median(round_.cpu_us for round_ in self.rounds)

    @property
    def median_us(self) -> float:
        """Median time per request."""
        return statistics.median(self.samples_us)

    @property
    def p95_us(self) -> float:
        """95th percentile of the time per request (nearest rank)."""
        ordered = sorted(self.samples_us)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# -- the middleware and interceptor under test ------------------------------------------------


def _passthrough(ctx: Config, next_fn: Callable[[Config], Response]) -> Response:
    return next_fn(ctx)


async def _async_passthrough(
    ctx: Config, next_fn: Callable[[Config], Awaitable[Response]]
) -> Response:
    return await next_fn(ctx)


def _tag(config: Config) -> Config:
    config["headers"]["X-Bench"] = "1"
    return config


def _with_middleware(api: AxiosPython) -> AxiosPython:
    api.use(_passthrough)
    api.interceptors.request.use(_tag)
    return api


def _with_async_middleware(api: AxiosPython) -> AxiosPython:
    api.use(_async_passthrough)
    return api


# -- running ----------------------------------------------------------------------------------


def _checked(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"unexpected {response.status_code} from {response.url}")


def _time_sync(call: SyncCall, count: int, into: Round | None) -> None:
    clock = time.perf_counter_ns
    cpu_start = time.process_time_ns()
    for _ in range(count):
        start = clock()
        call()
        elapsed = clock() - start
        if into is not None:
            into.samples_us.append(elapsed / 1000)
    if into is not None:
        into.add_cpu(time.process_time_ns() - cpu_start, count)


async def _time_async(call: AsyncCall, count: int, into: Round | None) -> None:
    clock = time.perf_counter_ns
    cpu_start = time.process_time_ns()
    for _ in range(count):
        start = clock()
        await call()
        elapsed = clock() - start
        if into is not None:
            into.samples_us.append(elapsed / 1000)
    if into is not None:
        into.add_cpu(time.process_time_ns() - cpu_start, count)


async def _time_gather(call: AsyncCall, count: int, concurrency: int, into: Round | None) -> None:
    clock = time.perf_counter_ns
    batches = max(1, count // concurrency)
    cpu_start = time.process_time_ns()
    for _ in range(batches):
        start = clock()
        await asyncio.gather(*(call() for _ in range(concurrency)))
        elapsed = clock() - start
        if into is not None:
            into.samples_us.append(elapsed / 1000 / concurrency)
    if into is not None:
        into.add_cpu(time.process_time_ns() - cpu_start, batches * concurrency)


def _run_sync_cases(base_url: str, requests: int, repeat: int, warmup: int) -> list[CaseResult]:
    url = base_url + ROUTE
    raw = httpx.Client()
    bare = axios_python.create({"base_url": base_url})
    middleware = _with_middleware(axios_python.create({"base_url": base_url}))
    async_middleware = _with_async_middleware(axios_python.create({"base_url": base_url}))

    def raw_call() -> object:
        response = raw.get(url)
        _checked(response)
        return response

    def axios_call(api: AxiosPython) -> SyncCall:
        def call() -> object:
            response = api.get(ROUTE)
            _checked(response)
            return response

        return call

    baseline = "httpx.Client"
    cases: list[tuple[CaseResult, SyncCall]] = [
        (CaseResult("sync", baseline, None), raw_call),
        (CaseResult("sync", "axios bare", baseline), axios_call(bare)),
        (CaseResult("sync", "axios + sync mw + interceptor", baseline), axios_call(middleware)),
        (CaseResult("sync", "axios + async def mw", baseline), axios_call(async_middleware)),
    ]
    try:
        for _, call in cases:
            _time_sync(call, warmup, None)
        for round_ in range(repeat):
            for result, call in cases if round_ % 2 == 0 else cases[::-1]:
                gc.collect()
                _time_sync(call, requests, result.new_round())
    finally:
        raw.close()
        for api in (bare, middleware, async_middleware):
            api.close()
    return [result for result, _ in cases]


async def _run_async_cases(
    base_url: str, requests: int, repeat: int, warmup: int, concurrency: int
) -> list[CaseResult]:
    url = base_url + ROUTE
    # The concurrent cases get clients of their own: a pool holding many idle connections
    # costs more per request than one holding a single connection, so sharing would skew
    # the sequential cases.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=max(20, concurrency))
    raw = httpx.AsyncClient(limits=limits)
    raw_gather = httpx.AsyncClient(limits=limits)
    config = {"base_url": base_url, "limits": limits}
    bare = axios_python.create(config)
    bare_gather = axios_python.create(config)
    middleware = _with_middleware(axios_python.create(config))
    async_middleware = _with_async_middleware(axios_python.create(config))

    def raw_call(client: httpx.AsyncClient) -> AsyncCall:
        async def call() -> object:
            response = await client.get(url)
            _checked(response)
            return response

        return call

    def axios_call(api: AxiosPython) -> AsyncCall:
        async def call() -> object:
            response = await api.async_get(ROUTE)
            _checked(response)
            return response

        return call

    baseline = "httpx.AsyncClient"
    sequential: list[tuple[CaseResult, AsyncCall]] = [
        (CaseResult("async", baseline, None), raw_call(raw)),
        (CaseResult("async", "axios bare", baseline), axios_call(bare)),
        (CaseResult("async", "axios + sync mw + interceptor", baseline), axios_call(middleware)),
        (CaseResult("async", "axios + async def mw", baseline), axios_call(async_middleware)),
    ]
    gather_baseline = f"httpx.AsyncClient x{concurrency}"
    concurrent: list[tuple[CaseResult, AsyncCall]] = [
        (CaseResult("async-concurrent", gather_baseline, None), raw_call(raw_gather)),
        (
            CaseResult("async-concurrent", f"axios bare x{concurrency}", gather_baseline),
            axios_call(bare_gather),
        ),
    ]
    try:
        for _, call in sequential:
            await _time_async(call, warmup, None)
        for _, call in concurrent:
            await _time_gather(call, max(warmup, concurrency), concurrency, None)
        for round_ in range(repeat):
            for result, call in sequential if round_ % 2 == 0 else sequential[::-1]:
                gc.collect()
                await _time_async(call, requests, result.new_round())
            for result, call in concurrent if round_ % 2 == 0 else concurrent[::-1]:
                gc.collect()
                await _time_gather(call, requests, concurrency, result.new_round())
    finally:
        for client in (raw, raw_gather):
            await client.aclose()
        for api in (bare, bare_gather, middleware, async_middleware):
            await api.aclose()
    return [result for result, _ in (*sequential, *concurrent)]


_SERVER_SCRIPT = """
import sys
from axios_python.testing import LocalServer

with LocalServer() as server:
    print(server.base_url, flush=True)
    sys.stdin.read()  # serve until the benchmark closes our stdin
"""


@contextlib.contextmanager
def local_server(in_process: bool = False) -> Iterator[str]:
    """A LocalServer's base URL; by default the server runs in a child process so that its
    threads do not compete with the client under test for this process's GIL."""
    if in_process:
        with LocalServer() as server:
            yield server.base_url
        return
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVER_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        base_url = child.stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise RuntimeError(f"the server process did not start (got {base_url!r})")
        yield base_url
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()


def run_benchmark(
    requests: int = 200,
    repeat: int = 10,
    concurrency: int = 16,
    warmup: int | None = None,
    in_process: bool = False,
) -> list[CaseResult]:
    """Start a LocalServer, run every case and return their results."""
    if warmup is None:
        warmup = min(100, max(10, requests // 5))
    with local_server(in_process) as base_url:
        results = _run_sync_cases(base_url, requests, repeat, warmup)
        results += asyncio.run(_run_async_cases(base_url, requests, repeat, warmup, concurrency))
    return results


# -- reporting --------------------------------------------------------------------------------


def _paired(result: CaseResult, base: CaseResult) -> tuple[float, float]:
    """Ratio and overhead against ``base``, from rounds run side by side: the median over
    rounds of each round's comparison, so slow drift on the machine cancels out."""
    pairs = list(zip(result.round_medians_us, base.round_medians_us, strict=True))
    ratio = statistics.median(case / baseline for case, baseline in pairs)
    overhead = statistics.median(case - baseline for case, baseline in pairs)
    return ratio, overhead


def _report_rows(results: Sequence[CaseResult]) -> list[dict[str, Any]]:
    by_name = {(r.mode, r.name): r for r in results}
    rows: list[dict[str, Any]] = []
    for result in results:
        base = by_name[(result.mode, result.baseline)] if result.baseline else None
        ratio, overhead = (1.0, 0.0) if base is None else _paired(result, base)
        rows.append(
            {
                "mode": result.mode,
                "case": result.name,
                "baseline": result.baseline,
                "samples": len(result.samples_us),
                "median_us": round(result.median_us, 1),
                "p95_us": round(result.p95_us, 1),
                "ratio": round(ratio, 3),
                "overhead_us": round(overhead, 1),
                "cpu_us": round(result.cpu_us, 1),
                "cpu_overhead_us": round(result.cpu_us - base.cpu_us, 1) if base else 0.0,
            }
        )
    return rows


def _environment(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "axios_python": axios_python.__version__,
        "httpx": httpx.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "route": f"GET {ROUTE} on axios_python.testing.LocalServer (loopback, keep-alive)",
        "server": "this process" if args.in_process else "child process",
        "requests": args.requests,
        "repeat": args.repeat,
        "concurrency": args.concurrency,
    }


def _table(rows: Sequence[dict[str, Any]], env: dict[str, Any]) -> str:
    lines = [
        f"axios_python {env['axios_python']} vs httpx {env['httpx']}, "
        f"Python {env['python']} ({env['platform']})",
        f"{env['route']}, server in a {env['server']}",
        f"{env['requests']} requests x {env['repeat']} rounds per case, "
        f"concurrency {env['concurrency']}",
        "",
    ]
    header = (
        f"{'mode':<17} {'case':<30} {'median µs':>10} {'p95 µs':>9} "
        f"{'ratio':>6} {'overhead µs':>12} {'cpu µs':>8} {'cpu +µs':>8}"
    )
    lines += [header, "-" * len(header)]
    mode = None
    for row in rows:
        if mode is not None and row["mode"] != mode:
            lines.append("")
        mode = row["mode"]
        is_base = row["baseline"] is None
        ratio = "—" if is_base else f"{row['ratio']:.2f}x"
        overhead = "—" if is_base else f"{row['overhead_us']:+.1f}"
        cpu_overhead = "—" if is_base else f"{row['cpu_overhead_us']:+.1f}"
        lines.append(
            f"{row['mode']:<17} {row['case']:<30} {row['median_us']:>10.1f} "
            f"{row['p95_us']:>9.1f} {ratio:>6} {overhead:>12} {row['cpu_us']:>8.1f} "
            f"{cpu_overhead:>8}"
        )
    lines += [
        "",
        "ratio and overhead compare each axios case with the httpx case of its mode, round by",
        "round (median per round, then the median over rounds); median and p95 are over every",
        "request of every round. cpu µs: this process's CPU time per request (the client's own",
        "work; the server runs in another process), median over rounds; cpu +µs: minus httpx's.",
        "Concurrent rows: time of one asyncio.gather divided by the number of tasks.",
    ]
    return "\n".join(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the benchmark and print a table (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        description="Per-request overhead of axios_python over raw httpx on a loopback server."
    )
    parser.add_argument(
        "--requests", type=_positive, default=200, help="requests per case per round (200)"
    )
    parser.add_argument("--repeat", type=_positive, default=10, help="rounds (10)")
    parser.add_argument(
        "--concurrency", type=_positive, default=16, help="tasks per asyncio.gather (16)"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the server in this process (default: a child process, no shared GIL)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = run_benchmark(
        args.requests, args.repeat, args.concurrency, in_process=args.in_process
    )
    rows = _report_rows(results)
    env = _environment(args)
    if args.json:
        print(json.dumps({"environment": env, "results": rows}, indent=2))
    else:
        print(_table(rows, env))
    return 0


if __name__ == "__main__":
    sys.exit(main())
