"""DedupePlugin: concurrent identical requests share one upstream call.

A call-scoped middleware computes a key for every GET and HEAD without a body and without
``stream=True``. The first call with a key (the *leader*) goes upstream; calls with the same key
that arrive while it is in flight (*followers*) wait for its outcome instead of sending their own
request. Async calls collapse per event loop (an ``asyncio`` future per flight); sync calls
collapse across threads (a ``threading.Event`` per waiting follower).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any

import httpx

from axios_python import (
    AsyncNext,
    AxiosPythonError,
    CancelError,
    Config,
    Dual,
    HTTPStatusError,
    SyncNext,
    request_url,
)

if TYPE_CHECKING:
    from axios_python import AxiosPython, CancelToken, Response

__all__ = ["DEFAULT_VARY_HEADERS", "DedupePlugin", "DedupeStats"]

Key = tuple[Any, ...]

#: Request headers that always take part in the key: they change the answer (or whose answer).
DEFAULT_VARY_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "accept",
    "accept-encoding",
    "accept-language",
)

#: Methods that may be collapsed: safe methods, whose repetition the server cannot tell apart.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Config keys besides URL and headers that change what a call returns (or raises).
_ANSWER_KEYS = (
    "auth",
    "cookies",
    "follow_redirects",
    "timeout",
    "validate_status",
    "transform_request",
    "transform_response",
    "max_retries",
    "retry_strategy",
    "retry_on",
    "retry_methods",
    "extensions",
    "transport",
    "limits",
    "verify",
    "cert",
    "proxy",
    "trust_env",
)

#: Config keys that carry a request body.
_BODY_KEYS = ("data", "json", "files", "content")

_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


@dataclass(frozen=True)
class DedupeStats:
    """Counters of one ``DedupePlugin`` (``plugin.stats()``), across every client it serves."""

    #: Calls that went upstream as the leader of a flight.
    leaders: int
    #: Calls answered (response or error) by another call's upstream request.
    collapsed: int
    #: Flights in progress now.
    in_flight: int
    #: Followers waiting now for a leader that has not answered yet.
    waiting: int


class _Outcome:
    """How a flight ended: a response, an error, or ``gone`` (the leader was cancelled)."""

    __slots__ = ("error", "response")

    def __init__(self, response: Response | None = None, error: BaseException | None = None):
        self.response = response
        self.error = error

    @property
    def gone(self) -> bool:
        return self.response is None and self.error is None


_GONE = _Outcome()


class _SyncFlight:
    __slots__ = ("done", "outcome", "waiters")

    def __init__(self) -> None:
        self.done = False
        self.outcome: _Outcome | None = None
        self.waiters: list[threading.Event] = []


class _AsyncFlight:
    __slots__ = ("future", "waiters")

    def __init__(self, future: asyncio.Future[_Outcome]) -> None:
        self.future = future
        self.waiters = 0


class _ClientState:
    """The flights of one client: sync ones, and async ones per event loop."""

    __slots__ = ("async_flights", "sync_flights")

    def __init__(self) -> None:
        self.sync_flights: dict[Key, _SyncFlight] = {}
        self.async_flights: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[Key, _AsyncFlight]
        ] = weakref.WeakKeyDictionary()


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a config value: the value itself, or its identity."""
    if isinstance(value, (httpx.Cookies, CookieJar)):
        return ("id", id(value))  # a live jar: equal only to itself
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_frozen(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))  # kept alive by the leader's config while the flight lives
    return value


def _request_url(ctx: Config) -> tuple[str, ...]:
    """The URL the core sends the request to (``params`` merged into the query string)."""
    return (str(request_url(ctx)),)


def _copy_error(error: BaseException, ctx: Config) -> BaseException:
    """A follower's own copy of the leader's error: same type, message and cause."""
    cls = type(error)
    try:
        copy = cls.__new__(cls, *error.args)
        copy.__dict__.update(error.__dict__)
    except Exception:
        return error
    copy.args = error.args
    copy.__cause__ = error.__cause__
    copy.__context__ = error.__context__
    copy.__suppress_context__ = error.__suppress_context__
    if isinstance(copy, AxiosPythonError):
        copy.config = ctx
    if isinstance(copy, HTTPStatusError):
        try:
            response = copy.response.clone()
        except Exception:  # a streamed body cannot be copied: share it
            pass
        else:
            response.config = ctx
            copy.response = response
    return copy


def _deliver(outcome: _Outcome, ctx: Config) -> Response:
    if outcome.error is not None:
        raise _copy_error(outcome.error, ctx)
    assert outcome.response is not None
    response = outcome.response.clone()
    response.config = ctx
    return response


def _leader_gone(error: BaseException) -> bool:
    """Whether the leader stopped for its own reasons (cancelled), not for the request's."""
    return isinstance(error, (CancelError, asyncio.CancelledError)) or not isinstance(
        error, Exception
    )


def _check_vary(vary_headers: Any) -> tuple[tuple[str, ...], bool]:
    if isinstance(vary_headers, (str, bytes)) or not isinstance(vary_headers, Iterable):
        raise TypeError(
            "vary_headers must be an iterable of header names, e.g. ['X-Tenant'], or ['*'] "
            f"for every header; got {vary_headers!r}"
        )
    names: list[str] = []
    every = False
    for name in vary_headers:
        if name == "*":
            every = True
        elif isinstance(name, str) and name and set(name) <= _TOKEN_CHARS:
            names.append(name.lower())
        else:
            raise ValueError(
                f"vary_headers: {name!r} is not a header name; accepted: names such as "
                "'X-Tenant', or '*' for every header"
            )
    return tuple(dict.fromkeys((*DEFAULT_VARY_HEADERS, *names))), every


def _check_methods(methods: Any) -> frozenset[str]:
    if isinstance(methods, (str, bytes)) or not isinstance(methods, Iterable):
        raise TypeError(f"methods must be an iterable of method names, got {methods!r}")
    result = set()
    for method in methods:
        upper = method.upper() if isinstance(method, str) else method
        if upper not in _SAFE_METHODS:
            raise ValueError(
                f"methods: {method!r} cannot be deduplicated; accepted: "
                f"{', '.join(sorted(_SAFE_METHODS))} (safe methods only)"
            )
        result.add(upper)
    if not result:
        raise ValueError("methods must name at least one of GET, HEAD, OPTIONS")
    return frozenset(result)


class DedupePlugin:
    """Collapses concurrent identical GET and HEAD requests into one upstream call.

    While a request is in flight, an identical request (same key) made by another thread (sync
    calls) or task on the same event loop (async calls) waits for it instead of going upstream.
    Every caller gets its own ``Response`` (a ``clone()``, so changing ``.data`` for one changes
    nothing for another); an error reaches every caller as its own exception of the same type
    and message.

    The key covers the method, the URL the core sends (``axios_python.request_url``), the request
    headers that change the answer (``DEFAULT_VARY_HEADERS`` plus ``vary_headers``), and the
    config keys that change what a call returns: ``cookies``, ``auth``, ``timeout``,
    ``follow_redirects``, ``validate_status``, transforms, retry settings, extensions and
    connection options. It is computed after the request interceptors, so it sees the headers
    they added: two users never share a response. Requests with a body and ``stream=True``
    requests are never collapsed; sync and async calls never collapse with each other.

    Cancellation: a follower's own ``CancelToken`` (or the cancellation of its task) cancels
    only that follower. When the leader is cancelled (its token, its task, or any
    ``BaseException`` such as ``KeyboardInterrupt``), its followers are not failed with its
    cancellation: the first of them to wake becomes the new leader and sends the request, the
    others follow it; a follower whose own token is cancelled too raises ``CancelError``.

    A request made from inside a leader's own call (by middleware registered after this plugin)
    is never made to wait for that leader: it goes upstream.

    What is added per attempt (attempt-scoped middleware, such as ``AuthPlugin``'s credential)
    is not visible to the key: when it depends on who is calling (a ``token_provider`` reading a
    context variable), pass ``vary_key`` to put that identity in the key.

    Options:
        vary_headers: more request headers that make two requests different, e.g.
            ``["X-Tenant"]``; ``["*"]`` makes every header count.
        vary_key: ``f(ctx) -> value`` whose result joins the key (e.g. the current user).
        methods: the methods collapsed, among GET, HEAD and OPTIONS (default GET and HEAD).
    """

    name = "dedupe"

    def __init__(
        self,
        *,
        vary_headers: Iterable[str] = (),
        vary_key: Callable[[Config], object] | None = None,
        methods: Iterable[str] = ("GET", "HEAD"),
    ) -> None:
        self.vary_headers, self._every_header = _check_vary(vary_headers)
        if vary_key is not None and not callable(vary_key):
            raise TypeError(
                f"vary_key must be a function f(ctx) -> value (e.g. the current user), "
                f"got {vary_key!r}"
            )
        self.vary_key = vary_key
        self.methods = _check_methods(methods)
        self._lock = threading.Lock()
        # keys this context is leading: a call made from inside a leader's own call (a nested
        # request from middleware below) must not wait for itself
        self._leading: contextvars.ContextVar[frozenset[Key]] = contextvars.ContextVar(
            f"axios_python_dedupe_{id(self)}", default=frozenset()
        )
        self._states: weakref.WeakKeyDictionary[AxiosPython, _ClientState] = (
            weakref.WeakKeyDictionary()
        )
        self._leaders = 0
        self._collapsed = 0
        self._waiting = 0

    def __repr__(self) -> str:
        return f"<DedupePlugin methods={sorted(self.methods)} vary={list(self.vary_headers)}>"

    # -- plugin contract ------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the call-scoped middleware (both forms) on ``client``."""
        state = _ClientState()
        with self._lock:
            self._states[client] = state

        def sync_form(ctx: Config, next_fn: SyncNext) -> Response:
            return self._sync(state, ctx, next_fn)

        async def async_form(ctx: Config, next_fn: AsyncNext) -> Response:
            return await self._async(state, ctx, next_fn)

        client.use(Dual(sync=sync_form, async_=async_form))

    def uninstall(self, client: AxiosPython) -> None:
        """Forget ``client``'s in-flight requests. Calls already in flight finish normally:
        leaders still answer the followers already waiting for them."""
        with self._lock:
            state = self._states.pop(client, None)
        if state is not None:
            with self._lock:
                state.sync_flights.clear()
                loops = list(state.async_flights.values())
                state.async_flights.clear()
            for flights in loops:
                flights.clear()  # dict.clear is atomic; leaders settle their own flight objects

    def stats(self) -> DedupeStats:
        """How many calls led, how many were collapsed, and what is in flight now."""
        with self._lock:
            in_flight = 0
            for state in list(self._states.values()):
                in_flight += len(state.sync_flights)
                in_flight += sum(len(f) for f in list(state.async_flights.values()))
            return DedupeStats(self._leaders, self._collapsed, in_flight, self._waiting)

    # -- the key --------------------------------------------------------------------------

    def key(self, ctx: Config) -> Key | None:
        """The dedupe key of a request context, or ``None`` when it is never collapsed."""
        method = str(ctx.get("method", "")).upper()
        if method not in self.methods or ctx.get("stream"):
            return None
        if any(ctx.get(name) is not None for name in _BODY_KEYS):
            return None
        try:
            url = _request_url(ctx)
        except (httpx.InvalidURL, TypeError, ValueError):
            return None  # the core reports the bad URL
        raw_headers: Mapping[str, Any] = ctx.get("headers") or {}
        headers = {str(k).lower(): v for k, v in raw_headers.items()}
        varying: tuple[Any, ...]
        if self._every_header:
            varying = tuple(sorted(headers.items()))
        else:
            varying = tuple(headers.get(name) for name in self.vary_headers)
        answer = tuple(_frozen(ctx.get(name)) for name in _ANSWER_KEYS)
        extra = None if self.vary_key is None else _frozen(self.vary_key(ctx))
        return (method, url, varying, answer, extra)

    # -- sync -----------------------------------------------------------------------------

    def _sync(self, state: _ClientState, ctx: Config, next_fn: SyncNext) -> Response:
        key = self.key(ctx)
        if key is None or key in self._leading.get():
            return next_fn(ctx)
        token: CancelToken | None = ctx.get("cancel_token")
        while True:
            wake = threading.Event()
            with self._lock:
                flights = state.sync_flights
                flight = flights.get(key)
                lead = flight is None
                if flight is None:
                    flight = flights[key] = _SyncFlight()
                    self._leaders += 1
                else:
                    flight.waiters.append(wake)
                    self._waiting += 1
            if lead:
                return self._lead_sync(flights, key, flight, ctx, next_fn)
            outcome = self._follow_sync(flight, wake, token, ctx)
            if not outcome.gone:
                return _deliver(outcome, ctx)
            if token is not None:
                token.raise_if_cancelled(ctx)
            # the leader was cancelled: lead (or follow whoever leads now)

    def _lead_sync(
        self,
        flights: dict[Key, _SyncFlight],
        key: Key,
        flight: _SyncFlight,
        ctx: Config,
        next_fn: SyncNext,
    ) -> Response:
        reset = self._leading.set(self._leading.get() | {key})
        try:
            response = next_fn(ctx)
        except BaseException as exc:
            self._settle_sync(flights, key, flight, None, exc)
            raise
        finally:
            self._leading.reset(reset)
        self._settle_sync(flights, key, flight, response, None)
        return response

    def _settle_sync(
        self,
        flights: dict[Key, _SyncFlight],
        key: Key,
        flight: _SyncFlight,
        response: Response | None,
        error: BaseException | None,
    ) -> None:
        with self._lock:
            if flights.get(key) is flight:
                del flights[key]
            flight.done = True
            waiters = list(flight.waiters)
            self._waiting -= len(waiters)  # answered now, whenever their threads wake
        flight.outcome = self._outcome(response, error, bool(waiters))
        for wake in waiters:
            wake.set()

    def _follow_sync(
        self, flight: _SyncFlight, wake: threading.Event, token: CancelToken | None, ctx: Config
    ) -> _Outcome:
        unsubscribe = None if token is None else token.subscribe(lambda reason: wake.set())
        try:
            wake.wait()
        finally:
            if unsubscribe is not None:
                unsubscribe()
            with self._lock:
                if not flight.done:  # leaving before the leader answered
                    flight.waiters.remove(wake)
                    self._waiting -= 1
        outcome = flight.outcome
        if outcome is None:  # woken by the follower's own token
            assert token is not None
            token.raise_if_cancelled(ctx)
            raise CancelError(token.reason or "Request cancelled", config=ctx)
        if not outcome.gone:
            with self._lock:
                self._collapsed += 1
        return outcome

    # -- async ----------------------------------------------------------------------------

    def _loop_flights(
        self, state: _ClientState, loop: asyncio.AbstractEventLoop
    ) -> dict[Key, _AsyncFlight]:
        flights = state.async_flights.get(loop)
        if flights is None:
            with self._lock:
                flights = state.async_flights.setdefault(loop, {})
        return flights

    async def _async(self, state: _ClientState, ctx: Config, next_fn: AsyncNext) -> Response:
        key = self.key(ctx)
        if key is None or key in self._leading.get():
            return await next_fn(ctx)
        loop = asyncio.get_running_loop()
        token: CancelToken | None = ctx.get("cancel_token")
        while True:
            flights = self._loop_flights(state, loop)
            flight = flights.get(key)
            if flight is None:
                flight = flights[key] = _AsyncFlight(loop.create_future())
                with self._lock:
                    self._leaders += 1
                return await self._lead_async(flights, key, flight, ctx, next_fn)
            flight.waiters += 1
            with self._lock:
                self._waiting += 1
            try:
                # shield: a cancelled follower must not cancel the flight the others wait on
                outcome = await asyncio.shield(flight.future)
            except BaseException:
                if not flight.future.done():  # leaving before the leader answered
                    flight.waiters -= 1
                    with self._lock:
                        self._waiting -= 1
                raise
            if not outcome.gone:
                with self._lock:
                    self._collapsed += 1
                return _deliver(outcome, ctx)
            if token is not None:
                token.raise_if_cancelled(ctx)

    async def _lead_async(
        self,
        flights: dict[Key, _AsyncFlight],
        key: Key,
        flight: _AsyncFlight,
        ctx: Config,
        next_fn: AsyncNext,
    ) -> Response:
        reset = self._leading.set(self._leading.get() | {key})
        try:
            response = await next_fn(ctx)
        except BaseException as exc:
            self._settle_async(flights, key, flight, None, exc)
            raise
        finally:
            self._leading.reset(reset)
        self._settle_async(flights, key, flight, response, None)
        return response

    def _settle_async(
        self,
        flights: dict[Key, _AsyncFlight],
        key: Key,
        flight: _AsyncFlight,
        response: Response | None,
        error: BaseException | None,
    ) -> None:
        if flights.get(key) is flight:
            del flights[key]
        if not flight.future.done():
            with self._lock:
                self._waiting -= flight.waiters  # answered now, whenever their tasks resume
            flight.future.set_result(self._outcome(response, error, flight.waiters > 0))

    # -- shared ---------------------------------------------------------------------------

    @staticmethod
    def _outcome(
        response: Response | None, error: BaseException | None, followed: bool
    ) -> _Outcome:
        """What the followers get. The response is copied now, before the leader's caller (its
        response interceptors) can change it; followers then clone this pristine copy."""
        if error is not None:
            return _GONE if _leader_gone(error) else _Outcome(error=error)
        if not followed:
            return _GONE  # nobody is waiting: nothing to copy
        assert response is not None
        try:
            return _Outcome(response=response.clone())
        except Exception as exc:
            return _Outcome(error=exc)
