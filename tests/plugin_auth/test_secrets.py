"""Secrets never show in reprs, error messages or log records."""

from __future__ import annotations

import logging

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python.testing import LocalServer
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_logger import LoggerPlugin

from ._auth_server import CLIENT_ID, CLIENT_SECRET, AuthServer

SECRET = "sk-live-9f8e7d6c5b4a"


class Vault:
    """Holds a secret in its own repr, as real secret stores may."""

    def get_token(self) -> str:
        return SECRET

    def __repr__(self) -> str:
        return f"<Vault holding {SECRET}>"


@pytest.mark.parametrize(
    ("plugin", "shown"),
    [
        (AuthPlugin(token=SECRET), "AuthPlugin(scheme='Bearer', token=***)"),
        (
            AuthPlugin(token_provider=Vault().get_token),
            "AuthPlugin(scheme='Bearer', token_provider=<Vault.get_token>)",
        ),
        (AuthPlugin.basic("alice", SECRET), "AuthPlugin.basic(user='alice', password=***)"),
        (AuthPlugin.api_key(SECRET), "AuthPlugin.api_key(key=***, header='X-Api-Key')"),
        (
            AuthPlugin.api_key(SECRET, query="api_key"),
            "AuthPlugin.api_key(key=***, query='api_key')",
        ),
        (
            AuthPlugin.client_credentials("https://auth.example.com/token", "id-1", SECRET),
            "AuthPlugin.client_credentials(token_url='https://auth.example.com/token', "
            "client_id='id-1', client_secret=***)",
        ),
    ],
)
def test_reprs_show_no_secret(plugin: AuthPlugin, shown: str) -> None:
    assert repr(plugin) == shown
    assert str(plugin) == shown


def test_bad_credential_errors_do_not_echo_the_value() -> None:
    with pytest.raises(ValueError) as caught:
        AuthPlugin(token=SECRET + "\n")
    assert SECRET not in str(caught.value)


def test_query_key_is_taken_out_of_error_messages(srv: LocalServer) -> None:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    api.plugin(AuthPlugin.api_key(SECRET, query="api_key"))
    with pytest.raises(axios_python.RetryError) as caught:
        api.get("/drop", max_retries=1, retry_strategy=FixedDelay(0))
    assert srv.requests[0].query["api_key"] == [SECRET]
    text = str(caught.value) + str(caught.value.last_exception)
    assert "/drop" in text
    assert SECRET not in text
    api.close()


async def test_query_key_is_taken_out_of_error_messages_async(srv: LocalServer) -> None:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0})
    api.plugin(AuthPlugin.api_key("a+b/c=", query="api_key"))
    with pytest.raises(axios_python.NetworkError) as caught:
        await api.async_get("/drop")
    assert srv.requests[0].query["api_key"] == ["a+b/c="]
    assert "a+b" not in str(caught.value) and "a%2Bb" not in str(caught.value)
    await api.aclose()


def test_nothing_secret_in_any_log_record(
    srv: LocalServer, auth_server: AuthServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth_server.accept("Bearer fresh")
    tokens = iter([SECRET, "fresh"])
    clients = []
    for plugin, base in [
        (AuthPlugin(token_provider=lambda refresh=False: next(tokens)), auth_server.base_url),
        (AuthPlugin.api_key(SECRET, query="api_key"), srv.base_url),
        (AuthPlugin.api_key(SECRET, header="X-Service-Key"), srv.base_url),
        (AuthPlugin.client_credentials(auth_server.url("/token"), CLIENT_ID, CLIENT_SECRET),
         auth_server.base_url),
    ]:  # fmt: skip
        api = axios_python.create({"base_url": base, "timeout": 10.0})
        api.plugin(plugin)
        api.plugin(LoggerPlugin(level=logging.DEBUG, log_headers=True, log_bodies=True))
        clients.append(api)
    assert clients[0].get("/protected").status_code == 200  # one 401 and a refresh on the way
    clients[1].get("/echo", params={"q": 1})
    clients[2].post("/echo", json={"x": 1})
    with pytest.raises(axios_python.NetworkError):
        clients[1].get("/drop")
    assert clients[3].get("/protected").status_code == 200
    for api in clients:
        api.close()
    # httpx's own INFO line shows full URLs, query strings included: only ours are checked
    ours = [r for r in caplog.records if r.name.startswith("axios_python")]
    assert len(ours) > 8
    for record in ours:
        text = record.getMessage() + repr(vars(record))
        assert SECRET not in text
        assert CLIENT_SECRET not in text
        assert "cc-1" not in text  # the access token from the token endpoint
