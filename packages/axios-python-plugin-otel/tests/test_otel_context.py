"""The span is current while the layers below it run (attempt middleware, transforms, the
transport), on both paths, across threads and tasks, and in sync calls that run async hooks;
the trace context is propagated into every request's headers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.instrumentation.utils import suppress_http_instrumentation
from opentelemetry.trace import Span

from axios_python import Config, Dual, Response
from axios_python.engine import httpx
from axios_python.testing import Caller, LocalServer

if TYPE_CHECKING:
    from conftest import Telemetry


def _span_id(span: Span) -> int:
    return span.get_span_context().span_id


def test_spans_made_in_attempt_middleware_below_nest_under_the_request_span(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("test")
    seen: list[int] = []

    def sign(ctx: Config, next_fn: Callable[[Config], Response]) -> Response:
        seen.append(_span_id(trace.get_current_span()))
        with tracer.start_as_current_span("sign"):
            return next_fn(ctx)

    async def sign_async(ctx: Config, next_fn: Any) -> Response:
        seen.append(_span_id(trace.get_current_span()))
        with tracer.start_as_current_span("sign"):
            return await next_fn(ctx)  # type: ignore[no-any-return]

    call = traced()
    call.api.use(Dual(sync=sign, async_=sign_async), scope="attempt")
    call.get("/echo")
    (client,) = telemetry.spans()
    (sign_span,) = [s for s in telemetry.spans(None) if s.name == "sign"]
    assert seen == [client.context.span_id]
    assert sign_span.parent is not None and sign_span.parent.span_id == client.context.span_id


def test_transforms_and_the_transport_run_under_each_requests_own_span(
    make_caller: Callable[..., Caller], telemetry: Telemetry
) -> None:
    in_transport: list[tuple[str, int]] = []
    in_transforms: list[tuple[str, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        in_transport.append((request.url.path, _span_id(trace.get_current_span())))
        if request.url.path == "/a":
            return httpx.Response(302, headers={"Location": "/b"})
        return httpx.Response(200, json={"ok": True})

    def transform_request(data: Any, headers: Any) -> Any:
        in_transforms.append(("request", _span_id(trace.get_current_span())))
        return data

    def transform_response(data: Any) -> Any:
        in_transforms.append(("response", _span_id(trace.get_current_span())))
        return data

    call = make_caller(
        {
            "base_url": "http://mocked.test",
            "transport": httpx.MockTransport(handler),
            "transform_request": [transform_request],
            "transform_response": [transform_response],
            "plugins": [telemetry.plugin()],
        }
    )
    call.get("/a")
    first, hop = telemetry.spans()
    assert in_transport == [("/a", first.context.span_id), ("/b", hop.context.span_id)]
    # transform_request runs before the first request, under its span; transform_response
    # works on the answer to the last hop, under that one's span
    assert in_transforms == [
        ("request", first.context.span_id),
        ("response", hop.context.span_id),
    ]


def test_the_callers_span_is_the_parent(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("test")
    call = traced()
    with tracer.start_as_current_span("handler") as parent:
        call.get("/echo")
    assert trace.get_current_span() is not parent  # restored after the call
    (client,) = telemetry.spans()
    assert client.parent is not None
    assert client.parent.span_id == parent.get_span_context().span_id
    assert client.context.trace_id == parent.get_span_context().trace_id


def test_sync_calls_that_run_async_hooks(
    make_caller: Callable[..., Caller], telemetry: Telemetry, axios_mode: str
) -> None:
    seen: list[int] = []

    async def async_only(ctx: Config, next_fn: Any) -> Response:
        seen.append(_span_id(trace.get_current_span()))
        return await next_fn(ctx)  # type: ignore[no-any-return]

    def sync_only(ctx: Config, next_fn: Callable[[Config], Response]) -> Response:
        seen.append(_span_id(trace.get_current_span()))
        return next_fn(ctx)

    call = make_caller({"plugins": [telemetry.plugin()]})
    # an async-only hook in a sync call runs on a loop; a sync-only one in an async call runs
    # on a worker thread: both below our span, and both see it
    call.api.use(async_only, scope="attempt")
    call.api.use(sync_only, scope="attempt")
    call.get("/echo")
    (client,) = telemetry.spans()
    assert seen == [client.context.span_id, client.context.span_id]


def test_threads_each_get_their_own_parent(telemetry: Telemetry, local_server: LocalServer) -> None:
    import axios_python

    tracer = telemetry.tracer_provider.get_tracer("test")
    api = axios_python.create({"base_url": local_server.base_url, "plugins": [telemetry.plugin()]})
    parents: dict[str, int] = {}

    def work(name: str) -> None:
        with tracer.start_as_current_span(name) as parent:
            parents[name] = parent.get_span_context().span_id
            api.get("/echo", params={"who": name})

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api.close()
    for span in telemetry.spans():
        who = telemetry.attrs(span)["url.full"].rsplit("who=", 1)[1]
        assert span.parent is not None and span.parent.span_id == parents[who]


def test_the_global_propagator_sends_traceparent_and_baggage(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    token = otel_context.attach(baggage.set_baggage("tenant", "acme"))
    try:
        headers = call.get("/echo").data["headers"]
    finally:
        otel_context.detach(token)
    (span,) = telemetry.spans()
    assert headers["traceparent"] == telemetry.traceparent(span)
    assert headers["baggage"] == "tenant=acme"


class _HeaderPropagator:
    """A propagator of its own: one header with the span id."""

    fields = frozenset({"x-span"})

    def inject(self, carrier: Any, context: Any = None, setter: Any = None) -> None:
        carrier["x-span"] = format(trace.get_current_span(context).get_span_context().span_id, "x")

    def extract(self, carrier: Any, context: Any = None, getter: Any = None) -> Any:
        return context


def test_a_given_propagator(traced: Callable[..., Caller], telemetry: Telemetry) -> None:
    call = traced(propagator=_HeaderPropagator())
    headers = call.get("/redirect", params={"to": "/echo"}).data["headers"]
    _, hop = telemetry.spans()
    assert headers["x-span"] == format(hop.context.span_id, "x")
    assert "traceparent" not in headers


def test_suppressed_http_instrumentation_makes_no_span(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced()
    with suppress_http_instrumentation():  # as a higher-level instrumentation does
        headers = call.get("/echo").data["headers"]
    assert telemetry.spans(None) == []
    assert "traceparent" not in headers


def test_a_second_plugin_instance_below_adds_no_span(
    traced: Callable[..., Caller], telemetry: Telemetry
) -> None:
    call = traced({"plugins": [telemetry.plugin()]})  # two instances on one client
    call.get("/echo")
    assert len(telemetry.spans()) == 1
