"""The ecosystem part of ``axios-python demo``: plugins found through entry points, attached
by name, and each first-party plugin at work against the loopback server.

Each section is one function whose source the demo prints before running it, so what a
reader sees is exactly what ran. A section whose plugin (or the OpenTelemetry SDK, or
``redis-server``) is not installed prints one line saying so and what to install.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import NamedTuple

import axios_python
from axios_python.testing import LocalServer

__all__ = ["SECTIONS", "Say", "Section"]

#: Prints one line of a section's outcome.
Say = Callable[[str], None]


class Section(NamedTuple):
    """One runnable part of the ecosystem tour."""

    name: str
    title: str
    run: Callable[[LocalServer, Say], None]
    #: Modules that must be importable (else the section is skipped with a note).
    needs: tuple[str, ...] = ()

    def source(self) -> str:
        """The section's code, as it runs."""
        return textwrap.dedent(inspect.getsource(self.run))

    def missing(self) -> str | None:
        """Why the section cannot run here, or ``None``."""
        for module in self.needs:
            if importlib.util.find_spec(module) is None:
                distribution = _DISTRIBUTIONS.get(module, module.replace("_", "-"))
                return f"{module} is not installed (pip install {distribution})"
        return None


def discovery(server: LocalServer, say: Say) -> None:
    # Plugins are distributions that declare an entry point in the group
    # "axios_python.plugins"; installing one is all it takes to find it.
    installed = axios_python.plugins.available()
    for info in installed:
        say(f"{info.name:<12} {info.distribution} {info.version}")
    if not installed:
        say('none installed yet: pip install "axios-python[all]"')


def by_name(server: LocalServer, say: Say) -> None:
    # Attach installed plugins by their entry-point names, with options.
    from axios_python_plugin_timing import get_timings

    api = axios_python.create(
        {
            "base_url": server.base_url,
            "plugins": ["timing", ("auth", {"token": "demo-secret-token"})],
        }
    )
    with api:
        response = api.get("/echo")
        say(f"attached: {', '.join(repr(plugin) for plugin in api.plugins)}")
    sent = response.data["headers"]["authorization"] == "Bearer demo-secret-token"
    say(f"the server received the token: {sent}; the plugin's repr shows it as ***")
    timings = get_timings(response)
    assert timings is not None  # the timing plugin saw the call
    say(f"timing: {timings.total * 1000:.1f} ms in {len(timings.attempts)} attempt(s)")


def logger(server: LocalServer, say: Say) -> None:
    # One line out, one line back; secrets in the URL are masked.
    from axios_python_plugin_logger import LoggerPlugin

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            say(f"[log] {record.getMessage()}")

    log = logging.getLogger("demo.http")
    log.addHandler(Lines())
    log.setLevel(logging.INFO)
    log.propagate = False
    with axios_python.create({"base_url": server.base_url}) as api:
        api.plugin(LoggerPlugin(logger=log, level=logging.INFO))
        api.get("/json", params={"api_key": "s3cret-key"})


def cache(server: LocalServer, say: Say) -> None:
    # A fresh entry is served from memory: the second call never reaches the server.
    from axios_python_plugin_cache import CachePlugin, get_cache_info

    with axios_python.create({"base_url": server.base_url}) as api:
        api.plugin(CachePlugin(ttl=60))
        first = api.get("/count")
        second = api.get("/count")
    say(f"first:  {get_cache_info(first).status}, the server counted hit #{first.data['hits']}")
    say(f"second: {get_cache_info(second).status}, the same body: {second.data}")
    say(f"requests the server received: {server.count('/count')}")


def dedupe(server: LocalServer, say: Say) -> None:
    # Ten concurrent calls for the same resource make one upstream request.
    from axios_python_plugin_dedupe import DedupePlugin

    async def ten_at_once() -> list[axios_python.Response]:
        async with axios_python.create({"base_url": server.base_url}) as api:
            api.plugin(DedupePlugin())
            calls = [api.async_get("/count", params={"delay": 0.2}) for _ in range(10)]
            return await axios_python.all(calls)

    responses = asyncio.run(ten_at_once())
    say(f"{len(responses)} responses, all {sorted({r.status_code for r in responses})}")
    say(f"requests the server received: {server.count('/count')}")


def otel(server: LocalServer, say: Say) -> None:
    # One CLIENT span per request on the wire, printed by the SDK's console exporter.
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    from axios_python_plugin_otel import OpenTelemetryPlugin

    def one_line(span: ReadableSpan) -> str:
        return f"  [span] {span.name} {span.kind.name} {dict(span.attributes or {})}\n"

    provider = TracerProvider()
    exporter = ConsoleSpanExporter(out=sys.stdout, formatter=one_line)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with axios_python.create({"base_url": server.base_url}) as api:
        api.plugin(OpenTelemetryPlugin(tracer_provider=provider))
        api.get("/json", params={"sig": "secret-signature"})  # the signature is masked
        retry = axios_python.FixedDelay(0.01, retry_on_status=[503])
        # a 503, then a retry: two spans, the second with http.request.resend_count
        api.get("/flaky", params={"key": "otel", "fail": 1}, max_retries=1, retry_strategy=retry)
    provider.shutdown()


def redis_cache(server: LocalServer, say: Say) -> None:
    # Two clients (think: two processes) share entries through a redis-server started here.
    from axios_python_plugin_cache import get_cache_info
    from axios_python_plugin_redis_cache import RedisCachePlugin
    from axios_python_plugin_redis_cache.testing import RedisServer, redis_server_binary

    redis = RedisServer(redis_server_binary()).start()
    try:
        clients = [axios_python.create({"base_url": server.base_url}) for _ in range(2)]
        for api in clients:
            # socket_timeout: the plugin's 0.25 s default fails open (a warning, no cache) when
            # a busy machine keeps this local Redis from answering in time; the demo shows the
            # cache, not that
            api.plugin(
                RedisCachePlugin(url=redis.url, namespace="demo", ttl=60, socket_timeout=5.0)
            )
        first = clients[0].get("/count")
        second = clients[1].get("/count")
        for api in clients:
            api.close()
    finally:
        redis.stop()
    say(f"client 1: {get_cache_info(first).status}; client 2: {get_cache_info(second).status}")
    say(f"requests the server received: {server.count('/count')}")


def process_wide(server: LocalServer, say: Say) -> None:
    # AXIOS_PYTHON_PLUGINS switches plugins on for every client of a process, without
    # changing its code: here, logging for a program that knows nothing of it.
    program = (
        "import logging, axios_python\n"
        "logging.basicConfig(level=logging.INFO, format='[%(name)s] %(message)s')\n"
        f"axios_python.create({{'base_url': {server.base_url!r}}}).get('/json')\n"
    )
    env = dict(os.environ, AXIOS_PYTHON_PLUGINS="logger")
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60
    )
    for line in done.stderr.splitlines():
        say(line)


#: What to install for a missing module, where its distribution is named otherwise.
_DISTRIBUTIONS = {"opentelemetry.sdk": "opentelemetry-sdk", "redis": "redis"}


def _redis_available() -> str | None:
    if shutil.which("redis-server"):
        return None
    return "redis-server is not on this machine (Debian: apt-get install redis-server)"


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("plugins", "Plugins found through entry points", discovery),
        Section(
            "by-name",
            "Plugins attached by name: auth and timing",
            by_name,
            ("axios_python_plugin_auth", "axios_python_plugin_timing"),
        ),
        Section(
            "logger", "Logger: a line out, a line back", logger, ("axios_python_plugin_logger",)
        ),
        Section(
            "cache",
            "Cache: a hit served without the network",
            cache,
            ("axios_python_plugin_cache",),
        ),
        Section(
            "dedupe",
            "Dedupe: ten concurrent calls, one request",
            dedupe,
            ("axios_python_plugin_dedupe",),
        ),
        Section(
            "otel",
            "OpenTelemetry: spans printed by a console exporter",
            otel,
            ("axios_python_plugin_otel", "opentelemetry.sdk"),
        ),
        Section(
            "redis-cache",
            "Redis cache: entries shared between clients",
            redis_cache,
            ("axios_python_plugin_redis_cache", "redis"),
        ),
        Section(
            "process-wide",
            "AXIOS_PYTHON_PLUGINS: logging for every client of a process",
            process_wide,
            ("axios_python_plugin_logger",),
        ),
    )
}


def unavailable(section: Section) -> str | None:
    """Why ``section`` is skipped here (a missing module, or no ``redis-server``), or ``None``."""
    reason = section.missing()
    if reason is None and section.name == "redis-cache":
        reason = _redis_available()
    return reason
