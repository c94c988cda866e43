"""The ``axios-python demo`` tour: it runs clean under ``-X dev -W error`` and every section
reports the outcome it promises."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from axios_python.__main__ import build_parser, main

__all__: list[str] = []


@dataclass(frozen=True)
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def section(self, number: int) -> str:
        """The text of section ``number`` (from its heading to the next one)."""
        match = re.search(rf"^{number}\. .*?(?=^\d+\. |^All done)", self.stdout, re.M | re.S)
        assert match is not None, f"section {number} missing from:\n{self.stdout}"
        return match.group(0)


@pytest.fixture(scope="module")
def demo() -> DemoRun:
    """Run the demo once in a fresh interpreter, in development mode, warnings as errors."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-m", "axios_python", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return DemoRun(
        completed.returncode, completed.stdout, completed.stderr, time.perf_counter() - start
    )


def test_exits_cleanly_without_warnings(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""
    assert demo.stdout.rstrip().splitlines()[-1].startswith("All done")
    assert demo.seconds < 20


def test_every_section_is_there(demo: DemoRun) -> None:
    headings = re.findall(r"^(\d+)\. ", demo.stdout, re.M)
    assert headings == [str(n) for n in range(1, 9)]
    assert "Local test server: http://127.0.0.1:" in demo.stdout


def test_instance_defaults_reach_the_server(demo: DemoRun) -> None:
    text = demo.section(1)
    assert "=> 200 OK from http://127.0.0.1:" in text
    assert "the server received X-Client: axios-python-demo" in text
    assert re.search(r"User-Agent: axios-python/\S+ httpx/\S+", text)
    assert "X-Client=axios-python-demo, X-Extra=1" in text


def test_interceptors(demo: DemoRun) -> None:
    text = demo.section(2)
    assert "the server received X-Request-Id: req-1" in text
    assert '{"hello": "world", "items": [1, 2, 3]}' in text
    assert "response.data: [1, 2, 3] (unwrapped by the interceptor)" in text


def test_middleware(demo: DemoRun) -> None:
    text = demo.section(3)
    assert "[attempt] #1 GET /json" in text
    assert re.search(r"\[timer\]   GET /json -> 200 in [\d.]+ ms", text)


def test_retries_honour_retry_after(demo: DemoRun) -> None:
    text = demo.section(4)
    assert "[attempt] #1 -> 503 (Retry-After: 1)" in text
    assert "[attempt] #2 -> 503 (Retry-After: 1)" in text
    assert "[attempt] #3 -> 200" in text
    assert "[attempt] #4" not in text
    waits = [float(w) for w in re.findall(r"([\d.]+) s after the previous one ended", text)]
    assert len(waits) == 2
    assert all(0.9 <= w < 1.8 for w in waits), waits
    # The call-scope timer includes both waits.
    timer = re.search(r"\[timer\]   GET /flaky\S* -> 200 in ([\d.]+) ms", text)
    assert timer is not None
    assert float(timer.group(1)) >= 1900
    assert re.search(r"final status 200 after 3 attempts in [\d.]+ s", text)
    assert "'attempt': 3" in text
    assert "0 middleware left" in text


def test_cancellation(demo: DemoRun) -> None:
    text = demo.section(5)
    match = re.search(r"CancelError: 'user pressed Cancel' after ([\d.]+) s", text)
    assert match is not None, text
    assert 0.25 <= float(match.group(1)) < 2.0  # cancelled at 0.3 s; the server stalls 10 s
    assert "CancelError at once: 'user pressed Cancel'; requests sent: 0" in text


def test_streaming(demo: DemoRun) -> None:
    text = demo.section(6)
    assert re.search(r"200: 2,000,000 bytes in \d+ chunks", text)
    assert "every byte as the server sent it" in text
    assert "lines: ['line 0', 'line 1', 'line 2']" in text


def test_errors(demo: DemoRun) -> None:
    text = demo.section(7)
    assert "status 404, response.ok is False" in text
    assert "HTTPStatusError (status_code 404)" in text
    match = re.search(r"TimeoutError after ([\d.]+) s", text)
    assert match is not None, text
    assert float(match.group(1)) < 2.0
    assert "also a builtin TimeoutError: True" in text
    assert "RetryError after 3 attempts; last: HTTPStatusError" in text
    assert "is an AxiosPythonError: True" in text


def test_sync_and_async(demo: DemoRun) -> None:
    text = demo.section(8)
    assert "the server received X-Middleware: async def" in text
    line = r"^  n=(\d): 200, X-Request-Id req-\d+, X-Middleware async def$"
    results = re.findall(line, text, re.M)
    assert sorted(results) == ["0", "1", "2", "3", "4"]
    match = re.search(r"=> 5 results in ([\d.]+) s: concurrent", text)
    assert match is not None, text
    assert float(match.group(1)) < 0.9  # five 0.2 s requests, not one after another
    assert "instance closed: True" in text


def test_main_without_a_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().err


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc_info:
        main(["--version"])
    assert exc_info.value.code == 0
    assert capsys.readouterr().out.startswith("axios-python ")


def test_parser_has_the_demo_command() -> None:
    args = build_parser().parse_args(["demo"])
    assert args.command == "demo"
    assert callable(args.handler)
