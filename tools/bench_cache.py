"""What a cache hit saves: a memory hit (``CachePlugin``), a Redis hit (``RedisCachePlugin``
against a real ``redis-server`` started on a free loopback port) and a request to a loopback
HTTP server (no cache), in one run, on the sync and the async path.

Every case sends the same request (``GET /json``, a 1 KiB JSON answer with ``Cache-Control:
max-age=3600``) through one instance; the first request of a cached case stores the entry, the
measured ones are hits (checked). Each case runs ``--rounds`` rounds of ``--requests`` requests,
the cases taking turns so that drift on the machine spreads over all of them; the table shows
the median microseconds per request and the requests per second it makes.

Usage::

    uv run python tools/bench_cache.py [--requests N] [--rounds R] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

import axios_python
from axios_python.testing import LocalServer, Reply
from axios_python_plugin_cache import CachePlugin, get_cache_info
from axios_python_plugin_redis_cache import RedisCachePlugin
from axios_python_plugin_redis_cache.testing import RedisServer

__all__ = ["CASES", "MODES", "Result", "main", "run"]

CASES = ("memory hit", "redis hit", "network (loopback)")
MODES = ("sync", "async")
PAYLOAD = {"items": [{"id": i, "name": f"item-{i:04d}"} for i in range(40)]}


class Result(NamedTuple):
    """One case on one path: median microseconds per request."""

    case: str
    mode: str
    us_per_request: float


def _plugins(case: str, redis_url: str) -> list[Any]:
    if case == "memory hit":
        return [CachePlugin()]
    if case == "redis hit":
        return [RedisCachePlugin(redis_url, namespace="bench")]
    return []


def _round_sync(api: axios_python.AxiosPython, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        api.get("/json")
    return (time.perf_counter() - started) / count * 1e6


def _round_async(
    loop: asyncio.AbstractEventLoop, api: axios_python.AxiosPython, count: int
) -> float:
    async def run() -> float:
        started = time.perf_counter()
        for _ in range(count):
            await api.async_get("/json")
        return (time.perf_counter() - started) / count * 1e6

    return loop.run_until_complete(run())


def run(
    requests: int,
    rounds: int,
    *,
    base_url: str | None = None,
    cases: Sequence[str] = CASES,
) -> list[Result]:
    """Median microseconds per request of each case on each path. ``base_url``: a server
    whose ``GET /json`` answers with ``Cache-Control: max-age=3600`` (default: a LocalServer
    started here); ``cases``: some of ``CASES`` (a Redis server is started only for
    ``"redis hit"``)."""
    redis = RedisServer(_redis_binary()).start() if "redis hit" in cases else None
    server = None
    if base_url is None:
        server = LocalServer().start()
        server.route(
            "/json",
            lambda request: Reply(json=PAYLOAD, headers={"Cache-Control": "max-age=3600"}),
        )
        base_url = server.base_url
    loop = asyncio.new_event_loop()
    apis: dict[tuple[str, str], axios_python.AxiosPython] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        for case in cases:
            for mode in MODES:
                api = axios_python.create(
                    {"base_url": base_url, "plugins": _plugins(case, redis.url if redis else "")}
                )
                apis[case, mode] = api
                samples[case, mode] = []
                # warm up: connections open, the entry stored, then a hit (checked)
                for _ in range(3):
                    response = (
                        api.get("/json")
                        if mode == "sync"
                        else loop.run_until_complete(api.async_get("/json"))
                    )
                if case.startswith("network"):
                    assert getattr(response, "cache", None) is None, (case, mode)
                else:
                    assert get_cache_info(response).status == "hit", (case, mode)
        for _ in range(rounds):
            for (case, mode), api in apis.items():
                samples[case, mode].append(
                    _round_sync(api, requests)
                    if mode == "sync"
                    else _round_async(loop, api, requests)
                )
    finally:
        for (_, mode), api in apis.items():
            if mode == "sync":
                api.close()
            else:
                loop.run_until_complete(api.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        if server is not None:
            server.stop()
        if redis is not None:
            redis.stop()
    return [
        Result(case, mode, statistics.median(samples[case, mode]))
        for case in cases
        for mode in MODES
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args.requests, args.rounds)
    if args.json:
        print(json.dumps([r._asdict() for r in results], indent=2))
        return 0
    network = {r.mode: r.us_per_request for r in results if r.case.startswith("network")}
    print(
        f"GET /json (1 KiB JSON), median of {args.rounds} rounds x {args.requests} requests, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"{'case':<20} {'path':<6} {'us/request':>11} {'requests/s':>11} {'vs network':>11}")
    for r in results:
        print(
            f"{r.case:<20} {r.mode:<6} {r.us_per_request:>11.1f} "
            f"{round(1e6 / r.us_per_request):>11,} {network[r.mode] / r.us_per_request:>10.1f}x"
        )
    return 0


def _redis_binary() -> str:
    import shutil

    found = shutil.which("redis-server")
    if found is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    return found


if __name__ == "__main__":
    raise SystemExit(main())
