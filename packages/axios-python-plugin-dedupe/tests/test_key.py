"""What keeps two requests apart, on the sync and the async path.

The issue's defect: two concurrent GETs that differed only in ``X-Api-Key`` (or
``X-Auth-Token``, or the header of ``AuthPlugin.api_key``) collapsed into one upstream call and
the second caller got the first caller's response. Now a response is shared only between
requests that are identical: same method, wire URL, identity and headers, except per-request
correlation headers.

Every test here runs its calls against the ``hold`` route: the first call is held at the server
until every other call has either reached the server too or waits for it as a follower, so the
calls overlap for certain and the count of upstream requests tells which happened.
"""

from __future__ import annotations

import base64
import contextvars
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import axios_python
from axios_python import Dual, Response
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_dedupe import CORRELATION_HEADERS, DedupePlugin, DedupeStats

MakeCaller = Callable[..., Caller]

#: The key an ``AuthPlugin.api_key`` provider hands out: per thread or task.
current_key: contextvars.ContextVar[str] = contextvars.ContextVar("current_key")


def _dedupe(
    make_caller: MakeCaller, plugin: DedupePlugin | None = None, **config: Any
) -> tuple[Caller, DedupePlugin]:
    plugin = plugin if plugin is not None else DedupePlugin()
    return make_caller({"plugins": [plugin, *config.pop("plugins", [])], **config}), plugin


def _as(var: contextvars.ContextVar[str], value: str) -> Callable[[], Mapping[str, Any]]:
    """A step that sets ``var`` on its call's own thread or task, then calls with no option."""

    def step() -> Mapping[str, Any]:
        var.set(value)
        return {}

    return step


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- the defect: a credential or any other header keeps requests apart --------------------


@pytest.mark.parametrize(
    "header",
    ["X-Api-Key", "X-Auth-Token", "X-Tenant", "Authorization", "Cookie", "Accept-Language"],
)
def test_calls_differing_in_one_header_never_share(
    make_caller: MakeCaller, hold: Any, header: str
) -> None:
    call, plugin = _dedupe(make_caller)
    first, second = hold.run(
        call, plugin, [{"headers": {header: "alice-1"}}, {"headers": {header: "bob-2"}}]
    )
    assert hold.upstream == 2
    assert first.data["headers"][header.lower()] == "alice-1"
    assert second.data["headers"][header.lower()] == "bob-2"
    assert plugin.stats() == DedupeStats(leaders=2, collapsed=0, in_flight=0, waiting=0)


def test_api_key_set_by_auth_plugin_never_shares(make_caller: MakeCaller, hold: Any) -> None:
    """``AuthPlugin.api_key(..., header="X-Custom")``: a header only that plugin knows to be a
    credential. Two calls whose key differs go upstream apart, each with its own key."""
    auth = AuthPlugin.api_key(lambda: current_key.get(), header="X-Custom")
    call, plugin = _dedupe(make_caller, plugins=[auth])
    first, second, third = hold.run(
        call, plugin, [_as(current_key, "k1"), _as(current_key, "k2"), _as(current_key, "k1")]
    )
    assert hold.upstream == 2
    assert [r.data["headers"]["x-custom"] for r in (first, second, third)] == ["k1", "k2", "k1"]
    assert plugin.stats().collapsed == 1  # the second "k1" call shared the first one's answer


def test_auth_tuples_never_share(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)
    answers = hold.run(
        call,
        plugin,
        [{"auth": ("alice", "pw-1")}, {"auth": ("alice", "pw-2")}, {"auth": ("bob", "pw-1")}],
    )
    assert hold.upstream == 3
    assert [r.data["headers"]["authorization"] for r in answers] == [
        _basic("alice", "pw-1"),
        _basic("alice", "pw-2"),
        _basic("bob", "pw-1"),
    ]


def test_cookies_of_the_call_never_share(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)
    first, second = hold.run(
        call, plugin, [{"cookies": {"session": "alice"}}, {"cookies": {"session": "bob"}}]
    )
    assert hold.upstream == 2
    assert first.data["headers"]["cookie"] == "session=alice"
    assert second.data["headers"]["cookie"] == "session=bob"


def test_cookies_of_the_client_jar_never_share(
    make_caller: MakeCaller, hold: Any, local_server: LocalServer
) -> None:
    """The jar changes between two calls (another user logged in): the second call carries
    another session cookie, so it must not get the first call's answer."""
    call, plugin = _dedupe(make_caller)
    host = local_server.base_url.partition("://")[2].partition(":")[0]

    def logged_in(session: str) -> Callable[[], Mapping[str, Any]]:
        def step() -> Mapping[str, Any]:
            call.api.cookies.set("session", session, domain=host)
            return {}

        return step

    first, second = hold.run(call, plugin, [logged_in("alice"), logged_in("bob")])
    assert hold.upstream == 2
    assert first.data["headers"]["cookie"] == "session=alice"
    assert second.data["headers"]["cookie"] == "session=bob"


def test_secret_query_values_never_share(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)
    first, second = hold.run(
        call, plugin, [{"params": {"api_key": "alice"}}, {"params": {"api_key": "bob"}}]
    )
    assert hold.upstream == 2
    assert (first.data["query"], second.data["query"]) == (
        {"api_key": ["alice"]},
        {"api_key": ["bob"]},
    )


def test_headers_added_by_interceptors_keep_users_apart(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)

    def auth_from_user(config: dict[str, Any]) -> dict[str, Any]:
        user = config["headers"].pop("X-User")
        config["headers"]["Authorization"] = f"Bearer token-of-{user}"
        return config

    call.api.interceptors.request.use(auth_from_user)
    answers = hold.run(
        call, plugin, [{"headers": {"X-User": user}} for user in ("alice", "bob", "alice")]
    )
    assert hold.upstream == 2
    assert [r.data["headers"]["authorization"] for r in answers] == [
        "Bearer token-of-alice",
        "Bearer token-of-bob",
        "Bearer token-of-alice",
    ]
    assert "x-user" not in answers[0].data["headers"]


def test_one_plugin_two_clients_never_share(
    make_caller: MakeCaller, hold: Any, local_server: LocalServer
) -> None:
    call, plugin = _dedupe(make_caller)
    other = axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]})
    try:
        answers = hold.run(call, plugin, [{}, {"client": other}, {}, {"client": other}])
    finally:
        if call.is_async:
            call.run(other.aclose())
        else:
            other.close()
    assert hold.upstream == 2  # one per client
    assert plugin.stats() == DedupeStats(leaders=2, collapsed=2, in_flight=0, waiting=0)
    assert all(isinstance(r, Response) for r in answers)


# -- what does not keep requests apart -------------------------------------------------


@pytest.mark.parametrize(
    ("header", "values"),
    [
        (
            "traceparent",
            ("00-" + "1" * 32 + "-" + "a" * 16 + "-01", "00-" + "2" * 32 + "-" + "b" * 16 + "-01"),
        ),
        ("tracestate", ("vendor=one", "vendor=two")),
        ("baggage", ("request.id=1", "request.id=2")),
        ("X-Request-Id", ("req-1", "req-2")),
        ("X-Correlation-Id", ("corr-1", "corr-2")),
    ],
)
def test_calls_differing_only_in_correlation_headers_collapse(
    make_caller: MakeCaller, hold: Any, header: str, values: tuple[str, str]
) -> None:
    call, plugin = _dedupe(make_caller)
    first, second = hold.run(call, plugin, [{"headers": {header: value}} for value in values])
    assert hold.upstream == 1
    assert first is not second and first.data == second.data  # the leader's answer, copied
    assert first.data["headers"][header.lower()] == values[0]
    assert plugin.stats() == DedupeStats(leaders=1, collapsed=1, in_flight=0, waiting=0)
    assert header.lower() in CORRELATION_HEADERS


@pytest.mark.parametrize(("ignore", "upstream"), [((), 2), (("X-B3-TraceId",), 1)])
def test_ignore_headers_option(
    make_caller: MakeCaller, hold: Any, ignore: tuple[str, ...], upstream: int
) -> None:
    call, plugin = _dedupe(make_caller, DedupePlugin(ignore_headers=ignore))
    hold.run(call, plugin, [{"headers": {"X-B3-TraceId": trace}} for trace in ("a1", "b2")])
    assert hold.upstream == upstream


def test_ignore_headers_never_hides_a_credential(make_caller: MakeCaller, hold: Any) -> None:
    """A credential header is part of the identity: listing it in ``ignore_headers`` does
    not let two users share an answer."""
    plugin = DedupePlugin(ignore_headers=["X-Api-Key", "Authorization"])
    call, plugin = _dedupe(make_caller, plugin)
    answers = hold.run(
        call,
        plugin,
        [{"headers": {"X-Api-Key": "alice"}}, {"headers": {"X-Api-Key": "bob"}}],
    )
    assert hold.upstream == 2
    assert [r.data["headers"]["x-api-key"] for r in answers] == ["alice", "bob"]


def test_params_spelled_differently_are_one_request(
    make_caller: MakeCaller, hold: Any, local_server: LocalServer
) -> None:
    call, plugin = _dedupe(make_caller)
    answers = hold.run(
        call,
        plugin,
        [
            {"url": "/held?page=1&size=2"},
            {"url": "/held", "params": {"page": "1", "size": 2}},
            {"url": "/held?page=1", "params": [("size", "2")]},
            {"url": local_server.url("/held"), "params": "page=1&size=2"},
        ],
    )
    assert hold.upstream == 1
    assert all(r.data["query"] == {"page": ["1"], "size": ["2"]} for r in answers)


def test_different_params_never_share(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)
    answers = hold.run(call, plugin, [{"params": {"page": p}} for p in (1, 2, 1, 2)])
    assert hold.upstream == 2
    assert [r.data["query"]["page"] for r in answers] == [["1"], ["2"], ["1"], ["2"]]


def test_head_is_collapsed_apart_from_get(make_caller: MakeCaller, hold: Any) -> None:
    call, plugin = _dedupe(make_caller)
    answers = hold.run(call, plugin, [{"method": m} for m in ("HEAD", "GET", "HEAD", "GET")])
    assert hold.upstream == 2
    assert [r.request.method for r in answers] == ["HEAD", "GET", "HEAD", "GET"]
    assert answers[0].content == answers[2].content == b""
    assert answers[1].data == answers[3].data


# -- vary_key, and the deprecated vary_headers --------------------------------------------

current_user: contextvars.ContextVar[str] = contextvars.ContextVar("current_user")


@pytest.mark.parametrize("with_vary_key", [False, True])
def test_vary_key_for_credentials_added_per_attempt(
    make_caller: MakeCaller, hold: Any, with_vary_key: bool
) -> None:
    """What attempt-scoped middleware adds is invisible to the key (computed once per call):
    ``vary_key`` tells the plugin who is asking."""

    def per_attempt(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["headers"]["Authorization"] = f"Bearer token-of-{current_user.get()}"
        return next_fn(ctx)  # type: ignore[no-any-return]

    async def per_attempt_async(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["headers"]["Authorization"] = f"Bearer token-of-{current_user.get()}"
        return await next_fn(ctx)  # type: ignore[no-any-return]

    plugin = DedupePlugin(vary_key=(lambda ctx: current_user.get()) if with_vary_key else None)
    call, plugin = _dedupe(make_caller, plugin)
    call.api.use(Dual(sync=per_attempt, async_=per_attempt_async), scope="attempt")
    answers = hold.run(call, plugin, [_as(current_user, "alice"), _as(current_user, "bob")])
    seen = [r.data["headers"]["authorization"] for r in answers]
    if with_vary_key:  # each user gets the answer to their own credential
        assert hold.upstream == 2
        assert seen == ["Bearer token-of-alice", "Bearer token-of-bob"]
    else:  # the limitation vary_key lifts
        assert hold.upstream == 1
        assert seen == ["Bearer token-of-alice"] * 2


def test_vary_headers_is_deprecated_and_its_names_still_count(
    make_caller: MakeCaller, hold: Any
) -> None:
    with pytest.warns(DeprecationWarning, match="every request header now counts"):
        plugin = DedupePlugin(vary_headers=["X-Request-Id"])
    assert plugin.vary_headers == ("x-request-id",)
    call, plugin = _dedupe(make_caller, plugin)
    answers = hold.run(call, plugin, [{"headers": {"X-Request-Id": r}} for r in ("r1", "r2")])
    assert hold.upstream == 2  # a correlation header, but named in vary_headers: it counts
    assert [r.data["headers"]["x-request-id"] for r in answers] == ["r1", "r2"]


def test_vary_headers_star_is_accepted_with_the_warning() -> None:
    with pytest.warns(DeprecationWarning, match="deprecated"):
        plugin = DedupePlugin(vary_headers=["*"])
    assert plugin.vary_headers == ()
    assert plugin.ignore_headers == CORRELATION_HEADERS


def test_an_option_changed_in_place_between_calls_changes_the_key(
    local_server: LocalServer,
) -> None:
    """The key remembers the frozen form of the options a call shares with the one before
    (its client's defaults), but never of a dict or list, which may change in place."""
    plugin = DedupePlugin()
    keys: list[Any] = []

    def record(ctx: Any, next_fn: Callable[[Any], Response]) -> Response:
        keys.append(plugin.key(ctx))
        return next_fn(ctx)

    extensions: dict[str, Any] = {"sni_hostname": "one.example"}
    with (
        axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api,
        axios_python.create(
            {"base_url": local_server.base_url, "plugins": [plugin], "timeout": 3.0}
        ) as other,
    ):
        api.use(record)
        other.use(record)
        api.get("/echo")
        api.get("/echo")  # the same defaults: the same key
        other.get("/echo")  # another client's defaults (a timeout): another key
        api.get("/echo", extensions=extensions)
        extensions["sni_hostname"] = "two.example"
        api.get("/echo", extensions=extensions)  # the same dict, changed
    assert keys[0] == keys[1]
    assert len({keys[1], keys[2], keys[3], keys[4]}) == 4


def test_a_partial_config_given_by_hand_has_a_key() -> None:
    """``key()`` is public: a dict with only some config keys (a test's, a tool's) gets a key
    that tells its options apart, as a whole call's config does."""
    plugin = DedupePlugin()
    given = {"method": "get", "url": "https://h.example/items", "headers": {}}
    first = plugin.key(given)
    assert first is not None and first == plugin.key(dict(given))
    assert plugin.key({**given, "timeout": 3.0}) != first


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_each_call_is_keyed_by_its_own_url(local_server: LocalServer, mode: str) -> None:
    """The key keeps the text of the last URL it was built for: calls alternating between
    URLs (and a URL given by hand) each get their own."""
    plugin = DedupePlugin()
    urls: list[str] = []

    def record(ctx: Any, next_fn: Callable[[Any], Response]) -> Response:
        key = plugin.key(ctx)
        assert key is not None
        urls.append(key[1])
        return next_fn(ctx)

    paths = ["/echo?a=1", "/echo?a=2", "/echo?a=1", "/echo", "/echo?a=2"]
    async with axios_python.create({"base_url": local_server.base_url, "plugins": [plugin]}) as api:
        api.use(record)
        for path in paths:
            if mode == "sync":
                api.get(path)
            else:
                await api.async_get(path)
            by_hand = plugin.key({"method": "GET", "url": "https://elsewhere.example/x"})
            assert by_hand is not None and by_hand[1] == "https://elsewhere.example/x"
    assert urls == [local_server.base_url + path for path in paths]
