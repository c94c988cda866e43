"""Secrets never show in reprs, error messages or log records."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

import axios_python
from axios_python import FixedDelay
from axios_python.engine import httpcore, httpx
from axios_python.testing import Caller, LocalServer, LogCapture
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_logger import LoggerPlugin

MakeCaller = Callable[..., Caller]

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
        (
            AuthPlugin(scheme="Token", token_provider=Vault().get_token, refresh_on_401=False),
            "AuthPlugin(scheme='Token', token_provider=<Vault.get_token>, refresh_on_401=False)",
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
    with pytest.raises(ValueError, match="token contains a line break") as caught:
        AuthPlugin(token=SECRET + "\n")
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("name", ["api_key", "ticket"])  # built-in secret name, or not
@pytest.mark.parametrize("key", [SECRET, "a+b/c=="])
def test_query_key_is_taken_out_of_error_messages(
    make_caller: MakeCaller, srv: LocalServer, name: str, key: str
) -> None:
    """The plugin registers its parameter name: the core's messages mask it by that name and
    scrub its value wherever else it shows."""
    call = make_caller({"plugins": [AuthPlugin.api_key(key, query=name)]})
    with pytest.raises(axios_python.RetryError) as caught:
        call.get("/drop?page=2", max_retries=1, retry_strategy=FixedDelay(0))
    assert srv.requests[0].query[name] == [key]
    text = str(caught.value) + str(caught.value.last_exception)
    assert f"/drop?page=2&{name}=***" in text
    for form in (key, quote(key, safe=""), quote_plus(key)):
        assert form not in text


def test_nothing_secret_in_any_log_record(
    srv: LocalServer, auth_server: Any, log_capture: LogCapture
) -> None:
    auth_server.accept("Bearer fresh")
    tokens = iter([SECRET, "fresh"])
    client_secret = auth_server.CLIENT_SECRET
    clients = []
    for plugin, base in [
        (AuthPlugin(token_provider=lambda refresh=False: next(tokens)), auth_server.base_url),
        (AuthPlugin.api_key(SECRET, query="ticket"), srv.base_url),
        (AuthPlugin.api_key(SECRET, header="X-Tenant-Pass"), srv.base_url),
        (AuthPlugin.client_credentials(auth_server.url("/token"), "id-1", client_secret),
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
    auth_server.CLIENT_ID, saved = "id-1", auth_server.CLIENT_ID
    try:
        assert clients[3].get("/protected").status_code == 200
    finally:
        auth_server.CLIENT_ID = saved
    for api in clients:
        api.close()
    # every record: the plugins' and the core's, and httpx's and httpcore's own
    loggers = {record.name.split(".")[0] for record in log_capture.records}
    assert {"axios_python", httpx.__name__, httpcore.__name__} <= loggers
    text = log_capture.text()
    assert SECRET not in text
    assert client_secret not in text
    assert "cc-1" not in text  # the access token from the token endpoint
