"""DedupePlugin: concurrent identical requests share one upstream call.

A call-scoped middleware computes a key for every GET and HEAD without a body and without
``stream=True``; calls with the same key share one upstream call through the core's
``SingleFlight`` (one per client), sync calls on threads and async calls on tasks alike.
"""

from __future__ import annotations

import operator
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any

from axios_python import (
    AsyncNext,
    AxiosPythonError,
    CancelError,
    Config,
    Dual,
    HTTPStatusError,
    Response,
    SingleFlight,
    SyncNext,
    check_header_name,
    describe_callable,
    identity,
    wire_url,
)
from axios_python.engine import httpx

if TYPE_CHECKING:
    from axios_python import AxiosPython

__all__ = ["CORRELATION_HEADERS", "DedupePlugin", "DedupeStats"]

Key = tuple[Any, ...]

#: Per-request correlation headers: they differ on every call without changing the answer, so
#: they never keep two requests apart (``ignore_headers`` adds more).
CORRELATION_HEADERS: tuple[str, ...] = (
    "traceparent",
    "tracestate",
    "baggage",
    "x-request-id",
    "x-correlation-id",
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

#: The values of ``_ANSWER_KEYS`` in a config that has them all (a call's), in one C call.
_answer_values = operator.itemgetter(*_ANSWER_KEYS)


def _nothing() -> None:
    return None


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


_SCALARS = frozenset({type(None), bool, int, float, str, bytes})


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a config value: the value itself, or its identity."""
    if type(value) in _SCALARS:  # most of a call's answer keys: None, a flag, a number
        return value
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


def _unchanging(value: Any) -> bool:
    """Whether ``_frozen(value)`` stays right for as long as ``value`` is the same object:
    all but mutable containers (frozen by content), also inside a tuple."""
    if type(value) in _SCALARS:
        return True
    if isinstance(value, (Mapping, list)):
        return isinstance(value, (httpx.Cookies, CookieJar))  # frozen by identity
    if isinstance(value, tuple):
        return all(map(_unchanging, value))
    return True


def _for_caller(response: Response, ctx: Config) -> Response:
    """A follower's own response: a clone of the leader's, with the follower's config."""
    own = response.clone()
    own.config = ctx
    return own


def _error_for_caller(error: BaseException, ctx: Config) -> BaseException:
    """A follower's own copy of the leader's error (``SingleFlight`` copied it, and the
    response of an ``HTTPStatusError``: never a stream here), with the follower's config."""
    if isinstance(error, AxiosPythonError):
        error.config = ctx
    if isinstance(error, HTTPStatusError):
        error.response.config = ctx
    return error


def _header_names(value: Any, option: str, example: str, star: bool = False) -> list[str]:
    """The lower-cased header names of an option (``"*"`` skipped when ``star``)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{option} must be an iterable of header names, e.g. [{example!r}]; got {value!r}"
        )
    return [
        check_header_name(name, f"each name in {option}").lower()
        for name in value
        if not (star and name == "*")
    ]


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

    While a request is in flight, an identical request (same key) made by another thread or
    task waits for it instead of going upstream; sync and async calls of a client share
    flights (the core's ``SingleFlight``). Every caller gets its own ``Response`` (a
    ``clone()``, so changing ``.data`` for one changes nothing for another); an error reaches
    every caller as its own exception of the same type and message.

    The key, computed after the request interceptors (so it sees the headers they and auth
    added), covers the method, the URL the request goes to (``axios_python.wire_url``), who is
    asking (``axios_python.identity``: credentials, ``auth=``, cookies of the call and of the
    client's jar), every request header except per-request correlation headers
    (``CORRELATION_HEADERS`` and ``ignore_headers``), the config keys that change what a call
    returns (``timeout``, ``follow_redirects``, ``validate_status``, transforms, retry
    settings, extensions, connection options) and ``vary_key(ctx)``. Two requests share a
    response only when they are truly identical. Requests with a body and ``stream=True``
    requests are never collapsed.

    Cancellation: a follower's own ``CancelToken`` (or the cancellation of its task) cancels
    only that follower. When the leader is cancelled, its followers are not failed with its
    cancellation: the first of them to wake leads a new request and the others follow it.
    A request made from inside a leader's own call never waits for that leader, and a sync call
    made on a thread that runs an event loop never waits for another call: both go upstream.

    Options:
        ignore_headers: more per-request headers that never keep two requests apart, e.g.
            ``["X-B3-TraceId"]`` (credential headers still count: they are in the identity).
        vary_key: ``f(ctx) -> value`` whose result joins the key (e.g. the current user, when
            a credential is added per attempt, where the key cannot see it).
        methods: the methods collapsed, among GET, HEAD and OPTIONS (default GET and HEAD).
        vary_headers: deprecated: every header counts now; the names given count even when
            they are correlation headers.
    """

    name = "dedupe"

    def __init__(
        self,
        *,
        ignore_headers: Iterable[str] = (),
        vary_key: Callable[[Config], object] | None = None,
        methods: Iterable[str] = ("GET", "HEAD"),
        vary_headers: Iterable[str] | None = None,
    ) -> None:
        extra = _header_names(ignore_headers, "ignore_headers", "X-B3-TraceId")
        self.ignore_headers = tuple(dict.fromkeys((*CORRELATION_HEADERS, *extra)))
        counted = (
            []
            if vary_headers is None
            else _header_names(vary_headers, "vary_headers", "X-Tenant", star=True)
        )
        if vary_key is not None and not callable(vary_key):
            raise TypeError(
                f"vary_key must be a function f(ctx) -> value (e.g. the current user), "
                f"got {vary_key!r}"
            )
        self.vary_key = vary_key
        self.methods = _check_methods(methods)
        self.vary_headers = tuple(dict.fromkeys(counted))
        self._ignored = frozenset(self.ignore_headers) - frozenset(self.vary_headers)
        if vary_headers is not None:
            warnings.warn(
                "DedupePlugin(vary_headers=...) is deprecated: every request header now counts "
                "in the dedupe key, except per-request correlation headers (traceparent, "
                "tracestate, baggage, X-Request-Id, X-Correlation-Id and ignore_headers); the "
                "names given still count",
                DeprecationWarning,
                stacklevel=2,
            )
        self._lock = threading.Lock()
        #: the last answer values frozen (``_answer``), with the values
        self._last_answer: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None
        #: the last wire URL's text, with a weak reference to the URL (which may carry a
        #: credential: not kept alive here)
        self._last_url: tuple[Callable[[], Any], str] = (_nothing, "")
        self._flights: weakref.WeakKeyDictionary[AxiosPython, SingleFlight[Response]] = (
            weakref.WeakKeyDictionary()
        )
        # flights of clients the plugin was removed from, while followers still wait there,
        # and the counters of the others
        self._retired: list[SingleFlight[Response]] = []
        self._retired_leaders = 0
        self._retired_collapsed = 0

    def __repr__(self) -> str:
        options = [
            f"methods={sorted(self.methods)!r}",
            f"ignore_headers={list(self.ignore_headers)!r}",
        ]
        if self.vary_key is not None:
            options.append(f"vary_key={describe_callable(self.vary_key)}")
        if self.vary_headers:
            options.append(f"vary_headers={list(self.vary_headers)!r}")
        return f"DedupePlugin({', '.join(options)})"

    # -- plugin contract ------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the call-scoped middleware (both forms) on ``client``, with its flights."""
        flights: SingleFlight[Response] = SingleFlight()
        with self._lock:
            self._flights[client] = flights

        def sync_form(ctx: Config, next_fn: SyncNext) -> Response:
            key = self.key(ctx, client)
            if key is None:
                return next_fn(ctx)
            try:
                return flights.run_sync(
                    key,
                    lambda: next_fn(ctx),
                    share=Response.clone,
                    follow=lambda response: _for_caller(response, ctx),
                    follow_error=lambda error: _error_for_caller(error, ctx),
                    cancel_token=ctx.get("cancel_token"),
                )
            except CancelError as exc:  # a follower's own token: the error names its call
                if exc.config is None:
                    exc.config = ctx
                raise

        async def async_form(ctx: Config, next_fn: AsyncNext) -> Response:
            key = self.key(ctx, client)
            if key is None:
                return await next_fn(ctx)
            return await flights.run_async(
                key,
                lambda: next_fn(ctx),
                share=Response.clone,
                follow=lambda response: _for_caller(response, ctx),
                follow_error=lambda error: _error_for_caller(error, ctx),
            )

        client.use(Dual(sync=sync_form, async_=async_form), validated=True)  # passes ctx on

    def uninstall(self, client: AxiosPython) -> None:
        """Clear ``client``'s flights: later calls start their own, calls already in flight
        finish normally (leaders still answer the followers already waiting for them)."""
        with self._lock:
            flights = self._flights.pop(client, None)
            if flights is not None:
                self._retired.append(flights)
        if flights is not None:
            flights.clear()
        with self._lock:
            self._fold_retired()

    def _fold_retired(self) -> None:
        """Keep only the counters of removed clients' flights once no follower waits there
        (their counts are final then). Called with ``_lock`` held."""
        for retired in list(self._retired):
            done = retired.stats()
            if done.waiting == 0:
                self._retired.remove(retired)
                self._retired_leaders += done.leaders
                self._retired_collapsed += done.followers

    def stats(self) -> DedupeStats:
        """How many calls led, how many were collapsed, and what is in flight now, over every
        client the plugin serves (the counters of clients it was removed from are kept)."""
        with self._lock:
            self._fold_retired()
            now = [flights.stats() for flights in (*self._flights.values(), *self._retired)]
            return DedupeStats(
                leaders=self._retired_leaders + sum(s.leaders for s in now),
                collapsed=self._retired_collapsed + sum(s.followers for s in now),
                in_flight=sum(s.in_flight for s in now),
                waiting=sum(s.waiting for s in now),
            )

    # -- the key --------------------------------------------------------------------------

    def _answer(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """The frozen answer keys. Most calls pass their client's defaults, the same objects
        every time: their frozen form is remembered for the objects that cannot change
        unseen (everything but dicts and lists, which are frozen by content)."""
        last = self._last_answer
        if last is not None and all(map(operator.is_, values, last[0])):
            return last[1]
        frozen = tuple(map(_frozen, values))
        if all(map(_unchanging, values)):
            self._last_answer = (values, frozen)
        return frozen

    def key(self, ctx: Config, client: AxiosPython | None = None) -> Key | None:
        """The dedupe key of a request context (``client`` defaults to the call's), or
        ``None`` when it is never collapsed."""
        method = str(ctx.get("method", "")).upper()
        if method not in self.methods or ctx.get("stream"):
            return None
        get = ctx.get
        if not (get("data") is get("json") is get("files") is get("content") is None):
            return None  # a body
        try:
            wire = wire_url(ctx)
        except (httpx.InvalidURL, TypeError, ValueError):
            return None  # the core reports the bad URL
        last = self._last_url
        if last[0]() is wire:  # a client's calls reuse their URL objects (wire_url)
            url = last[1]
        else:
            url = str(wire)
            self._last_url = (weakref.ref(wire), url)
        raw_headers: Mapping[str, Any] = ctx.get("headers") or {}
        ignored = self._ignored
        headers = [
            (lower, str(value))
            for name, value in raw_headers.items()
            if value is not None and (lower := str(name).lower()) not in ignored
        ]
        headers.sort()
        try:
            values = _answer_values(ctx)  # one C call: a call's config has every key
        except KeyError:  # a partial dict given by hand
            values = tuple(map(ctx.get, _ANSWER_KEYS))
        answer = self._answer(values)
        extra = None if self.vary_key is None else _frozen(self.vary_key(ctx))
        return (method, url, identity(ctx, client), tuple(headers), answer, extra)
