"""Per-request cost of OpenTelemetryPlugin, sync and async, against ``httpx.MockTransport``.

Cases (each its own instance; the same request: ``GET /x?page=1`` with two headers):

* ``bare``: no plugin;
* ``noop``: ``OpenTelemetryPlugin(tracer_provider=NoOpTracerProvider(),
  meter_provider=NoOpMeterProvider())``: the plugin with OpenTelemetry's no-op providers;
* ``unset``: ``OpenTelemetryPlugin()`` while no global provider is set (the API's proxies, which
  do nothing until an SDK is installed): what ``AXIOS_PYTHON_PLUGINS=otel`` costs a process
  without an SDK;
* ``sdk``: the real SDK recording every span and metric (a ``TracerProvider`` with no span
  processor, a ``MeterProvider`` with an in-memory reader), for scale.

Two measures:

* ``--instructions`` (the default when valgrind is installed): CPU instructions per request
  counted by valgrind's callgrind, which a busy machine does not blur. Each case and path runs
  twice under callgrind, with no measured requests and with ``--requests``; the difference
  divided by the count is one request, start-up and warm-up excluded.
* ``--time``: the median of ``--repeat`` rounds of wall-clock microseconds per request, the
  cases taking turns so that drift on the machine spreads over all of them.

Usage::

    uv run python tools/bench_otel.py [--instructions | --time] [--requests N] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

from bench_instructions import callgrind_instructions  # a sibling: tools/ is on sys.path

__all__ = ["CASES", "main"]

CASES = ("bare", "noop", "unset", "sdk")
MODES = ("sync", "async")

#: One case on one path: ``python -c CASE <case> <mode> <count> [<rounds>]``; prints the
#: microseconds per request of each round when rounds are asked for.
CASE = """
import asyncio, sys, time
import httpx
import axios_python

def handler(request):
    return httpx.Response(200, json={"ok": True})

case, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 0
plugins = []
if case != "bare":
    from axios_python_plugin_otel import OpenTelemetryPlugin
    if case == "noop":
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.trace import NoOpTracerProvider
        plugins = [OpenTelemetryPlugin(
            tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider())]
    elif case == "unset":
        plugins = [OpenTelemetryPlugin()]
    else:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        tracer_provider = TracerProvider()
        if case == "exporter":  # tools/bench.py: every span also handed to an exporter
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
                InMemorySpanExporter)
            tracer_provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        plugins = [OpenTelemetryPlugin(
            tracer_provider=tracer_provider,
            meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]))]
api = axios_python.create({"base_url": "http://bench.invalid", "plugins": plugins,
                           "transport": httpx.MockTransport(handler)})
headers = {"Authorization": "Bearer x", "X-Req": "1"}

def run_sync(n):
    for _ in range(n):
        api.get("/x", params={"page": 1}, headers=headers)

async def run_async(n):
    for _ in range(n):
        await api.async_get("/x", params={"page": 1}, headers=headers)

def timed(n):
    start = time.perf_counter_ns()
    if mode == "sync":
        run_sync(n)
    else:
        loop.run_until_complete(run_async(n))
    return (time.perf_counter_ns() - start) / 1000 / n

loop = asyncio.new_event_loop()
timed(50)  # warm-up: imports, pools, first spans
if rounds:
    print(" ".join(f"{timed(count):.3f}" for _ in range(rounds)))
elif count:
    timed(count)
loop.run_until_complete(api.aclose())
loop.close()
"""


def _instructions(case: str, mode: str, count: int) -> int:
    return callgrind_instructions(CASE, case, mode, str(count))


def instructions(requests: int) -> dict[str, dict[str, float]]:
    """Instructions per request, by path and case."""
    return {
        mode: {
            case: (_instructions(case, mode, requests) - _instructions(case, mode, 0)) / requests
            for case in CASES
        }
        for mode in MODES
    }


def timings(
    requests: int, repeat: int, cases: Sequence[str] = CASES
) -> dict[str, dict[str, float]]:
    """Median microseconds per request, by path and case (the cases take turns). ``cases``:
    some of ``CASES``, or ``"exporter"``: the SDK with a span processor handing every span to
    an in-memory exporter (what ``tools/bench.py`` reports as a span's cost)."""
    samples: dict[str, dict[str, list[float]]] = {m: {c: [] for c in cases} for m in MODES}
    for round_ in range(repeat):
        order = tuple(cases) if round_ % 2 == 0 else tuple(reversed(cases))
        for mode in MODES:
            for case in order:
                output = subprocess.run(
                    [sys.executable, "-c", CASE, case, mode, str(requests), "1"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                samples[mode][case].append(float(output.split()[0]))
    return {
        mode: {case: statistics.median(values) for case, values in cases.items()}
        for mode, cases in samples.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--instructions", action="store_true", help="count instructions")
    kind.add_argument("--time", action="store_true", help="measure wall-clock time")
    parser.add_argument("--requests", type=int, default=None, help="requests per measurement")
    parser.add_argument("--repeat", type=int, default=7, help="rounds (--time)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    use_valgrind = args.instructions or (not args.time and shutil.which("valgrind"))
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    started = time.monotonic()
    if use_valgrind:
        requests = args.requests or 300
        results = instructions(requests)
        unit, fmt = "instructions/request", "{:14,.0f}"
    else:
        requests = args.requests or 2000
        results = timings(requests, args.repeat)
        unit, fmt = "us/request", "{:14.1f}"
    if args.json:
        print(json.dumps({"unit": unit, "requests": requests, "results": results}, indent=2))
        return 0
    print(
        f"OpenTelemetryPlugin overhead, httpx.MockTransport, {unit}, {requests} requests "
        f"({time.monotonic() - started:.0f} s)"
    )
    print(f"{'path':<6} {'case':<7} {'per request':>14} {'overhead':>14} {'ratio':>7}")
    for mode, cases in results.items():
        bare = cases["bare"]
        for case, value in cases.items():
            overhead = "" if case == "bare" else fmt.format(value - bare)
            ratio = "" if case == "bare" else f"{value / bare:.2f}x"
            print(f"{mode:<6} {case:<7} {fmt.format(value)} {overhead:>14} {ratio:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
