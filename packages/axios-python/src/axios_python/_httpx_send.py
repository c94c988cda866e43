"""Sending a request the core built through the instance's httpx client.

httpx's ``Client.send`` runs every request through three layers before the transport sees it:
an auth flow (a generator, even when there is no auth), a redirect loop and a per-hop wrapper.
For a request without httpx auth (the call's ``auth`` is ``None`` and the URL has no userinfo),
the first hop is sent here instead, with the steps httpx's per-hop wrapper takes, in its order:

* the client's request event hooks (the core's redirect guard and hop observers);
* the transport the client routes the URL to (its mounts: the environment's proxies);
* an httpx ``RequestError`` raised on the way names the request;
* the response is bound to its request, timed until it is closed (the engine's own bound
  stream), given the client's default encoding, and its cookies go to the client's jar;
* httpx's ``HTTP Request: ...`` log line, on httpx's logger;
* the client's response event hooks (the core's cap on a redirect's body);
* a redirect the call follows continues in httpx's own redirect loop, with this response as its
  history; one the call does not follow gets its ``next_request``.

Every other request (httpx auth, a URL with userinfo, a closed client, a request without a
timeout extension or whose body does not match the client) goes through ``client.send``,
unchanged. At 32 concurrent calls on the aiohttp transport this saves about 45,000
instructions per call, of about 890,000 then (``tools/bench_instructions.py --concurrent``).

httpx internals relied on, in httpx and httpx2 alike: the client's ``_state``,
``_event_hooks``, ``_default_encoding``, ``_transport_for_url``, ``_build_redirect_request`` and
``_send_handling_redirects``, the ``BoundSyncStream``/``BoundAsyncStream`` classes and the
logger of the engine's ``_client`` module. They are checked once, on a throwaway client; an
engine without them has every request sent by ``client.send`` (``tests/core/test_httpx_send.py``
runs on both engines, and with the check failing).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from ._engine import httpx
from ._redirects import redirects

__all__ = ["client_send_async", "client_send_sync"]


@functools.cache
def _engine_parts() -> tuple[Any, Any, Callable[..., Any], Callable[..., Any], Any] | None:
    """The engine's client states ``CLOSED`` and ``OPENED``, the makers of its bound streams
    (``(stream, response, start)``, sync and async), and its logger; ``None`` when the engine
    lacks what this module relies on."""
    try:
        module = importlib.import_module(f"{httpx.__name__}._client")
        probe = httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200)), trust_env=False
        )
        needed = (
            "_state",
            "_event_hooks",
            "_default_encoding",
            "_transport_for_url",
            "_build_redirect_request",
            "_send_handling_redirects",
        )
        if not all(hasattr(probe, name) for name in needed):
            return None
        if set(probe._event_hooks) != {"request", "response"}:
            return None
        makers = []
        for name in ("BoundSyncStream", "BoundAsyncStream"):
            kind = getattr(module, name)
            params = list(inspect.signature(kind).parameters)
            if params == ["stream", "response", "start"]:  # httpx: sets response.elapsed
                makers.append(kind)
            elif params == ["stream", "start"]:  # httpx2: keeps the time on the stream
                makers.append(_without_response(kind))
            else:  # pragma: no cover - an engine with another bound stream
                return None
        states = module.ClientState
        logger = module.logger
    except Exception:  # pragma: no cover - an engine laid out otherwise
        return None
    return states.CLOSED, states.OPENED, makers[0], makers[1], logger


def _without_response(kind: Any) -> Callable[..., Any]:
    def make(stream: Any, response: Any, start: float) -> Any:
        return kind(stream, start)

    return make


def _parts_for(client: Any, request: httpx.Request, auth: Any, stream_type: type) -> Any:
    """The engine's parts when the first hop of ``request`` may be sent here, else ``None``."""
    if auth is not None or "timeout" not in request.extensions:
        return None
    parts = _engine_parts()
    if (
        parts is None
        or client._state is parts[0]
        or not isinstance(request.stream, stream_type)
        or request.url.userinfo
    ):
        return None
    return parts


def _bind(
    client: Any,
    request: httpx.Request,
    response: httpx.Response,
    start: float,
    bound: Callable[..., Any],
    logger: Any,
) -> None:
    """What httpx does to a hop's response once the transport returns it."""
    response.request = request
    response.stream = bound(response.stream, response, start)
    client.cookies.extract_cookies(response)
    response.default_encoding = client._default_encoding
    if logger.isEnabledFor(logging.INFO):  # the arguments are only worked out for a shown line
        logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def _following(
    client: Any, request: httpx.Request, response: httpx.Response, follow_redirects: bool
) -> Any:
    """The request a redirect the call follows goes on with, or ``None`` when ``response`` is
    the call's answer (not a redirect; or one not followed, which is given its
    ``next_request``: ``None`` when its ``Location`` makes no request, as httpx2 leaves it)."""
    if not redirects(response):
        return None
    if follow_redirects:
        return client._build_redirect_request(request, response)
    try:
        response.next_request = client._build_redirect_request(request, response)
    except httpx.RemoteProtocolError:
        if httpx.__name__ == "httpx":
            raise
        response.next_request = None
    return None


def client_send_sync(
    client: httpx.Client, request: httpx.Request, *, auth: Any, follow_redirects: bool
) -> httpx.Response:
    """``client.send(request, stream=True, auth=auth, follow_redirects=follow_redirects)``."""
    parts = _parts_for(client, request, auth, httpx.SyncByteStream)
    if parts is None:
        return client.send(request, stream=True, auth=auth, follow_redirects=follow_redirects)
    client._state = parts[1]
    hooks = client._event_hooks
    for hook in hooks["request"]:
        hook(request)
    transport = client._transport_for_url(request.url)
    start = time.perf_counter()
    try:
        response = transport.handle_request(request)
    except httpx.RequestError as exc:
        exc.request = request
        raise
    _bind(client, request, response, start, parts[2], parts[4])
    try:
        for hook in hooks["response"]:
            hook(response)
        following = _following(client, request, response, follow_redirects)
        if following is None:
            return response
        response.read()
    except BaseException:
        response.close()
        raise
    later: httpx.Response = client._send_handling_redirects(
        following, follow_redirects=True, history=[response]
    )
    return later


async def client_send_async(
    client: httpx.AsyncClient, request: httpx.Request, *, auth: Any, follow_redirects: bool
) -> httpx.Response:
    """``await client.send(request, stream=True, auth=auth, follow_redirects=...)``."""
    parts = _parts_for(client, request, auth, httpx.AsyncByteStream)
    if parts is None:
        return await client.send(request, stream=True, auth=auth, follow_redirects=follow_redirects)
    client._state = parts[1]
    hooks = client._event_hooks
    for hook in hooks["request"]:
        await hook(request)
    transport = client._transport_for_url(request.url)
    start = time.perf_counter()
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        exc.request = request
        raise
    _bind(client, request, response, start, parts[3], parts[4])
    try:
        for hook in hooks["response"]:
            await hook(response)
        following = _following(client, request, response, follow_redirects)
        if following is None:
            return response
        await response.aread()
    except BaseException:
        await response.aclose()
        raise
    later: httpx.Response = await client._send_handling_redirects(
        following, follow_redirects=True, history=[response]
    )
    return later
