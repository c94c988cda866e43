"""Middleware: order, both forms on both paths, short-circuit, scopes, removal."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

import pytest

import axios_python
from axios_python import Dual, Response
from axios_python.testing import Caller

Next = Any


def test_onion_order(call: Caller) -> None:
    trail: list[str] = []

    def outer(ctx: dict[str, Any], next_fn: Next) -> Response:
        trail.append("outer in")
        response: Response = next_fn(ctx)
        trail.append("outer out")
        return response

    async def inner(ctx: dict[str, Any], next_fn: Next) -> Response:
        trail.append("inner in")
        response: Response = await next_fn(ctx)
        trail.append("inner out")
        return response

    call.api.use(outer)
    call.api.use(inner)
    call.get("/json")
    assert trail == ["outer in", "inner in", "inner out", "outer out"]


def test_middleware_sees_the_url_as_written_and_mutates_headers(call: Caller) -> None:
    seen: list[tuple[str, str]] = []

    async def trace(ctx: dict[str, Any], next_fn: Next) -> Response:
        seen.append((ctx["url"], str(axios_python.wire_url(ctx))))
        ctx["headers"]["X-Trace-Id"] = "abc"
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(trace)
    assert call.get("/echo?a=1", params={"b": 2}).data["headers"]["x-trace-id"] == "abc"
    base = call.api.config["base_url"]
    assert seen == [("/echo?a=1", f"{base}/echo?a=1&b=2")]


def test_short_circuit_skips_transport_and_retries(call: Caller, srv: Any) -> None:
    async def mock(ctx: dict[str, Any], next_fn: Next) -> Response:
        return Response(status_code=200, headers={}, data="pong", request=None)

    call.api.use(mock)
    response = call.get("/echo", max_retries=3)
    assert response.data == "pong" and response.text == "pong"
    assert response.config["url"].endswith("/echo")
    assert srv.requests == []


def test_dual_middleware_uses_the_matching_form(call: Caller) -> None:
    used: list[str] = []

    def sync_form(ctx: dict[str, Any], next_fn: Next) -> Response:
        used.append("sync")
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def async_form(ctx: dict[str, Any], next_fn: Next) -> Response:
        used.append("async")
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(Dual(sync=sync_form, async_=async_form))
    call.get("/json")
    assert used == (["async"] if call.is_async else ["sync"])


def test_sync_call_with_only_sync_hooks_touches_no_event_loop(
    api: axios_python.AxiosPython, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a sync call created an event loop")

    from axios_python import _bridge

    monkeypatch.setattr(asyncio, "new_event_loop", forbidden)
    monkeypatch.setattr(asyncio, "run", forbidden)
    monkeypatch.setattr(_bridge, "_run_here", forbidden)
    monkeypatch.setattr(_bridge, "_workers", forbidden)
    api.use(lambda ctx, next_fn: next_fn(ctx))
    api.use(lambda ctx, next_fn: next_fn(ctx), scope="attempt")
    api.interceptors.request.use(lambda c: c)
    api.interceptors.response.use(lambda r: r)
    assert api.get("/json").status_code == 200


def test_async_middleware_in_sync_calls_reuses_one_loop_per_thread(
    api: axios_python.AxiosPython,
) -> None:
    import asyncio

    loops: set[int] = set()

    async def record(ctx: dict[str, Any], next_fn: Next) -> Response:
        loops.add(id(asyncio.get_running_loop()))
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(record)
    for _ in range(5):
        api.get("/json")
    assert len(loops) == 1


async def test_sync_call_from_inside_a_running_loop(aapi: axios_python.AxiosPython) -> None:
    async def tag(ctx: dict[str, Any], next_fn: Next) -> Response:
        ctx["headers"]["X-Tag"] = "nested"
        return await next_fn(ctx)  # type: ignore[no-any-return]

    aapi.use(tag)
    response = aapi.get("/echo")  # a sync call made from async code
    assert response.data["headers"]["x-tag"] == "nested"
    aapi.close()


def test_interleaved_async_and_sync_middleware(call: Caller) -> None:
    trail: list[str] = []

    async def a1(ctx: dict[str, Any], next_fn: Next) -> Response:
        trail.append("a1")
        return await next_fn(ctx)  # type: ignore[no-any-return]

    def s1(ctx: dict[str, Any], next_fn: Next) -> Response:
        trail.append("s1")
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def a2(ctx: dict[str, Any], next_fn: Next) -> Response:
        trail.append("a2")
        return await next_fn(ctx)  # type: ignore[no-any-return]

    for fn in (a1, s1, a2):
        call.api.use(fn)
    assert call.get("/json").status_code == 200
    assert trail == ["a1", "s1", "a2"]


def test_contextvars_flow_through_every_middleware_form(call: Caller) -> None:
    correlation = contextvars.ContextVar("correlation", default="unset")

    def sync_mw(ctx: dict[str, Any], next_fn: Next) -> Response:
        ctx["headers"]["X-Sync"] = correlation.get()
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def async_mw(ctx: dict[str, Any], next_fn: Next) -> Response:
        ctx["headers"]["X-Async"] = correlation.get()
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(sync_mw)
    call.api.use(async_mw)
    correlation.set("req-42")
    headers = call.get("/echo").data["headers"]
    assert headers["x-sync"] == "req-42" and headers["x-async"] == "req-42"


def test_call_scope_timing_includes_retries_and_waits(call: Caller) -> None:
    durations: list[float] = []
    attempts: list[int] = []

    async def timing(ctx: dict[str, Any], next_fn: Next) -> Response:
        start = time.monotonic()
        response: Response = await next_fn(ctx)
        durations.append(time.monotonic() - start)
        return response

    def per_attempt(ctx: dict[str, Any], next_fn: Next) -> Response:
        attempts.append(ctx["attempt"])
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(timing)
    call.api.use(per_attempt, scope="attempt")
    response = call.get(
        "/flaky",
        params={"key": f"timing-{call.mode}", "fail": "2"},
        max_retries=2,
        retry_strategy=axios_python.FixedDelay(0.2, retry_on_status=[503]),
    )
    assert response.status_code == 200
    assert attempts == [1, 2, 3]
    assert len(durations) == 1 and durations[0] >= 0.4


def test_attempt_scope_headers_do_not_leak_between_attempts(call: Caller, srv: Any) -> None:
    def sign(ctx: dict[str, Any], next_fn: Next) -> Response:
        assert "X-Signature" not in ctx["headers"]
        ctx["headers"]["X-Signature"] = f"attempt-{ctx['attempt']}"
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(sign, scope="attempt")
    call.get(
        "/flaky",
        params={"key": f"sign-{call.mode}", "fail": "1"},
        max_retries=1,
        retry_strategy=axios_python.FixedDelay(0, retry_on_status=[503]),
    )
    assert [r.header("x-signature") for r in srv.requests] == ["attempt-1", "attempt-2"]


def test_eject_middleware(call: Caller) -> None:
    calls: list[int] = []
    mw_id = call.api.use(lambda ctx, next_fn: calls.append(1) or next_fn(ctx))
    call.get("/json")
    assert call.api.middleware.eject(mw_id) is True
    call.get("/json")
    assert calls == [1]
    assert call.api.middleware.ids == ()


def test_bad_middleware_and_scope_are_rejected(api: axios_python.AxiosPython) -> None:
    with pytest.raises(TypeError, match="middleware must be a function"):
        api.use(42)
    with pytest.raises(ValueError, match="scope must be 'call' or 'attempt'"):
        api.use(lambda c, n: n(c), scope="request")  # type: ignore[arg-type]


def test_middleware_returning_non_response_is_clear(call: Caller) -> None:
    call.api.use(lambda ctx, next_fn: "oops")
    with pytest.raises(TypeError, match="must return the Response"):
        call.get("/json")


def test_sync_middleware_in_async_call_runs_off_the_loop(call: Caller) -> None:
    threads: list[str] = []

    def blocking(ctx: dict[str, Any], next_fn: Next) -> Response:
        threads.append(threading.current_thread().name)
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(blocking)
    call.get("/json")
    main = threading.main_thread().name
    assert (threads[0] != main) if call.is_async else (threads[0] == main)


def test_a_copy_passed_twice_never_carries_what_the_layers_below_added(call: Caller) -> None:
    """A middleware that passes the same copy of ``ctx`` to ``next_fn`` twice (a retry of its
    own) sends the same request both times: what the layers below add to their ``ctx`` in
    place (as ``add_redirect_hook`` and ``observe_hops`` do) lands in the core's own copy,
    never in the hook's dict; and a partial dict keeps the call's other settings."""
    mark = "axios_python.test_mark"  # the prefix of keys the pipeline and plugins add
    seen: list[tuple[bool, float, str, str]] = []

    def twice(ctx: dict[str, Any], next_fn: Next) -> Response:
        copy = ctx.copy()
        copy["headers"] = axios_python.HeaderDict(ctx["headers"])
        copy["headers"]["X-Copy"] = "1"
        next_fn(copy)  # read whole by the core: nothing left open
        return next_fn(copy)  # type: ignore[no-any-return]

    def partial(ctx: dict[str, Any], next_fn: Next) -> Response:
        return next_fn({"timeout": 7.0})  # type: ignore[no-any-return]

    def below(ctx: dict[str, Any], next_fn: Next) -> Response:
        seen.append((mark in ctx, ctx["timeout"], ctx["method"], ctx["headers"]["X-Copy"]))
        ctx[mark] = True
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(twice)
    call.api.use(partial)
    call.api.use(below)
    assert call.get("/echo").data["headers"]["x-copy"] == "1"
    assert seen == [(False, 7.0, "GET", "1"), (False, 7.0, "GET", "1")]


@pytest.mark.parametrize("scope", ["call", "attempt"])
def test_what_a_validated_middleware_passes_on_is_taken_as_it_is(call: Caller, scope: str) -> None:
    """A middleware registered ``validated=True`` promises a whole copy it does not use again:
    the next layer gets that very dict (no copy of it made on every call)."""
    passed: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []

    def outer(ctx: dict[str, Any], next_fn: Next) -> Response:
        copy = ctx.copy()
        copy["timeout"] = 9.0
        passed.append(copy)
        return next_fn(copy)  # type: ignore[no-any-return]

    def inner(ctx: dict[str, Any], next_fn: Next) -> Response:
        received.append(ctx)
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(outer, scope=scope, validated=True)  # type: ignore[arg-type]
    call.api.use(inner, scope=scope)  # type: ignore[arg-type]
    call.get("/echo")
    assert received[0] is passed[0] and received[0]["timeout"] == 9.0


def test_what_validated_request_interceptors_return_is_taken_as_it_is(call: Caller) -> None:
    returned: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []

    def stamp(config: dict[str, Any]) -> dict[str, Any]:
        copy = config.copy()
        copy["timeout"] = 9.0
        returned.append(copy)
        return copy

    def inner(ctx: dict[str, Any], next_fn: Next) -> Response:
        received.append(ctx)
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.interceptors.request.use(stamp, validated=True)
    call.api.use(inner)
    call.get("/echo")
    assert received[0] is returned[0] and received[0]["timeout"] == 9.0
