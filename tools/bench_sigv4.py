"""Per-request cost of SigV4Plugin: what signing adds to a request, sync and async.

The requests go to an ``httpx.MockTransport``, so the numbers are the client's own work and the
differences against ``bare`` are the plugin's cost (botocore's signer included):

* ``bare``: ``GET /prod/items?page=2&q=a b`` on an instance without the plugin;
* ``get``: the same request signed (``execute-api``, static keys with a session token);
* ``post json``: a signed POST of a 1 KiB JSON body (encoded and hashed by the plugin);
* ``s3 put 1MiB``: a signed S3 PUT of 1 MiB of bytes (its SHA-256: on the async path in a
  worker thread);
* ``s3 put stream``: a signed S3 PUT of a generator (``UNSIGNED-PAYLOAD``: nothing hashed);
* ``botocore only``: ``SigV4Auth.add_auth`` on a prepared ``AWSRequest`` with no client at all,
  the floor any SigV4 signer pays (printed once, under ``sync``).

The cases take turns for ``--repeat`` rounds of ``--requests`` requests so that drift on the
machine spreads over all of them; the table shows the median CPU microseconds per request (the
process's CPU time, all threads: on a busy machine it blurs far less than wall-clock time) and
the overhead against ``bare`` (for ``s3 put 1MiB`` the bare case is an unsigned PUT of the same
body).

Usage::

    uv run python tools/bench_sigv4.py [--requests N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

import axios_python
from axios_python import AxiosPython
from axios_python_plugin_sigv4 import SigV4Plugin

__all__ = ["main", "run"]

KEYS = ("AKIDBENCHMARK0000001", "bench/secret/key/0000000000000000000000", "session-token")
CASES = ("bare", "get", "post json", "bare put 1MiB", "s3 put 1MiB", "s3 put stream")
BIG = bytes(range(256)) * 4096  # 1 MiB
DOCUMENT = {"items": [{"id": n, "name": f"item {n}", "tags": ["a", "b"]} for n in range(24)]}


def _handler(request: httpx.Request) -> httpx.Response:
    request.read()
    return httpx.Response(200, content=b"{}", headers={"Content-Type": "application/json"})


def _chunks() -> Iterator[bytes]:
    for _ in range(4):
        yield b"x" * 1024


def _instance(case: str) -> AxiosPython:
    base = "https://abc123.execute-api.us-east-1.amazonaws.com"
    plugins: list[Any] = []
    if case in ("get", "post json"):
        plugins.append(SigV4Plugin("execute-api", "us-east-1", KEYS))
    elif case.startswith("s3"):
        base = "https://bench.s3.us-east-1.amazonaws.com"
        plugins.append(SigV4Plugin("s3", "us-east-1", KEYS))
    return axios_python.create(
        {"base_url": base, "transport": httpx.MockTransport(_handler), "plugins": plugins}
    )


def _request(case: str) -> tuple[str, str, dict[str, Any]]:
    if case in ("bare", "get"):
        return "GET", "/prod/items", {"params": {"page": "2", "q": "a b"}}
    if case == "post json":
        return "POST", "/prod/items", {"json": DOCUMENT}
    if case == "s3 put stream":
        return "PUT", "/reports/stream.bin", {"content": None}
    return "PUT", "/reports/big file.bin", {"content": BIG}


def _sync_round(api: AxiosPython, case: str, count: int) -> float:
    method, url, options = _request(case)
    started = time.process_time()
    for _ in range(count):
        if case == "s3 put stream":
            options = {"content": _chunks()}
        api.request(method, url, **options)
    return (time.process_time() - started) / count * 1e6


async def _async_round(api: AxiosPython, case: str, count: int) -> float:
    method, url, options = _request(case)
    started = time.process_time()
    for _ in range(count):
        if case == "s3 put stream":
            options = {"content": _chunks()}
        await api.async_request(method, url, **options)
    return (time.process_time() - started) / count * 1e6


def _botocore_only(count: int) -> float:
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import ReadOnlyCredentials  # type: ignore[import-untyped]

    credentials = ReadOnlyCredentials(*KEYS)
    started = time.process_time()
    for _ in range(count):
        request = AWSRequest(
            method="GET",
            url="https://abc123.execute-api.us-east-1.amazonaws.com/prod/items?page=2&q=a%20b",
        )
        SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return (time.process_time() - started) / count * 1e6


def run(requests: int, repeat: int) -> dict[str, dict[str, float]]:
    """Median microseconds per request, per path and case (and ``botocore only``)."""
    results: dict[str, dict[str, float]] = {}
    for mode in ("sync", "async"):
        instances = {case: _instance(case) for case in CASES}
        samples: dict[str, list[float]] = {case: [] for case in CASES}
        loop = asyncio.new_event_loop()
        try:
            for case in CASES:  # warm up
                if mode == "sync":
                    _sync_round(instances[case], case, 5)
                else:
                    loop.run_until_complete(_async_round(instances[case], case, 5))
            for _ in range(repeat):
                for case in CASES:
                    count = max(1, requests // 10) if "1MiB" in case else requests
                    if mode == "sync":
                        samples[case].append(_sync_round(instances[case], case, count))
                    else:
                        samples[case].append(
                            loop.run_until_complete(_async_round(instances[case], case, count))
                        )
            for api in instances.values():
                if mode == "async":
                    loop.run_until_complete(api.aclose())
                else:
                    api.close()
        finally:
            loop.close()
        results[mode] = {case: statistics.median(samples[case]) for case in CASES}
    results["sync"]["botocore only"] = statistics.median(
        _botocore_only(requests) for _ in range(repeat)
    )
    return results


def _overhead(case: str, row: dict[str, float]) -> str:
    base: Callable[[], float | None] = {
        "get": lambda: row["bare"],
        "post json": lambda: row["bare"],
        "s3 put 1MiB": lambda: row["bare put 1MiB"],
        "s3 put stream": lambda: row["bare"],
    }.get(case, lambda: None)
    reference = base()
    return "" if reference is None else f"{row[case] - reference:+9.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = run(args.requests, args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{args.requests} requests x {args.repeat} rounds (1 MiB cases: a tenth as many)")
    print(f"{'case':<16}{'path':<7}{'us/request':>12}{'overhead':>11}")
    for mode, row in results.items():
        for case, value in row.items():
            print(f"{case:<16}{mode:<7}{value:>12.1f}{_overhead(case, row):>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
