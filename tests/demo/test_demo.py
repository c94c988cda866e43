"""The ``axios-python demo`` tour: it runs clean under ``-X dev -W error`` and every section
reports the outcome it promises."""

from __future__ import annotations

import os
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
    """Run the demo once in a fresh interpreter, in development mode, warnings as errors, on a
    machine whose environment names a proxy that is not there: the demo's requests to its own
    loopback servers go direct all the same."""
    start = time.perf_counter()
    dead_proxy = "http://127.0.0.1:9"
    completed = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-m", "axios_python", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HTTP_PROXY": dead_proxy, "ALL_PROXY": dead_proxy},
    )
    return DemoRun(
        completed.returncode, completed.stdout, completed.stderr, time.perf_counter() - start
    )


def test_exits_cleanly_without_warnings(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""
    assert demo.stdout.rstrip().splitlines()[-1].startswith("All done")


def test_every_section_is_there(demo: DemoRun) -> None:
    headings = re.findall(r"^(\d+)\. ", demo.stdout, re.M)
    assert headings == [str(n) for n in range(1, 17)]
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
    assert all(0.9 <= w < 5 for w in waits), waits
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
    assert float(match.group(1)) < 1.0  # five 0.2 s requests, not one after another (1 s)
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


# -- the ecosystem ---------------------------------------------------------------------------


def test_plugins_are_discovered_and_listed(demo: DemoRun) -> None:
    text = demo.section(9)
    for name in ("auth", "cache", "dedupe", "logger", "otel", "redis-cache", "sigv4", "timing"):
        assert re.search(rf"^  {re.escape(name)} +axios-python-plugin-{name} \S+$", text, re.M)


def test_plugins_attached_by_name(demo: DemoRun) -> None:
    text = demo.section(10)
    assert '"plugins": ["timing", ("auth", {"token": "demo-secret-token"})]' in text  # source
    assert "AuthPlugin(scheme='Bearer', token=***)" in text
    assert "the server received the token: True" in text
    assert re.search(r"timing: [\d.]+ ms in 1 attempt", text)
    assert text.count("demo-secret-token") == 2  # in the source and the check, never printed


def test_logger_masks_secrets(demo: DemoRun) -> None:
    text = demo.section(11)
    assert re.search(r"\[log\] --> GET http://127\.0\.0\.1:\d+/json\?api_key=\[REDACTED\]", text)
    assert re.search(r"\[log\] <-- 200 OK .*\(38 bytes", text)
    assert text.count("s3cret-key") == 1  # only in the source


def test_cache_hit_without_the_network(demo: DemoRun) -> None:
    text = demo.section(12)
    assert "first:  miss, the server counted hit #1" in text
    assert "second: hit, the same body: {'path': '/count', 'hits': 1}" in text
    assert "requests the server received: 1" in text


def test_dedupe_ten_calls_one_request(demo: DemoRun) -> None:
    text = demo.section(13)
    assert "10 responses, all [200]" in text
    assert "requests the server received: 1" in text


def test_otel_spans_printed(demo: DemoRun) -> None:
    text = demo.section(14)
    spans = re.findall(r"^  \[span\] GET CLIENT (.*)$", text, re.M)
    assert len(spans) == 3
    assert "sig=REDACTED" in spans[0] and "secret-signature" not in spans[0]
    assert "'error.type': '503'" in spans[1]
    assert "'http.request.resend_count': 1" in spans[2]


def test_redis_cache_shared_between_clients(demo: DemoRun) -> None:
    text = demo.section(15)
    assert "client 1: miss; client 2: hit" in text
    assert "requests the server received: 1" in text


def test_process_wide_plugins(demo: DemoRun) -> None:
    text = demo.section(16)
    assert re.search(r"\[axios_python\.logger\] --> GET http://127\.0\.0\.1:\d+/json", text)
    assert re.search(r"\[axios_python\.logger\] <-- 200 OK", text)


def test_a_section_runs_alone_and_shows_its_source() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "axios_python", "demo", "cache"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert re.findall(r"^(\d+)\. (.*)$", completed.stdout, re.M) == [
        ("1", "Cache: a hit served without the network [cache]")
    ]
    assert "  | def cache(server: LocalServer, say: Say) -> None:" in completed.stdout
    assert "second: hit" in completed.stdout


def test_sections_are_listed_and_unknown_ones_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed[0] == "lifecycle" and {"cache", "otel", "redis-cache"} <= set(listed)
    assert main(["demo", "cahce"]) == 2
    assert (
        "unknown demo section 'cahce'; choose from: lifecycle, plugins" in capsys.readouterr().out
    )


def test_a_section_whose_parts_are_missing_is_skipped_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util
    import io

    from axios_python._demo import run_demo

    real = importlib.util.find_spec

    def without_sdk(name: str, *args: object) -> object:
        return None if name == "opentelemetry.sdk" else real(name)

    monkeypatch.setattr(importlib.util, "find_spec", without_sdk)
    out = io.StringIO()
    assert run_demo(out, ["otel"]) == 0
    assert "skipped: opentelemetry.sdk is not installed" in out.getvalue()
    assert "[span]" not in out.getvalue()
