"""How much ``import axios_python`` costs on top of ``import httpx``.

    uv run python tools/bench_import.py [--runs 30] [--json]

Each measurement is a fresh interpreter (``python -X importtime``-free, wall clock inside the
process around the import statement), after a warm-up so bytecode caches exist. Also checks
that importing the core and listing the installed plugins import no plugin module and none of
the plugins' heavy dependencies.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = (
    "import time, sys\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "print((time.perf_counter() - t) * 1000)\n"
)

LISTING = (
    "import sys, json, axios_python, axios_python.plugins\n"
    "names = [i.name for i in axios_python.plugins.available()]\n"
    "heavy = ('axios_python_plugin', 'botocore', 'opentelemetry', 'redis')\n"
    "print(json.dumps({'plugins': names,"
    " 'imported': sorted(m for m in sys.modules if m.startswith(heavy))}))\n"
)


def measure(module: str, runs: int) -> list[float]:
    """Milliseconds to import ``module`` in ``runs`` fresh interpreters."""
    code = PROBE.format(module=module)
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return times


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    measure("axios_python", 2)  # warm-up: bytecode caches
    httpx_ms = measure("httpx", args.runs)
    core_ms = measure("axios_python", args.runs)
    listing = json.loads(
        subprocess.run(
            [sys.executable, "-c", LISTING], capture_output=True, text=True, check=True
        ).stdout
    )
    result = {
        "runs": args.runs,
        "httpx_median_ms": round(statistics.median(httpx_ms), 1),
        "axios_python_median_ms": round(statistics.median(core_ms), 1),
        "extra_ms": round(statistics.median(core_ms) - statistics.median(httpx_ms), 1),
        "plugins_installed": listing["plugins"],
        "plugin_or_heavy_modules_imported_by_listing": listing["imported"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>45}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
