"""How much ``import axios_python`` costs on top of ``import httpx``.

    uv run python tools/bench_import.py [--runs 30] [--json]

Each measurement is a fresh interpreter (``python -X importtime``-free, wall clock inside the
process around the import statement), with bytecode caches as an installed package has them:
the probes write and read them in a private cache directory (``PYTHONPYCACHEPREFIX``), even where
``PYTHONDONTWRITEBYTECODE`` is set (it is on our CI machine, where every import would otherwise
compile its source again and the figure would measure the compiler). httpx and the core are
measured alternately, after a warm-up that fills the caches. Also checks
that importing the core and listing the installed plugins import no plugin module and none of
the plugins' heavy dependencies.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

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


_cache_dir: str | None = None


def _env() -> dict[str, str]:
    """The probes' environment: bytecode cached, in a directory of this run's own."""
    global _cache_dir
    if _cache_dir is None:
        _cache_dir = tempfile.mkdtemp(prefix="axios-python-pycache-")
        atexit.register(shutil.rmtree, _cache_dir, True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = _cache_dir
    return env


def measure(module: str, runs: int) -> list[float]:
    """Milliseconds to import ``module`` in ``runs`` fresh interpreters."""
    code = PROBE.format(module=module)
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env()
        )
        times.append(float(out.stdout))
    return times


def compare(runs: int) -> tuple[list[float], list[float]]:
    """``import httpx`` and ``import axios_python`` times, ``runs`` each, measured alternately
    after a warm-up (bytecode caches filled, the files in the page cache)."""
    measure("axios_python", 2)
    measure("httpx", 1)
    httpx_ms: list[float] = []
    core_ms: list[float] = []
    for _ in range(runs):
        httpx_ms += measure("httpx", 1)
        core_ms += measure("axios_python", 1)
    return httpx_ms, core_ms


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    httpx_ms, core_ms = compare(args.runs)
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
