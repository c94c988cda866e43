"""``parse_url`` (the core's URL parsing with remembered origins) gives exactly the engine's
``httpx.URL``, and the engine's error for a URL it refuses, whatever the text."""

from __future__ import annotations

import gc
import itertools
import random
import weakref
from typing import Any

import pytest

import axios_python
from axios_python import wire_url
from axios_python._url_parse import (
    _origins,
    netloc_of,
    parse_url,
    scheme_host_port,
    target_parts,
)
from axios_python.engine import httpx

ORIGINS = [
    "http://h",
    "https://api.example.com",
    "http://127.0.0.1:8080",
    "http://127.0.0.1:80",
    "https://EXAMPLE.com:443",
    "HTTP://Example.COM",
    "http://[::1]:9000",
    "https://bücher.example",
    "https://xn--bcher-kva.example",
    "http://user:pa55@h",
    "http://h:0",
    "http://h:99999",
    "http://h:x",
    "ftp://files.example",
    "http://",
    "http:",
    "//h",
    "h",
]

TAILS = [
    "",
    "/",
    "/a",
    "/a/b/",
    "//a",
    "/a?x=1",
    "/a?x=1&y=2&x=3",
    "/a?",
    "/?",
    "/a??b",
    "/a?x=a/b?c",
    "/a#frag",
    "/a?x=1#f",
    "/a/./b",
    "/a/../b",
    "/..",
    "/a/.",
    "/a/.b/..c/",
    "/a%20b",
    "/a%2",
    "/a%zz",
    "/a%2Fb?q=%E2%82%AC",
    "/a b",
    "/a?x=a b",
    "/ünï",
    "/a?q=é",
    "/a\tb",
    "/a\nb",
    "/a\x7fb",
    "/a`b",
    "/a{b}",
    "/a|b",
    "/a\\b",
    "/a^b",
    "/a[b]",
    '/a"b',
    "/a<b>",
    "/a?x=`{}|\\^[]",
    "/a?x='\"<>",
    "/~user/a-b_c.d!$&'()*+,;=:@",
    "/a?x=~-._!$&'()*+,;=:@/?",
    "?q=1",
    "#f",
]


def _engine(text: str) -> httpx.URL | Exception:
    try:
        return httpx.URL(text)
    except Exception as exc:  # the engine's own error, compared below
        return exc


def _same(text: str) -> None:
    expected = _engine(text)
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)) as caught:
            parse_url(text)
        assert str(caught.value) == str(expected)
        return
    got = parse_url(text)
    assert type(got) is httpx.URL
    assert got._uri_reference == expected._uri_reference, text
    assert str(got) == str(expected)
    assert got == expected
    assert got.raw_path == expected.raw_path and got.netloc == expected.netloc
    assert got.params == expected.params and got.host == expected.host


@pytest.mark.parametrize("origin", ORIGINS)
def test_every_origin_and_tail_parses_as_the_engine_parses_it(origin: str) -> None:
    for tail in TAILS:
        _same(origin + tail)
        _same(origin + tail)  # the second time from the remembered origin


def test_random_urls_parse_as_the_engine_parses_them() -> None:
    rng = random.Random(1234)
    alphabet = "aZ09-._~!$&'()*+,;=:@/?#%Ff %\"<>`{}|\\^[]é€\t"
    for origin, _ in itertools.product(ORIGINS[:7], range(300)):
        tail = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
        _same(origin + tail)


def test_a_url_over_the_engines_length_limit_is_refused_as_the_engine_refuses_it() -> None:
    _same("http://h/" + "a" * 70_000)
    _same("http://h/?" + "a" * 65_000)


def test_an_origin_with_userinfo_is_never_remembered() -> None:
    parse_url("http://someone:s3cret@h/a")
    parse_url("http://h?token=s3cret/a")
    assert not any("s3cret" in key for key in _origins)


def test_the_remembered_origins_are_bounded() -> None:
    for port in range(1000, 1300):
        parse_url(f"http://h:{port}/a")
    assert len(_origins) <= 64


def test_a_call_goes_to_the_url_the_engine_would_parse() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with axios_python.create(
        {"base_url": "http://h:8080/v1/", "transport": httpx.MockTransport(handler)}
    ) as api:
        api.get("/users/7")
        api.get("users/7", params={"q": "a b", "n": [1, 2]})
        api.get("/users/7?x=1", params={"y": "é"})
        api.get("/a/../b%2F?x=1#f")
        api.get("http://other.example/ünï")
    assert [str(r.url) for r in seen] == [
        "http://h:8080/v1/users/7",
        "http://h:8080/v1/users/7?q=a+b&n=1&n=2",
        "http://h:8080/v1/users/7?x=1&y=%C3%A9",
        "http://h:8080/v1/b%2F?x=1#f",
        "http://other.example/%C3%BCn%C3%AF",
    ]
    assert wire_url({"base_url": "http://h", "url": "/a", "params": {"q": "x"}}) == httpx.URL(
        "http://h/a", params={"q": "x"}
    )


def test_a_parsed_url_keeps_nothing_alive() -> None:
    url = parse_url("http://h/kept?token=1")
    ref = weakref.ref(url)
    del url
    gc.collect()
    assert ref() is None


def test_the_fast_path_is_on_for_this_engine_and_off_is_the_plain_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from axios_python import _url_parse

    assert _url_parse._ENABLED  # the engine keeps parsed URLs as this module expects
    monkeypatch.setattr(_url_parse, "_ENABLED", False)  # an engine with another layout
    for tail in TAILS[:12]:
        _same("http://h:8080" + tail)


def test_target_parts_are_where_the_engine_sends_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the aiohttp transport hands aiohttp: the scheme, host and port, path and query
    httpx's own transport sends, without the userinfo or the fragment; and the origin the
    redirect policy compares, the URL's own ``scheme``, ``host`` and ``port``. The same when
    read through the engine's public properties (an engine laid out otherwise)."""
    from axios_python import _url_parse

    parsed = map(_engine, (origin + tail for origin in ORIGINS for tail in TAILS))
    urls = [url for url in parsed if isinstance(url, httpx.URL)]
    assert len(urls) > 400
    fast = [target_parts(url) for url in urls]
    for url, (scheme, netloc, path, query) in zip(urls, fast, strict=True):
        assert (scheme, netloc) == (url.scheme, url.netloc.decode("ascii"))
        sent_path, _, sent_query = url.raw_path.decode("ascii").partition("?")
        assert (path, query) == (sent_path, sent_query)  # an empty query: no "?" (yarl's way)
        assert "@" not in netloc and "#" not in path + query
        assert scheme_host_port(url) == (url.scheme, url.host, url.port)
        assert netloc_of(url) == netloc == url.netloc.decode("ascii")
    assert target_parts(httpx.URL("http://[::1]:9000/a?b")) == ("http", "[::1]:9000", "/a", "b")
    assert target_parts(httpx.URL("https://u:p@xn--bcher-kva.example:443#f")) == (
        "https",
        "xn--bcher-kva.example",
        "/",
        "",
    )
    assert scheme_host_port(httpx.URL("https://bücher.example/")) == (
        "https",
        "bücher.example",
        None,
    )
    monkeypatch.setattr(_url_parse, "_ENABLED", False)
    assert [target_parts(url) for url in urls] == fast
    assert [scheme_host_port(url) for url in urls] == [(u.scheme, u.host, u.port) for u in urls]
    assert [netloc_of(url) for url in urls] == [netloc for _, netloc, _, _ in fast]


@pytest.mark.parametrize(
    ("base_url", "url", "params"),
    [
        ("http://h", "", {"a": 1}),
        ("http://h", "/x", {"a": []}),
        ("http://h", "/x", [("a", "b c"), ("a", None)]),
        ("http://h:80/v1/", "u", {"q": "é/?#&="}),
        ("http://h", "/x", "a=1&b"),
        ("http://h", "/x", {"t": True, "f": 1.5}),
        ("https://h", "/x#frag", {"a": 1}),
        ("http://h", "/x?y=1", {"a": 1}),
    ],
)
def test_params_give_the_url_the_engine_gives(base_url: str, url: str, params: Any) -> None:
    # params are encoded once and parsed with the URL, not encoded and parsed again
    joined = base_url.rstrip("/") + "/" + url.lstrip("/") if url else base_url
    if "?" in joined:
        expected = httpx.URL(joined).copy_merge_params(params)
    else:
        expected = httpx.URL(joined, params=params)
    got = wire_url({"base_url": base_url, "url": url, "params": params})
    assert got._uri_reference == expected._uri_reference
    assert str(got) == str(expected)
