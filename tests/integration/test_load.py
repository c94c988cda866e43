"""Load through the whole first-party plugin stack: many threads and many tasks on one instance,
no errors, every response the answer to its own request, memory flat. Not a timed test: it
asserts correctness under load, and only loose bounds on memory.

The server runs in a process of its own, so the client's threads do not share the interpreter
lock with it (the load is on the client, as in production).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import axios_python
from axios_python.engine import httpx
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_dedupe import DedupePlugin
from axios_python_plugin_logger import LoggerPlugin
from axios_python_plugin_template import TemplatePlugin
from axios_python_plugin_timing import TimingPlugin

#: ``AXIOS_PYTHON_LOAD=full`` runs the full load (16 threads x 2,000 sync requests, 1,000
#: concurrent tasks twice: .ci/run does); the default keeps the suite fast with the same shape.
FULL = os.environ.get("AXIOS_PYTHON_LOAD") == "full"
THREADS = 16
PER_THREAD = 2_000 if FULL else 60
TASKS = 1_000 if FULL else 100
EXPIRING_PER_THREAD = 1_000 if FULL else 100

# correctness under load, not a timed test: at full size (32,000 requests through every plugin)
# a slow machine needs longer than the suite's per-test limit
pytestmark = pytest.mark.timeout(900 if FULL else 120)


def _rss() -> int:
    """Resident memory of this process in bytes (Linux)."""
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(autouse=True)
def _quiet_plugin_loggers() -> Iterator[None]:
    """The logger and timing plugins' loggers at WARNING for these tests (their lines are at
    INFO: on, but disabled, as in production), restored afterwards."""
    loggers = [logging.getLogger(name) for name in ("axios_python.logger", "axios_python.timing")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _stack(base_url: str) -> axios_python.AxiosPython:
    """An instance with every first-party plugin on."""
    return axios_python.create(
        {
            "base_url": base_url,
            "timeout": 30.0,
            "limits": httpx.Limits(max_connections=64, max_keepalive_connections=64),
            "plugins": [
                AuthPlugin(token_provider=lambda: "load-token"),
                LoggerPlugin(level=logging.INFO),
                TimingPlugin(level=logging.INFO),
                DedupePlugin(),
                TemplatePlugin("load-test"),
            ],
        }
    )


def _matches(response: axios_python.Response, ident: str) -> bool:
    data: Any = response.data
    return bool(
        response.status_code == 200
        and data["path"] == f"/echo/{ident}"
        and data["query"] == {"id": [ident]}
        and data["headers"]["authorization"] == "Bearer load-token"
        and data["headers"]["x-request-source"] == "load-test"
        and response.timings.total > 0  # type: ignore[attr-defined]
    )


def test_threads_through_the_whole_stack(remote_server: str) -> None:
    api = _stack(remote_server)
    failures: list[str] = []
    samples: list[int] = []
    start = threading.Barrier(THREADS)

    def worker(number: int) -> None:
        start.wait()
        for i in range(PER_THREAD):
            ident = f"t{number}-{i}"
            try:
                response = api.get(f"/echo/{ident}", params={"id": ident})
            except Exception as exc:  # counted, not raised: the test reports them all
                failures.append(f"{ident}: {type(exc).__name__}: {exc}")
                continue
            if not _matches(response, ident):
                failures.append(f"{ident}: wrong answer {response.data!r}")
            if number == 0 and i % (PER_THREAD // 4) == 0:
                gc.collect()
                samples.append(_rss())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api.close()
    assert failures == []
    # memory flat: after the warm-up sample, growth stays small (no per-request leak: 32,000
    # requests leaking even 1 KiB each would add 31 MiB)
    assert max(samples[1:]) - samples[1] < 16 * 1024 * 1024, samples


def test_threads_on_connections_that_expire_between_requests(remote_server: str) -> None:
    """Keep-alive connections that expire between one request and the next: every pass over
    the pool closes some while other threads are being handed theirs. None may be closed
    under the request it was handed to (encode/httpcore#1110: ``Bad file descriptor``, or a
    hang until the read timeout)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=0.002)
    failures: list[str] = []
    start = threading.Barrier(THREADS)
    with axios_python.create(
        {"base_url": remote_server, "timeout": 10.0, "limits": limits, "max_retries": 0}
    ) as api:

        def worker(number: int) -> None:
            start.wait()
            for i in range(EXPIRING_PER_THREAD):
                try:
                    api.get(f"/echo/e{number}-{i}")
                except Exception as exc:  # counted, not raised: the test reports them all
                    failures.append(f"e{number}-{i}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


def test_tasks_through_the_whole_stack(remote_server: str) -> None:
    api = _stack(remote_server)

    async def one(n: int) -> str | None:
        ident = f"a{n}"
        try:
            response = await api.async_get(f"/echo/{ident}", params={"id": ident})
        except Exception as exc:
            return f"{ident}: {type(exc).__name__}: {exc}"
        return None if _matches(response, ident) else f"{ident}: wrong answer"

    async def main() -> list[str | None]:
        try:
            results = await asyncio.gather(*(one(n) for n in range(TASKS)))
            gc.collect()
            before = _rss()
            results += await asyncio.gather(*(one(n) for n in range(TASKS, 2 * TASKS)))
            gc.collect()
            assert _rss() - before < 16 * 1024 * 1024
            return results
        finally:
            await api.aclose()

    assert [r for r in asyncio.run(main()) if r is not None] == []
