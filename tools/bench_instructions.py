"""The orchestration overhead of one request in CPU instructions, which a noisy machine does not
blur: valgrind's callgrind counts instructions, the same on every run of the same code.

    uv run python tools/bench_instructions.py [--requests 400] [--json]

A request goes through a bare ``axios_python`` instance and through a raw ``httpx.Client``, both
on the same ``httpx.MockTransport`` (no network), sync path. Each case runs twice under
callgrind, once with no measured requests and once with ``--requests``: the difference divided
by the count is the instructions per request, start-up and warm-up excluded. Needs ``valgrind``
(Debian's package); takes a few seconds.
"""

from __future__ import annotations

import argparse
import json
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

_COLLECTED = re.compile(r"Collected : (\d+)")


def callgrind_instructions(script: str, *args: str) -> int:
    """Instructions callgrind counts for a whole run of ``python -c script *args`` (the other
    benchmarks count theirs with it too)."""
    result = subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
            sys.executable, "-c", script, *args,
        ],
        capture_output=True,
        text=True,
        check=True,
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
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
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


if __name__ == "__main__":
    sys.exit(main())
