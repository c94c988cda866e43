"""The guided tour run by ``axios-python demo`` (or ``python -m axios_python demo``).

It starts :class:`axios_python.testing.LocalServer` on the loopback interface (nothing leaves
the machine) and walks through the request lifecycle on one instance: configuration,
interceptors, middleware, retries, cancellation, streaming, errors, and the same instance used
from sync and async code. Every number it prints is measured, not made up.
"""

from __future__ import annotations

import asyncio
import builtins
import itertools
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TextIO

import axios_python
from axios_python import (
    AxiosPython,
    AxiosPythonError,
    CancelError,
    CancelToken,
    Config,
    ExponentialBackoff,
    FixedDelay,
    HTTPStatusError,
    Response,
    RetryError,
)
from axios_python.testing import LocalServer

__all__ = ["run_demo", "section_names"]

SyncNext = Callable[[Config], Response]
AsyncNext = Callable[[Config], Awaitable[Response]]

#: Byte ``i`` of a ``/stream`` body is ``i % 251``.
_PATTERN = bytes(range(251))


class _Printer:
    """Writes the tour: numbered headings, the code being run, and what happened."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._section = 0

    def line(self, text: str = "") -> None:
        print(text, file=self._stream, flush=True)

    def heading(self, title: str) -> None:
        self._section += 1
        text = f"{self._section}. {title}"
        self.line()
        self.line(text)
        self.line("=" * len(text))

    def code(self, text: str) -> None:
        for row in text.strip("\n").splitlines():
            self.line(f"  | {row}".rstrip())

    def say(self, text: str) -> None:
        self.line(f"  {text}")

    def result(self, text: str) -> None:
        self.line(f"  => {text}")


class _Tour:
    """The state shared by the sections: the server, the instance and the printer."""

    def __init__(self, server: LocalServer, out: _Printer) -> None:
        self.server = server
        self.out = out
        self.api: AxiosPython | None = None
        self.request_ids = itertools.count(1)
        self.last_attempt_end: float | None = None

    @property
    def client(self) -> AxiosPython:
        assert self.api is not None, "section 1 creates the instance"
        return self.api

    def path(self, ctx: Config) -> str:
        """The path and query of a request URL, for short log lines."""
        url = str(axios_python.wire_url(ctx))
        return url[len(self.server.base_url) :] if url.startswith(self.server.base_url) else url

    # -- 1 ------------------------------------------------------------------------------------

    def create_instance(self) -> None:
        out = self.out
        out.heading("Create an instance: defaults shared by every call")
        base_url = self.server.base_url
        out.code(
            "api = axios_python.create({\n"
            f'    "base_url": "{base_url}",\n'
            '    "timeout": 5.0,\n'
            '    "headers": {"X-Client": "axios-python-demo"},\n'
            "})"
        )
        self.api = axios_python.create(
            {"base_url": base_url, "timeout": 5.0, "headers": {"X-Client": "axios-python-demo"}}
        )
        out.code('response = api.get("/echo", params={"q": "hello"})')
        response = self.client.get("/echo", params={"q": "hello"})
        seen = response.data["headers"]
        out.result(f"{response.status_code} {response.reason_phrase} from {response.url}")
        out.result(f"the server received X-Client: {seen['x-client']}")
        out.result(f"and User-Agent: {seen['user-agent']}")
        out.code('api.get("/echo", headers={"X-Extra": "1"}, timeout=1.0)  # per-call overrides')
        seen = self.client.get("/echo", headers={"X-Extra": "1"}, timeout=1.0).data["headers"]
        out.result(
            f"headers are merged, not replaced: X-Client={seen['x-client']}, "
            f"X-Extra={seen['x-extra']}"
        )

    # -- 2 ------------------------------------------------------------------------------------

    def interceptors(self) -> None:
        out = self.out
        out.heading("Interceptors: once per call, before and after")
        request_ids = self.request_ids

        def add_request_id(config: Config) -> Config:
            config["headers"]["X-Request-Id"] = f"req-{next(request_ids)}"
            return config

        def unwrap_items(response: Response) -> Response:
            # Many APIs wrap lists in an envelope such as {"items": [...], ...}; a streamed
            # body is left alone (reading .data would read it).
            data = None if response.config.get("stream") else response.data
            if isinstance(data, dict) and "items" in data:
                response.data = data["items"]
            return response

        out.code(
            "def add_request_id(config):\n"
            '    config["headers"]["X-Request-Id"] = f"req-{next(ids)}"\n'
            "    return config\n"
            "\n"
            "def unwrap_items(response):\n"
            '    data = None if response.config["stream"] else response.data\n'
            '    if isinstance(data, dict) and "items" in data:\n'
            '        response.data = data["items"]\n'
            "    return response\n"
            "\n"
            "api.interceptors.request.use(add_request_id)\n"
            "api.interceptors.response.use(unwrap_items)"
        )
        self.client.interceptors.request.use(add_request_id)
        self.client.interceptors.response.use(unwrap_items)
        out.code('api.get("/echo")')
        seen = self.client.get("/echo").data["headers"]
        out.result(f"the server received X-Request-Id: {seen['x-request-id']}")
        out.code('response = api.get("/json")')
        response = self.client.get("/json")
        out.result(f"raw body:      {response.text}")
        out.result(f"response.data: {response.data!r} (unwrapped by the interceptor)")

    # -- 3 ------------------------------------------------------------------------------------

    def middleware(self) -> tuple[int, int]:
        out = self.out
        out.heading("Middleware: around the whole call, or around every attempt")
        tour = self

        def timer(ctx: Config, next_fn: SyncNext) -> Response:
            start = time.perf_counter()
            tour.last_attempt_end = None
            outcome = "error"
            try:
                response = next_fn(ctx)
                outcome = str(response.status_code)
                return response
            finally:
                elapsed = time.perf_counter() - start
                out.say(
                    f"[timer]   {ctx['method']} {tour.path(ctx)} -> {outcome} "
                    f"in {elapsed * 1000:.1f} ms (every attempt and wait included)"
                )

        def log_attempt(ctx: Config, next_fn: SyncNext) -> Response:
            attempt = ctx["attempt"]
            now = time.perf_counter()
            waited = ""
            if tour.last_attempt_end is not None:
                waited = f", {now - tour.last_attempt_end:.2f} s after the previous one ended"
            out.say(f"[attempt] #{attempt} {ctx['method']} {tour.path(ctx)}{waited}")
            try:
                response = next_fn(ctx)
            except AxiosPythonError as exc:
                out.say(f"[attempt] #{attempt} failed: {type(exc).__name__}: {exc}")
                raise
            finally:
                tour.last_attempt_end = time.perf_counter()
            retry_after = response.headers.get("retry-after")
            extra = f" (Retry-After: {retry_after})" if retry_after else ""
            out.say(f"[attempt] #{attempt} -> {response.status_code}{extra}")
            return response

        out.code(
            "def timer(ctx, next_fn):            # call scope: wraps retries and waits\n"
            "    start = time.perf_counter()\n"
            "    response = next_fn(ctx)\n"
            '    print(f"took {time.perf_counter() - start:.3f} s")\n'
            "    return response\n"
            "\n"
            "def log_attempt(ctx, next_fn):      # attempt scope: runs on every attempt\n"
            '    print("attempt", ctx["attempt"])\n'
            "    return next_fn(ctx)\n"
            "\n"
            "timer_id = api.use(timer)\n"
            'attempt_id = api.use(log_attempt, scope="attempt")'
        )
        timer_id = self.client.use(timer)
        attempt_id = self.client.use(log_attempt, scope="attempt")
        out.code('api.get("/json")')
        response = self.client.get("/json")
        out.result(f"{response.status_code}, data {response.data!r}")
        return timer_id, attempt_id

    # -- 4 ------------------------------------------------------------------------------------

    def retries(self, middleware_ids: tuple[int, int]) -> None:
        out = self.out
        out.heading("Retries: back-off, Retry-After, retryable statuses")
        strategy = ExponentialBackoff(
            base=0.05, multiplier=2.0, max_delay=5.0, retry_on_status=[503]
        )
        out.say("/flaky answers 503 with Retry-After: 1 twice, then 200.")
        out.say(
            f"The back-off alone would wait {strategy.delay(1):.2f} s then "
            f"{strategy.delay(2):.2f} s; the server's Retry-After takes precedence."
        )
        out.code(
            "strategy = ExponentialBackoff(base=0.05, multiplier=2.0, max_delay=5.0,\n"
            "                              retry_on_status=[503])\n"
            "response = api.get(\n"
            '    "/flaky",\n'
            '    params={"key": "demo", "fail": 2, "retry_after": 1},\n'
            "    max_retries=3,\n"
            "    retry_strategy=strategy,\n"
            ")"
        )
        before = self.server.count("/flaky")
        start = time.perf_counter()
        response = self.client.get(
            "/flaky",
            params={"key": "demo", "fail": 2, "retry_after": 1},
            max_retries=3,
            retry_strategy=strategy,
        )
        elapsed = time.perf_counter() - start
        attempts = self.server.count("/flaky") - before
        out.result(
            f"final status {response.status_code} after {attempts} attempts "
            f"in {elapsed:.2f} s; data {response.data!r}"
        )
        timer_id, attempt_id = middleware_ids
        out.code("api.middleware.eject(timer_id); api.middleware.eject(attempt_id)")
        self.client.middleware.eject(timer_id)
        self.client.middleware.eject(attempt_id)
        out.result(f"{len(self.client.middleware)} middleware left; the next sections are quieter")

    # -- 5 ------------------------------------------------------------------------------------

    def cancellation(self) -> None:
        out = self.out
        out.heading("Cancellation: abort a request in flight from another thread")
        out.say("/stall?seconds=10 keeps the request waiting for 10 s; a timer thread cancels it.")
        out.code(
            "token = CancelToken()\n"
            'threading.Timer(0.3, token.cancel, args=("user pressed Cancel",)).start()\n'
            'api.get("/stall", params={"seconds": 10}, cancel_token=token)'
        )
        token = CancelToken()
        canceller = threading.Timer(0.3, token.cancel, args=("user pressed Cancel",))
        start = time.perf_counter()
        canceller.start()
        try:
            self.client.get("/stall", params={"seconds": 10}, cancel_token=token)
        except CancelError as exc:
            elapsed = time.perf_counter() - start
            out.result(
                f"CancelError: {exc.reason!r} after {elapsed:.2f} s "
                f"(aborted {elapsed - 0.3:.3f} s after cancel())"
            )
        else:  # pragma: no cover - the demo is broken if this happens
            raise AssertionError("the stalled request was not cancelled")
        finally:
            canceller.join()
        out.code('api.get("/json", cancel_token=token)   # the token is already cancelled')
        before = self.server.count("/json")
        try:
            self.client.get("/json", cancel_token=token)
        except CancelError as exc:
            sent = self.server.count("/json") - before
            out.result(f"CancelError at once: {exc.reason!r}; requests sent: {sent}")

    # -- 6 ------------------------------------------------------------------------------------

    def streaming(self) -> None:
        out = self.out
        out.heading("Streaming: read a large body in chunks")
        size = 2_000_000
        out.code(
            f'with api.get("/stream", params={{"size": {size}}}, stream=True) as response:\n'
            "    for chunk in response.iter_bytes(chunk_size=256 * 1024):\n"
            "        ...  # write to a file, hash it, ..."
        )
        received = chunks = 0
        intact = True
        start = time.perf_counter()
        with self.client.get("/stream", params={"size": size}, stream=True) as response:
            status = response.status_code
            for chunk in response.iter_bytes(chunk_size=256 * 1024):
                offset = received % 251
                expected = (_PATTERN * (len(chunk) // 251 + 2))[offset : offset + len(chunk)]
                intact = intact and chunk == expected
                received += len(chunk)
                chunks += 1
        elapsed = time.perf_counter() - start
        check = "every byte as the server sent it" if intact else "CORRUPTED"
        out.result(
            f"{status}: {received:,} bytes in {chunks} chunks in {elapsed * 1000:.0f} ms, {check}"
        )
        out.code(
            'with api.get("/stream", params={"lines": 3}, stream=True) as response:\n'
            "    lines = list(response.iter_lines())"
        )
        with self.client.get("/stream", params={"lines": 3}, stream=True) as response:
            lines = list(response.iter_lines())
        out.result(f"lines: {lines!r}")

    # -- 7 ------------------------------------------------------------------------------------

    def errors(self) -> None:
        out = self.out
        out.heading("Errors: one hierarchy, all AxiosPythonError")
        out.code('response = api.get("/status/404")      # no exception: check response.ok')
        response = self.client.get("/status/404")
        out.result(f"status {response.status_code}, response.ok is {response.ok}")
        out.code("response.raise_for_status()")
        try:
            response.raise_for_status()
        except HTTPStatusError as exc:
            out.result(f"HTTPStatusError (status_code {exc.status_code}): {exc}")

        out.code('api.get("/stall", params={"seconds": 10}, timeout=0.2)')
        start = time.perf_counter()
        try:
            self.client.get("/stall", params={"seconds": 10}, timeout=0.2)
        except axios_python.TimeoutError as exc:
            elapsed = time.perf_counter() - start
            builtin = isinstance(exc, builtins.TimeoutError)
            out.result(f"TimeoutError after {elapsed:.2f} s: {exc}")
            out.result(f"also a builtin TimeoutError: {builtin}")

        out.code(
            'api.get("/status/503", max_retries=2,\n'
            "        retry_strategy=FixedDelay(0.05, retry_on_status=[503]))"
        )
        try:
            self.client.get(
                "/status/503", max_retries=2, retry_strategy=FixedDelay(0.05, retry_on_status=[503])
            )
        except RetryError as exc:
            last = exc.last_exception
            out.result(f"RetryError after {exc.attempts} attempts; last: {type(last).__name__}")
            out.result(f"is an AxiosPythonError: {isinstance(exc, AxiosPythonError)}")

    # -- 8 ------------------------------------------------------------------------------------

    def sync_and_async(self) -> None:
        out = self.out
        out.heading("Sync and async: one instance, one configuration")
        out.say("An async def middleware also works in a sync call: it runs on an event loop")
        out.say("owned by the calling thread and reused by every later call from that thread.")

        async def mark(ctx: Config, next_fn: AsyncNext) -> Response:
            ctx["headers"]["X-Middleware"] = "async def"
            return await next_fn(ctx)

        out.code(
            "async def mark(ctx, next_fn):\n"
            '    ctx["headers"]["X-Middleware"] = "async def"\n'
            "    return await next_fn(ctx)\n"
            "\n"
            "api.use(mark)\n"
            'api.get("/echo")                     # a sync call'
        )
        self.client.use(mark)
        seen = self.client.get("/echo").data["headers"]
        out.result(
            f"the server received X-Middleware: {seen['x-middleware']}, "
            f"X-Request-Id: {seen['x-request-id']}"
        )
        out.code(
            "async def main():\n"
            '    calls = [api.async_get("/echo", params={"n": n, "delay": 0.2})\n'
            "             for n in range(5)]\n"
            "    responses = await axios_python.all(calls)\n"
            "    await api.aclose()\n"
            "\n"
            "asyncio.run(main())"
        )
        asyncio.run(self._async_main())
        out.result(f"instance closed: {self.client.is_closed}")

    async def _async_main(self) -> None:
        out = self.out
        # The first async connection makes httpcore import its async backend (anyio) inside
        # the loop, which asyncio's debug mode (python -X dev) would report as a slow callback.
        asyncio.get_running_loop().slow_callback_duration = 1.0
        api = self.client
        count = 5
        start = time.perf_counter()
        calls = [api.async_get("/echo", params={"n": n, "delay": 0.2}) for n in range(count)]
        responses = await axios_python.all(calls)
        elapsed = time.perf_counter() - start
        for response in responses:
            data = response.data
            out.say(
                f"n={data['query']['n'][0]}: {response.status_code}, "
                f"X-Request-Id {data['headers']['x-request-id']}, "
                f"X-Middleware {data['headers']['x-middleware']}"
            )
        out.result(
            f"{len(responses)} results in {elapsed:.2f} s: concurrent "
            f"({count} x 0.2 s one after another would take {count * 0.2:.1f} s)"
        )
        await api.aclose()


def section_names() -> list[str]:
    """The names ``axios-python demo NAME`` accepts, in the order the full demo runs them: the
    lifecycle tour (one instance, eight parts), then each part of the ecosystem tour."""
    from ._demo_ecosystem import SECTIONS

    return ["lifecycle", *SECTIONS]


def run_demo(stream: TextIO | None = None, sections: list[str] | None = None) -> int:
    """Run the tour (or only the named ``sections``), printing to ``stream`` (stdout by
    default); returns the exit code: 0, or 2 for an unknown section name."""
    from ._demo_ecosystem import SECTIONS, unavailable

    out = _Printer(sys.stdout if stream is None else stream)
    chosen = sections if sections else section_names()
    unknown = [name for name in chosen if name not in section_names()]
    if unknown:
        out.line(f"unknown demo section {unknown[0]!r}; choose from: {', '.join(section_names())}")
        return 2
    out.line(f"axios_python {axios_python.__version__}: a tour of the request lifecycle")
    started = time.perf_counter()
    with LocalServer() as server:
        out.line(f"Local test server: {server.base_url} (loopback only, no internet needed)")
        if "lifecycle" in chosen:
            _lifecycle(server, out)
        for name in chosen:
            if name == "lifecycle":
                continue
            section = SECTIONS[name]
            out.heading(f"{section.title} [{name}]")
            reason = unavailable(section)
            if reason is not None:
                out.say(f"skipped: {reason}")
                continue
            out.code(section.source())
            server.reset()
            section.run(server, out.say)
    out.line()
    out.line(f"All done in {time.perf_counter() - started:.1f} s: every request answered locally.")
    return 0


def _lifecycle(server: LocalServer, out: _Printer) -> None:
    tour = _Tour(server, out)
    try:
        tour.create_instance()
        tour.interceptors()
        ids = tour.middleware()
        tour.retries(ids)
        tour.cancellation()
        tour.streaming()
        tour.errors()
        tour.sync_and_async()
    finally:
        if tour.api is not None:
            tour.api.close()
