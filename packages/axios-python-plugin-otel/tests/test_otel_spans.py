"""The span model, on both paths against the loopback server: one CLIENT span per request on
the wire, its attributes per the stable HTTP conventions, retries and redirects visible."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from axios_python import FixedDelay, HTTPStatusError, NetworkError, RetryError, TooManyRedirects
from axios_python import TimeoutError as AxiosTimeout
from axios_python.testing import Caller, LocalServer, Reply

if TYPE_CHECKING:
    from conftest import Telemetry

RETRY = {"max_retries": 2, "retry_strategy": FixedDelay(0)}


def test_one_client_span_per_request_with_the_stable_attributes(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced()
    response = call.get("/echo", params={"page": "2"})
    (span,) = telemetry.spans()
    assert span.kind == SpanKind.CLIENT and span.name == "GET"
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "axios_python_plugin_otel"
    port = int(local_server.base_url.rsplit(":", 1)[1])
    assert telemetry.attrs(span) == {
        "http.request.method": "GET",
        "url.full": f"{local_server.base_url}/echo?page=2",
        "server.address": "127.0.0.1",
        "server.port": port,
        "network.protocol.version": "1.1",
        "network.peer.address": "127.0.0.1",
        "network.peer.port": port,
        "http.response.status_code": 200,
        "user_agent.original": response.data["headers"]["user-agent"],
    }
    assert span.status.status_code == StatusCode.UNSET
    assert span.parent is None
    # the request carried the span's own context
    assert response.data["headers"]["traceparent"] == telemetry.traceparent(span)


def test_server_port_is_set_for_default_ports(
    traced: Callable[..., Caller], telemetry: Telemetry, other_server: LocalServer
) -> None:
    call = traced()
    call.get("http://other.test/echo", auth=("alice", "pw"))
    call.get("http://alice:pw@other.test/echo")
    first, second = telemetry.spans()
    assert telemetry.attrs(first)["server.port"] == 80
    assert telemetry.attrs(first)["server.address"] == "other.test"
    assert telemetry.attrs(first)["url.full"] == "http://other.test/echo"
    assert telemetry.attrs(second)["url.full"] == "http://REDACTED:REDACTED@other.test/echo"


def test_url_full_masks_userinfo_and_secret_query_values(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced()
    call.api.secrets.register(params=["ticket"])  # the client's definition, honoured here
    secrets = {
        "X-Amz-Signature": "s1gn",
        "X-Amz-Credential": "AKIA/20260101/us-east-1/s3/aws4_request",
        "X-Amz-Security-Token": "t0ken",
        "Signature": "s2",
        "sig": "s3",
        "AWSAccessKeyId": "AKIA2",
        "ticket": "t-1",
    }
    host = local_server.base_url.removeprefix("http://")
    response = call.get(f"http://bob:hunter2@{host}/echo", params={**secrets, "page": "2"})
    assert response.status_code == 200
    (span,) = telemetry.spans()
    url = telemetry.attrs(span)["url.full"]
    assert url.startswith(f"http://REDACTED:REDACTED@{host}/echo?")
    for name in secrets:
        assert f"{name}=REDACTED" in url
    assert url.endswith("&page=2")
    for value in [*secrets.values(), "hunter2", "bob"]:
        assert quote(value, safe="") not in url and value not in url


def test_the_extra_secret_name_is_removed_with_the_plugin(traced: Callable[..., Caller]) -> None:
    call = traced()
    assert call.api.secrets.is_secret_param("AWSAccessKeyId")
    call.api.remove_plugin("otel")
    assert not call.api.secrets.is_secret_param("AWSAccessKeyId")


def test_retries_after_dropped_connections_carry_the_resend_count(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced(RETRY)
    # the first call of a fresh instance: each attempt on a new connection (a drop on a
    # reused keep-alive one would be resent at once by the core instead)
    key = f"drop-{call.mode}"
    response = call.get("/flaky", params={"key": key, "fail": "2", "mode": "drop"})
    assert response.data == {"key": key, "attempt": 3}
    first, second, third = telemetry.spans()
    for span in (first, second):
        assert telemetry.attrs(span)["error.type"] == "RemoteProtocolError"
        assert span.status.status_code == StatusCode.ERROR
        assert "http.response.status_code" not in telemetry.attrs(span)
        (event,) = span.events
        assert event.name == "exception"
        assert event.attributes is not None
        assert str(event.attributes["exception.type"]).endswith("NetworkError")
    assert "http.request.resend_count" not in telemetry.attrs(first)
    assert telemetry.attrs(second)["http.request.resend_count"] == 1
    assert telemetry.attrs(third)["http.request.resend_count"] == 2
    assert "error.type" not in telemetry.attrs(third)
    assert third.status.status_code == StatusCode.UNSET
    # each attempt's request carried its own span's context
    sent = [r.header("traceparent") for r in local_server.requests]
    assert sent == [telemetry.traceparent(s) for s in (first, second, third)]


def test_retries_after_503_answers(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    strategy = FixedDelay(0, retry_on_status=[503])
    call = traced({"max_retries": 2, "retry_strategy": strategy})
    call.get("/flaky", params={"key": f"503-{call.mode}", "fail": "2", "status": "503"})
    spans = telemetry.spans()
    assert [telemetry.attrs(s)["http.response.status_code"] for s in spans] == [503, 503, 200]
    assert [telemetry.attrs(s).get("error.type") for s in spans] == ["503", "503", None]
    assert [s.status.status_code for s in spans] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert [telemetry.attrs(s).get("http.request.resend_count") for s in spans] == [None, 1, 2]


def test_a_call_that_gives_up_leaves_one_failed_span_per_attempt(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced({"max_retries": 1, "retry_strategy": FixedDelay(0)})
    with pytest.raises(RetryError):
        call.get("/flaky", params={"key": f"give-up-{call.mode}", "fail": "5", "mode": "drop"})
    spans = telemetry.spans()
    assert len(spans) == 2
    assert all(telemetry.attrs(s)["error.type"] == "RemoteProtocolError" for s in spans)


def test_timeouts(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced({"timeout": 0.3})
    with pytest.raises(AxiosTimeout):
        call.get("/stall", params={"seconds": "3"})
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "ReadTimeout"
    assert span.status.status_code == StatusCode.ERROR


def test_connection_refused(
    traced: Callable[..., Caller], telemetry: Telemetry, unused_port: int
) -> None:
    call = traced()
    with pytest.raises(NetworkError):
        call.get(f"http://127.0.0.1:{unused_port}/echo")
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "ConnectError"
    assert telemetry.attrs(span)["server.port"] == unused_port


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_http_errors_are_the_status_code(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    assert call.get("/status/404").status_code == 404  # returned: no validate_status
    with pytest.raises(HTTPStatusError):
        call.get("/status/500", validate_status=lambda status: status < 400)
    with pytest.raises(HTTPStatusError):  # a 2xx refused by validate_status
        call.get("/status/204", validate_status=lambda status: status == 200)
    not_found, server_error, refused = telemetry.spans()
    assert telemetry.attrs(not_found)["error.type"] == "404"
    assert telemetry.attrs(server_error)["error.type"] == "500"
    assert not_found.status.status_code == server_error.status.status_code == StatusCode.ERROR
    assert not server_error.events  # the status code is the error: no exception event
    assert telemetry.attrs(refused)["error.type"] == "HTTPStatusError"
    assert telemetry.attrs(refused)["http.response.status_code"] == 204


def test_redirect_hops_are_sibling_spans_each_with_its_own_context(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced()
    response = call.get("/redirect", params={"to": "/echo/next"})
    first, second = telemetry.spans()
    assert telemetry.attrs(first)["http.response.status_code"] == 302
    assert first.status.status_code == StatusCode.UNSET
    assert telemetry.attrs(second)["url.full"] == f"{local_server.base_url}/echo/next"
    assert telemetry.attrs(second)["http.request.resend_count"] == 1
    assert first.parent is None and second.parent is None  # siblings, not parent and child
    assert first.end_time is not None and second.start_time is not None
    assert first.end_time <= second.start_time
    sent = [r.header("traceparent") for r in local_server.requests]
    assert sent == [telemetry.traceparent(first), telemetry.traceparent(second)]
    assert response.data["headers"]["traceparent"] == telemetry.traceparent(second)


def test_a_redirect_to_another_origin(
    traced: Callable[..., Caller], telemetry: Telemetry, other_server: LocalServer
) -> None:
    call = traced()
    call.get("/redirect", params={"to": "http://other.test/echo?api_key=k-1"})
    _, hop = telemetry.spans()
    assert telemetry.attrs(hop)["url.full"] == "http://other.test/echo?api_key=REDACTED"
    assert telemetry.attrs(hop)["server.address"] == "other.test"
    assert telemetry.attrs(hop)["server.port"] == 80
    assert other_server.requests[0].header("traceparent") == telemetry.traceparent(hop)


def test_too_many_redirects_fails_the_last_hop(
    traced: Callable[..., Caller], telemetry: Telemetry, routes: Callable[..., None]
) -> None:
    routes("/otel/loop", lambda r: Reply(status=302, headers={"Location": "/otel/loop"}))
    call = traced()
    with pytest.raises(TooManyRedirects):
        call.get("/otel/loop")
    spans = telemetry.spans()
    assert len(spans) == 21  # the first request and httpx's 20 redirects
    assert {telemetry.attrs(s)["http.response.status_code"] for s in spans} == {302}
    assert [telemetry.attrs(s).get("error.type") for s in spans] == [None] * 20 + [
        "TooManyRedirects"
    ]
    assert [telemetry.attrs(s).get("http.request.resend_count") for s in spans] == [
        None,
        *range(1, 21),
    ]


def test_a_pooled_connection_closed_by_the_server_is_resent_and_both_are_seen(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    call = traced()
    call.get("/echo")  # opens a keep-alive connection
    # /drop reads the request and closes the connection: on the reused connection that is
    # "closed before any byte of the answer", which the core sends again at once on a fresh
    # connection; the fresh one is dropped too, and that fails the attempt
    with pytest.raises(NetworkError):
        call.get("/drop")
    assert local_server.count("/drop") == 2
    _, stale, resent = telemetry.spans()
    assert telemetry.attrs(stale)["error.type"] == "RemoteProtocolError"
    assert stale.status.status_code == StatusCode.ERROR
    assert "http.request.resend_count" not in telemetry.attrs(stale)
    assert telemetry.attrs(resent)["http.request.resend_count"] == 1
    assert telemetry.attrs(resent)["error.type"] == "RemoteProtocolError"
    drops = [r.header("traceparent") for r in local_server.requests if r.path == "/drop"]
    assert drops == [telemetry.traceparent(stale), telemetry.traceparent(resent)]


def test_unknown_methods_are_other(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced()
    call("PURGE", "/echo")
    (span,) = telemetry.spans()
    assert span.name == "HTTP"
    assert telemetry.attrs(span)["http.request.method"] == "_OTHER"
    assert telemetry.attrs(span)["http.request.method_original"] == "PURGE"


def test_known_methods_follow_the_environment(
    traced: Callable[..., Caller], telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "GET,PURGE")
    call = traced()
    call("PURGE", "/echo")
    call.post("/echo")
    purge, post = telemetry.spans()
    assert purge.name == "PURGE" and "http.request.method_original" not in telemetry.attrs(purge)
    assert post.name == "HTTP" and telemetry.attrs(post)["http.request.method"] == "_OTHER"


def test_exception_events_never_show_the_calls_secrets(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    from axios_python import Dual

    def leaky(ctx: dict[str, object], next_fn: Callable[..., object]) -> object:
        raise ValueError(f"cannot sign with {ctx['headers']['Authorization']}")  # type: ignore[index]

    async def leaky_async(ctx: dict[str, object], next_fn: Callable[..., object]) -> object:
        return leaky(ctx, next_fn)

    call = traced()
    call.api.use(Dual(sync=leaky, async_=leaky_async), scope="attempt")  # below the span
    with pytest.raises(ValueError, match="s3cr3t-t0ken"):
        call.get("/echo", headers={"Authorization": "Bearer s3cr3t-t0ken"})
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["error.type"] == "ValueError"
    assert span.status.description is not None
    assert "s3cr3t-t0ken" not in span.status.description
    (event,) = span.events
    assert event.attributes is not None
    assert "s3cr3t-t0ken" not in str(dict(event.attributes))
    assert "REDACTED" in str(event.attributes["exception.message"])


def test_a_layer_below_that_answers_without_sending(
    traced: Callable[..., Caller], telemetry: Telemetry, local_server: LocalServer
) -> None:
    from axios_python import Response

    call = traced()
    call.api.use(lambda ctx, next_fn: Response(418, data="short"), scope="attempt")
    assert call.get("/echo").status_code == 418
    (span,) = telemetry.spans()
    assert telemetry.attrs(span)["http.response.status_code"] == 418
    assert not local_server.requests
