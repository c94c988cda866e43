"""Proxies from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``)
are used as httpx uses them, with ``trust_env`` (the default), on both paths: the core gives its
client a transport of its own, so httpx would not read them (it did not, before 1.3.0). The
test run starts without proxy variables (the root ``conftest.py``); each test sets its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from axios_python import ConfigError
from axios_python._env_proxies import environment_proxies
from axios_python.testing import Caller, LocalServer


def test_http_proxy_carries_the_request_with_its_credentials(
    make: Callable[..., Caller], other_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = other_server  # answers an absolute-form request as if it were the origin
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url.replace("http://", "http://user:pw@"))
    response = make().get("http://upstream.test/echo", params={"q": "1"})
    assert response.status_code == 200 and response.data["query"] == {"q": ["1"]}
    seen = proxy.requests[-1]
    assert seen.header("host") == "upstream.test"
    assert seen.header("proxy-authorization") == "Basic dXNlcjpwdw=="  # user:pw


def test_no_proxy_trust_env_and_an_explicit_proxy_decide(
    make: Callable[..., Caller],
    srv: LocalServer,
    other_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert make().get("/json").status_code == 200  # direct: NO_PROXY names the host
    monkeypatch.setenv("NO_PROXY", "*")
    assert make().get("/json").status_code == 200  # every proxy off

    monkeypatch.delenv("NO_PROXY")
    assert make({"trust_env": False}).get("/json").status_code == 200  # the environment ignored
    # a proxy of the call's own wins over the environment's
    response = make({"proxy": other_server.base_url}).get("http://upstream.test/echo")
    assert (
        response.status_code == 200 and other_server.requests[-1].header("host") == "upstream.test"
    )
    assert srv.count("/json") == 3


def test_a_proxy_that_cannot_be_used_is_a_clear_error_without_its_credentials(
    make: Callable[..., Caller], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "ftp://user:s3cret@proxy.test:21")
    with pytest.raises(ConfigError) as info:
        make().get("/json")
    message = str(info.value)
    assert "proxy.test" in message and "http://, https://" in message
    assert "s3cret" not in message and "user" not in message
    assert "trust_env=False" in message


@pytest.mark.parametrize(
    ("environment", "mounts"),
    [
        ({"HTTP_PROXY": "proxy.test:3128"}, {"http://": "http://proxy.test:3128"}),
        (
            {"HTTPS_PROXY": "http://p.test", "ALL_PROXY": "socks5://s.test"},
            {"https://": "http://p.test", "all://": "socks5://s.test"},
        ),
        (
            {
                "HTTP_PROXY": "http://p.test",
                "NO_PROXY": "example.com, .internal,::1,10.0.0.1,localhost,http://x.test",
            },
            {
                "http://": "http://p.test",
                "all://*example.com": None,
                "all://*.internal": None,
                "all://[::1]": None,
                "all://10.0.0.1": None,
                "all://localhost": None,
                "http://x.test": None,
            },
        ),
        ({"HTTP_PROXY": "http://p.test", "NO_PROXY": "a.test,*"}, {}),
        ({}, {}),
    ],
)
def test_environment_patterns(
    environment: dict[str, str], mounts: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies() == mounts
