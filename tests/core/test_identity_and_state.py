"""identity(ctx) tells users apart; call_state(ctx) is shared by a call's hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python import CallState, Response, call_state, identity, wire_url
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer


def _ident(api: axios_python.AxiosPython, **config: Any) -> str:
    base: dict[str, Any] = {"base_url": "https://h", "url": "/x", "headers": {}, "params": None}
    return identity({**base, **config}, api)


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ({"headers": {"Authorization": "Bearer a"}}, {"headers": {"Authorization": "Bearer b"}}),
        ({"headers": {"X-Api-Key": "a"}}, {"headers": {"X-Api-Key": "b"}}),
        ({"headers": {"X-Auth-Token": "a"}}, {"headers": {"X-Auth-Token": "b"}}),
        ({"headers": {"Cookie": "s=a"}}, {"headers": {"Cookie": "s=b"}}),
        ({"headers": {"X-Tenant-Ref": "a"}}, {"headers": {"X-Tenant-Ref": "b"}}),
        ({"auth": ("ada", "1")}, {"auth": ("ada", "2")}),
        ({"auth": httpx.BasicAuth("ada", "1")}, {"auth": httpx.BasicAuth("ada", "2")}),
        ({"cookies": {"sid": "a"}}, {"cookies": {"sid": "b"}}),
        ({"url": "https://ada:1@h/x"}, {"url": "https://ada:2@h/x"}),
        ({"params": {"api_key": "a"}}, {"params": {"api_key": "b"}}),
        ({"url": "/x?token=a"}, {"url": "/x?token=b"}),
        ({"auth": lambda r: r}, {"auth": lambda r: r}),  # unreadable: never equal
    ],
)
def test_different_users_have_different_identities(
    one: dict[str, Any], two: dict[str, Any]
) -> None:
    with axios_python.create() as api:
        api.secrets.register(headers=["X-Tenant-Ref"])
        assert _ident(api, **one) != _ident(api, **two)
        assert _ident(api, **one) == _ident(api, **one) or callable(one.get("auth"))


def test_a_clients_remembered_identity_is_the_one_computed_afresh() -> None:
    """A client keeps its last answer for the same caller: in any order of callers, each gets
    the identity a client that never saw a call before computes."""
    callers = [
        {"headers": {"Authorization": "Bearer a"}},
        {"headers": {"Authorization": "Bearer a"}},
        {"headers": {"Authorization": "Bearer b"}},
        {},
        {"headers": {"Authorization": "Bearer a"}, "cookies": {"sid": "1"}},
        {"headers": {"Authorization": "Bearer a"}},
    ]
    with axios_python.create() as api:
        remembered = [_ident(api, **caller) for caller in callers]
    afresh = []
    for caller in callers:
        with axios_python.create() as fresh:
            afresh.append(_ident(fresh, **caller))
    assert remembered == afresh
    assert len(set(remembered)) == 4


def test_what_does_not_identify_a_user_does_not_change_it() -> None:
    with axios_python.create() as api:
        plain = _ident(api)
        assert _ident(api, headers={"Accept": "json", "X-Request-Id": "r"}) == plain
        assert _ident(api, params={"page": 2}) == plain
        assert _ident(api, headers={"AUTHORIZATION": "x"}) == _ident(
            api, headers={"authorization": "x"}
        )


def test_the_cookie_jar_counts_for_the_url_it_would_be_sent_to(srv: LocalServer) -> None:
    with axios_python.create({"base_url": srv.base_url}) as api:
        before = identity({"base_url": srv.base_url, "url": "/x", "headers": {}}, api)
        api.get("/cookies/set", params={"sid": "logged-in"})
        after = identity({"base_url": srv.base_url, "url": "/x", "headers": {}}, api)
        elsewhere = identity({"base_url": "https://other.example", "url": "/x"}, api)
        assert before != after
        assert elsewhere == identity({"base_url": "https://other.example", "url": "/x"}, api)


def test_middleware_gets_the_identity_of_its_call(make_caller: Callable[..., Caller]) -> None:
    seen: list[str] = []

    def record(ctx: dict[str, Any], next_fn: Any) -> Response:
        seen.append(identity(ctx))
        return next_fn(ctx)  # type: ignore[no-any-return]

    call = make_caller()
    call.api.use(record)
    call.get("/echo", headers={"X-Api-Key": "one"})
    call.get("/echo", headers={"X-Api-Key": "two"})
    call.get("/echo", headers={"X-Api-Key": "one"})
    assert seen[0] != seen[1] and seen[0] == seen[2]


def test_wire_url_merges_params_into_the_urls_own_query() -> None:
    config = {"base_url": "https://h/v1/", "url": "/items?page=2", "params": {"q": "x"}}
    assert str(wire_url(config)) == "https://h/v1/items?page=2&q=x"
    assert str(wire_url({"url": "https://abs/x", "base_url": "https://h"})) == "https://abs/x"
    with pytest.raises(axios_python.ConfigError, match="no base_url is set") as info:
        wire_url({"url": "/relative?token=SECRET"})
    assert "SECRET" not in str(info.value)


def test_wire_url_is_built_once_per_call_and_follows_what_hooks_change(
    make_caller: Callable[..., Caller],
) -> None:
    seen: list[tuple[str, bool]] = []

    def attempt(ctx: Any, next_fn: Any) -> Any:
        first = wire_url(ctx)
        seen.append((str(first), wire_url(ctx) is first))  # the same object within a call
        ctx["params"] = {**(ctx["params"] or {}), "n": ctx["attempt"]}  # a new URL
        response = next_fn(ctx)
        seen.append((str(wire_url(ctx)), True))
        return response

    class Shown:  # not plain data: its text may change, so it is never cached
        count = 0

        def __str__(self) -> str:
            Shown.count += 1
            return f"s{Shown.count}"

    call = make_caller()
    call.api.use(attempt, scope="attempt")
    response = call.get("/echo", params={"flag": True})
    assert response.data["query"] == {"flag": ["true"], "n": ["1"]}
    assert seen[0][1] and seen[0][0].endswith("/echo?flag=true")
    assert seen[1][0].endswith("/echo?flag=true&n=1")
    # equal but different values (True == 1 == 1.0) are different URLs, within one call too
    urls: list[str] = []

    def probe(ctx: Any, next_fn: Any) -> Any:
        for value in (True, 1, 1.0):
            urls.append(str(wire_url({**ctx, "params": {"a": value}})))
        shown = {**ctx, "params": {"a": Shown()}}
        urls.extend([str(wire_url(shown)), str(wire_url(shown))])
        return next_fn(ctx)

    call.api.use(probe)
    call.get("/echo")
    assert [url.partition("?")[2] for url in urls] == ["a=true", "a=1", "a=1.0", "a=s1", "a=s2"]


def test_one_state_per_call_shared_by_call_and_attempt_scope(
    make_caller: Callable[..., Caller],
) -> None:
    seen: list[tuple[int, int, int]] = []

    class Counter:
        def __init__(self) -> None:
            self.attempts = 0

    owner = object()

    def call_scope(ctx: dict[str, Any], next_fn: Any) -> Response:
        counter = call_state(ctx).slot(owner, Counter)
        response: Response = next_fn(ctx)
        seen.append((id(counter), counter.attempts, call_state(ctx).attempts))
        return response

    async def attempt_scope(ctx: dict[str, Any], next_fn: Any) -> Response:
        call_state(ctx).slot(owner, Counter).attempts += 1
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call = make_caller({"max_retries": 2, "retry_strategy": axios_python.FixedDelay(0)})
    call.api.use(call_scope)
    call.api.use(attempt_scope, scope="attempt")
    call.get("/flaky", params={"key": f"state-{call.mode}", "fail": "2", "mode": "drop"})
    call.get("/echo")
    assert [(attempts, total) for _, attempts, total in seen] == [(3, 3), (1, 1)]
    assert seen[0][0] != seen[1][0]  # a new state per call


def test_state_crosses_threads_with_a_sync_only_middleware_in_an_async_call(
    make_caller: Callable[..., Caller],
) -> None:
    states: list[CallState] = []

    def blocking(ctx: dict[str, Any], next_fn: Any) -> Response:
        states.append(call_state(ctx))
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def attempt(ctx: dict[str, Any], next_fn: Any) -> Response:
        states.append(call_state(ctx))
        return await next_fn(ctx)  # type: ignore[no-any-return]

    call = make_caller()
    call.api.use(blocking)  # a plain function: in async calls it runs on a worker thread
    call.api.use(attempt, scope="attempt")
    call.get("/echo")
    assert len(states) == 2 and states[0] is states[1]
    assert states[0].client is call.api and states[0].secrets is call.api.secrets


def test_outside_a_call_a_fresh_state_is_given() -> None:
    state = call_state({})
    assert state.client is None and state.attempts == 0
    assert call_state({}) is not state
