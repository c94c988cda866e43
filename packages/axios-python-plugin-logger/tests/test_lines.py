"""What the log shows for a call: one line out, one line back, and a line per failed attempt.

Behavioural tests run on both paths (``make_caller``: sync, then async). The URL of every line
is the wire URL (``base_url`` + the URL as written + ``params``), secrets redacted.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python import Config, FixedDelay, Response, SyncNext
from axios_python.testing import Caller, LocalServer
from axios_python_plugin_logger import LoggerPlugin

FIELDS = ("method", "url", "status", "duration_ms", "attempt", "bytes")
MakeCaller = Callable[..., Caller]


def fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in FIELDS}


def test_a_call_logs_one_request_line_and_one_response_line(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin(level=logging.INFO)]})
    assert len(call.get("/bytes?size=1204").content) == 1204
    url = local_server.url("/bytes?size=1204")
    assert [r.levelno for r in capture.records] == [logging.INFO, logging.INFO]
    out, back = capture.records
    assert out.getMessage() == f"--> GET {url}"
    assert re.fullmatch(
        rf"<-- 200 OK {re.escape(url)} \(1,204 bytes, [\d.,]+ms\)", back.getMessage()
    )
    assert fields(out) == {
        "method": "GET", "url": url, "status": None, "duration_ms": None, "attempt": 1,
        "bytes": None,
    }  # fmt: skip
    back_fields = fields(back)
    assert isinstance(back_fields.pop("duration_ms"), float)
    assert back_fields == {"method": "GET", "url": url, "status": 200, "attempt": 1, "bytes": 1204}
    assert out.name == back.name == "axios_python.logger"


def test_the_url_is_the_wire_url_with_the_urls_own_query_and_params(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"base_url": local_server.url("/echo"), "plugins": [LoggerPlugin()]})
    call.get("/sub?page=1", params={"api_key": "K-12345", "q": "x"})
    url = local_server.url("/echo/sub?page=1&api_key=[REDACTED]&q=x")
    assert capture.messages[0] == f"--> GET {url}"
    assert [r.url for r in capture.records] == [url, url]
    assert "K-12345" not in capture.text()


def test_records_format_as_json(make_caller: MakeCaller, capture: Any) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    call.post("/echo", json={"a": 1})
    lines = [json.dumps({"message": r.getMessage(), **fields(r)}) for r in capture.records]
    assert json.loads(lines[1])["status"] == 200
    assert json.loads(lines[0])["method"] == "POST"


def test_retries_log_each_attempt(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    call.get(
        "/flaky?key=r&fail=2", max_retries=2, retry_strategy=FixedDelay(0, retry_on_status=[503])
    )
    url = local_server.url("/flaky?key=[REDACTED]&fail=2")  # "key" is a secret-looking parameter
    messages = capture.messages
    assert len(messages) == 6
    assert messages[0] == f"--> GET {url}"
    assert messages[1].startswith(f"<-- 503 Service Unavailable {url} (attempt 1, ")
    assert messages[1].endswith("): sending again")
    assert messages[2] == f"--> GET {url} (attempt 2)"
    assert messages[3].startswith(f"<-- 503 Service Unavailable {url} (attempt 2, ")
    assert messages[4] == f"--> GET {url} (attempt 3)"
    assert re.fullmatch(
        rf"<-- 200 OK {re.escape(url)} \(\d+ bytes, [\d.,]+ms, 3 attempts\)", messages[5]
    )
    assert [r.attempt for r in capture.records] == [1, 1, 2, 2, 3, 3]
    assert [r.levelname for r in capture.records] == [
        "INFO", "WARNING", "INFO", "WARNING", "INFO", "INFO",
    ]  # fmt: skip
    assert [r.status for r in capture.records] == [None, 503, None, 503, None, 200]


def test_network_errors_and_retries(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    with pytest.raises(axios_python.RetryError):
        call.get("/drop", max_retries=1, retry_strategy=FixedDelay(0))
    url = local_server.url("/drop")
    messages = capture.messages
    assert len(messages) == 4
    assert messages[0] == f"--> GET {url}"
    assert re.fullmatch(
        rf"<-- failed GET {re.escape(url)} \(attempt 1, [\d.,]+ms\): NetworkError: .*; retrying",
        messages[1],
    )
    assert messages[2] == f"--> GET {url} (attempt 2)"
    assert re.fullmatch(
        rf"<-- failed GET {re.escape(url)} \([\d.,]+ms, 2 attempts\): RetryError: gave up .*",
        messages[3],
    )
    last = capture.records[3]
    assert (last.levelno, last.error, last.attempt) == (logging.WARNING, "RetryError", 2)


def test_an_error_without_retries_is_one_pair(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    with pytest.raises(axios_python.NetworkError):
        call.get("/drop")
    assert len(capture.records) == 2
    assert capture.messages[1].startswith(f"<-- failed GET {local_server.url('/drop')} (")


def test_an_http_error_status_is_a_response_line(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    call.get("/status/404")
    assert capture.messages[1].startswith(f"<-- 404 Not Found {local_server.url('/status/404')} (")
    assert capture.records[1].levelno == logging.INFO


def test_validate_status_rejection_is_logged_as_a_failure(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})
    with pytest.raises(axios_python.HTTPStatusError):
        call.get("/status/500", validate_status=lambda s: s < 500)
    assert capture.messages[1].startswith(f"<-- failed GET {local_server.url('/status/500')} (")
    assert capture.records[1].status == 500


def test_a_short_circuit_answer_still_logs_one_pair(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})

    def cached(ctx: Config, next_fn: SyncNext) -> Response:
        return Response(200, data={"cached": True})

    call.api.use(cached)  # registered after the logger: inside it
    assert call.get("/json").data == {"cached": True}
    assert capture.messages[0] == f"--> GET {local_server.url('/json')}"
    assert capture.messages[1].startswith(f"<-- 200 OK {local_server.url('/json')} (")
    assert [r.attempt for r in capture.records] == [0, 0]
    assert local_server.requests == []


def test_an_outer_attempt_middleware_that_changes_the_url_is_shown(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    call = make_caller()

    def sign(ctx: Config, next_fn: SyncNext) -> Response:  # e.g. a key in the query string
        ctx["params"] = {**(ctx["params"] or {}), "sig": f"SIG-{ctx['attempt']}-abc"}
        return next_fn(ctx)

    call.api.use(sign, scope="attempt")  # outside the logger's attempt hook
    call.api.plugin(LoggerPlugin())
    call.get("/json")
    out, back = capture.records
    signed = local_server.url("/json?sig=[REDACTED]")
    assert (out.getMessage(), out.url) == (f"--> GET {signed}", signed)
    assert back.url == local_server.url("/json")  # the call's URL, as the caller asked
    assert "SIG-1-abc" not in capture.text()


def test_levels_and_logger_forms(
    make_caller: MakeCaller, capture_for: Callable[[str], Any]
) -> None:
    records: list[logging.LogRecord] = capture_for("github_client").records
    logger = logging.getLogger("github_client")
    call = make_caller({"plugins": [LoggerPlugin(logger=logger)]})  # as in the production guide
    call.get("/json")
    call.api.plugin(LoggerPlugin(level=logging.DEBUG, logger="github_client"))
    call.get("/json")
    adapter = logging.LoggerAdapter(logger, {"service": "github"})
    call.api.plugin(LoggerPlugin(level="WARNING", logger=adapter))
    call.get("/json")
    # nested: the first plugin's lines wrap the second's, the second's wrap the third's
    levels = [r.levelno for r in records]
    assert levels == [20, 20, 20, 10, 10, 20, 20, 10, 30, 30, 10, 20]
    # the adapter's extra comes along with the plugin's fields
    assert [getattr(r, "service", None) for r in records[-4:-2]] == ["github", "github"]


def test_a_disabled_level_logs_nothing(make_caller: MakeCaller, capture: Any) -> None:
    logging.getLogger("axios_python.logger").setLevel(logging.WARNING)
    call = make_caller({"plugins": [LoggerPlugin(level=logging.INFO)]})
    call.get("/json")
    call.get(
        "/flaky?key=d&fail=1", max_retries=1, retry_strategy=FixedDelay(0, retry_on_status=[503])
    )
    assert capture.records == []


def test_a_disabled_level_formats_nothing(
    make_caller: MakeCaller, capture: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axios_python import Secrets
    from axios_python_plugin_logger import _plugin

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("formatted while disabled")

    monkeypatch.setattr(_plugin, "display_url", forbidden)
    monkeypatch.setattr(_plugin, "scrub", forbidden)
    for method in ("redact_headers", "redact_body", "redact_fields"):
        monkeypatch.setattr(Secrets, method, forbidden)
    logging.getLogger("axios_python.logger").setLevel(logging.ERROR)
    plugin = LoggerPlugin(level=logging.DEBUG, log_headers=True, log_bodies=True)
    call = make_caller({"plugins": [plugin]})
    assert call.get("/json").status_code == 200
    assert call.post("/echo", json={"a": 1}).status_code == 200
    assert capture.records == []


def test_failures_are_still_logged_when_only_the_error_level_is_on(
    make_caller: MakeCaller, local_server: LocalServer, capture: Any
) -> None:
    logging.getLogger("axios_python.logger").setLevel(logging.WARNING)
    call = make_caller({"plugins": [LoggerPlugin(level=logging.INFO)]})
    call.get("/json")
    with pytest.raises(axios_python.NetworkError):
        call.get("/drop?token=T0K3N-VALUE")
    assert len(capture.records) == 1
    assert capture.records[0].levelno == logging.WARNING
    assert capture.messages[0].startswith(
        f"<-- failed GET {local_server.url('/drop?token=[REDACTED]')} ("
    )
    assert "T0K3N-VALUE" not in capture.text()


def test_two_loggers_on_one_client_each_log_once(make_caller: MakeCaller, capture: Any) -> None:
    call = make_caller({"plugins": [LoggerPlugin(), LoggerPlugin(level=logging.DEBUG)]})
    call.get("/json")
    assert [r.levelno for r in capture.records] == [20, 10, 10, 20]


def test_sync_only_middleware_between_keeps_the_pairing(
    make_caller: MakeCaller, capture: Any
) -> None:
    call = make_caller({"plugins": [LoggerPlugin()]})

    def passthrough(ctx: Config, next_fn: SyncNext) -> Response:
        return next_fn(ctx)

    call.api.use(passthrough)
    call.api.use(passthrough, scope="attempt")
    call.get("/json")
    assert len(capture.records) == 2
    assert capture.records[0].attempt == 1


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"level": "LOUD"}, ValueError, "level must be a logging level"),
        ({"level": -1}, ValueError, "level must be a logging level"),
        ({"error_level": True}, ValueError, "error_level must be a logging level"),
        ({"logger": 42}, TypeError, "logger must be a logging.Logger"),
        ({"log_headers": "yes"}, TypeError, "log_headers must be True or False"),
        ({"log_bodies": 1}, TypeError, "log_bodies must be True or False"),
        ({"max_body_bytes": -5}, ValueError, "max_body_bytes must be an integer >= 0"),
        ({"redact_headers": "X-Secret"}, TypeError, "redact_headers must be a list of names"),
        ({"redact_headers": ["X: y"]}, ValueError, "each name in redact_headers must be a header"),
        ({"redact_params": [""]}, ValueError, "redact_params must hold non-empty str names"),
    ],
)
def test_bad_options(options: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        LoggerPlugin(**options)


def test_repr() -> None:
    assert repr(LoggerPlugin()) == (
        "LoggerPlugin(level='INFO', logger='axios_python.logger', log_headers=False, "
        "log_bodies=False)"
    )
    plugin = LoggerPlugin(
        15,
        "app.http",
        log_bodies=True,
        max_body_bytes=64,
        redact_headers=["X-Tenant"],
        redact_params=["ticket"],
        error_level="ERROR",
    )
    assert repr(plugin) == (
        "LoggerPlugin(level=15, logger='app.http', log_headers=False, log_bodies=True, "
        "max_body_bytes=64, redact_headers=['X-Tenant'], redact_params=['ticket'], "
        "error_level='ERROR')"
    )
