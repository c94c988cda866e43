"""Instances, defaults, per-call overrides and configuration errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import axios_python
from axios_python import ConfigError
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer, Reply


def test_defaults_are_visible_and_read_only() -> None:
    api = axios_python.create({"base_url": "https://api.example.com", "timeout": 5})
    assert api.config["timeout"] == 5.0
    assert api.config["follow_redirects"] is True
    assert api.config["max_retries"] == 0
    assert api.config["base_url"] == "https://api.example.com"
    with pytest.raises(TypeError):
        api.config["timeout"] = 1  # type: ignore[index]
    assert axios_python.create().config["timeout"] == 30.0


def test_unknown_key_suggests_the_closest() -> None:
    with pytest.raises(ConfigError) as info:
        axios_python.create({"timout": 5})
    message = str(info.value)
    assert "'timout'" in message and "Did you mean 'timeout'?" in message
    assert "(given an int)" in message  # the value of an unknown key may be a secret: not shown


def test_wrong_type_names_key_value_and_accepted() -> None:
    with pytest.raises(ConfigError) as info:
        axios_python.create({"max_retries": "3"})
    message = str(info.value)
    assert "'max_retries'" in message and "'3'" in message and "integer >= 0" in message
    with pytest.raises(ConfigError, match="'timeout' got -1"):
        axios_python.create({"timeout": -1})
    with pytest.raises(ConfigError, match="headers"):
        axios_python.create({"headers": {"X-Count": 3}})
    with pytest.raises(ConfigError, match="create\\(\\) takes a mapping"):
        axios_python.create(["base_url"])  # type: ignore[arg-type]


def test_config_errors_are_value_errors_of_the_hierarchy() -> None:
    with pytest.raises(ValueError):
        axios_python.create({"stream": "yes"})
    with pytest.raises(axios_python.AxiosPythonError):
        axios_python.create({"retry_strategy": 3})


def test_per_call_override_is_validated(call: Caller) -> None:
    with pytest.raises(ConfigError, match=r"'follow_redirect'.*Did you mean 'follow_redirects'"):
        call.get("/json", follow_redirect=False)
    with pytest.raises(ConfigError, match="can only be given to create"):
        call.get("/json", plugins=[])


def test_headers_merge_case_insensitively(make: Callable[..., Caller]) -> None:
    call = make({"headers": {"X-Team": "core", "Accept": "application/json"}})
    echoed = call.get("/echo", headers={"x-team": "edge", "X-Call": "1"}).data
    assert echoed["headers"]["x-team"] == "edge"
    assert echoed["headers"]["x-call"] == "1"
    assert echoed["headers"]["accept"] == "application/json"
    # the defaults are untouched by the call
    assert call.api.config["headers"] == {"X-Team": "core", "Accept": "application/json"}


def test_none_header_removes_a_default(make: Callable[..., Caller]) -> None:
    call = make({"headers": {"X-Team": "core"}})
    echoed = call.get("/echo", headers={"X-Team": None}).data
    assert "x-team" not in echoed["headers"]


def test_params_merge_with_defaults(make: Callable[..., Caller]) -> None:
    call = make({"params": {"api_key": "k", "page": "1"}})
    echoed = call.get("/echo", params={"page": "2"}).data
    assert echoed["query"] == {"api_key": ["k"], "page": ["2"]}


def test_timeout_override_per_call(call: Caller) -> None:
    with pytest.raises(axios_python.TimeoutError):
        call.get("/stall", params={"seconds": "5"}, timeout=0.2)


def test_timeout_accepts_httpx_timeout(call: Caller) -> None:
    with pytest.raises(axios_python.TimeoutError):
        call.get("/stall", params={"seconds": "5"}, timeout=httpx.Timeout(5.0, read=0.2))


def test_method_and_url_from_config(make: Callable[..., Caller]) -> None:
    call = make({"url": "/echo", "method": "put"})
    response = call("PUT")
    assert response.data["method"] == "PUT"
    assert response.data["path"] == "/echo"


def test_base_url_joins_without_double_slashes(make: Callable[..., Caller], srv: object) -> None:
    call = make()
    base = call.api.config["base_url"]
    slash = make({"base_url": base + "/echo/"})
    assert slash.get("/nested").data["path"] == "/echo/nested"
    assert slash.get("nested").data["path"] == "/echo/nested"


def test_absolute_url_ignores_base_url(make: Callable[..., Caller]) -> None:
    call = make()
    absolute = call.api.config["base_url"] + "/echo/abs"
    other = make({"base_url": "http://127.0.0.1:9/unused"})
    assert other.get(absolute).data["path"] == "/echo/abs"


def test_missing_url_is_a_clear_error() -> None:
    api = axios_python.create()
    with pytest.raises(ConfigError, match="no url given"):
        api.get()
    api.close()


def test_client_level_keys_per_call(call: Caller, srv: object) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json={"mocked": True})

    transport = httpx.MockTransport(handler)
    assert call.get("/json", transport=transport).data == {"mocked": True}
    assert call.get("/json").data == {"hello": "world", "items": [1, 2, 3]}
    assert len(calls) == 1


def test_cookies_persist_across_sync_and_async(make: Callable[..., Caller]) -> None:
    call = make()
    call.get("/cookies/set", params={"session": "abc"})
    assert call.get("/cookies").data == {"session": "abc"}
    assert call.api.cookies["session"] == "abc"


def test_cookies_a_response_sets_are_kept_whatever_the_header_case(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    """Responses that set no cookie skip the cookie jar's parsing (``_cookies.py``): the ones
    that do, in any header spelling and however many, still land in the jar."""
    srv.route(
        "/set-two",
        lambda request: Reply(
            json={}, headers=[("SET-COOKIE", "a=1; Path=/"), ("set-cookie", "b=2")]
        ),
    )
    call = make()
    assert call.get("/json").status_code == 200  # no Set-Cookie: nothing stored
    assert dict(call.api.cookies) == {}
    call.get("/set-two")
    assert call.get("/cookies").data == {"a": "1", "b": "2"}


def test_httpx_internals_for_the_cookie_jar() -> None:
    """What ``_cookies.py`` relies on: if this fails after an httpx upgrade, every response
    goes through the cookie jar again (correct, slower): adapt ``share_jar``."""
    import inspect

    from axios_python._cookies import _SetCookiesOnly

    for client in (httpx.Client(), httpx.AsyncClient()):
        assert isinstance(client._cookies, httpx.Cookies)
        assert client.cookies is client._cookies
        source = inspect.getsource(type(client)._send_single_request)
        assert "self.cookies.extract_cookies(response)" in source
    with axios_python.create() as api:
        api.get("http://127.0.0.1:9/", transport=httpx.MockTransport(lambda r: httpx.Response(204)))
        clients = [c for c in api._transports._sync.everything() if isinstance(c, httpx.Client)]
        assert clients and all(isinstance(c.cookies, _SetCookiesOnly) for c in clients)


def test_cookies_config_sent(make: Callable[..., Caller]) -> None:
    call = make({"cookies": {"theme": "dark"}})
    assert call.get("/cookies").data == {"theme": "dark"}
    assert call.get("/cookies", cookies={"lang": "fr"}).data == {"theme": "dark", "lang": "fr"}


def test_basic_auth_config(make: Callable[..., Caller]) -> None:
    call = make({"auth": ("ada", "s3cret")})
    header = call.get("/echo").data["headers"]["authorization"]
    assert header.startswith("Basic ")


def test_follow_redirects_default_and_off(call: Caller, srv: object) -> None:
    followed = call.get("/redirect", params={"to": "/json"})
    assert followed.status_code == 200 and followed.data["hello"] == "world"
    kept = call.get("/redirect", params={"to": "/json"}, follow_redirects=False)
    assert kept.status_code == 302 and kept.headers["location"] == "/json"


def test_user_agent_names_the_library(call: Caller) -> None:
    agent = call.get("/echo").data["headers"]["user-agent"]
    assert agent.startswith(f"axios-python/{axios_python.__version__}")


def test_validate_status_rejects(call: Caller) -> None:
    with pytest.raises(axios_python.HTTPStatusError) as info:
        call.get("/status/404", validate_status=lambda s: 200 <= s < 300)
    assert info.value.response.status_code == 404
    assert info.value.status_code == 404
    # by default every status is a response, like httpx and requests
    assert call.get("/status/404").status_code == 404


def test_interceptors_cannot_edit_the_defaults(make: Callable[..., Caller]) -> None:
    call = make({"params": {"v": "1"}, "extensions": {}, "cookies": {"a": "1"}})

    def meddle(config: dict[str, object]) -> dict[str, object]:
        config["params"]["page"] = "2"  # type: ignore[index]
        config["cookies"]["b"] = "2"  # type: ignore[index]
        return config

    interceptor = call.api.interceptors.request.use(meddle)
    assert call.get("/echo").data["query"] == {"v": ["1"], "page": ["2"]}
    call.api.interceptors.request.eject(interceptor)
    assert call.get("/echo").data["query"] == {"v": ["1"]}
    assert call.api.config["params"] == {"v": "1"}
    assert call.api.config["cookies"] == {"a": "1"}


def test_config_is_a_snapshot(make: Callable[..., Caller]) -> None:
    call = make({"headers": {"X-Team": "core"}})
    call.api.config["headers"]["X-Leak"] = "yes"
    assert "x-leak" not in call.get("/echo").data["headers"]


def test_relative_url_without_base_url_is_a_config_error() -> None:
    with axios_python.create() as api, pytest.raises(ConfigError, match="'/users' is relative"):
        api.get("/users")


def test_params_add_to_the_urls_own_query(call: Caller) -> None:
    echoed = call.get("/echo?page=2", params={"q": "x"}).data
    assert echoed["query"] == {"page": ["2"], "q": ["x"]}


def test_credentials_never_follow_a_redirect_to_another_origin(
    make: Callable[..., Caller], srv: LocalServer
) -> None:
    with LocalServer() as other:
        call = make(
            {
                "headers": {"X-Api-Key": "k", "Authorization": "Bearer t", "X-Trace": "kept"},
                "cookies": {"sid": "s"},
            }
        )
        response = call.get("/redirect", params={"to": other.url("/echo")})
        assert response.status_code == 200
        received = other.requests[0]
        assert received.header("x-api-key") is None
        assert received.header("authorization") is None
        assert received.header("cookie") is None
        assert received.header("x-trace") == "kept"
        # a redirect within the origin keeps them
        same = call.get("/redirect", params={"to": "/echo"}).data["headers"]
        assert same["x-api-key"] == "k" and same["authorization"] == "Bearer t"


def test_request_url_is_what_goes_on_the_wire(call: Caller) -> None:
    config = {
        "base_url": "https://api.example.com/v1/",
        "url": "/users?page=2",
        "params": {"q": "x"},
    }
    assert str(axios_python.request_url(config)) == "https://api.example.com/v1/users?page=2&q=x"
    response = call.get("/echo?page=2", params={"q": "x"})
    assert axios_python.request_url(response.config) == response.request.url
