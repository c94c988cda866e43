"""The benchmark scripts in ``tools/`` run (a tiny size each): a change that breaks one fails
here, not on the day someone measures. Only that they run and print a table is checked: speed
is never asserted in tests. (``bench_instructions.py`` needs valgrind and is left out.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"

SMOKE = {
    "bench_cache.py": ["--requests", "5", "--rounds", "1"],
    "bench_sigv4.py": ["--requests", "5", "--repeat", "1"],
    "bench_otel.py": ["--time", "--requests", "5", "--repeat", "1"],
    "bench_overhead.py": ["--requests", "5", "--repeat", "1"],
    "bench_logger.py": ["--requests", "5", "--repeat", "1"],
    "bench_import.py": ["--runs", "1"],
    "bench_cancel.py": ["--runs", "1"],
}


@pytest.mark.parametrize(("script", "args"), SMOKE.items(), ids=list(SMOKE))
def test_benchmark_runs(script: str, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(TOOLS / script), *args],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "the benchmark printed nothing"


def test_every_benchmark_is_smoke_tested() -> None:
    scripts = {path.name for path in TOOLS.glob("bench_*.py")} - {"bench_instructions.py"}
    assert scripts == set(SMOKE)
