"""The request lifecycle, once for sync calls and once for async calls.

config = defaults ⊕ overrides
request interceptors            once per call
call middleware                 wraps the retry engine; may short-circuit
retry engine                    attempts, back-off, Retry-After, cancellation, deadline,
                                idempotency key, replayed request bodies
  attempt middleware            around every attempt
    transform_request → transport → transform_response → validate_status
response interceptors           once per call, errors included
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._body import enable_replay
from ._call import CALL_KEY, CallState, begin, end, unclaimed_streams
from ._cancel import run_cancellable
from ._config import completed, merge_config, revalidate
from ._exceptions import AxiosPythonError, CancelError
from ._headers import HeaderDict
from ._interceptors import run_chain_async, run_chain_sync
from ._middleware import dispatch_async, dispatch_sync
from ._models import Response
from ._retry import RetryPolicy, status_error
from ._send import send_async, send_sync
from ._types import Config
from ._urls import resolve_url

if TYPE_CHECKING:
    from ._client import AxiosPython

__all__ = ["Pipeline"]


def _prepare(config: Config) -> Config:
    """After the request interceptors: a usable dict with a HeaderDict and a URL that can be
    sent. ``url`` stays as the caller wrote it; ``wire_url(ctx)`` is where it goes."""
    if type(config["headers"]) is not HeaderDict:
        config["headers"] = HeaderDict(config["headers"] or {})
    # a relative URL without base_url, or one leaving base_url when absolute URLs are not
    # allowed, fails now, before any hook or attempt
    resolve_url(config["base_url"], config["url"], allow_absolute=config["allow_absolute_urls"])
    state = config.get(CALL_KEY)
    if isinstance(state, CallState):
        client = state.client
        if client is None or client.middleware.check_call or client.middleware.check_attempt:
            state.baseline = config.copy()  # only middleware is checked against it
    return config


def _returned_config(
    entering: Config, returned: Mapping[str, Any], baseline: Mapping[str, Any] | None
) -> Config:
    """What the request interceptors returned, over the config they were given: an interceptor
    may return a partial dict without losing the call's other settings. What they changed is
    validated as ``create()`` validates it (``baseline``: the config before them; ``None`` when
    every request interceptor was registered ``validated=True``: then what they returned, the
    config or a whole copy, is taken as it is)."""
    if returned is entering or (baseline is None and type(returned) is dict):
        config: Config = returned
    else:
        config = completed(returned, entering)
    if baseline is not None:
        state = config.get(CALL_KEY)
        client = state.client if isinstance(state, CallState) else None
        revalidate(config, baseline, None if client is None else client.call_keys)
    if type(config["headers"]) is not HeaderDict:
        config["headers"] = HeaderDict(config["headers"] or {})
    return config


def _checked(ctx: Config) -> Config:
    """``ctx`` with what middleware changed in it validated against the call's baseline."""
    state = ctx.get(CALL_KEY)
    if isinstance(state, CallState) and state.baseline:
        client = state.client
        revalidate(ctx, state.baseline, None if client is None else client.call_keys)
    return ctx


def _state(config: Config) -> CallState | None:
    state = config.get(CALL_KEY)
    return state if isinstance(state, CallState) else None


def _attempt_ctx(ctx: Config, attempt: int, policy: RetryPolicy | None) -> Config:
    """A fresh copy of the call's config per attempt: what one attempt signs never leaks."""
    attempt_ctx = ctx.copy()
    attempt_ctx["headers"] = HeaderDict(ctx["headers"])
    attempt_ctx["attempt"] = attempt
    state = ctx.get(CALL_KEY)
    if isinstance(state, CallState):
        state.attempts = attempt
    if policy is not None:
        policy.prepare(attempt_ctx)
    return attempt_ctx


def _direct(ctx: Config) -> bool:
    """Whether the call is one plain attempt: no retries, no deadline, no idempotency key."""
    return ctx["max_retries"] == 0 and ctx["deadline"] is None and not ctx["idempotency_key"]


def _policy(ctx: Config) -> RetryPolicy:
    policy = RetryPolicy(ctx)
    if policy.can_retry:
        enable_replay(ctx)  # a streamed body is kept (or rewound) to be sent again
    return policy


def _owned(response: Any, ctx: Config) -> Response:
    if not isinstance(response, Response):
        raise TypeError(
            f"middleware returned {response!r}; it must return the Response from next_fn(ctx) "
            "or one it built, e.g. Response(status_code=200, data=...)"
        )
    if not response.config:
        response.config = ctx
    return response


class Pipeline:
    """Runs calls for one AxiosPython instance."""

    def __init__(self, client: AxiosPython) -> None:
        self._client = client

    # -- sync ---------------------------------------------------------------------------------

    def run_sync(self, overrides: Mapping[str, Any]) -> Response:
        client = self._client
        config = merge_config(client._defaults, overrides, client.call_keys)
        token = config["cancel_token"]
        if token is not None:
            token.raise_if_cancelled(config)
        reset = begin(client, config)
        state = _state(config)
        response: Response | None = None
        try:
            response = self._run_sync(config)
            return response
        finally:
            end(reset, state)
            if state is not None and state.streams:
                for stream in unclaimed_streams(state, response):
                    stream.close()

    def _run_sync(self, config: Config) -> Response:
        client = self._client
        request_handlers = client.interceptors.request._handlers
        response_handlers = client.interceptors.response._handlers
        response: Response | None = None
        error: Exception | None = None
        try:
            if request_handlers:
                baseline = config.copy() if client.interceptors.request.checked else None
                config = _returned_config(
                    config,
                    run_chain_sync(request_handlers, "request", Mapping, config, None),
                    baseline,
                )
            ctx = _prepare(config)
            middleware = client.middleware
            if middleware.call:
                leaf = self._retry_checked_sync if middleware.check_call else self._retry_sync
                response = _owned(dispatch_sync(middleware.call, 0, ctx, leaf), ctx)
            elif _direct(ctx) and not middleware.attempt:  # one plain attempt, sent from here
                response = send_sync(client._transports, _attempt_ctx(ctx, 1, None))
            else:
                response = self._retry_sync(ctx)
        except Exception as exc:
            if not response_handlers:
                raise
            error = exc
        if not response_handlers:
            assert response is not None
            return response
        return run_chain_sync(response_handlers, "response", Response, response, error)  # type: ignore[no-any-return]

    def _attempt_sync(self, ctx: Config, attempt: int, policy: RetryPolicy | None) -> Response:
        middleware = self._client.middleware
        attempt_ctx = _attempt_ctx(ctx, attempt, policy)
        if middleware.attempt:
            leaf = self._send_checked_sync if middleware.check_attempt else self._send_sync
            return _owned(dispatch_sync(middleware.attempt, 0, attempt_ctx, leaf), attempt_ctx)
        return self._send_sync(attempt_ctx)

    def _send_checked_sync(self, ctx: Config) -> Response:
        return send_sync(self._client._transports, _checked(ctx))

    def _send_sync(self, ctx: Config) -> Response:
        return send_sync(self._client._transports, ctx)

    def _retry_checked_sync(self, ctx: Config) -> Response:
        return self._retry_sync(_checked(ctx))

    def _retry_sync(self, ctx: Config) -> Response:
        if _direct(ctx):
            return self._attempt_sync(ctx, 1, None)
        policy = _policy(ctx)
        token = ctx["cancel_token"]
        failure: Exception | None = None
        attempt = 0
        while True:
            attempt += 1
            policy.before_attempt(attempt, failure)
            try:
                response = self._attempt_sync(ctx, attempt, policy)
                if not policy.retry_status(response):
                    return response
                error: Exception = status_error(response)
                response.close()
            except AxiosPythonError as exc:
                error = exc
            failure = error
            delay = policy.after_error(error, attempt)
            if token is None:
                time.sleep(delay)
            elif token.wait(delay):
                raise CancelError(token.reason or "Request cancelled", config=ctx) from failure

    # -- async --------------------------------------------------------------------------------

    async def run_async(self, overrides: Mapping[str, Any]) -> Response:
        config = merge_config(self._client._defaults, overrides, self._client.call_keys)
        reset = begin(self._client, config)
        state = _state(config)
        response: Response | None = None
        try:
            token = config["cancel_token"]
            if token is None:
                response = await self._run_async(config)
            else:
                response = await run_cancellable(self._run_async(config), token, config)
            return response
        finally:
            end(reset, state)
            if state is not None and state.streams:
                for stream in unclaimed_streams(state, response):
                    await stream.aclose()

    async def _run_async(self, config: Config) -> Response:
        client = self._client
        request_handlers = client.interceptors.request._handlers
        response_handlers = client.interceptors.response._handlers
        response: Response | None = None
        error: Exception | None = None
        try:
            if request_handlers:
                baseline = config.copy() if client.interceptors.request.checked else None
                config = _returned_config(
                    config,
                    await run_chain_async(request_handlers, "request", Mapping, config, None),
                    baseline,
                )
            ctx = _prepare(config)
            middleware = client.middleware
            if middleware.call:
                leaf = self._retry_checked_async if middleware.check_call else self._retry_async
                response = _owned(await dispatch_async(middleware.call, 0, ctx, leaf), ctx)
            elif _direct(ctx) and not middleware.attempt:  # without three coroutines between
                response = await send_async(client._transports, _attempt_ctx(ctx, 1, None))
            else:
                response = await self._retry_async(ctx)
        except Exception as exc:
            if not response_handlers:
                raise
            error = exc
        if not response_handlers:
            assert response is not None
            return response
        return await run_chain_async(response_handlers, "response", Response, response, error)  # type: ignore[no-any-return]

    async def _attempt_async(
        self, ctx: Config, attempt: int, policy: RetryPolicy | None
    ) -> Response:
        middleware = self._client.middleware
        attempt_ctx = _attempt_ctx(ctx, attempt, policy)
        if middleware.attempt:
            leaf = self._send_checked_async if middleware.check_attempt else self._send_async
            return _owned(
                await dispatch_async(middleware.attempt, 0, attempt_ctx, leaf), attempt_ctx
            )
        return await self._send_async(attempt_ctx)

    async def _send_checked_async(self, ctx: Config) -> Response:
        return await send_async(self._client._transports, _checked(ctx))

    async def _send_async(self, ctx: Config) -> Response:
        return await send_async(self._client._transports, ctx)

    async def _retry_checked_async(self, ctx: Config) -> Response:
        return await self._retry_async(_checked(ctx))

    async def _retry_async(self, ctx: Config) -> Response:
        if _direct(ctx):
            return await self._attempt_async(ctx, 1, None)
        import asyncio

        policy = _policy(ctx)
        failure: Exception | None = None
        attempt = 0
        while True:
            attempt += 1
            policy.before_attempt(attempt, failure)
            try:
                response = await self._attempt_async(ctx, attempt, policy)
                if not policy.retry_status(response):
                    return response
                error: Exception = status_error(response)
                await response.aclose()
            except AxiosPythonError as exc:
                error = exc
            failure = error
            await asyncio.sleep(policy.after_error(error, attempt))
