"""What the hot path remembers between calls gives what computing afresh gives.

The core keeps a client's wire URLs, the httpx request is built without ``client.build_request``
when the client has nothing to merge but its default headers, and a few answers are remembered
(secret header names, methods, header names, the origin of the last URL). Each must give what
the plain computation gives, follow changes (a secret registered later), and keep nothing alive
that may carry a credential.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from gzip import compress as gzip
from typing import Any

import pytest

import axios_python
from axios_python import ConfigError, ContentTooLarge, Response, identity, wire_url
from axios_python._httpx_request import build_request
from axios_python._redirects import origin_of
from axios_python._urls import KNOWN_URLS
from axios_python.engine import httpx


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def _recording(api: axios_python.AxiosPython, seen: Callable[[dict[str, Any]], Any]) -> list[Any]:
    got: list[Any] = []

    def grab(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Response]) -> Response:
        got.append(seen(ctx))
        return next_fn(ctx)

    api.use(grab, scope="attempt")
    return got


# -- wire URLs ------------------------------------------------------------------------------


def test_a_clients_calls_share_their_wire_url_objects() -> None:
    with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(_ok)}
    ) as api:
        urls = _recording(api, wire_url)
        api.get("/a")
        api.get("/a")
        api.get("/a", params={"page": 2})
        api.get("/a", params={"page": 2})
        api.get("/a", params={"page": "2"})
        api.get("/b")
    assert urls[0] is urls[1]
    assert urls[2] is urls[3] and urls[2] is not urls[0]
    assert [str(u) for u in urls] == [
        "http://h/a",
        "http://h/a",
        "http://h/a?page=2",
        "http://h/a?page=2",
        "http://h/a?page=2",
        "http://h/b",
    ]
    assert urls[4] is not urls[2]  # 2 and "2": other values, looked up apart


async def test_async_calls_share_them_too() -> None:
    async with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(_ok)}
    ) as api:
        urls = _recording(api, wire_url)
        api.get("/a")
        await api.async_get("/a")
        await api.async_get("/a", params={"page": 2})
        seen = _recording(api, lambda ctx: identity(ctx))
        await api.async_get("/a", params={"token": "t1"})
        await api.async_get("/a", params={"token": "t2"})
    assert urls[0] is urls[1] and str(urls[2]) == "http://h/a?page=2"
    assert seen[0] != seen[1]


def test_a_client_remembers_a_bounded_number_of_urls() -> None:
    with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(_ok)}
    ) as api:
        urls = _recording(api, lambda ctx: str(wire_url(ctx)))
        for n in range(KNOWN_URLS + 10):
            api.get(f"/item/{n}")
        assert len(api._wire_urls) <= KNOWN_URLS
        api.get("/item/3")
    assert urls[-1] == "http://h/item/3"
    assert urls[:3] == ["http://h/item/0", "http://h/item/1", "http://h/item/2"]


def test_identity_within_calls_is_the_one_computed_afresh() -> None:
    """In any order of URLs, and after a secret parameter is registered, a client's calls get
    the identity a configuration outside any call gets."""
    with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(_ok)}
    ) as api:
        seen = _recording(api, lambda ctx: identity(ctx))
        urls = ["/x?token=a", "/x?token=b", "/x", "/x?token=a", "/x?ticket=1", "/x?ticket=2"]
        for url in urls[:4]:
            api.get(url)
        api.secrets.register(params=["ticket"])
        for url in urls[4:]:
            api.get(url)
        afresh = [
            identity({"base_url": "http://h", "url": url, "headers": {}, "params": None}, api)
            for url in urls
        ]
    assert seen == afresh
    assert seen[0] != seen[1] and seen[0] == seen[3]
    assert seen[4] != seen[5]  # registered before those calls: secret now


# -- the httpx request ----------------------------------------------------------------------


def _both(client: httpx.Client, **options: Any) -> tuple[httpx.Request, httpx.Request]:
    options = {"headers": [], "cookies": None, "timeout": 5.0, "body": {}, **options}
    body = options.pop("body")
    extensions = options.pop("extensions", {})
    method = options.pop("method", "GET")
    url = httpx.URL(options.pop("url", "http://h/x"))
    ours = build_request(client, method, url, extensions=dict(extensions), body=body, **options)
    theirs = client.build_request(method, url, extensions=dict(extensions), **options, **body)
    return ours, theirs


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"headers": [("Authorization", "Bearer t")]},
        {"headers": [("user-agent", "mine/1"), ("Accept", "application/json")]},
        {"headers": [("X-Name", "Zoë".encode("latin-1")), ("User-Agent", "mine/1")]},
        {"timeout": None},
        {"timeout": (1.0, 2.0, 3.0, 4.0)},
        {"timeout": httpx.Timeout(3.0, connect=1.0)},
        {"extensions": {"timeout": {"connect": 1, "read": 1, "write": 1, "pool": 1}}},
        {"cookies": {"sid": "1"}},
        {"body": {"json": {"a": 1}}},
        {"body": {"content": b"raw"}},
        {"body": {"data": {"f": "v"}}},
        {"url": "http://h/x?q=1#frag"},
        {"url": "http://h:8080/x"},
        {"url": "https://h:443/x"},
        {"url": "http://bücher.example/x"},
        {"url": "http://[::1]:8080/x"},
        {"url": "http://user:pw@h/x"},
        {"headers": [("Host", "other.example"), ("X-A", "1")]},
        {"method": "HEAD"},
        {"method": "DELETE", "headers": [("Authorization", "Bearer t")]},
        {"method": "OPTIONS"},
        {"method": "POST"},
        {"method": "PUT", "headers": [("Content-Length", "0")]},
        {"method": "DELETE", "body": {"content": b"raw"}},
        {"method": "GET", "body": {"content": b""}},
    ],
)
@pytest.mark.parametrize("layout", ["read", "public"])
def test_the_request_is_the_one_httpx_builds(
    options: dict[str, Any], layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same request either way: where the core reads the engine's internals (the URL's
    parts, the headers' pairs, a body marked read) and, ``public``, where an engine laid out
    otherwise leaves it the public properties and ``read()``."""
    if layout == "public":
        from axios_python import _headers, _httpx_request, _url_parse

        monkeypatch.setattr(_url_parse, "_ENABLED", False)
        monkeypatch.setattr(_httpx_request, "LOWER_KEYS_KEPT", False)
        monkeypatch.setattr(_httpx_request, "_READ_BY_CONTENT", False)
        monkeypatch.setattr(_headers, "LOWER_KEYS_KEPT", False)
    with httpx.Client(headers={"User-Agent": "axios-test"}) as client:
        ours, theirs = _both(client, **options)
    assert (ours.method, ours.url) == (theirs.method, theirs.url)
    assert ours.headers.raw == theirs.headers.raw
    assert ours.extensions == theirs.extensions
    assert ours.read() == theirs.read()
    assert sorted(vars(ours)) == sorted(vars(theirs))  # nothing set that httpx does not set


def test_the_request_follows_the_clients_headers_and_urls_as_they_change() -> None:
    """What is remembered for requests without a body holds only while the client's default
    headers and the URL's host stay the same."""
    with httpx.Client(headers={"User-Agent": "axios-test"}) as client:
        for url in ["http://a/x", "http://b:81/x", "http://a/x", "http://a/y", "http://b:81/x"]:
            ours, theirs = _both(client, url=url)
            assert ours.headers.raw == theirs.headers.raw
        client.headers["User-Agent"] = "changed/2"
        client.headers["X-Default"] = "d"
        ours, theirs = _both(client, url="http://b:81/x", headers=[("x-default", "mine")])
        assert ours.headers.raw == theirs.headers.raw
        assert ours.headers["user-agent"] == "changed/2"
        del client.headers["X-Default"]
        ours, theirs = _both(client, url="http://b:81/x")
        assert ours.headers.raw == theirs.headers.raw and "x-default" not in ours.headers


def test_a_client_whose_jar_holds_cookies_sends_them() -> None:
    with httpx.Client() as client:
        client.cookies.set("sid", "abc", domain="api.example.com")
        ours, theirs = _both(client, url="http://api.example.com/x")
    assert ours.headers.get("cookie") == theirs.headers.get("cookie") == "sid=abc"


def test_a_timeout_extension_is_the_requests_own() -> None:
    with httpx.Client() as client:
        first, _ = _both(client, timeout=5.0)
        first.extensions["timeout"]["read"] = 99.0
        second, _ = _both(client, timeout=5.0)
    assert second.extensions["timeout"]["read"] == 5.0


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_body_the_transport_holds_whole_is_read_as_httpx_reads_it(mode: str) -> None:
    """A body a transport returns whole (``httpx.ByteStream``) is taken as read without going
    through httpx's generators: the response looks as if httpx had read it, and the limit
    and the decoding still apply."""
    body = b'{"a": 1}'

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/gz":
            gz = httpx.ByteStream(gzip(body))
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=gz)
        json = {"Content-Type": "application/json"}
        return httpx.Response(200, headers=json, stream=httpx.ByteStream(body))

    async with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(answer)}
    ) as api:

        async def get(url: str, **options: Any) -> Response:
            if mode == "sync":
                return api.get(url, **options)
            return await api.async_get(url, **options)

        response = await get("/json")
        assert response.data == {"a": 1} and response.content == body
        assert response.is_closed and response.is_stream_consumed
        assert response.num_bytes_downloaded == len(body)
        assert response.elapsed.total_seconds() >= 0
        assert (await get("/gz")).content == body  # decoded, as httpx decodes it
        with pytest.raises(ContentTooLarge):
            await get("/json", max_content_length=len(body) - 1)
        assert (await get("/json", max_content_length=len(body))).content == body


# -- remembered answers ---------------------------------------------------------------------


def test_a_header_registered_secret_later_is_secret_from_then_on() -> None:
    with axios_python.create() as api:
        assert not api.secrets.is_secret_header("X-Tenant")
        registration = api.secrets.register(headers=["x-tenant"])
        assert api.secrets.is_secret_header("X-Tenant")
        api.secrets.unregister(registration)
        assert not api.secrets.is_secret_header("X-Tenant")
        assert api.secrets.is_secret_header("Authorization")


def test_bad_methods_and_header_names_are_refused_after_good_ones() -> None:
    with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(_ok)}
    ) as api:
        assert api.request("get", "/x").request.method == "GET"
        assert api.request("get", "/x").request.method == "GET"
        with pytest.raises(ConfigError, match="method"):
            api.request("GE T", "/x")
        api.get("/x", headers={"X-Good": "1"})
        with pytest.raises(ConfigError, match="X Bad"):
            api.get("/x", headers={"X Bad": "1"})


def test_the_origin_of_a_url_is_its_own_and_the_url_is_not_kept() -> None:
    first = httpx.URL("https://user:secret@h/x")
    assert origin_of(first) == ("https", "h", 443)
    assert origin_of(first) == ("https", "h", 443)
    second = httpx.URL("http://other:8080/y")
    assert origin_of(second) == ("http", "other", 8080)
    assert origin_of(first) == ("https", "h", 443)
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_only_what_httpx_must_merge_goes_through_build_request(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    merged: list[str] = []
    kind = httpx.Client if mode == "sync" else httpx.AsyncClient
    plain = kind.build_request

    def counting(self: Any, method: str, url: Any, **options: Any) -> httpx.Request:
        merged.append(str(url))
        return plain(self, method, url, **options)

    monkeypatch.setattr(kind, "build_request", counting)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        cookie = {"Set-Cookie": "sid=1; Path=/"} if "login" in request.url.path else {}
        return httpx.Response(200, headers=cookie)

    async def get(api: axios_python.AxiosPython, url: str, **options: Any) -> None:
        if mode == "sync":
            api.get(url, **options)
        else:
            await api.async_get(url, **options)

    async with axios_python.create(
        {"base_url": "http://api.example.com", "transport": httpx.MockTransport(answer)}
    ) as api:
        await get(api, "/x", headers={"X-One": "1"})
        assert merged == []
        await get(api, "/x", cookies={"pref": "dark"})
        assert merged == ["http://api.example.com/x"]
        await get(api, "/login")
        await get(api, "/y")  # the jar holds a cookie now
    assert merged == ["http://api.example.com/x", "http://api.example.com/y"]
    assert seen[0].headers["x-one"] == "1" and "cookie" not in seen[0].headers
    assert seen[1].headers["cookie"] == "pref=dark"
    assert seen[3].headers["cookie"] == "sid=1"


def test_a_closed_client_forgets_its_callers() -> None:
    api = axios_python.create({"base_url": "http://h", "transport": httpx.MockTransport(_ok)})
    seen = _recording(api, lambda ctx: identity(ctx))
    api.get("/x", params={"api_key": "k-1"}, headers={"Authorization": "Bearer t"})
    assert seen and api._wire_urls and api._last_identity is not None
    api.close()
    assert not api._wire_urls
    assert api._last_identity is None and api._last_url_parts is None


# -- hook results -----------------------------------------------------------------------------


class _Later:
    """An awaitable that is not a coroutine: a plain function's result to be awaited."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from ()
        return self.value


@pytest.mark.parametrize("is_async", [False, True])
async def test_a_plain_hooks_awaitable_result_is_awaited_after_plain_ones(is_async: bool) -> None:
    """The core remembers the types of plain results (a dict); a plain function returning an
    awaitable, of a type not seen before or after dicts, still has it awaited."""
    wrap = {"value": False}

    def interceptor(config: dict[str, Any]) -> Any:
        config = {**config, "headers": {**config["headers"], "X-Seen": "yes"}}
        return _Later(config) if wrap["value"] else config

    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("X-Seen"))
        return httpx.Response(200)

    with axios_python.create(
        {"base_url": "http://h", "transport": httpx.MockTransport(answer)}
    ) as api:
        api.interceptors.request.use(interceptor)
        for later in (False, True, False, True):
            wrap["value"] = later
            if is_async:
                response = await api.async_get("/x")
            else:
                response = api.get("/x")
            assert response.status_code == 200
    assert seen == ["yes"] * 4


@pytest.mark.parametrize("lower_keys", [True, False], ids=["kept-lower-names", "raw-pairs"])
def test_header_reads_are_what_httpx_headers_say(
    monkeypatch: pytest.MonkeyPatch, lower_keys: bool
) -> None:
    """``has_any`` and ``values_of`` answer as ``name in headers`` and ``get_list`` do, whether
    they read the lower-case names httpx keeps or (another engine layout) the raw pairs."""
    from axios_python import _headers

    monkeypatch.setattr(_headers, "LOWER_KEYS_KEPT", lower_keys)
    headers = httpx.Headers(
        [(b"Content-Length", b"11"), (b"SET-Cookie", b"a=1"), (b"set-cookie", b"b=2")]
    )
    for names in ({b"set-cookie"}, {b"location"}, {b"location", b"content-length"}, set()):
        expected = any(name.decode() in headers for name in names)
        assert _headers.has_any(headers, frozenset(names)) is expected
    for name in (b"set-cookie", b"content-length", b"location"):
        expected_values = [v.encode() for v in headers.get_list(name.decode())]
        assert _headers.values_of(headers, name) == expected_values
