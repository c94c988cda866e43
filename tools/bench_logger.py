"""Per-request cost of LoggerPlugin: without the plugin, with it at a disabled level, enabled.

The requests go to an ``httpx.MockTransport`` (``--loopback`` uses a real loopback server
instead), so the numbers are the client's own work and the differences are the plugin's cost:

* ``bare``: an instance without the plugin;
* ``2 no-op hooks``: a call-scope and an attempt-scope middleware that only call ``next_fn``
  (both forms), the floor any plugin with the logger's shape pays in the core;
* ``disabled``: ``LoggerPlugin(level=INFO)`` on a logger set to WARNING: each of its two hooks
  returns after one ``isEnabledFor`` check;
* ``enabled``: the same plugin on a logger at INFO, with a handler that formats every record
  (into memory), i.e. two formatted lines per request;
* ``enabled+headers``: as ``enabled`` with ``log_headers=True`` (redaction included).

The cases take turns for ``--repeat`` rounds of ``--requests`` requests (sync, then async) so
that drift on the machine spreads over all of them; the table shows the median time per request
and the overhead against ``bare`` in microseconds.

Usage::

    uv run python tools/bench_logger.py [--requests N] [--repeat R] [--loopback] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx

import axios_python
from axios_python import AxiosPython, Config, Dual, Response
from axios_python.testing import LocalServer
from axios_python_plugin_logger import LoggerPlugin

__all__ = ["main", "run"]

LOGGER = "bench.axios_python.logger"
CASES = ("bare", "2 no-op hooks", "disabled", "enabled", "enabled+headers")
BODY = b'{"hello": "world", "items": [1, 2, 3]}'


def _handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})


def _noop(ctx: Config, next_fn: Callable[[Config], Response]) -> Response:
    return next_fn(ctx)


async def _anoop(ctx: Config, next_fn: Callable[[Config], Awaitable[Response]]) -> Response:
    return await next_fn(ctx)


def _client(case: str, base_url: str, mock: bool) -> AxiosPython:
    config: dict[str, Any] = {"base_url": base_url}
    if mock:
        config["transport"] = httpx.MockTransport(_handler)
    api = axios_python.create(config)
    if case == "2 no-op hooks":
        api.use(Dual(sync=_noop, async_=_anoop))
        api.use(Dual(sync=_noop, async_=_anoop), scope="attempt")
    elif case != "bare":
        api.plugin(
            LoggerPlugin(level=logging.INFO, logger=LOGGER, log_headers=case == "enabled+headers")
        )
    return api


@contextlib.contextmanager
def _logger_level(case: str) -> Iterator[None]:
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO if case.startswith("enabled") else logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(logging.WARNING)


def _time(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(count):
        call()
    return (time.perf_counter_ns() - start) / 1000 / count


async def _atime(api: AxiosPython, count: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(count):
        await api.async_get("/json", headers={"Authorization": "Bearer x", "X-Req": "1"})
    return (time.perf_counter_ns() - start) / 1000 / count


def run(requests: int, repeat: int, loopback: bool) -> dict[str, dict[str, float]]:
    """Median microseconds per request, by mode (``sync``/``async``) and case."""
    logger = logging.getLogger(LOGGER)
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(io.StringIO()))  # formats every record it gets
    server = LocalServer().start() if loopback else None
    base_url = server.base_url if server else "http://bench.invalid"
    clients = {case: _client(case, base_url, mock=server is None) for case in CASES}
    samples: dict[str, dict[str, list[float]]] = {
        mode: {case: [] for case in CASES} for mode in ("sync", "async")
    }
    loop = asyncio.new_event_loop()
    try:
        for round_ in range(repeat + 1):  # round 0 warms up
            order = CASES if round_ % 2 else tuple(reversed(CASES))
            for case in order:
                api = clients[case]
                with _logger_level(case):

                    def call(api: AxiosPython = api) -> object:
                        return api.get("/json", headers={"Authorization": "Bearer x", "X-Req": "1"})

                    sync_us = _time(call, requests)
                    async_us = loop.run_until_complete(_atime(api, requests))
                if round_:
                    samples["sync"][case].append(sync_us)
                    samples["async"][case].append(async_us)
    finally:
        for api in clients.values():
            loop.run_until_complete(api.aclose())
        loop.close()
        if server is not None:
            server.stop()
    return {
        mode: {case: statistics.median(values) for case, values in cases.items()}
        for mode, cases in samples.items()
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="requests per case per round")
    parser.add_argument("--repeat", type=int, default=7, help="rounds")
    parser.add_argument("--loopback", action="store_true", help="a real loopback server")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    results = run(args.requests, args.repeat, args.loopback)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    transport = "loopback server" if args.loopback else "httpx.MockTransport"
    print(f"LoggerPlugin overhead, {transport}, {args.requests} requests x {args.repeat} rounds")
    print(f"{'mode':<6} {'case':<16} {'us/request':>11} {'overhead us':>12}")
    for mode, cases in results.items():
        for case, value in cases.items():
            overhead = value - cases["bare"]
            shown = "" if case == "bare" else f"{overhead:+12.1f}"
            print(f"{mode:<6} {case:<16} {value:11.1f} {shown:>12}")


if __name__ == "__main__":
    main()
