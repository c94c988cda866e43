"""Bad input gets a clear error that names the key and what is accepted, never a secret; what
hooks hand on is validated as create() validates it, on both paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import ConfigError, Response
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), "got nan"),
        (float("inf"), "got inf"),
        (-1, "got -1"),
        (0, "in axios 0 means no timeout"),
        ("soon", "got 'soon' (str)"),
        (httpx.Timeout(5.0, read=float("nan")), "httpx.Timeout has read=nan"),
        (httpx.Timeout(5.0, connect=0), "httpx.Timeout has connect=0"),
    ],
)
def test_timeouts_are_checked_the_same_on_both_paths(
    make_caller: Callable[..., Caller], value: Any, expected: str
) -> None:
    with pytest.raises(ConfigError, match="config key 'timeout'") as info:
        axios_python.create({"timeout": value})
    assert expected in str(info.value)
    call = make_caller()
    with pytest.raises(ConfigError, match="config key 'timeout'"):
        call.get("/echo", timeout=value)


@pytest.mark.parametrize(
    ("config", "secret"),
    [
        ({"headers": {"Authorization": "Bearer s3cr3t-1\n"}}, "s3cr3t-1"),
        ({"headers": {"X-Api-Key": "s3cr3t-2", "X-Count": 5}}, "s3cr3t-2"),
        ({"auth": "s3cr3t-3"}, "s3cr3t-3"),
        ({"auth": ("user", 12345)}, "12345"),
        ({"header": {"Authorization": "s3cr3t-4"}}, "s3cr3t-4"),
        ({"cookies": "sid=s3cr3t-5"}, "s3cr3t-5"),
        ({"url": "https://user:s3cr3t-6@h/x?token=s3cr3t-7", "timeout": -1}, "s3cr3t-6"),
        ({"base_url": 5, "params": {"token": "s3cr3t-8"}}, "s3cr3t-8"),
    ],
)
def test_messages_never_show_a_secret(config: dict[str, Any], secret: str) -> None:
    with pytest.raises(ConfigError) as info, axios_python.create() as api:
        api.request("GET", **{"url": "https://h/x", **config})
    assert secret not in str(info.value)
    assert "config key" in str(info.value)


def test_header_injection_is_refused_before_anything_is_sent(
    make_caller: Callable[..., Caller], local_server: LocalServer
) -> None:
    call = make_caller()

    def sneaky(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["headers"]["X-Evil"] = "a\r\nInjected: yes"
        return next_fn(ctx)  # type: ignore[no-any-return]

    with pytest.raises(ConfigError, match="header 'Authorization' has a value with a line break"):
        call.get("/echo", headers={"Authorization": "Bearer tok\n"})
    call.api.use(sneaky, scope="attempt")
    with pytest.raises(ConfigError, match="header 'X-Evil'"):
        call.get("/echo")
    with pytest.raises(ConfigError, match="header name 'Bad Name' is not accepted"):
        call.get("/echo", headers={"Bad Name": "x"})
    assert local_server.requests == []


def test_non_ascii_header_values_are_sent_as_their_bytes(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller()
    echoed = call.get("/echo", headers={"X-Name": "Zoë".encode("latin-1"), "X-City": "Köln"})
    headers = echoed.data["headers"]
    assert headers["x-name"] == "Zoë" and headers["x-city"] == "Köln"


def test_what_interceptors_return_is_validated(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    call.api.interceptors.request.use(lambda c: {**c, "timout": 3})
    with pytest.raises(ConfigError, match=r"unknown config key 'timout'.*Did you mean 'timeout'"):
        call.get("/echo")


def test_a_bad_value_from_an_interceptor_fails_alike_on_both_paths(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller()
    call.api.interceptors.request.use(lambda c: {**c, "timeout": "soon"})
    with pytest.raises(ConfigError, match=r"config key 'timeout' got 'soon' \(str\)"):
        call.get("/echo")


def test_a_partial_dict_from_an_interceptor_keeps_the_rest(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller()
    call.api.interceptors.request.use(lambda c: {"headers": {"X-Only": "1"}})
    echoed = call.get("/echo", params={"q": "kept"}).data
    assert echoed["headers"]["x-only"] == "1" and echoed["query"] == {"q": ["kept"]}


@pytest.mark.parametrize("scope", ["call", "attempt"])
def test_what_middleware_passes_on_is_validated(
    make_caller: Callable[..., Caller], scope: str
) -> None:
    call = make_caller()

    def typo(ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn({**ctx, "max_retires": 2})  # type: ignore[no-any-return]

    call.api.use(typo, scope=scope)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown config key 'max_retires'"):
        call.get("/echo")


@pytest.mark.parametrize("scope", ["call", "attempt"])
def test_middleware_changing_ctx_in_place_is_validated(
    make_caller: Callable[..., Caller], scope: str
) -> None:
    call = make_caller()

    def bad(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["max_retries"] = -1
        return next_fn(ctx)  # type: ignore[no-any-return]

    call.api.use(bad, scope=scope)  # type: ignore[arg-type]
    if scope == "call":
        with pytest.raises(ConfigError, match="config key 'max_retries' got -1"):
            call.get("/echo")
    else:  # the retry engine has run already; the attempt itself is checked
        with pytest.raises(ConfigError, match="config key 'max_retries' got -1"):
            call.get("/echo")


@pytest.mark.parametrize("scope", ["call", "attempt"])
def test_a_validated_middleware_does_not_spare_the_others_of_its_scope(
    make_caller: Callable[..., Caller], scope: str
) -> None:
    call = make_caller()

    def stamp(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx = ctx.copy()
        ctx["headers"] = axios_python.HeaderDict({**ctx["headers"], "X-Stamp": "1"})
        return next_fn(ctx)  # type: ignore[no-any-return]

    def bad(ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn({**ctx, "timeout": "soon"})  # type: ignore[no-any-return]

    call.api.use(stamp, scope=scope, validated=True)  # type: ignore[arg-type]
    assert call.get("/echo").data["headers"]["x-stamp"] == "1"
    bad_id = call.api.use(bad, scope=scope)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"config key 'timeout' got 'soon' \(str\)"):
        call.get("/echo")
    call.api.middleware.eject(bad_id)
    assert call.get("/echo").data["headers"]["x-stamp"] == "1"


def test_which_scopes_the_core_checks_follows_what_is_registered() -> None:
    with axios_python.create() as api:
        middleware = api.middleware
        assert (middleware.check_call, middleware.check_attempt) == (False, False)
        trusted = api.use(lambda ctx, next_fn: next_fn(ctx), validated=True)
        assert (middleware.check_call, middleware.check_attempt) == (False, False)
        plain = api.use(lambda ctx, next_fn: next_fn(ctx), scope="attempt")
        assert (middleware.check_call, middleware.check_attempt) == (False, True)
        middleware.eject(plain)
        middleware.eject(trusted)
        assert (middleware.check_call, middleware.check_attempt) == (False, False)
        request = api.interceptors.request
        assert not request.checked
        first = request.use(lambda c: c, validated=True)
        assert not request.checked
        second = request.use(lambda c: c)
        assert request.checked
        request.eject(second)
        assert not request.checked
        request.eject(first)


def test_validated_must_be_a_bool() -> None:
    with axios_python.create() as api:
        with pytest.raises(TypeError, match="validated must be True or False, got 'yes'"):
            api.use(lambda ctx, next_fn: next_fn(ctx), validated="yes")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="validated must be True or False, got 1"):
            api.interceptors.request.use(lambda c: c, validated=1)  # type: ignore[arg-type]
        assert len(api.middleware) == 0 and len(api.interceptors.request) == 0


def test_a_validated_interceptor_does_not_spare_the_others(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller()
    call.api.interceptors.request.use(
        lambda c: {**c, "headers": {**c["headers"], "X-Stamp": "1"}}, validated=True
    )
    assert call.get("/echo").data["headers"]["x-stamp"] == "1"
    call.api.interceptors.request.use(lambda c: {**c, "timeout": "soon"})
    with pytest.raises(ConfigError, match=r"config key 'timeout' got 'soon' \(str\)"):
        call.get("/echo")


def test_a_new_partial_dict_passed_to_next_fn_keeps_the_rest(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller()

    def only_url(ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn({"url": "/echo/rewritten"})  # type: ignore[no-any-return]

    call.api.use(only_url)
    assert call.get("/echo/original", params={"q": "1"}).data["path"] == "/echo/rewritten"


def test_next_fn_refuses_what_is_not_a_config(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    call.api.use(lambda ctx, next_fn: next_fn(None))
    with pytest.raises(TypeError, match="next_fn\\(ctx\\) takes the request configuration"):
        call.get("/echo")


def test_a_list_of_params_in_the_defaults_is_not_shared_by_calls(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller({"params": [("a", "1")]})

    def append(config: dict[str, Any]) -> dict[str, Any]:
        config["params"].append(("b", "2"))
        return config

    call.api.interceptors.request.use(append)
    call.get("/echo")
    echoed = call.get("/echo").data
    assert echoed["query"] == {"a": ["1"], "b": ["2"]}
    assert call.api.config["params"] == [("a", "1")]


def test_the_instance_repr_shows_no_secret() -> None:
    api = axios_python.create({"base_url": "https://ghp_token@api.example.com/v1?api_key=k-1"})
    assert repr(api) == "<AxiosPython base_url='https://***:***@api.example.com/v1?api_key=***'>"
    api.close()


def test_absolute_urls_can_be_refused(make_caller: Callable[..., Caller]) -> None:
    call = make_caller()
    guarded = make_caller(
        {"base_url": call.api.config["base_url"] + "/echo", "allow_absolute_urls": False}
    )
    assert guarded.get("/inside").data["path"] == "/echo/inside"
    for url in ("http://other.example/x", "//other.example/x", "/../status/200"):
        with pytest.raises(ConfigError, match="allow_absolute_urls=False"):
            guarded.get(url)
    with pytest.raises(ConfigError, match="needs a base_url"):
        axios_python.create({"allow_absolute_urls": False})


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (None, TypeError, "the token must be a str, got a NoneType"),
        (b"bytes-t0ken", TypeError, "the token must be a str, got a bytes"),
        ("", ValueError, "the token is empty"),
        ("s3cret\r\nX-Evil: 1", ValueError, "the token contains a line break or NUL character"),
        ("s3cret\x00", ValueError, "the token contains a line break or NUL character"),
    ],
)
def test_check_credential_names_the_problem_never_the_value(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        axios_python.check_credential(value, "the token")
    assert str(caught.value) == message


def test_is_seekable_tells_files_from_streams(tmp_path: Path) -> None:
    import io

    path = tmp_path / "body"
    path.write_bytes(b"x")
    with path.open("rb") as handle:
        assert axios_python.is_seekable(handle)
    assert axios_python.is_seekable(io.BytesIO(b"x"))
    assert not axios_python.is_seekable(b"x")
    assert not axios_python.is_seekable(iter([b"x"]))

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            raise OSError("not on a pipe")

    assert not axios_python.is_seekable(Pipe())

    class AsyncFile:
        async def read(self, size: int = -1) -> bytes:
            return b""

        def seekable(self) -> bool:
            return True

    assert not axios_python.is_seekable(AsyncFile())
