"""The orchestration overhead of one request in CPU instructions, which a noisy machine does not
blur: valgrind's callgrind counts instructions, the same on every run of the same code.

    uv run python tools/bench_instructions.py [--requests 400] [--json]

A request goes through a bare ``axios_python`` instance and through a raw ``httpx.Client``, both
on the same ``httpx.MockTransport`` (no network), sync path. Each case runs twice under
callgrind, once with no measured requests and once with ``--requests``: the difference divided
by the count is the instructions per request, start-up and warm-up excluded. Needs ``valgrind``
(Debian's package); takes a few seconds.

``--loopback`` counts the client's instructions of ``bench.py``'s cases one request at a time
instead: raw ``httpx.Client``, a bare instance, the typical plugin stack and one ``async def``
middleware, then raw ``httpx.AsyncClient`` and a bare instance on the async path, each making
``bench.py``'s request to its server (granian, in a process of its own, so only the client is
counted). The ratios of these counts track ``bench.py``'s ratios without the machine's noise;
takes about twenty minutes.

``--concurrent`` counts raw ``aiohttp.ClientSession`` and an instance on the aiohttp transport
(``create({"transport": "aiohttp"})``) sending ``bench.py``'s 32 concurrent requests, each to its
own ``?i=`` URL, after ten gathers of warm-up; about two minutes for ``--requests 640``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

CASE = """
import sys
import httpx
import axios_python

def handler(request):
    return httpx.Response(200, json={"ok": True})

which, count = sys.argv[1], int(sys.argv[2])
if which == "axios":
    api = axios_python.create({"base_url": "http://h", "transport": httpx.MockTransport(handler)})
    send = lambda: api.get("/x", params={"page": 1})
else:
    raw = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://h")
    send = lambda: raw.get("/x", params={"page": 1})
for _ in range(50):
    send()
for _ in range(count):
    send()
"""

LOOPBACK_CASE = """
import sys
import axios_python
from axios_python.engine import httpx
from bench import ROUTE, _async_passthrough, _stack_plugins

which, count, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if which == "raw":
    raw = httpx.Client()
    url = base + ROUTE
    send = lambda: raw.get(url)
elif which == "bare":
    api = axios_python.create({"base_url": base})
    send = lambda: api.get(ROUTE)
elif which == "async-mw":
    api = axios_python.create({"base_url": base})
    api.use(_async_passthrough)
    send = lambda: api.get(ROUTE)
elif which == "stack":
    api = axios_python.create({"base_url": base, "plugins": _stack_plugins()})
    send = lambda: api.get(ROUTE, cache=False)
else:  # async-raw, async-bare: one request at a time on an event loop
    import asyncio

    async def run() -> None:
        if which == "async-raw":
            client = httpx.AsyncClient()
            url = base + ROUTE
            asend = lambda: client.get(url)
        else:
            api = axios_python.create({"base_url": base})
            asend = lambda: api.async_get(ROUTE)
        for _ in range(30):
            await asend()
        for _ in range(count):
            await asend()

    send = None
    asyncio.run(run())
if send is not None:
    for _ in range(30):
        send()
    for _ in range(count):
        send()
"""

CONCURRENT_CASE = """
import asyncio
import sys
import axios_python
from bench import CONCURRENCY, ROUTE

which, count, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]


async def run() -> None:
    if which == "aiohttp-raw":
        import aiohttp

        session = aiohttp.ClientSession()

        async def call(i: int) -> None:
            async with session.get(f"{base}{ROUTE}?i={i}") as response:
                await response.read()

        close = session.close
    else:  # the instance on the aiohttp transport
        api = axios_python.create({"base_url": base, "transport": "aiohttp"})

        async def call(i: int) -> None:
            await api.async_get(f"{ROUTE}?i={i}")

        close = api.aclose
    for start in range(-10 * CONCURRENCY, count, CONCURRENCY):  # ten rounds of warm-up first
        await asyncio.gather(*(call(i) for i in range(start, start + CONCURRENCY)))
    await close()


asyncio.run(run())
"""

_TOOLS = os.path.dirname(os.path.abspath(__file__))
_COLLECTED = re.compile(r"Collected : (\d+)")


def callgrind_instructions(script: str, *args: str) -> int:
    """Instructions callgrind counts for a whole run of ``python -c script *args`` (the other
    benchmarks count theirs with it too; ``tools/`` is on the script's import path)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [_TOOLS, os.environ.get("PYTHONPATH")])),
        # one string hash for every run: dict probing, and so the count, is then the same
        "PYTHONHASHSEED": "0",
    }
    result = subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
            sys.executable, "-c", script, *args,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )  # fmt: skip
    match = _COLLECTED.search(result.stderr)
    if match is None:
        raise SystemExit(f"callgrind printed no count:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def instructions(which: str, count: int) -> int:
    """Instructions callgrind counts for a whole run of the case."""
    return callgrind_instructions(CASE, which, str(count))


def per_request(which: str, count: int) -> float:
    """Instructions of one request, the run's fixed costs taken out."""
    return (instructions(which, count) - instructions(which, 0)) / count


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--loopback", action="store_true", help="bench.py's sync cases against its server"
    )
    parser.add_argument(
        "--concurrent",
        action="store_true",
        help="raw aiohttp and the aiohttp transport, 32 requests at a time, each URL new",
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    if args.loopback:
        return _loopback(args.requests, args.json)
    if args.concurrent:
        return _concurrent(args.requests, args.json)
    axios = per_request("axios", args.requests)
    httpx_ = per_request("httpx", args.requests)
    result = {
        "requests": args.requests,
        "axios_instructions": round(axios),
        "httpx_instructions": round(httpx_),
        "overhead_instructions": round(axios - httpx_),
        "ratio": round(axios / httpx_, 4),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"instructions per request, sync, mock transport ({args.requests} requests):")
        print(f"  httpx.Client       {result['httpx_instructions']:>10,}")
        print(f"  axios_python bare  {result['axios_instructions']:>10,}")
        print(f"  overhead           {result['overhead_instructions']:>10,}  ({result['ratio']}x)")
    return 0


def _loopback(count: int, as_json: bool) -> int:
    """Raw httpx, bare and the typical stack against ``bench.py``'s server."""
    from bench import bench_server

    counts: dict[str, float] = {}
    with bench_server() as (base_url, _):
        for which in ("raw", "bare", "stack", "async-mw", "async-raw", "async-bare"):
            whole = callgrind_instructions(LOOPBACK_CASE, which, str(count), base_url)
            fixed = callgrind_instructions(LOOPBACK_CASE, which, "0", base_url)
            counts[which] = (whole - fixed) / count
    result = {
        "requests": count,
        **{f"{which}_instructions": round(value) for which, value in counts.items()},
        "bare_ratio": round(counts["raw"] / counts["bare"], 4),
        "stack_ratio": round(counts["raw"] / counts["stack"], 4),
        "async_mw_ratio": round(counts["raw"] / counts["async-mw"], 4),
        "async_bare_ratio": round(counts["async-raw"] / counts["async-bare"], 4),
    }
    if as_json:
        print(json.dumps(result))
    else:
        print(f"client instructions per request, sync, loopback ({count} requests):")
        for which, value in counts.items():
            reference = "async-raw" if which.startswith("async-") and which != "async-mw" else "raw"
            ratio = counts[reference] / value
            shown = "raw httpx.AsyncClient" if reference == "async-raw" else "raw httpx.Client"
            print(f"  {which:<10} {value:>12,.0f}  ({ratio:.2f}x {shown}'s speed)")
    return 0


def _concurrent(count: int, as_json: bool) -> int:
    """Raw aiohttp and an instance on the aiohttp transport, ``bench.py``'s 32 concurrent
    requests (each on its own ``?i=`` URL), against its server."""
    from bench import CONCURRENCY, bench_server

    count -= count % CONCURRENCY  # whole gathers
    counts: dict[str, float] = {}
    with bench_server() as (base_url, _):
        for which in ("aiohttp-raw", "aiohttp-transport"):
            whole = callgrind_instructions(CONCURRENT_CASE, which, str(count), base_url)
            fixed = callgrind_instructions(CONCURRENT_CASE, which, "0", base_url)
            counts[which] = (whole - fixed) / count
    if as_json:
        print(json.dumps({"requests": count, **{k: round(v) for k, v in counts.items()}}))
    else:
        print(f"client instructions per request, 32 concurrent, loopback ({count} requests):")
        for which, value in counts.items():
            ratio = counts["aiohttp-raw"] / value
            print(f"  {which:<18} {value:>12,.0f}  ({ratio:.2f}x raw aiohttp's speed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
