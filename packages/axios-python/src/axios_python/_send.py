"""One attempt on the wire: transform_request, the httpx transport, transform_response and
status validation, with every httpx error translated into the library's hierarchy."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._body import limit_request_body, wire_body
from ._call import call_state
from ._cancel import abort_stream, cancel_scope
from ._config import check_header
from ._connects import ConnectWatch
from ._engine import httpx
from ._exceptions import (
    AxiosPythonError,
    ConfigError,
    HTTPStatusError,
    TransformError,
)
from ._hooks import as_hook, call_async, call_sync, describe_callable
from ._httpx_request import build_request
from ._httpx_send import client_send_async, client_send_sync
from ._models import Response, unbind_stream
from ._redirects import HOP_POLICY, HopPolicy
from ._secrets import scrub
from ._translate import HTTPX_ERRORS, send_error, translate_error
from ._types import Config
from ._urls import display_url, wire_url

if TYPE_CHECKING:
    from ._transport import Transports

__all__ = ["send_async", "send_sync"]

_UNTRANSFORMED: Any = object()


def _body_source(ctx: Config) -> tuple[bool, Any]:
    """Which value ``transform_request`` works on: ``data`` if set, else ``json``."""
    use_json = ctx["data"] is None and ctx["json"] is not None
    return use_json, ctx["json"] if use_json else ctx["data"]


def _body(ctx: Config, transformed: Any, *, is_async: bool) -> tuple[dict[str, Any], int | None]:
    """httpx's body arguments for this attempt, and a Content-Length to declare (``None``:
    httpx decides). A streamed body (file, iterator, async iterator) is given as it may be
    sent again (see ``_body.py``); ``data`` that is not a form is the raw body."""
    data, json, content, files = ctx["data"], ctx["json"], ctx["content"], ctx["files"]
    if transformed is not _UNTRANSFORMED:
        use_json, _ = _body_source(ctx)
        if not use_json:
            data = transformed
        elif isinstance(transformed, (str, bytes)):
            json, content = None, transformed
        else:
            json = transformed
    if data is not None and not isinstance(data, Mapping):
        data, content = None, data
    length = None
    if content is not None and not isinstance(content, (str, bytes)):
        content, length = wire_body(ctx, content, is_async=is_async)
    return {"content": content, "data": data, "json": json, "files": files}, length


def _transformed_sync(ctx: Config) -> Any:
    """The body after the call's ``transform_request`` hooks (the caller checked there are some)."""
    value = _body_source(ctx)[1]
    for fn in ctx["transform_request"]:
        try:
            value = call_sync(as_hook(fn, "transform_request"), value, ctx["headers"])
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise _transform_error(exc, fn, "transform_request", ctx, None) from exc
    return value


async def _transformed_async(ctx: Config) -> Any:
    """The body after the call's ``transform_request`` hooks (the caller checked there are some)."""
    value = _body_source(ctx)[1]
    for fn in ctx["transform_request"]:
        try:
            value = await call_async(as_hook(fn, "transform_request"), value, ctx["headers"])
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise _transform_error(exc, fn, "transform_request", ctx, None) from exc
    return value


def _wire_headers(headers: Mapping[str, Any]) -> list[tuple[str, str | bytes]]:
    """The headers as they go on the wire: each checked (a line break, NUL or other control
    character in a value is refused before anything is sent, naming the header, never the
    value), surrounding spaces and tabs stripped (no field value has them, RFC 9110), an ASCII
    value kept as a str, any other sent as its bytes (Latin-1 where it fits, else UTF-8; httpx
    would refuse the str)."""
    wire: list[tuple[str, str | bytes]] = []
    for name, value in headers.items():
        check_header(name, value)
        if value is None:
            continue
        value = value.strip(" \t") if isinstance(value, str) else value.strip(b" \t")
        if isinstance(value, str) and not value.isascii():
            try:
                value = value.encode("latin-1")
            except UnicodeEncodeError:
                value = value.encode("utf-8")
        wire.append((name, value))
    return wire


def _build(
    client: httpx.Client | httpx.AsyncClient, ctx: Config, transformed: Any, *, is_async: bool
) -> httpx.Request:
    state = call_state(ctx)
    state.sending = ctx
    try:
        url = wire_url(ctx)
        extensions = dict(ctx["extensions"]) if ctx["extensions"] else {}
        policy = extensions[HOP_POLICY] = HopPolicy.for_config(url, state.secrets, ctx)
        body, length = _body(ctx, transformed, is_async=is_async)
        headers = _wire_headers(ctx["headers"])
        if length is not None and "content-length" not in ctx["headers"]:
            headers.append(("Content-Length", str(length)))
        request = build_request(
            client,
            ctx["method"],
            url,
            headers=headers,
            cookies=ctx["cookies"],
            timeout=ctx["timeout"],
            extensions=extensions,
            body=body,
        )
        policy.first = id(request)
        limit = ctx["max_body_length"]
        if limit is not None:
            limit_request_body(ctx, request, limit)
        return request
    except HTTPX_ERRORS as exc:
        raise translate_error(exc, ctx, None) from exc
    except (TypeError, ValueError) as exc:
        if isinstance(exc, AxiosPythonError):
            raise
        raise ConfigError(
            f"cannot build the request {ctx['method']} {display_url(ctx, state.secrets)}: "
            f"{scrub(str(exc), state.secrets.secret_values(ctx))}",
            config=ctx,
        ) from exc


def _finish(response: Response, ctx: Config) -> Response:
    if ctx["stream"]:
        call_state(ctx).streams.append(response)  # closed at the end of the call if unclaimed
    validate = ctx["validate_status"]
    if validate is not None and not validate(response.status_code):
        if ctx["stream"]:
            response.close()
        raise HTTPStatusError(
            f"HTTP {response.status_code} {response.reason_phrase} rejected by validate_status "
            f"({ctx['method']} {display_url(response.request.url, call_state(ctx).secrets)})",
            response=response,
            config=ctx,
            request=response.request,
        )
    return response


def _watch_stream(response: Response, ctx: Config, *, is_async: bool) -> None:
    """For a streamed response: a later cancellation aborts the body being read, until the
    response is closed (then the connection may serve another request and must be left
    alone); and a response dropped without being closed releases its connection when it is
    garbage-collected (with a ResourceWarning), instead of holding a pool slot forever."""
    if not ctx["stream"]:
        return
    response._release_when_abandoned(is_async=is_async)
    token = ctx["cancel_token"]
    if token is not None:
        stream = response.extensions.get("network_stream")
        ref = weakref.ref(response)  # the token must not keep an abandoned response alive

        def abort(reason: str) -> None:
            alive = ref()
            if alive is not None and not alive.is_closed:
                abort_stream(stream)

        response._unwatch = token.subscribe(abort)


def _transform_error(
    exc: Exception, fn: Any, what: str, ctx: Config, response: Response | None
) -> TransformError:
    secrets = call_state(ctx).secrets
    error = TransformError(
        f"{what} {describe_callable(fn)} raised {type(exc).__name__}: "
        f"{scrub(str(exc), secrets.secret_values(ctx))} ({ctx['method']} "
        f"{display_url(ctx, secrets)})",
        original=exc,
        response=response,
        config=ctx,
        request=None if response is None else response._request,
    )
    error.__cause__ = exc
    return error


def _transformed_response_sync(response: Response, ctx: Config) -> None:
    data = response.data
    for fn in ctx["transform_response"]:
        try:
            data = call_sync(as_hook(fn, "transform_response"), data)
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise _transform_error(exc, fn, "transform_response", ctx, response) from exc
    response.data = data


async def _transformed_response_async(response: Response, ctx: Config) -> None:
    data = response.data
    for fn in ctx["transform_response"]:
        try:
            data = await call_async(as_hook(fn, "transform_response"), data)
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise _transform_error(exc, fn, "transform_response", ctx, response) from exc
    response.data = data


#: What httpcore says when a connection closed before any byte of the response: most often a
#: pooled keep-alive connection the server had just closed (its idle timeout) when it was
#: reused.
_STALE = "Server disconnected without sending a response"


def _resendable(
    exc: BaseException, request: httpx.Request, ctx: Config, watch: ConnectWatch
) -> bool:
    """Whether a failed send may go once more at once, on a fresh connection: a pooled
    keep-alive connection (not one this send opened) closed before any byte of the response,
    the method may be repeated (``retry_methods``) and the body can be sent again as it is
    (none, or bytes). Not counted as a retry: the server never saw the request."""
    return (
        not watch.connected
        and isinstance(exc, httpx.RemoteProtocolError)
        and str(exc).startswith(_STALE)
        and ctx["method"] in ctx["retry_methods"]
        and isinstance(request.stream, httpx.ByteStream)
    )


def _send_sync(client: httpx.Client, request: httpx.Request, ctx: Config) -> Response:
    """The response, its body read unless ``stream``: read here, not by httpx, so that
    ``max_content_length`` bounds it (httpx's reading is unbounded)."""
    watch = ConnectWatch()
    try:
        try:
            raw = client_send_sync(
                client, request, auth=ctx["auth"], follow_redirects=ctx["follow_redirects"]
            )
        except httpx.RemoteProtocolError as exc:
            if not _resendable(exc, request, ctx, watch):
                raise
            raw = client_send_sync(
                client, request, auth=ctx["auth"], follow_redirects=ctx["follow_redirects"]
            )
    except Exception as exc:
        if not send_error(exc):
            raise
        raise translate_error(exc, ctx, request) from exc
    finally:
        watch.close()
    response = Response._adopt(raw, ctx)
    if not ctx["stream"]:
        try:
            if response._take_buffered():
                response._close_taken()
            else:
                response.read()
        except BaseException:
            response.close()
            raise
        unbind_stream(response)
    return response


async def _send_async(client: httpx.AsyncClient, request: httpx.Request, ctx: Config) -> Response:
    watch = ConnectWatch()
    try:
        try:
            raw = await client_send_async(
                client, request, auth=ctx["auth"], follow_redirects=ctx["follow_redirects"]
            )
        except httpx.RemoteProtocolError as exc:
            if not _resendable(exc, request, ctx, watch):
                raise
            raw = await client_send_async(
                client, request, auth=ctx["auth"], follow_redirects=ctx["follow_redirects"]
            )
    except Exception as exc:
        if not send_error(exc):
            raise
        raise translate_error(exc, ctx, request) from exc
    finally:
        watch.close()
    response = Response._adopt(raw, ctx)
    if not ctx["stream"]:
        try:
            if response._take_buffered():
                await response._aclose_taken()
            else:
                await response.aread()
        except BaseException:
            await response.aclose()
            raise
        unbind_stream(response)
    return response


def send_sync(transports: Transports, ctx: Config) -> Response:
    """Send one attempt from sync code."""
    client = transports.sync_client(ctx)
    transformed = _transformed_sync(ctx) if ctx["transform_request"] else _UNTRANSFORMED
    request = _build(client, ctx, transformed, is_async=False)
    token = ctx["cancel_token"]
    if token is None:
        response = _send_sync(client, request, ctx)
    else:
        token.raise_if_cancelled(ctx)
        with cancel_scope(token):
            response = _send_sync(client, request, ctx)
    _finish(response, ctx)
    _watch_stream(response, ctx, is_async=False)
    if ctx["transform_response"] and not ctx["stream"]:
        _transformed_response_sync(response, ctx)
    return response


async def send_async(transports: Transports, ctx: Config) -> Response:
    """Send one attempt from async code (cancellation is the caller's task being cancelled)."""
    client = transports.async_client(ctx)
    transformed = await _transformed_async(ctx) if ctx["transform_request"] else _UNTRANSFORMED
    request = _build(client, ctx, transformed, is_async=True)
    response = await _send_async(client, request, ctx)
    _finish(response, ctx)
    _watch_stream(response, ctx, is_async=True)
    if ctx["transform_response"] and not ctx["stream"]:
        await _transformed_response_async(response, ctx)
    return response
