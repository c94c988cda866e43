"""What the log shows for a call: one line out, one line back, and a line per failed attempt."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay, Response
from axios_python.testing import LocalServer
from axios_python_plugin_logger import LoggerPlugin

from .conftest import Capture

FIELDS = ("method", "url", "status", "duration_ms", "attempt", "bytes")


def make(
    srv: LocalServer, plugin: LoggerPlugin | None = None, **config: Any
) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": srv.base_url, "timeout": 10.0, **config})
    api.plugin(plugin or LoggerPlugin())
    return api


def fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in FIELDS}


def check_pair(capture: Capture, srv: LocalServer, path: str, size: int) -> None:
    url = srv.url(path)
    assert [r.levelno for r in capture.records] == [logging.INFO, logging.INFO]
    out, back = capture.records
    assert out.getMessage() == f"--> GET {url}"
    assert re.fullmatch(
        rf"<-- 200 OK {re.escape(url)} \({size:,} bytes, [\d.,]+ms\)", back.getMessage()
    )
    assert fields(out) == {
        "method": "GET", "url": url, "status": None, "duration_ms": None, "attempt": 1,
        "bytes": None,
    }  # fmt: skip
    back_fields = fields(back)
    assert isinstance(back_fields.pop("duration_ms"), float)
    assert back_fields == {"method": "GET", "url": url, "status": 200, "attempt": 1, "bytes": size}
    assert out.name == back.name == "axios_python.logger"


def test_a_call_logs_one_request_line_and_one_response_line(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv)
    size = len(api.get("/json").content)
    check_pair(capture, srv, "/json", size)
    api.close()


async def test_a_call_logs_one_request_line_and_one_response_line_async(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv)
    size = len((await api.async_get("/bytes?size=1204")).content)
    assert size == 1204
    check_pair(capture, srv, "/bytes?size=1204", 1204)
    assert "(1,204 bytes, " in capture.messages[1]
    await api.aclose()


def test_records_format_as_json(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.post("/echo", json={"a": 1})
    api.close()
    lines = [json.dumps({"message": r.getMessage(), **fields(r)}) for r in capture.records]
    assert json.loads(lines[1])["status"] == 200
    assert json.loads(lines[0])["method"] == "POST"


def test_retries_log_each_attempt(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.get(
        "/flaky?key=r&fail=2", max_retries=2, retry_strategy=FixedDelay(0, retry_on_status=[503])
    )
    api.close()
    url = srv.url("/flaky?key=[REDACTED]&fail=2")  # "key" is a secret-looking parameter
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
    assert [r.attempt for r in capture.records] == [1, 1, 2, 2, 3, 3]  # type: ignore[attr-defined]
    assert [r.levelname for r in capture.records] == [
        "INFO", "WARNING", "INFO", "WARNING", "INFO", "INFO",
    ]  # fmt: skip
    assert [r.status for r in capture.records] == [None, 503, None, 503, None, 200]  # type: ignore[attr-defined]


async def test_network_errors_and_retries_async(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    with pytest.raises(axios_python.RetryError):
        await api.async_get("/drop", max_retries=1, retry_strategy=FixedDelay(0))
    await api.aclose()
    url = srv.url("/drop")
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
    assert (last.levelno, last.error, last.attempt) == (logging.WARNING, "RetryError", 2)  # type: ignore[attr-defined]


def test_an_error_without_retries_is_one_pair(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    with pytest.raises(axios_python.NetworkError):
        api.get("/drop")
    api.close()
    assert len(capture.records) == 2
    assert capture.messages[1].startswith(f"<-- failed GET {srv.url('/drop')} (")


def test_an_http_error_status_is_a_response_line(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.get("/status/404")
    api.close()
    assert capture.messages[1].startswith(f"<-- 404 Not Found {srv.url('/status/404')} (")
    assert capture.records[1].levelno == logging.INFO


def test_validate_status_rejection_is_logged_as_a_failure(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv)
    with pytest.raises(axios_python.HTTPStatusError):
        api.get("/status/500", validate_status=lambda s: s < 500)
    api.close()
    assert capture.messages[1].startswith(f"<-- failed GET {srv.url('/status/500')} (")
    assert capture.records[1].status == 500  # type: ignore[attr-defined]


def test_a_short_circuit_answer_still_logs_one_pair(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)

    def cached(ctx: dict[str, Any], next_fn: Any) -> Response:
        return Response(200, data={"cached": True})

    api.use(cached)  # registered after the logger: inside it
    assert api.get("/json").data == {"cached": True}
    api.close()
    assert capture.messages[0] == f"--> GET {srv.url('/json')}"
    assert capture.messages[1].startswith(f"<-- 200 OK {srv.url('/json')} (")
    assert [r.attempt for r in capture.records] == [0, 0]  # type: ignore[attr-defined]
    assert srv.requests == []


def test_levels_and_logger_forms(srv: LocalServer) -> None:
    logger = logging.getLogger("github_client")
    handler = Capture()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        api = make(srv, LoggerPlugin(logger=logger))  # as in the production guide
        api.get("/json")
        api.plugin(LoggerPlugin(level=logging.DEBUG, logger="github_client"))
        api.get("/json")
        adapter = logging.LoggerAdapter(logger, {"service": "github"})
        api.plugin(LoggerPlugin(level="WARNING", logger=adapter))
        api.get("/json")
        api.close()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    # nested: the first plugin's lines wrap the second's, the second's wrap the third's
    levels = [r.levelno for r in handler.records]
    assert levels == [20, 20, 20, 10, 10, 20, 20, 10, 30, 30, 10, 20]
    # the adapter's extra comes along with the plugin's fields
    assert [getattr(r, "service", None) for r in handler.records[-4:-2]] == ["github", "github"]


def test_seed_form_level_info(srv: LocalServer, capture: Capture) -> None:
    api = make(srv, LoggerPlugin(level=logging.INFO))
    api.get("/json")
    api.close()
    assert len(capture.records) == 2


def test_a_disabled_level_logs_nothing(srv: LocalServer, capture: Capture) -> None:
    logging.getLogger("axios_python.logger").setLevel(logging.WARNING)
    api = make(srv, LoggerPlugin(level=logging.INFO))
    api.get("/json")
    api.get(
        "/flaky?key=d&fail=1", max_retries=1, retry_strategy=FixedDelay(0, retry_on_status=[503])
    )
    api.close()
    assert capture.records == []


async def test_a_disabled_level_formats_nothing(
    srv: LocalServer, capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axios_python_plugin_logger import _redact

    def forbidden(*args: Any) -> Any:
        raise AssertionError("formatted while disabled")

    monkeypatch.setattr(_redact.Redactor, "url", forbidden)
    monkeypatch.setattr(_redact.Redactor, "header_items", forbidden)
    logging.getLogger("axios_python.logger").setLevel(logging.ERROR)
    api = make(srv, LoggerPlugin(level=logging.DEBUG, log_headers=True, log_bodies=True))
    assert api.get("/json").status_code == 200
    assert (await api.async_post("/echo", json={"a": 1})).status_code == 200
    await api.aclose()
    assert capture.records == []


def test_failures_are_still_logged_when_only_the_error_level_is_on(
    srv: LocalServer, capture: Capture
) -> None:
    logging.getLogger("axios_python.logger").setLevel(logging.WARNING)
    api = make(srv, LoggerPlugin(level=logging.INFO))
    api.get("/json")
    with pytest.raises(axios_python.NetworkError):
        api.get("/drop")
    api.close()
    assert len(capture.records) == 1
    assert capture.records[0].levelno == logging.WARNING
    assert capture.messages[0].startswith(f"<-- failed GET {srv.url('/drop')} (")


def test_two_loggers_on_one_client_each_log_once(srv: LocalServer, capture: Capture) -> None:
    api = make(srv)
    api.plugin(LoggerPlugin(level=logging.DEBUG))
    api.get("/json")
    api.close()
    assert [r.levelno for r in capture.records] == [20, 10, 10, 20]


async def test_a_sync_only_middleware_between_keeps_the_pairing_async(
    srv: LocalServer, capture: Capture
) -> None:
    api = make(srv)

    def passthrough(ctx: dict[str, Any], next_fn: Any) -> Response:
        return next_fn(ctx)  # type: ignore[no-any-return]

    api.use(passthrough)
    api.use(passthrough, scope="attempt")
    await api.async_get("/json")
    await api.aclose()
    assert len(capture.records) == 2
    assert capture.records[0].attempt == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"level": "LOUD"}, ValueError, "logging level"),
        ({"level": -1}, ValueError, "logging level"),
        ({"error_level": True}, ValueError, "error_level must be a logging level"),
        ({"logger": 42}, TypeError, "logger must be a logging.Logger"),
        ({"log_headers": "yes"}, TypeError, "log_headers must be True or False"),
        ({"log_bodies": 1}, TypeError, "log_bodies must be True or False"),
        ({"max_body_bytes": -5}, ValueError, "max_body_bytes must be an integer >= 0"),
        ({"redact_headers": "X-Secret"}, TypeError, "redact_headers must be a list or tuple"),
        ({"redact_params": [""]}, TypeError, "redact_params must hold non-empty str"),
    ],
)
def test_bad_options(options: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        LoggerPlugin(**options)


def test_repr() -> None:
    assert repr(LoggerPlugin()) == (
        "LoggerPlugin(level=INFO, logger='axios_python.logger', log_headers=False, "
        "log_bodies=False)"
    )
