"""The benchmark scripts in ``tools/`` run (a tiny size each): a change that breaks one fails
here, not on the day someone measures. Only that they run and print a table is checked: speed
is never asserted in tests. (``bench_instructions.py`` needs valgrind and is left out.) The
suite, ``bench.py``, runs in its ``--smoke`` size and is checked a little more."""

from __future__ import annotations

import json
import socket
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
    scripts = {path.name for path in TOOLS.glob("bench*.py")} - {"bench_instructions.py"}
    assert scripts == {*SMOKE, "bench.py"}


def test_benchmark_suite_smoke(tmp_path: Path) -> None:
    """``tools/bench.py --smoke``: every section runs (no row failed), the JSON holds the
    table's rows, and the server it started is gone afterwards."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(TOOLS / "bench.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads(out.read_text())
    rows = document["rows"]
    assert not [row for row in rows if row["failed"]]
    assert {row["section"] for row in rows} == set(document["settings"]["sections"])
    assert document["machine"]["server"].split()[0] in ("granian", "uvicorn")
    for row in rows:  # each row is in the printed table
        assert row["case"] in done.stdout
    port = int(document["settings"]["base_url"].rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # the server was stopped


FALLBACK = """
import sys

import bench

real = bench._server_command


def granian_fails(name, port):
    if name == "granian":
        return [sys.executable, "-c", "raise SystemExit('granian cannot start')"]
    return real(name, port)


bench._server_command = granian_fails
with bench.bench_server("auto") as (url, shown):
    print(shown)
"""


def test_benchmark_server_falls_back_to_uvicorn() -> None:
    """When granian cannot start, the suite serves its app with uvicorn and says why."""
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("uvicorn "), done.stdout
    assert "fallback: granian exited with code 1: granian cannot start" in done.stdout
