"""RFC 9111 on both paths, with a clock the test moves: freshness from the response
(max-age, s-maxage, Expires, Age), the ttl heuristic, no-store / no-cache / private /
must-revalidate / immutable, Vary, and revalidation with ETag and Last-Modified."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

from axios_python.testing import Caller
from axios_python_plugin_cache import CachePlugin, get_cache_info

from .conftest import Clock, Origin  # type: ignore[import-not-found]


def status(response: object) -> str:
    info = get_cache_info(response)
    assert info is not None
    return info.status


def http_date(when: float) -> str:
    return email.utils.formatdate(when, usegmt=True)


def test_max_age_is_the_freshness(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    path = origin.set("max-age", headers={"Cache-Control": "max-age=100"})
    call = make_caller({"plugins": [CachePlugin(ttl=10, clock=clock)]})
    call.get(path)
    clock.advance(90)
    assert status(call.get(path)) == "hit"
    clock.advance(15)
    assert status(call.get(path)) == "miss"
    assert origin.hits(path) == 2


def test_the_ttl_applies_when_the_response_states_no_freshness(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    path = origin.set("heuristic")
    call = make_caller({"plugins": [CachePlugin(ttl=30, clock=clock)]})
    call.get(path)
    clock.advance(20)
    assert status(call.get(path)) == "hit"
    clock.advance(15)
    assert status(call.get(path)) == "miss"


def test_ttl_zero_stores_only_to_revalidate(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    plain = origin.set("zero")
    tagged = origin.set("zero-tagged", etag='"z1"')
    call = make_caller({"plugins": [CachePlugin(ttl=0, clock=clock)]})
    call.get(plain)
    assert status(call.get(plain)) == "miss"  # nothing stored
    first = call.get(tagged)
    assert get_cache_info(first).stored
    again = call.get(tagged)
    assert status(again) == "revalidated" and again.status_code == 200
    assert again.data["hit"] == 1 and origin.hits(tagged) == 2


def test_age_and_expires_count(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    aged = origin.set("aged", headers={"Cache-Control": "max-age=60", "Age": "50"})
    expires = origin.set("expires", headers={"Expires": http_date(clock() + 30)})
    expired = origin.set("expired", headers={"Expires": "0"})
    call = make_caller({"plugins": [CachePlugin(ttl=3600, clock=clock)]})
    call.get(aged)
    call.get(expires)
    call.get(expired)
    assert status(call.get(expired)) == "miss"  # an invalid Expires means already expired
    clock.advance(5)
    assert status(call.get(aged)) == "hit"
    clock.advance(8)  # 50 + 13 > 60
    assert status(call.get(aged)) == "miss"
    assert status(call.get(expires)) == "hit"
    clock.advance(20)
    assert status(call.get(expires)) == "miss"


def test_no_store_is_never_stored(make_caller: Callable[..., Caller], origin: Origin) -> None:
    path = origin.set("no-store", headers={"Cache-Control": "no-store, max-age=60"})
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    assert status(call.get(path)) == "miss"
    asked = origin.set("asked-no-store", headers={"Cache-Control": "max-age=60"})
    call.get(asked, headers={"Cache-Control": "no-store"})
    assert status(call.get(asked)) == "miss"


def test_no_cache_is_revalidated_every_time(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("no-cache", headers={"Cache-Control": "no-cache, max-age=60"}, etag='"n"')
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    assert [status(call.get(path)) for _ in range(2)] == ["revalidated", "revalidated"]
    assert origin.hits(path) == 3
    # a request's no-cache forces a revalidation too
    fresh = origin.set("req-no-cache", headers={"Cache-Control": "max-age=60"}, etag='"r"')
    call.get(fresh)
    assert status(call.get(fresh, headers={"Cache-Control": "no-cache"})) == "revalidated"
    assert status(call.get(fresh, headers={"Cache-Control": "max-age=0"})) == "revalidated"
    assert status(call.get(fresh)) == "hit"


def test_immutable_is_not_revalidated_while_fresh(
    make_caller: Callable[..., Caller], origin: Origin
) -> None:
    path = origin.set("immutable", headers={"Cache-Control": "max-age=60, immutable"}, etag='"i"')
    call = make_caller({"plugins": [CachePlugin()]})
    call.get(path)
    assert status(call.get(path, headers={"Cache-Control": "no-cache"})) == "hit"
    assert status(call.get(path, cache="refresh")) == "revalidated"  # asked explicitly


def test_shared_caches_honour_s_maxage_private_and_authorization(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    s_maxage = origin.set("s-maxage", headers={"Cache-Control": "max-age=10, s-maxage=100"})
    private = origin.set("private", headers={"Cache-Control": "private, max-age=60"})
    authed = origin.set("authed", headers={"Cache-Control": "max-age=60"})
    public = origin.set("public-authed", headers={"Cache-Control": "public, max-age=60"})
    shared = make_caller({"plugins": [CachePlugin(shared=True, clock=clock)]})
    own = make_caller({"plugins": [CachePlugin(clock=clock)]})
    for call in (shared, own):
        call.get(s_maxage)
        call.get(private)
        call.get(authed, headers={"Authorization": "Bearer a"})
        call.get(public, headers={"Authorization": "Bearer a"})
    clock.advance(50)
    assert status(shared.get(s_maxage)) == "hit"
    assert status(own.get(s_maxage)) == "miss"
    assert status(shared.get(private)) == "miss"
    assert status(own.get(private)) == "hit"
    assert status(shared.get(authed, headers={"Authorization": "Bearer a"})) == "miss"
    assert status(own.get(authed, headers={"Authorization": "Bearer a"})) == "hit"
    assert status(shared.get(public, headers={"Authorization": "Bearer a"})) == "hit"


def test_vary_keeps_several_variants(make_caller: Callable[..., Caller], origin: Origin) -> None:
    path = origin.set("vary", headers={"Cache-Control": "max-age=60", "Vary": "Accept"})
    call = make_caller({"plugins": [CachePlugin()]})
    json_first = call.get(path, headers={"Accept": "application/json"})
    xml_first = call.get(path, headers={"Accept": "text/xml"})
    json_again = call.get(path, headers={"Accept": "application/json"})
    xml_again = call.get(path, headers={"Accept": "text/xml"})
    assert [status(r) for r in (json_first, xml_first, json_again, xml_again)] == [
        "miss",
        "miss",
        "hit",
        "hit",
    ]
    assert json_again.data["accept"] == "application/json"
    assert xml_again.data["accept"] == "text/xml"
    star = origin.set("vary-star", headers={"Cache-Control": "max-age=60", "Vary": "*"})
    call.get(star)
    assert status(call.get(star)) == "miss"


def test_revalidation_with_etag_and_last_modified(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    modified = http_date(clock() - 3600)
    etag = origin.set("etag", headers={"Cache-Control": "max-age=10"}, etag='W/"e1"')
    dated = origin.set("dated", headers={"Cache-Control": "max-age=10"}, last_modified=modified)
    call = make_caller({"plugins": [CachePlugin(clock=clock)]})
    call.get(etag)
    call.get(dated)
    clock.advance(30)
    for path in (etag, dated):
        response = call.get(path)
        assert status(response) == "revalidated"
        assert response.status_code == 200 and response.data["hit"] == 1
        # the 304 refreshed the entry: fresh again for max-age
        assert status(call.get(path)) == "hit"
    assert origin.requests(etag)[-1].header("if-none-match") == 'W/"e1"'
    assert origin.requests(dated)[-1].header("if-modified-since") == modified
    # a changed resource: the new full response replaces the entry
    clock.advance(30)
    origin.set("etag", headers={"Cache-Control": "max-age=10"}, etag='W/"e2"')
    changed = call.get(etag)
    assert status(changed) == "miss" and changed.data["hit"] == 3
    assert status(call.get(etag)) == "hit"


def test_a_304_updates_the_stored_headers(
    make_caller: Callable[..., Caller], origin: Origin, clock: Clock
) -> None:
    path = origin.set(
        "headers304", headers={"Cache-Control": "max-age=10", "X-Version": "1"}, etag='"h"'
    )
    call = make_caller({"plugins": [CachePlugin(clock=clock)]})
    call.get(path)
    origin.set("headers304", headers={"Cache-Control": "max-age=100", "X-Version": "2"}, etag='"h"')
    clock.advance(20)
    revalidated = call.get(path)
    assert status(revalidated) == "revalidated" and revalidated.headers["x-version"] == "2"
    clock.advance(50)
    assert status(call.get(path)) == "hit"  # the 304's max-age=100 applies now
