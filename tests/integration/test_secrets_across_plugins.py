"""With any combination of first-party plugins, no credential follows a redirect to another
origin, and no secret reaches a log record or an error message made during a call."""

from __future__ import annotations

import base64
import itertools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

import axios_python
from axios_python.testing import Caller, LocalServer, LogCapture
from axios_python_plugin_auth import AuthPlugin
from axios_python_plugin_dedupe import DedupePlugin
from axios_python_plugin_logger import LoggerPlugin
from axios_python_plugin_template import TemplatePlugin
from axios_python_plugin_timing import TimingPlugin

#: Every secret a call below carries, whatever the plugins.
SECRETS = (
    "AUTH-CRED-1",  # the AuthPlugin's credential
    "BASIC-PW-2",  # auth=(user, password)
    "TOKEN-HDR-3",  # X-Auth-Token
    "PROXY-AUTH-4",  # Proxy-Authorization
    "COOKIE-5",  # a cookie of the call
    "PARTNER-6",  # a header a plugin registered as secret
    "QUERY-7",  # a secret query parameter
    "FORM-PW-8",  # a secret form field
)

#: The AuthPlugin variants, and whether their credential is the Authorization header (then the
#: call's own ``auth=`` would replace it: httpx applies ``auth=`` last, so those calls go without)
AUTH: dict[str, tuple[Callable[[], AuthPlugin], bool]] = {
    "bearer": (lambda: AuthPlugin(token="AUTH-CRED-1"), True),
    "provider": (lambda: AuthPlugin(token_provider=lambda: "AUTH-CRED-1"), True),
    "basic": (lambda: AuthPlugin.basic("ada", "AUTH-CRED-1"), True),
    "api-key-header": (lambda: AuthPlugin.api_key("AUTH-CRED-1", header="X-Service-Ref"), False),
    "api-key-query": (lambda: AuthPlugin.api_key("AUTH-CRED-1", query="service_ref"), False),
}

OTHERS: dict[str, Callable[[], Any]] = {
    "logger": lambda: LoggerPlugin(level=logging.DEBUG, log_headers=True, log_bodies=True),
    "timing": lambda: TimingPlugin(level=logging.DEBUG),
    "dedupe": lambda: DedupePlugin(),
    "template": lambda: TemplatePlugin("PARTNER-6", "X-Partner", secret=True),
}

COMBINATIONS = [
    combo for size in range(len(OTHERS) + 1) for combo in itertools.combinations(OTHERS, size)
]


def _received(server: LocalServer) -> str:
    return "\n".join(f"{r.raw_target} {r.headers} {r.body!r}" for r in server.requests)


@pytest.mark.parametrize("auth", sorted(AUTH))
@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c) or "auth-only")
def test_no_secret_crosses_an_origin_or_reaches_a_log(
    make_caller: Callable[..., Caller],
    local_server: LocalServer,
    other_server: LocalServer,
    log_capture: LogCapture,
    auth: str,
    combo: tuple[str, ...],
) -> None:
    factory, uses_authorization = AUTH[auth]
    plugins = [factory(), *(OTHERS[name]() for name in combo)]
    config: dict[str, Any] = {
        "plugins": plugins,
        "headers": {"X-Auth-Token": "TOKEN-HDR-3", "Proxy-Authorization": "Basic PROXY-AUTH-4"},
    }
    if not uses_authorization:
        config["auth"] = ("ada", "BASIC-PW-2")
    call = make_caller(config)
    call.api.secrets.register(headers=["X-Partner"])
    hops = (
        f"/redirect?to={quote('/redirect?to=' + quote('http://other.test/echo', safe=''), safe='')}"
    )
    response = call.get(hops, params={"access_token": "QUERY-7"}, cookies={"sid": "COOKIE-5"})
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [302, 302]
    # the origin got what it was sent; the other origin got none of it
    sent = "Basic " + base64.b64encode(b"ada:AUTH-CRED-1").decode() if auth == "basic" else ""
    assert (sent or "AUTH-CRED-1") in _received(local_server)
    secrets = (*SECRETS, sent.removeprefix("Basic ")) if sent else SECRETS
    crossed = _received(other_server)
    for secret in secrets:
        assert secret not in crossed, (secret, crossed)
    # a body with a secret field, and a failure: neither logs nor messages show a secret
    call.post("/echo", data={"password": "FORM-PW-8", "user": "ada"})
    with pytest.raises(axios_python.NetworkError) as info:
        call.get("/drop", params={"access_token": "QUERY-7"})
    text = log_capture.text() + "\n" + str(info.value) + "\n" + repr(plugins)
    for secret in secrets:
        assert secret not in text, secret
