"""The benchmark suite: every performance figure of axios_python in one run, one table.

Usage::

    uv run python tools/bench.py [--smoke] [--json PATH] [--rounds R] [--requests N]
                                 [--only SECTION ...] [--server auto|granian|uvicorn]

It starts a fast HTTP server in a process of its own (granian serving ``tools/_bench_app.py``;
uvicorn if granian cannot start; the table says which ran), waits until it answers, runs the
sections, stops the server (also on Ctrl-C or an error) and prints one table: case, value,
unit, ratio, target and whether the target is met. ``--json PATH`` also writes the rows and the
machine to PATH (nothing is written without it).

Sections (``--only`` takes any of them; default: all):

* ``sync``: ``GET /json`` one request after another: raw ``httpx.Client``; a bare instance; the
  typical stack (``AuthPlugin`` with a bearer token, ``LoggerPlugin`` on a logger at a disabled
  level, ``TimingPlugin``, ``DedupePlugin``, ``CachePlugin`` bypassed with the per-call
  ``cache=False`` (the cache's own ``"bypass"`` status: not read, not stored), and
  ``OpenTelemetryPlugin`` on the API's default no-op providers, no SDK); an instance with one
  ``async def`` middleware.
* ``async``: raw ``httpx.AsyncClient``, a bare instance, the stack and the aiohttp transport
  (``create({"transport": "aiohttp"})``, "n/a" where the core does not accept it) at
  concurrency 1 and 32 (``asyncio.gather`` of 32 tasks, each on its own ``?i=`` query so that
  the dedupe plugin has nothing to merge); raw ``aiohttp.ClientSession`` at 32 for what the
  machine can do. The httpx clients and instances get ``max_keepalive_connections=32``.
* ``micro``: ``httpx.MockTransport`` in this process: µs per request of raw httpx and of a
  bare instance, sync and async; the difference is the orchestration overhead.
* ``cache``: memory and Redis cache hits next to a loopback request (``bench_cache.py``;
  Redis "n/a" without a ``redis-server`` binary).
* ``sigv4``: the CPU time SigV4 signing adds to a request (``bench_sigv4.py``).
* ``otel``: what a span costs: the SDK with an in-memory exporter against no plugin
  (``bench_otel.py``, each measurement in a fresh interpreter).
* ``memory``: resident-set growth while streaming 1 GiB (``--smoke``: 4 MiB) with ``stream=True``
  and ``iter_bytes`` through an instance with one middleware, the logger (enabled, formatting
  every record) and timing plugins.
* ``import``: ``import axios_python`` (every plugin installed) against ``import httpx``, in
  fresh interpreters (``bench_import.py``).
* ``httpx2``: the sync and async bare rows again, with raw ``httpx2`` clients as the
  reference, in a child process run with ``AXIOS_PYTHON_ENGINE=httpx2`` ("n/a" and the reason
  when that child fails).

Every loopback case is warmed up (the cases that gather 32 tasks also run in turns for
``STEADY_SECONDS`` first, until the connections their pools do not need have expired), then
the cases take turns, in alternating order, for
``--rounds`` rounds (7) of ``--requests`` requests (300; a gather of 32 counts as 32); within a
round the cases take turns of 50 requests (64 in a section where one gathers), so that a
change in the machine's speed falls on every case of the round alike. A case's value is the
median over rounds of its median time per request; its ratio is the median over rounds of
(reference time ÷ case time) within the same round, so a ratio above 1 is faster than the
reference (the raw client, unless the table says otherwise). The other sections scale
from the same options: ``micro`` 4 × ``--requests`` per round, ``cache`` and ``sigv4`` at most
5 rounds, ``otel`` 2,000 requests x 3 rounds, ``import`` 10 interpreters per module. The full
run takes about 2 to 6 minutes on a 2-core machine, depending on its load.

``--smoke`` runs every case at a tiny size in a few seconds, for CI: targets are shown but
never asserted. The exit code is 0 when every case ran ("n/a" for something not installed
counts as ran), 1 when a case failed.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import gc
import importlib.metadata
import importlib.util
import itertools
import json
import logging
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from bench_overhead import (  # siblings: tools/ is on sys.path
    CaseResult,
    Mode,
    Round,
    _async_passthrough,
    _passthrough,
    _time_async,
    _time_gather,
    _time_sync,
)

import axios_python
from axios_python import AxiosPython

__all__ = ["SECTIONS", "Params", "Row", "bench_server", "main"]

TOOLS = Path(__file__).resolve().parent
SECTIONS = ("sync", "async", "micro", "cache", "sigv4", "otel", "memory", "import", "httpx2")
NEEDS_SERVER = frozenset({"sync", "async", "cache", "memory", "httpx2"})
CHILD_SECTIONS = frozenset({"otel", "import", "httpx2"})  # measured in child processes
CONCURRENCY = 32
ROUTE = "/json"
MIB = 1024 * 1024
STACK_LOGGER = "bench.axios_python.stack"
MEMORY_LOGGER = "bench.axios_python.memory"

SyncCall = Callable[[], object]
T = TypeVar("T")
AsyncCall = Callable[[], Awaitable[object]]


@dataclass
class Params:
    """The sizes of one run."""

    requests: int  # per loopback case per round
    rounds: int
    smoke: bool

    @property
    def warmup(self) -> int:
        """Requests each loopback case makes before it is measured (a gather of 32 tasks:
        at least one gather; smoke: one request, one gather)."""
        return 1 if self.smoke else min(100, max(5, self.requests // 5))

    @property
    def stream_bytes(self) -> int:
        """Bytes the memory case streams."""
        return 4 * MIB if self.smoke else 1024 * MIB


@dataclass
class Row:
    """One line of the table (and of the JSON)."""

    section: str
    case: str
    value: float | None  # None: not measured (see ``note``)
    unit: str
    ratio: float | None = None  # reference time / case time, same rounds (>1: faster)
    reference: str | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""  # why a row is n/a, or the error that failed it
    failed: bool = False

    def check(self, on: Literal["ratio", "value"], op: str, limit: float, text: str) -> Row:
        """Set the target (``text``) and whether ``ratio``/``value`` ``op`` ``limit`` holds."""
        self.target = text
        measured = self.ratio if on == "ratio" else self.value
        if measured is not None:
            self.met = measured >= limit if op == ">=" else measured <= limit
        return self


def _na(section: str, case: str, unit: str, reason: str, target: str = "") -> Row:
    return Row(section, case, None, unit, note=f"n/a ({reason})", target=target)


def _failed(section: str, case: str, unit: str, exc: BaseException) -> Row:
    return Row(section, case, None, unit, note=f"failed: {type(exc).__name__}: {exc}", failed=True)


# -- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command(name: str, port: int) -> list[str] | None:
    common = ["--host", "127.0.0.1", "--port", str(port)]
    if name == "granian":
        if importlib.util.find_spec("granian") is None:
            return None
        return [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "1"),
            *("--no-access-log", "--log-level", "warning", "--working-dir", str(TOOLS)),
            *common,
            "_bench_app:app",
        ]
    if importlib.util.find_spec("uvicorn") is None:
        return None
    return [
        *(sys.executable, "-m", "uvicorn", "--app-dir", str(TOOLS), "--log-level", "warning"),
        *("--no-access-log", "--lifespan", "off", *common, "_bench_app:app"),
    ]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    process.wait()


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float) -> str | None:
    """None once ``GET /json`` answers 200; else why not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with code {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            status = httpx.get(f"http://127.0.0.1:{port}{ROUTE}", timeout=2).status_code
        except (OSError, httpx.HTTPError):
            time.sleep(0.05)
            continue
        return None if status == 200 else f"GET {ROUTE} answered {status}"
    return f"did not answer within {timeout:.0f} s"


@contextlib.contextmanager
def bench_server(kind: str = "auto", timeout: float = 20.0) -> Iterator[tuple[str, str]]:
    """Serve ``_bench_app`` in a process group of its own and yield ``(base_url, server)``
    (``server`` names what ran, with the reason when granian fell back to uvicorn); the
    server is always stopped on the way out."""
    names = ["granian", "uvicorn"] if kind == "auto" else [kind]
    failures: list[str] = []
    for name in names:
        port = _free_port()
        command = _server_command(name, port)
        if command is None:
            failures.append(f"{name} is not installed")
            continue
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopped whole, spared the terminal's ^C
            )
            try:
                problem = _wait_ready(process, port, timeout)
                if problem is None:
                    shown = f"{name} {_version(name)}"
                    if failures:
                        shown += f" (fallback: {'; '.join(failures)})"
                    yield f"http://127.0.0.1:{port}", shown
                    return
            finally:
                _stop(process)
            log.seek(0)
            output = log.read().decode(errors="replace").strip().splitlines()
            failures.append(f"{name} {problem}" + (f": {output[-1]}" if output else ""))
    raise RuntimeError("no benchmark server could start: " + "; ".join(failures))


# -- measuring ----------------------------------------------------------------------------------


def _checked(response: Any) -> None:
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if status != 200:
        raise RuntimeError(f"unexpected status {status}")


#: Requests of one case before the next case takes its turn, within a round: the cases of a
#: round take many short turns, so a change in the machine's speed (another process, the CPU's
#: clock) falls on all of them alike instead of on whichever case ran then.
SLICE = 50


def _slices(requests: int, size: int) -> list[int]:
    """``requests`` cut into turns of ``size`` (the last one shorter)."""
    return [min(size, requests - done) for done in range(0, requests, size)]


def _turns(
    cases: Sequence[tuple[CaseResult, T]], rounds: int, requests: int, size: int
) -> Iterator[tuple[int, list[tuple[Round, T]]]]:
    """The schedule of both paths: for every turn of every round, its size and each case's
    round (to record into) with what runs the case, in the round's order (alternating)."""
    for round_ in range(rounds):
        order = cases if round_ % 2 == 0 else cases[::-1]
        into = [(result.new_round(), run) for result, run in order]
        gc.collect()
        for turn in _slices(requests, size):
            yield turn, into


def _run_sync_cases(cases: Sequence[tuple[CaseResult, SyncCall]], p: Params) -> None:
    for _, call in cases:
        _time_sync(call, p.warmup, None)
    for turn, rounds in _turns(cases, p.rounds, p.requests, SLICE):
        for into, call in rounds:
            _time_sync(call, turn, into)


async def _run_async_cases(
    cases: Sequence[tuple[CaseResult, AsyncCall, int]], p: Params, requests: int | None = None
) -> None:
    """Each case with its concurrency (1: one request after another)."""
    count = requests or p.requests
    for _, call, concurrency in cases:
        if concurrency == 1:
            await _time_async(call, p.warmup, None)
        else:
            await _time_gather(call, p.warmup, concurrency, None)
    await _steady(cases, p)
    # a turn of a gathering case is whole gathers: at least two
    size = max(SLICE, 2 * max(concurrency for _, _, concurrency in cases))
    runs = [(result, (call, concurrency)) for result, call, concurrency in cases]
    for turn, rounds in _turns(runs, p.rounds, count, size):
        for into, (call, concurrency) in rounds:
            if concurrency == 1:
                await _time_async(call, turn, into)
            else:
                await _time_gather(call, turn, concurrency, into)


#: How long the gathering cases run, in turns, before they are measured: past httpx's keep-alive
#: expiry (5 s). A pool opens a connection per task of the first gather of 32; httpcore then
#: always takes the first free one, so most of them sit idle until they expire. While they are
#: all there, its pool works through every connection for every request, and raw
#: ``httpx.AsyncClient`` makes about 350 requests a second here; once the unused ones are gone,
#: 600 to 1,000. Measured from its first gathers, the reference was one or the other depending
#: on when they expired in the run; after these turns it is most often the second (the row says
#: how many connections its pool held at the end: 32 is the first).
STEADY_SECONDS = 6.0


async def _steady(cases: Sequence[tuple[CaseResult, AsyncCall, int]], p: Params) -> None:
    """Run the gathering cases in turns for ``STEADY_SECONDS``, unmeasured (not in smoke)."""
    gathering = [(call, concurrency) for _, call, concurrency in cases if concurrency > 1]
    if p.smoke or not gathering:
        return
    deadline = time.monotonic() + STEADY_SECONDS
    while time.monotonic() < deadline:
        for call, concurrency in gathering:
            await _time_gather(call, 2 * concurrency, concurrency, None)


def _pooled_connections(client: httpx.AsyncClient) -> int | None:
    """How many connections ``client``'s pool holds (httpcore's internals: ``None`` if they
    are laid out otherwise)."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    connections = getattr(pool, "_connections", None)
    return len(connections) if isinstance(connections, list) else None


def _instance_pooled_connections(api: AxiosPython) -> int | None:
    """How many connections the pool of ``api``'s default async client on the running loop
    holds (the core's and httpcore's internals: ``None`` if they are laid out otherwise)."""
    by_loop = getattr(getattr(api, "_transports", None), "_async", None)
    get = getattr(by_loop, "get", None)
    if not callable(get):
        return None
    client = getattr(get(asyncio.get_running_loop()), "default", None)
    return _pooled_connections(client) if isinstance(client, httpx.AsyncClient) else None


def _speed_ratio(case: CaseResult, reference: CaseResult) -> float:
    """Median over rounds of the reference's time / the case's time in the same round."""
    pairs = zip(reference.round_medians_us, case.round_medians_us, strict=True)
    return statistics.median(ref / value for ref, value in pairs)


def _throughput_row(section: str, case: CaseResult, reference: CaseResult | None) -> Row:
    per_request = statistics.median(case.round_medians_us)
    row = Row(section, case.name, 1e6 / per_request, "requests/s")
    if reference is not None and reference is not case:
        row.ratio = _speed_ratio(case, reference)
        row.reference = reference.name
    return row


def _stack_plugins() -> list[Any]:
    """The typical stack (see the module docstring)."""
    from axios_python_plugin_auth import AuthPlugin
    from axios_python_plugin_cache import CachePlugin
    from axios_python_plugin_dedupe import DedupePlugin
    from axios_python_plugin_logger import LoggerPlugin
    from axios_python_plugin_otel import OpenTelemetryPlugin
    from axios_python_plugin_timing import TimingPlugin

    logging.getLogger(STACK_LOGGER).setLevel(logging.WARNING)  # the plugin logs at INFO
    return [
        AuthPlugin(token="bench-token"),
        LoggerPlugin(level=logging.INFO, logger=STACK_LOGGER),
        TimingPlugin(),  # logs at INFO on axios_python.timing: disabled (root at WARNING)
        DedupePlugin(),
        CachePlugin(),
        OpenTelemetryPlugin(),  # no provider given, no SDK: the API's no-op default
    ]


def _check_bypass(response: object) -> None:
    from axios_python_plugin_cache import get_cache_info

    status = get_cache_info(response).status
    if status != "bypass":
        raise RuntimeError(f"the stack's cache was not bypassed: {status}")


def sync_rows(base_url: str, p: Params) -> list[Row]:
    """Raw httpx.Client, bare, stack and ``async def`` middleware, one request at a time."""
    url = base_url + ROUTE
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(httpx.Client())
        bare = stack.enter_context(axios_python.create({"base_url": base_url}))
        full = stack.enter_context(
            axios_python.create({"base_url": base_url, "plugins": _stack_plugins()})
        )
        with_mw = stack.enter_context(axios_python.create({"base_url": base_url}))
        with_mw.use(_async_passthrough)
        _check_bypass(full.get(ROUTE, cache=False))

        def raw_call() -> object:
            response = raw.get(url)
            _checked(response)
            return response

        def axios_call(api: AxiosPython, **options: Any) -> SyncCall:
            def call() -> object:
                response = api.get(ROUTE, **options)
                _checked(response)
                return response

            return call

        reference = CaseResult("sync", "httpx.Client (raw)", None)
        cases = [
            (reference, raw_call),
            (CaseResult("sync", "bare instance", reference.name), axios_call(bare)),
            (
                CaseResult("sync", "typical stack (cache bypassed)", reference.name),
                axios_call(full, cache=False),
            ),
            (CaseResult("sync", "one async def middleware", reference.name), axios_call(with_mw)),
        ]
        _run_sync_cases(cases, p)
    raw_row, bare_row, stack_row, mw_row = (_throughput_row("sync", c, reference) for c, _ in cases)
    return [
        raw_row,
        bare_row.check("ratio", ">=", 0.97, "≥ 0.97×"),
        stack_row.check("ratio", ">=", 0.90, "≥ 0.90×"),
        mw_row.check("ratio", ">=", 0.90, "≥ 0.90×"),
    ]


def _numbered(path: str) -> Callable[[], str]:
    """``path?i=0`` .. ``path?i=31`` in turn: each task of a gather of 32 asks its own URL."""
    counter = itertools.count()
    return lambda: f"{path}?i={next(counter) % CONCURRENCY}"


def _httpx_async_call(client: Any, url: str, concurrency: int) -> AsyncCall:
    target = _numbered(url) if concurrency > 1 else (lambda: url)

    async def call() -> object:
        response = await client.get(target())
        _checked(response)
        return response

    return call


def _axios_async_call(api: AxiosPython, concurrency: int, **options: Any) -> AsyncCall:
    target = _numbered(ROUTE) if concurrency > 1 else (lambda: ROUTE)

    async def call() -> object:
        response = await api.async_get(target(), **options)
        _checked(response)
        return response

    return call


async def _aiohttp_transport(base_url: str) -> tuple[AxiosPython | None, str]:
    """An instance on the aiohttp transport, or None and why it is not available."""
    try:
        api = axios_python.create({"base_url": base_url, "transport": "aiohttp"})
    except Exception as exc:  # the core does not accept it (yet), or aiohttp is missing
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    try:
        _checked(await api.async_get(ROUTE))
    except Exception:  # accepted but broken: that is a failure, not "not available"
        await api.aclose()
        raise
    return api, ""


async def _async_rows(base_url: str, p: Params) -> list[Row]:
    url = base_url + ROUTE
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=CONCURRENCY)
    rows: list[Row] = []
    async with contextlib.AsyncExitStack() as stack:

        def instance(**config: Any) -> AxiosPython:
            api = axios_python.create({"base_url": base_url, "limits": limits, **config})
            stack.push_async_callback(api.aclose)
            return api

        def raw_client() -> httpx.AsyncClient:
            client = httpx.AsyncClient(limits=limits)
            stack.push_async_callback(client.aclose)
            return client

        cases: list[tuple[CaseResult, AsyncCall, int]] = []
        references: dict[int, CaseResult] = {}
        raw_clients: dict[int, httpx.AsyncClient] = {}
        bare_instances: dict[int, AxiosPython] = {}
        for concurrency in (1, CONCURRENCY):
            mode: Mode = "async" if concurrency == 1 else "async-concurrent"
            suffix = f" x{concurrency}"
            reference = references[concurrency] = CaseResult(
                mode, "httpx.AsyncClient (raw)" + suffix, None
            )
            full = instance(plugins=_stack_plugins())
            first = await full.async_get(ROUTE, cache=False)
            _check_bypass(first)
            raw = raw_clients[concurrency] = raw_client()
            bare = bare_instances[concurrency] = instance()
            cases += [
                (reference, _httpx_async_call(raw, url, concurrency), concurrency),
                (
                    CaseResult(mode, "bare instance" + suffix, reference.name),
                    _axios_async_call(bare, concurrency),
                    concurrency,
                ),
                (
                    CaseResult(mode, "typical stack (cache bypassed)" + suffix, reference.name),
                    _axios_async_call(full, concurrency, cache=False),
                    concurrency,
                ),
            ]
        fast_failed: Exception | None = None
        try:
            fast, why_not = await _aiohttp_transport(base_url)
        except Exception as exc:
            traceback.print_exc()
            fast, why_not, fast_failed = None, "", exc
        if fast is not None:
            stack.push_async_callback(fast.aclose)
            fast_32, _ = await _aiohttp_transport(base_url)
            assert fast_32 is not None
            stack.push_async_callback(fast_32.aclose)
            for concurrency, api in ((1, fast), (CONCURRENCY, fast_32)):
                reference = references[concurrency]
                mode = reference.mode
                name = f'transport "aiohttp" x{concurrency}'
                cases.append(
                    (
                        CaseResult(mode, name, reference.name),
                        _axios_async_call(api, concurrency),
                        concurrency,
                    )
                )
        try:
            import aiohttp
        except ImportError:
            aiohttp_session = None
        else:
            aiohttp_session = aiohttp.ClientSession()
            stack.push_async_callback(aiohttp_session.close)

            aiohttp_target = _numbered(url)

            async def aiohttp_call() -> object:
                assert aiohttp_session is not None
                async with aiohttp_session.get(aiohttp_target()) as response:
                    await response.read()
                    _checked(response)
                return None

            reference = references[CONCURRENCY]
            cases.append(
                (
                    CaseResult(
                        reference.mode,
                        f"aiohttp.ClientSession (raw) x{CONCURRENCY}",
                        reference.name,
                    ),
                    aiohttp_call,
                    CONCURRENCY,
                )
            )
        await _run_async_cases(cases, p)
        pooled = {
            references[CONCURRENCY].name: _pooled_connections(raw_clients[CONCURRENCY]),
            f"bare instance x{CONCURRENCY}": _instance_pooled_connections(
                bare_instances[CONCURRENCY]
            ),
        }
        for result, _, concurrency in cases:
            row = _throughput_row("async", result, references[concurrency])
            if pooled.get(result.name) is not None:
                row.note = (
                    f"connections in its pool at the end: {pooled[result.name]} "
                    "(see STEADY_SECONDS)"
                )
            if result.name.startswith("bare instance"):
                row.check("ratio", ">=", 0.97, "≥ 0.97×")
            elif result.name == f'transport "aiohttp" x{CONCURRENCY}':
                row.check("ratio", ">=", 5.0, "≥ 5×")
            rows.append(row)
    if fast is None:
        for concurrency in (1, CONCURRENCY):
            name = f'transport "aiohttp" x{concurrency}'
            if fast_failed is not None:
                rows.append(_failed("async", name, "requests/s", fast_failed))
                continue
            target = "≥ 5×" if concurrency > 1 else ""
            rows.append(_na("async", name, "requests/s", why_not, target))
    if aiohttp_session is None:
        rows.append(
            _na("async", f"aiohttp.ClientSession (raw) x{CONCURRENCY}", "requests/s", "no aiohttp")
        )
    order = {name: n for n, name in enumerate(r.case for r in rows)}
    # the table reads better grouped by concurrency, the raw aiohttp reference last
    return sorted(
        rows,
        key=lambda r: (
            r.case.endswith(f"x{CONCURRENCY}"),
            r.case.startswith("aiohttp.ClientSession"),
            order[r.case],
        ),
    )


def async_rows(base_url: str, p: Params) -> list[Row]:
    """The async cases at concurrency 1 and 32."""
    return asyncio.run(_async_rows(base_url, p))


# -- micro: the orchestration alone, on a mock transport -----------------------------------------


def _engine() -> Any:
    """The httpx module the core runs on (httpx, or httpx2 when it is the engine)."""
    try:
        from axios_python.engine import httpx as engine
    except ImportError:  # a core without engine selection
        return httpx
    return engine


def _engine_name() -> str:
    """``httpx`` or ``httpx2``: what the core runs on in this process."""
    try:
        from axios_python import engine
    except ImportError:  # a core without engine selection
        return "httpx"
    return str(engine.name)


def micro_rows(p: Params) -> list[Row]:
    """µs per request on ``httpx.MockTransport``: raw httpx and a bare instance, both paths."""
    engine = _engine()
    body = {"ok": True}

    def handler(request: Any) -> Any:
        return engine.Response(200, json=body)

    base = "http://bench.invalid"
    params = {"page": 1}
    mock = p.requests * 4
    sizes = Params(requests=mock, rounds=p.rounds, smoke=p.smoke)
    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(
            engine.Client(transport=engine.MockTransport(handler), base_url=base)
        )
        bare = stack.enter_context(
            axios_python.create({"base_url": base, "transport": engine.MockTransport(handler)})
        )
        reference = CaseResult("sync", "sync: httpx.Client on MockTransport", None)
        cases = [
            (reference, lambda: raw.get("/x", params=params)),
            (
                CaseResult("sync", "sync: bare instance on MockTransport", reference.name),
                lambda: bare.get("/x", params=params),
            ),
        ]
        _run_sync_cases(cases, sizes)
        rows += _micro_rows(cases[1][0], reference)

    async def run_async() -> list[Row]:
        async with contextlib.AsyncExitStack() as stack:
            raw = engine.AsyncClient(transport=engine.MockTransport(handler), base_url=base)
            stack.push_async_callback(raw.aclose)
            bare = axios_python.create(
                {"base_url": base, "transport": engine.MockTransport(handler)}
            )
            stack.push_async_callback(bare.aclose)

            async def raw_call() -> object:
                return await raw.get("/x", params=params)

            async def bare_call() -> object:
                return await bare.async_get("/x", params=params)

            reference = CaseResult("async", "async: httpx.AsyncClient on MockTransport", None)
            case = CaseResult("async", "async: bare instance on MockTransport", reference.name)
            await _run_async_cases([(reference, raw_call, 1), (case, bare_call, 1)], sizes, mock)
            return _micro_rows(case, reference)

    return rows + asyncio.run(run_async())


def _micro_rows(case: CaseResult, reference: CaseResult) -> list[Row]:
    pairs = zip(case.round_medians_us, reference.round_medians_us, strict=True)
    overhead = statistics.median(value - ref for value, ref in pairs)
    path = case.name.split(":")[0]
    return [
        Row("micro", reference.name, statistics.median(reference.round_medians_us), "µs/request"),
        Row(
            "micro",
            case.name,
            statistics.median(case.round_medians_us),
            "µs/request",
            ratio=_speed_ratio(case, reference),
            reference=reference.name,
        ),
        Row("micro", f"{path}: orchestration overhead", overhead, "µs/request").check(
            "value", "<=", 15.0, "≤ 15 µs"
        ),
    ]


# -- plugins: cache hits, SigV4, otel -----------------------------------------------------------


def cache_rows(base_url: str, p: Params) -> list[Row]:
    """Memory and Redis hits next to a loopback request (bench_cache)."""
    import bench_cache

    cases = [case for case in bench_cache.CASES if case != "redis hit"]
    redis_missing = shutil.which("redis-server") is None
    if not redis_missing:
        cases.insert(1, "redis hit")
    results = bench_cache.run(p.requests, max(1, min(p.rounds, 5)), base_url=base_url, cases=cases)
    network = {r.mode: r.us_per_request for r in results if r.case.startswith("network")}
    rows = []
    for mode in bench_cache.MODES:
        for r in results:
            if r.mode != mode:
                continue
            reference = None if r.case.startswith("network") else f"network ({mode})"
            rows.append(
                Row(
                    "cache",
                    f"{mode}: {r.case}",
                    r.us_per_request,
                    "µs/request",
                    ratio=None if reference is None else network[mode] / r.us_per_request,
                    reference=reference,
                )
            )
        if redis_missing:
            rows.append(_na("cache", f"{mode}: redis hit", "µs/request", "no redis-server binary"))
    return rows


def sigv4_rows(p: Params) -> list[Row]:
    """CPU µs that signing adds to a request (bench_sigv4; MockTransport)."""
    import bench_sigv4

    results = bench_sigv4.run(max(5, p.requests // 2), max(1, min(p.rounds, 5)))
    rows = []
    for mode, row in results.items():
        for case, label in (("get", "GET"), ("post json", "POST 1 KiB JSON")):
            rows.append(
                Row(
                    "sigv4",
                    f"{mode}: signing cost, {label}",
                    row[case] - row["bare"],
                    "CPU µs/request",
                    ratio=row["bare"] / row[case],
                    reference=f"{mode}: unsigned request",
                )
            )
    rows.append(
        Row(
            "sigv4",
            "botocore SigV4Auth.add_auth alone",
            results["sync"]["botocore only"],
            "CPU µs/request",
        )
    )
    return rows


def otel_rows(p: Params) -> list[Row]:
    """What a span costs: SDK with an in-memory exporter against no plugin (bench_otel)."""
    import bench_otel

    requests, rounds = (5, 1) if p.smoke else (2000, max(1, min(p.rounds, 3)))
    results = bench_otel.timings(requests, rounds, cases=("bare", "exporter"))
    return [
        Row(
            "otel",
            f"{mode}: span cost (SDK, in-memory exporter)",
            cases["exporter"] - cases["bare"],
            "µs/request",
            ratio=cases["bare"] / cases["exporter"],
            reference=f"{mode}: no plugin",
        )
        for mode, cases in results.items()
    ]


# -- memory -------------------------------------------------------------------------------------


def _rss_bytes() -> int:
    try:
        import psutil  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no psutil and no VmRSS in /proc/self/status") from None
    rss: int = psutil.Process().memory_info().rss
    return rss


class _Formatting(logging.Handler):
    """Formats every record and keeps none."""

    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)


def memory_rows(base_url: str, p: Params) -> list[Row]:
    """Resident-set growth while a large body streams through middleware, logger, timing."""
    from axios_python_plugin_logger import LoggerPlugin
    from axios_python_plugin_timing import TimingPlugin

    logger = logging.getLogger(MEMORY_LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = _Formatting()
    logger.addHandler(handler)
    chunk = 64 * 1024
    total = p.stream_bytes
    try:
        with axios_python.create(
            {
                "base_url": base_url,
                "plugins": [LoggerPlugin(level=logging.INFO, logger=MEMORY_LOGGER), TimingPlugin()],
            }
        ) as api:
            api.use(_passthrough)

            def stream(size: int, baseline: int | None) -> tuple[int, int]:
                received, peak = 0, 0
                with api.get("/stream", params={"size": size}, stream=True) as response:
                    _checked(response)
                    for n, piece in enumerate(response.iter_bytes(chunk_size=chunk)):
                        received += len(piece)
                        if baseline is not None and n % 16 == 0:
                            peak = max(peak, _rss_bytes())
                return received, peak

            stream(4 * MIB, None)  # warm-up: code paths, buffers
            gc.collect()
            before = _rss_bytes()
            started = time.perf_counter()
            received, peak = stream(total, before)
            elapsed = time.perf_counter() - started
            peak = max(peak, _rss_bytes())
    finally:
        logger.removeHandler(handler)
    if received != total:
        raise RuntimeError(f"streamed {received} bytes, expected {total}")
    growth = Row(
        "memory",
        f"RSS growth streaming {total // MIB} MiB (mw + logger + timing)",
        max(0, peak - before) / MIB,
        "MiB",
    ).check("value", "<=", 50.0, "< 50 MiB")
    speed = Row("memory", "streaming speed, same run", total / MIB / elapsed, "MiB/s")
    return [growth, speed]


# -- import time --------------------------------------------------------------------------------


def import_rows(p: Params) -> list[Row]:
    """``import axios_python`` against ``import httpx`` in fresh interpreters (bench_import)."""
    import bench_import

    httpx_runs, core_runs = bench_import.compare(1 if p.smoke else 15)
    httpx_ms = statistics.median(httpx_runs)
    core_ms = statistics.median(core_runs)
    return [
        Row("import", "import httpx", httpx_ms, "ms"),
        Row("import", "import axios_python (every plugin installed)", core_ms, "ms"),
        Row("import", "import axios_python − import httpx", core_ms - httpx_ms, "ms").check(
            "value", "<=", 50.0, "≤ 50 ms"
        ),
    ]


# -- httpx2: the bare rows again, in a child process on the httpx2 engine -----------------------


def _httpx2_child(base_url: str, p: Params) -> list[Row]:
    """Run in the child (``AXIOS_PYTHON_ENGINE=httpx2``): raw httpx, raw httpx2, bare."""
    import httpx2

    engine = _engine_name()
    if engine != "httpx2":
        raise RuntimeError(f"the core did not run on httpx2 (its engine: {engine})")
    url = base_url + ROUTE
    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        raw1 = stack.enter_context(httpx.Client())
        raw2 = stack.enter_context(httpx2.Client())
        bare = stack.enter_context(axios_python.create({"base_url": base_url}))
        old = CaseResult("sync", "httpx.Client (raw, for scale)", None)
        reference = CaseResult("sync", "httpx2.Client (raw)", None)
        case = CaseResult("sync", "bare instance on httpx2", reference.name)
        _run_sync_cases(
            [
                (old, lambda: _checked(raw1.get(url))),
                (reference, lambda: _checked(raw2.get(url))),
                (case, lambda: _checked(bare.get(ROUTE))),
            ],
            p,
        )
        rows += [
            _throughput_row("httpx2", old, None),
            _throughput_row("httpx2", reference, old),
            _throughput_row("httpx2", case, reference).check("ratio", ">=", 0.97, "≥ 0.97×"),
        ]

    async def run_async() -> list[Row]:
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=CONCURRENCY)
        cases: list[tuple[CaseResult, AsyncCall, int]] = []
        async with contextlib.AsyncExitStack() as stack:
            for concurrency in (1, CONCURRENCY):
                mode: Mode = "async" if concurrency == 1 else "async-concurrent"
                raw = httpx2.AsyncClient(limits=limits)
                stack.push_async_callback(raw.aclose)
                api = axios_python.create({"base_url": base_url, "limits": limits})
                stack.push_async_callback(api.aclose)
                reference = CaseResult(mode, f"httpx2.AsyncClient (raw) x{concurrency}", None)
                cases += [
                    (reference, _httpx_async_call(raw, url, concurrency), concurrency),
                    (
                        CaseResult(mode, f"bare instance on httpx2 x{concurrency}", reference.name),
                        _axios_async_call(api, concurrency),
                        concurrency,
                    ),
                ]
            await _run_async_cases(cases, p)
        out = []
        for n in range(0, len(cases), 2):
            reference, case = cases[n][0], cases[n + 1][0]
            out.append(_throughput_row("httpx2", reference, None))
            out.append(
                _throughput_row("httpx2", case, reference).check("ratio", ">=", 0.97, "≥ 0.97×")
            )
        return out

    return rows + asyncio.run(run_async())


def httpx2_rows(base_url: str, p: Params) -> list[Row]:
    """The child's rows, or n/a rows with the reason it failed."""
    environment = {**os.environ, "AXIOS_PYTHON_ENGINE": "httpx2"}
    command = [
        *(sys.executable, str(Path(__file__).resolve()), "--httpx2-child", base_url),
        *("--requests", str(p.requests), "--rounds", str(p.rounds)),
    ]
    if p.smoke:
        command.append("--smoke")
    try:
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired:
        reason = "the httpx2 child took more than 600 s"
    else:
        if done.returncode == 0:
            return [Row(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]
        lines = done.stderr.strip().splitlines()
        reason = f"the httpx2 child failed: {lines[-1] if lines else done.returncode}"
    return [
        _na("httpx2", "bare instance on httpx2", "requests/s", reason),
        _na("httpx2", f"bare instance on httpx2 x1 / x{CONCURRENCY}", "requests/s", reason),
    ]


# -- the table ----------------------------------------------------------------------------------


def machine(server: str | None) -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    engine = _engine_name()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "axios_python": axios_python.__version__,
        "engine": engine,
        "httpx": _version("httpx"),
        "httpx2": _version("httpx2"),
        "aiohttp": _version("aiohttp"),
        "server": server or "none (no loopback section)",
    }


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _format_value(row: Row) -> str:
    if row.value is None:
        return "n/a" if not row.failed else "FAILED"
    if abs(row.value) >= 1000:
        return f"{row.value:,.0f}"
    return f"{row.value:.1f}" if abs(row.value) >= 10 else f"{row.value:.2f}"


def table(rows: Sequence[Row], info: dict[str, Any], p: Params, wall: float) -> str:
    """The printed report."""
    lines = [
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"{info['platform']}",
        f"axios_python {info['axios_python']} (engine {info['engine']}), httpx {info['httpx']}, "
        f"httpx2 {info['httpx2']}, aiohttp {info['aiohttp']}",
        f"server: {info['server']}",
        f"{'smoke, ' if p.smoke else ''}{p.requests} requests x {p.rounds} rounds per loopback "
        f"case, concurrency {CONCURRENCY}; {wall:.0f} s",
        "",
    ]
    header = f"{'case':<58} {'value':>10} {'unit':<15} {'ratio':>7} {'target':>9} {'met':>4}"
    lines += [header, "-" * len(header)]
    section = None
    for row in rows:
        if row.section != section:
            if section is not None:
                lines.append("")
            section = row.section
            lines.append(f"[{section}]")
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        met = "" if not row.target else "n/a" if row.met is None else "yes" if row.met else "no"
        lines.append(
            f"{row.case:<58} {_format_value(row):>10} {row.unit:<15} {ratio:>7} "
            f"{row.target:>9} {met:>4}"
        )
        if row.note:
            lines.append(f"    {row.note}")
    lines += [
        "",
        "value: median over rounds. ratio: reference time / case time, round by round, median",
        "(>1: faster than the reference: the raw client of the same block, the network request",
        "for cache hits, the request without the plugin for sigv4 and otel).",
    ]
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------


def _run_section(name: str, run: Callable[[], list[Row]], unit: str) -> list[Row]:
    try:
        return run()
    except Exception as exc:
        traceback.print_exc()
        return [_failed(name, f"{name} section", unit, exc)]


def run_sections(
    sections: Sequence[str], p: Params, base_url: str | None, progress: bool = True
) -> list[Row]:
    """Every section asked for, in the order of SECTIONS."""
    jobs: dict[str, tuple[Callable[[], list[Row]], str]] = {
        "sync": (lambda: sync_rows(_url(base_url), p), "requests/s"),
        "async": (lambda: async_rows(_url(base_url), p), "requests/s"),
        "micro": (lambda: micro_rows(p), "µs/request"),
        "cache": (lambda: cache_rows(_url(base_url), p), "µs/request"),
        "sigv4": (lambda: sigv4_rows(p), "CPU µs/request"),
        "otel": (lambda: otel_rows(p), "µs/request"),
        "memory": (lambda: memory_rows(_url(base_url), p), "MiB"),
        "import": (lambda: import_rows(p), "ms"),
        "httpx2": (lambda: httpx2_rows(_url(base_url), p), "requests/s"),
    }
    started = time.monotonic()

    def timed(name: str) -> list[Row]:
        run, unit = jobs[name]
        found = _run_section(name, run, unit)
        if progress:
            print(f"  {name}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        return found

    chosen = [name for name in SECTIONS if name in sections]
    # smoke: the sections that only wait on child processes run alongside the others (their
    # numbers mean nothing at that size anyway); a real run measures one thing at a time
    aside = [name for name in chosen if p.smoke and name in CHILD_SECTIONS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(aside))) as pool:
        pending = {name: pool.submit(timed, name) for name in aside}
        found = {name: timed(name) for name in chosen if name not in pending}
        found.update((name, future.result()) for name, future in pending.items())
    return [row for name in chosen for row in found[name]]


def _url(base_url: str | None) -> str:
    if base_url is None:
        raise RuntimeError("no server is running")
    return base_url


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: the server is stopped on the way out


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the sections, print the table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(
        description="axios_python's benchmark suite: one table, ratios against raw clients.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds (CI)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the results here")
    parser.add_argument("--rounds", type=_positive, help="rounds per case (7; smoke: 1)")
    parser.add_argument(
        "--requests", type=_positive, help="requests per loopback case per round (300; smoke: 10)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, metavar="SECTION", help=" ".join(SECTIONS)
    )
    parser.add_argument("--server", choices=("auto", "granian", "uvicorn"), default="auto")
    parser.add_argument("--httpx2-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    p = Params(
        requests=args.requests or (10 if args.smoke else 300),
        rounds=args.rounds or (1 if args.smoke else 7),
        smoke=args.smoke,
    )
    if args.httpx2_child:
        print(json.dumps([asdict(row) for row in _httpx2_child(args.httpx2_child, p)]))
        return 0

    signal.signal(signal.SIGTERM, _terminate)
    sections = args.only or list(SECTIONS)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        base_url, server = None, None
        if NEEDS_SERVER.intersection(sections):
            base_url, server = stack.enter_context(bench_server(args.server))
            print(f"server: {server} at {base_url}", file=sys.stderr, flush=True)
        rows = run_sections(sections, p, base_url)
    wall = time.monotonic() - started
    info = machine(server)
    print(table(rows, info, p, wall))
    if args.json:
        document = {
            "machine": info,
            "settings": {
                **asdict(p),
                "concurrency": CONCURRENCY,
                "sections": sections,
                "base_url": base_url,
            },
            "wall_s": round(wall, 1),
            "rows": [asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: the server was stopped", file=sys.stderr)
        sys.exit(130)
