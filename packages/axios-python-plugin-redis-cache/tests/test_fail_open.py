"""Fail-open, on both paths: Redis down, killed and restarted mid-run, not answering (paused
past the socket timeout), out of memory, or refusing the password: every request still goes
to the origin and succeeds without waiting longer than the Redis timeout, a rate-limited
warning and the counters tell the operator, caching resumes when Redis is back, and the
password never shows."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import axios_python
from axios_python.testing import Caller, LogCapture
from axios_python_plugin_cache import get_cache_info
from axios_python_plugin_redis_cache import RedisCachePlugin
from axios_python_plugin_redis_cache.testing import RedisServer, free_port, redis_server_binary

from .conftest import Origin  # type: ignore[import-not-found]

TIMEOUT = 0.2


def status(response: axios_python.Response) -> str:
    info = get_cache_info(response)
    assert info is not None
    return info.status


def warnings(log_capture: LogCapture) -> list[str]:
    return [
        r.getMessage()
        for r in log_capture.records
        if r.name == "axios_python.cache" and r.levelno == logging.WARNING
    ]


def record(seen: list[str], value: str) -> str:
    seen.append(value)
    return value


def timed(call: Caller, path: str) -> tuple[axios_python.Response, float]:
    started = time.monotonic()
    response = call.get(path)
    return response, time.monotonic() - started


def test_redis_down_from_the_start(
    make_caller: Callable[..., Caller], origin: Origin, log_capture: LogCapture, namespace: str
) -> None:
    path = origin.set("down")
    url = f"redis://:pw-down-123@127.0.0.1:{free_port()}/0"
    plugin = RedisCachePlugin(url, namespace=namespace, socket_timeout=TIMEOUT)
    call = make_caller({"plugins": [plugin]})
    for _ in range(5):
        response, took = timed(call, path)
        assert response.status_code == 200 and status(response) == "miss"
        assert took < TIMEOUT + 1.0
    assert origin.hits(path) == 5
    stats = plugin.stats()
    assert stats.errors >= 1 and stats.misses == 5 and stats.hits == 0
    shown = warnings(log_capture)
    assert len(shown) == 1  # rate-limited
    assert "going on without the cache" in shown[0] and "pw-down-123" not in shown[0]
    assert "pw-down-123" not in repr(plugin)


def test_killed_and_restarted_mid_run(
    make_caller: Callable[..., Caller],
    origin: Origin,
    make_redis: Callable[..., RedisServer],
    log_capture: LogCapture,
    namespace: str,
    until: Callable[[Callable[[], bool]], None],
) -> None:
    server = make_redis()
    path = origin.set("restart")
    plugin = RedisCachePlugin(
        server.url, namespace=namespace, socket_timeout=TIMEOUT, retry_interval=0.05
    )
    call = make_caller({"plugins": [plugin]})
    call.get(path)
    assert status(call.get(path)) == "hit"
    server.kill()
    for _ in range(3):
        response, took = timed(call, path)
        assert (response.status_code, status(response)) == (200, "miss")
        assert took < TIMEOUT + 1.0
    assert plugin.stats().errors >= 1 and len(warnings(log_capture)) == 1
    server.start()  # same port, empty
    seen: list[str] = []
    until(lambda: record(seen, status(call.get(path))) == "hit")
    # the calls made while Redis is left alone (retry_interval) are misses, the first call after
    # it stores the response, the next one hits; how many fit in the interval is the machine's
    # speed, not the plugin's behaviour, so only their kind is checked (and ``until``'s deadline)
    assert seen[-1] == "hit" and set(seen[:-1]) == {"miss"}
    hits_before = origin.hits(path)
    assert status(call.get(path)) == "hit" and origin.hits(path) == hits_before


def test_redis_not_answering_costs_one_timeout(
    make_caller: Callable[..., Caller],
    origin: Origin,
    make_redis: Callable[..., RedisServer],
    namespace: str,
    until: Callable[[Callable[[], bool]], None],
) -> None:
    server = make_redis()
    path = origin.set("paused")
    plugin = RedisCachePlugin(
        server.url, namespace=namespace, socket_timeout=TIMEOUT, retry_interval=0.3
    )
    call = make_caller({"plugins": [plugin]})
    call.get(path)  # connected, stored
    server.pause()
    try:
        for _ in range(3):
            response, took = timed(call, f"{path}?n={_}")
            assert response.status_code == 200 and status(response) == "miss"
            assert took < 2 * TIMEOUT + 0.5  # one timeout, never one per operation
    finally:
        server.resume()
    assert plugin.stats().errors >= 1
    seen: list[str] = []
    until(lambda: record(seen, status(call.get(path))) == "hit")


def test_out_of_memory_stores_nothing_and_serves_everything(
    make_caller: Callable[..., Caller],
    origin: Origin,
    make_redis: Callable[..., RedisServer],
    namespace: str,
) -> None:
    server = make_redis()
    admin = server.client()
    path = origin.set("oom")
    plugin = RedisCachePlugin(server.url, namespace=namespace, socket_timeout=TIMEOUT)
    call = make_caller({"plugins": [plugin]})
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", "1")
    for _ in range(2):
        response = call.get(path)
        assert (response.status_code, status(response)) == (200, "miss")
    assert plugin.stats().errors >= 2  # each write refused (OOM), reads still work
    admin.config_set("maxmemory", "0")
    call.get(path)
    assert status(call.get(path)) == "hit"
    admin.close()


def test_wrong_password_and_acl_users(
    make_caller: Callable[..., Caller],
    origin: Origin,
    make_redis: Callable[..., RedisServer],
    log_capture: LogCapture,
    namespace: str,
) -> None:
    server = make_redis("--requirepass", "right-Pa55")
    admin = server.client(password="right-Pa55")
    admin.acl_setuser(
        "cacher", enabled=True, passwords=["+cacher-Pa55"], keys=["*"], channels=["*"],
        commands=["+@all"],
    )  # fmt: skip
    admin.close()
    path = origin.set("auth")
    host = f"127.0.0.1:{server.port}/0"
    wrong = RedisCachePlugin(
        f"redis://:wrong-Pa55@{host}", namespace=namespace, socket_timeout=TIMEOUT
    )
    call = make_caller({"plugins": [wrong]})
    for _ in range(2):
        assert call.get(path).status_code == 200
    assert wrong.stats().errors >= 1
    shown = " ".join(warnings(log_capture))
    assert "AuthenticationError" in shown or "invalid" in shown.lower(), shown
    for text in (shown, repr(wrong), repr(wrong.storage)):
        assert "wrong-Pa55" not in text and "right-Pa55" not in text
    for url in (f"redis://:right-Pa55@{host}", f"redis://cacher:cacher-Pa55@{host}"):
        plugin = RedisCachePlugin(url, namespace=namespace + url[8:14])
        good = make_caller({"plugins": [plugin]})
        good.get(path)
        assert status(good.get(path)) == "hit"
        assert "Pa55" not in repr(plugin)


def test_rediss_with_an_acl_user(
    make_caller: Callable[..., Caller],
    origin: Origin,
    tls_files: tuple[str, str],
    log_capture: LogCapture,
    namespace: str,
) -> None:
    server = RedisServer(redis_server_binary(), "--requirepass", "admin-Pa55", tls=tls_files)
    server.start()
    try:
        admin = server.client(password="admin-Pa55", ssl=True, ssl_ca_certs=tls_files[0])
        admin.acl_setuser(
            "cacher", enabled=True, passwords=["+tls-Pa55"], keys=["*"], channels=["*"],
            commands=["+@all"],
        )  # fmt: skip
        admin.close()
        path = origin.set("tls")
        url = f"rediss://cacher:tls-Pa55@127.0.0.1:{server.port}/0?ssl_ca_certs={tls_files[0]}"
        # a generous timeout: a TLS handshake on a loaded test machine takes a while
        plugin = RedisCachePlugin(url, namespace=namespace, socket_timeout=5)
        call = make_caller({"plugins": [plugin]})
        call.get(path)
        assert status(call.get(path)) == "hit" and plugin.stats().errors == 0
        assert "tls-Pa55" not in repr(plugin)
        # a plain connection to the TLS port fails open, and the password does not show
        plain = RedisCachePlugin(
            f"redis://cacher:tls-Pa55@127.0.0.1:{server.port}/0", namespace=namespace
        )
        response = make_caller({"plugins": [plain]}).get(path)
        assert response.status_code == 200 and plain.stats().errors >= 1
        assert all("tls-Pa55" not in r.getMessage() for r in log_capture.records)
    finally:
        server.stop()
