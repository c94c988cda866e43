"""CachePlugin: call-scope middleware (both forms) that answers from a storage what the
policy allows, and stores what the origin sends."""

from __future__ import annotations

import hashlib
import inspect
import logging
import math
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, get_args

import axios_python
from axios_python import (
    AsyncNext,
    Config,
    Dual,
    HeaderDict,
    HTTPStatusError,
    NetworkError,
    Response,
    RetryError,
    SingleFlight,
    SyncNext,
    describe_callable,
    hook_forms,
    identity,
    wire_url,
)
from axios_python.engine import httpx

from . import _policy as policy
from ._entry import Entry
from ._status import CacheInfo, CacheStats, CacheStatus
from ._storage import CacheKey, CacheStorage, Lease, MemoryStorage, StorageUnavailable, Stored
from ._streams import tee_async, tee_sync

if TYPE_CHECKING:
    from axios_python import AxiosPython

__all__ = ["ACCEPTED", "CachePlugin", "check_cache_option", "url_key"]

T = TypeVar("T")
#: A flow: a generator of operations (see ``CachePlugin._flow``) returning ``T``.
Flow = Generator[tuple[Any, ...], Any, T]

log = logging.getLogger("axios_python.cache")

#: What the per-call ``cache`` key accepts.
ACCEPTED = (
    "True, False (bypass the cache), 'refresh' (revalidate with the origin now) or a ttl in "
    "seconds for this call (e.g. 30)"
)

#: The statuses that count as the origin failing (stale-if-error), with network errors.
_ORIGIN_ERRORS = frozenset({500, 502, 503, 504})
_CACHED_METHODS = frozenset({"GET", "HEAD"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_MIB = 1024 * 1024


def _bypassed(ctx: Config) -> bool:
    """``cache=False`` on a safe method: the flow would only send and mark (``_prepare``
    says ``"bypass"``); the drivers skip it. Unsafe methods still invalidate."""
    return (
        ctx.get("cache", True) is False and str(ctx.get("method", "GET")).upper() in _SAFE_METHODS
    )


def check_cache_option(value: Any) -> bool | float | str:
    """The per-call ``cache`` option, normalised: ``True``/``False``, ``"refresh"`` or a ttl
    in seconds (a float)."""
    if isinstance(value, bool) or value == "refresh":
        return value  # type: ignore[no-any-return]
    if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0:
        return float(value)
    raise ValueError(f"cache={value!r}")


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return value


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def url_key(url: httpx.URL) -> str:
    """The ``CacheKey.url`` of a URL (a digest; the fragment never counts)."""
    return _digest("url", str(url.copy_with(fragment=None) if url.fragment else url))


class _Call:
    """One call as the cache sees it."""

    __slots__ = ("headers", "key", "method", "refresh", "settings", "stream", "url")

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        key: CacheKey,
        headers: dict[str, str],
        settings: policy.Settings,
        refresh: bool,
        stream: bool,
    ) -> None:
        self.method = method
        self.url = url
        self.key = key
        self.headers = headers
        self.settings = settings
        self.refresh = refresh
        self.stream = stream


class _Outcome(NamedTuple):
    """What the fetch of a flight's leader gave: its response (``None`` for followers),
    whether an entry was stored, and whether the origin failed (the leader served stale)."""

    response: Response | None
    stored: bool
    failed: bool = False


def _for_followers(outcome: _Outcome) -> _Outcome:
    return _Outcome(None, outcome.stored, outcome.failed)


class CachePlugin:
    """HTTP caching (RFC 9111) for GET and HEAD, in this process's memory by default.

    ::

        api.plugin(CachePlugin(ttl=60, max_size=128))
        api.get("/config")                   # miss: stored
        api.get("/config")                   # hit: no request sent
        api.get("/config", cache=False)      # bypass
        api.get("/config", cache="refresh")  # revalidated with the origin now
        api.get("/config", cache=300)        # this call's ttl
        get_cache_info(response).status      # "hit", "stale", "revalidated", "miss", "bypass"

    Options:
        ttl: seconds a response is fresh when it states no freshness (``max-age``,
            ``Expires``...); 0 turns that heuristic off (such responses are then only stored
            to be revalidated, with a validator).
        max_size: the most entries kept in memory (least recently used out first).
        max_bytes: the most bytes kept in memory.
        max_entry_bytes: the largest response stored (a stream is stored when read to the
            end, buffering at most this much).
        shared: behave as a shared cache (RFC 9111): honour ``s-maxage``, do not store
            ``private`` responses, nor responses to requests with ``Authorization`` unless
            they allow it. Entries are partitioned by the caller's identity either way.
        stale_while_revalidate: seconds a stale response may still be served while it is
            refreshed in the background, when the response gives no
            ``stale-while-revalidate`` of its own.
        stale_if_error: seconds a stale response may be served when the origin fails or is
            unreachable, when the response gives no ``stale-if-error`` of its own.
        keep_stale: seconds a stale response with a validator (ETag, Last-Modified) is kept
            to be revalidated.
        storage: where entries live (a ``CacheStorage``); by default a ``MemoryStorage`` of
            ``max_size`` entries and ``max_bytes`` bytes.
        clock: ``f() -> seconds`` (default ``time.time``), the time freshness is judged by.
    """

    name = "cache"

    def __init__(
        self,
        ttl: float = 60,
        max_size: int = 128,
        *,
        max_bytes: int = 64 * _MIB,
        max_entry_bytes: int = 8 * _MIB,
        shared: bool = False,
        stale_while_revalidate: float = 0,
        stale_if_error: float = 0,
        keep_stale: float = 3600,
        storage: CacheStorage | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.ttl = _seconds(ttl, "ttl")
        self.max_size = _count(max_size, "max_size")
        self.max_bytes = _count(max_bytes, "max_bytes")
        self.max_entry_bytes = _count(max_entry_bytes, "max_entry_bytes")
        if not isinstance(shared, bool):
            raise TypeError(f"shared must be True or False, got {shared!r}")
        self.shared = shared
        self.stale_while_revalidate = _seconds(stale_while_revalidate, "stale_while_revalidate")
        self.stale_if_error = _seconds(stale_if_error, "stale_if_error")
        self.keep_stale = _seconds(keep_stale, "keep_stale")
        if clock is not None and not callable(clock):
            raise TypeError(f"clock must be a function f() -> seconds, got {clock!r}")
        self.clock: Callable[[], float] = clock or time.time
        if storage is not None and not isinstance(storage, CacheStorage):
            raise TypeError(
                f"storage must be a CacheStorage (e.g. MemoryStorage()), got {storage!r}"
            )
        self.storage: CacheStorage = (
            MemoryStorage(self.max_size, self.max_bytes, clock=self.clock)
            if storage is None
            else storage
        )
        self._settings = policy.Settings(
            ttl=self.ttl,
            shared=self.shared,
            stale_while_revalidate=self.stale_while_revalidate,
            stale_if_error=self.stale_if_error,
            keep_stale=self.keep_stale,
        )
        self._flights: SingleFlight[_Outcome] = SingleFlight()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = dict.fromkeys(
            set(CacheStats.__dataclass_fields__) - {"refreshing", "waiting"}, 0
        )
        self._refreshing: set[CacheKey] = set()
        self._tasks: set[Any] = set()
        self._warned_at = -math.inf
        self._unwarned = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_options())})"

    def _repr_options(self) -> list[str]:
        options = [f"ttl={self.ttl:g}", f"max_size={self.max_size}"]
        if self.max_bytes != 64 * _MIB:
            options.append(f"max_bytes={self.max_bytes}")
        if self.max_entry_bytes != 8 * _MIB:
            options.append(f"max_entry_bytes={self.max_entry_bytes}")
        if self.shared:
            options.append("shared=True")
        if self.stale_while_revalidate:
            options.append(f"stale_while_revalidate={self.stale_while_revalidate:g}")
        if self.stale_if_error:
            options.append(f"stale_if_error={self.stale_if_error:g}")
        if self.keep_stale != 3600:
            options.append(f"keep_stale={self.keep_stale:g}")
        if not isinstance(self.storage, MemoryStorage):
            options.append(f"storage={self.storage!r}")
        if self.clock is not time.time:
            options.append(f"clock={describe_callable(self.clock)}")
        return options

    # -- plugin contract ----------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the per-call ``cache`` option and the call-scope middleware (both
        forms: a sync call, hit or miss, never touches an event loop)."""
        client.call_keys.register("cache", check=check_cache_option, accepted=ACCEPTED)
        client.use(Dual(sync=self._sync, async_=self._async), validated=True)  # headers only

    def uninstall(self, client: AxiosPython) -> None:
        """Stop the background refreshes still running for the plugin's calls (entries stay:
        attach the plugin again and they are served again)."""
        for task in list(self._tasks):
            task.cancel()

    def stats(self) -> CacheStats:
        """Counters since the plugin was created."""
        flights = self._flights.stats()
        with self._lock:
            return CacheStats(
                **self._counts, refreshing=len(self._refreshing), waiting=flights.waiting
            )

    def clear(self) -> None:
        """Forget every entry of a ``MemoryStorage``."""
        if isinstance(self.storage, MemoryStorage):
            self.storage.clear()

    def _add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[counter] += amount

    # -- what a call is -----------------------------------------------------------------------

    def _prepare(self, ctx: Config) -> _Call | str:
        """The call as the cache sees it, or why the cache takes no part: ``"unsafe"`` (its
        URL's entries are invalidated on success) or ``"bypass"``."""
        method = str(ctx.get("method", "GET")).upper()
        option = ctx.get("cache", True)
        if method not in _SAFE_METHODS:
            return "unsafe"
        if option is False or method not in _CACHED_METHODS:
            return "bypass"
        headers = {
            str(k).lower(): str(v) for k, v in (ctx.get("headers") or {}).items() if v is not None
        }
        if policy.CONDITIONAL_REQUEST_HEADERS.intersection(headers):
            return "bypass"
        if any(ctx.get(name) is not None for name in ("data", "json", "files", "content")):
            return "bypass"
        url = wire_url(ctx)
        key = CacheKey(url_key(url), _digest("part", method, identity(ctx)))
        settings = self._settings
        if isinstance(option, float):
            settings = policy.Settings(
                ttl=option,
                shared=settings.shared,
                stale_while_revalidate=settings.stale_while_revalidate,
                stale_if_error=settings.stale_if_error,
                keep_stale=settings.keep_stale,
            )
        return _Call(
            method, url, key, headers, settings, option == "refresh", bool(ctx.get("stream"))
        )

    # -- the flows: what to do, as operations a driver runs on one path -----------------------
    #
    # Every flow is a generator yielding operations (tuples: a name and its arguments) and
    # receiving their results; ``_drive_sync`` runs them with the storage's sync methods and
    # the call's sync ``next_fn``, ``_drive_async`` awaits the async ones. One definition of
    # the caching logic serves both paths, and a sync call never touches an event loop.

    def _flow(self, ctx: Config) -> Flow[Response]:
        call = self._prepare(ctx)
        if call == "unsafe":
            response = yield ("send", ctx)
            if response.status_code < 400:
                for url in self._invalidated_urls(ctx, response):
                    yield ("invalidate", url)
            return self._mark(response, "bypass")
        if isinstance(call, str):
            return self._mark((yield ("send", ctx)), "bypass")
        stored: Stored = yield ("get", call.key)
        entry, decision = self._lookup(call, stored)
        if entry is not None and decision is not None and decision.verdict != "revalidate":
            fresh = decision.verdict == "fresh"
            served = yield from self._serve(
                call, ctx, entry, "hit" if fresh else "stale", decision.age
            )
            if served is not None:
                if not fresh and self._start_refresh(call.key):
                    yield ("background", lambda: self._refresh(call, ctx, entry, decision, stored))
                return served
        if call.stream:  # never shared: each caller reads its own stream
            outcome: _Outcome = yield from self._fetch(call, ctx, entry, decision, stored)
        else:
            outcome = yield (
                "flight",
                call.key,
                lambda: self._lead(call, ctx, entry, decision, stored),
                ctx.get("cancel_token"),
            )
        if outcome.response is not None:
            return outcome.response
        # a follower: what the leader stored, or the stale entry if the origin failed
        if (
            outcome.failed
            and entry is not None
            and decision is not None
            and decision.stale_if_error
        ):
            served = yield from self._serve(call, ctx, entry, "stale", decision.age)
            if served is not None:
                return served
        stored = yield ("get", call.key)
        if outcome.stored:
            found = self._fresh(call, stored)
            if found is not None:
                served = yield from self._serve(call, ctx, found[0], "hit", found[1])
                if served is not None:
                    return served
            entry, decision = self._lookup(call, stored)
        outcome = yield from self._fetch(call, ctx, entry, decision, stored)
        assert outcome.response is not None
        return outcome.response

    def _lookup(self, call: _Call, stored: Stored) -> tuple[Entry | None, policy.Decision | None]:
        entry = policy.select(stored.entries, call.headers)
        if entry is None:
            return None, None
        return entry, policy.judge(
            entry, call.headers, call.settings, self.clock(), refresh=call.refresh
        )

    def _fresh(self, call: _Call, stored: Stored) -> tuple[Entry, float] | None:
        """The stored variant that answers the call as it is, and its age (``refresh`` is not
        applied: the entry was just fetched for this call)."""
        entry = policy.select(stored.entries, call.headers)
        if entry is None:
            return None
        decision = policy.judge(entry, call.headers, call.settings, self.clock())
        return (entry, decision.age) if decision.verdict == "fresh" else None

    def _serve(
        self, call: _Call, ctx: Config, entry: Entry, status: CacheStatus, age: float
    ) -> Flow[Response | None]:
        """The stored response for this call, with its ``transform_response`` applied;
        ``None`` when the call's ``validate_status`` refuses the stored status, or a transform
        has only an async form in a sync call (then the call goes to the origin)."""
        validate = ctx.get("validate_status")
        if validate is not None and not validate(entry.status):
            return None
        headers = [(k, v) for k, v in entry.headers if k.lower() != "age"]
        headers.append(("age", str(int(age))))
        request = httpx.Request(call.method, call.url, headers=call.headers)
        response = Response(
            entry.status, headers=headers, content=entry.body, request=request, config=ctx
        )
        transform = not call.stream and ctx.get("transform_response")
        if transform and not (yield ("transform", response, ctx)):
            return None
        return self._mark(response, status, stored=True, age=age)

    def _lead(
        self,
        call: _Call,
        ctx: Config,
        entry: Entry | None,
        decision: policy.Decision | None,
        stored: Stored,
    ) -> Flow[_Outcome]:
        """The leader of a flight. When processes share the storage, the process holding the
        entry's lock fetches; the others wait for what it stores (at most ``lock_wait``), then
        fetch themselves."""
        lease: Lease | None = None
        try:
            if self.storage.shared_across_processes:
                lease = yield ("lock", call.key)
                if lease is None:
                    found = yield from self._wait(call, ctx)
                    if found is not None:
                        served = yield from self._serve(call, ctx, found[0], "hit", found[1])
                        if served is not None:
                            return _Outcome(served, True)
                    stored = yield ("get", call.key)
                    entry, decision = self._lookup(call, stored)
                elif lease is not _NO_LOCK and not call.refresh:
                    # another process may have stored the entry and let go of the lock between
                    # this call's read and its lock: read again before fetching
                    stored = yield ("get", call.key)
                    found = self._fresh(call, stored)
                    if found is not None:
                        served = yield from self._serve(call, ctx, found[0], "hit", found[1])
                        if served is not None:
                            return _Outcome(served, True)
                    entry, decision = self._lookup(call, stored)
            return (yield from self._fetch(call, ctx, entry, decision, stored))
        finally:
            if lease is not None and lease is not _NO_LOCK:
                yield ("unlock", call.key, lease)

    def _wait(self, call: _Call, ctx: Config) -> Flow[tuple[Entry, float] | None]:
        """Wait for another process's fetch: the fresh entry it stored, or ``None`` once its
        lock is gone without one, or after ``lock_wait`` seconds."""
        self._add("stampede_waits")
        token = ctx.get("cancel_token")
        deadline = time.monotonic() + self.storage.lock_wait
        interval = self.storage.poll_interval
        while True:
            if token is not None:
                token.raise_if_cancelled(ctx)
            found = self._fresh(call, (yield ("get", call.key)))
            if found is not None:
                return found
            if not (yield ("locked", call.key)):
                return self._fresh(call, (yield ("get", call.key)))
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            yield ("sleep", min(interval, left), token)
            interval = min(interval * 1.5, 0.25)

    def _fetch(
        self,
        call: _Call,
        ctx: Config,
        entry: Entry | None,
        decision: policy.Decision | None,
        stored: Stored,
    ) -> Flow[_Outcome]:
        """Ask the origin (conditionally when the entry has a validator) and store what it
        answers; serve the entry stale instead when the origin fails and that is allowed."""
        sent = ctx
        if entry is not None and decision is not None and decision.conditional:
            headers = HeaderDict(ctx["headers"])
            headers.update(decision.conditional)
            sent = ctx.copy()
            sent["headers"] = headers
        request_time = self.clock()
        failure: Exception | None = None
        response: Response | None = None
        try:
            response = yield ("send", sent)
        except HTTPStatusError as exc:  # a validate_status of the caller's
            if exc.response.status_code == 304 and sent is not ctx:
                response = exc.response
            else:
                failure = exc
        except (NetworkError, axios_python.TimeoutError, RetryError) as exc:
            failure = exc
        if failure is not None or (response is not None and response.status_code in _ORIGIN_ERRORS):
            if entry is not None and decision is not None and decision.stale_if_error:
                served = yield from self._serve(call, ctx, entry, "stale", decision.age)
                if served is not None:
                    if response is not None:
                        yield ("close", response)
                    return _Outcome(served, False, True)
            if failure is not None:
                raise failure
        assert response is not None
        if sent is not ctx:
            response.config = ctx
        if response.status_code == 304 and sent is not ctx and entry is not None:
            refreshed = policy.freshen(
                entry,
                response.headers.multi_items(),
                self._arrival_age(response, request_time),
                self.clock(),
            )
            yield ("close", response)
            stored_now = yield from self._store(call, stored, refreshed)
            age = policy.current_age(refreshed, self.clock())
            served = yield from self._serve(call, ctx, refreshed, "revalidated", age)
            return _Outcome(served or self._mark(response, "miss"), stored_now)
        if call.stream:
            # stored once read to the end (the driver's tee), never buffering more than
            # max_entry_bytes
            self._mark(response, "miss")
            if policy.storable(
                call.method, call.headers, response.status_code,
                response.headers.multi_items(), call.settings,
            ):  # fmt: skip
                yield (
                    "tee",
                    response,
                    lambda body: self._store_stream(call, stored, response, body, request_time),
                )
            return _Outcome(response, False)
        new = self._entry(call, response, response.content, request_time, raw=False)
        stored_now = False
        if new is not None:
            stored_now = yield from self._store(call, stored, new)
        return _Outcome(self._mark(response, "miss", stored=stored_now), stored_now)

    def _store(self, call: _Call, stored: Stored, entry: Entry) -> Flow[bool]:
        """Store ``entry`` among the other variants of the call's key."""
        now = self.clock()
        variants = [entry] + [
            e
            for e in stored.entries
            if (e.vary, e.vary_digest) != (entry.vary, entry.vary_digest)
            and policy.keep_for(e, call.settings, now) > 0
        ]
        variants = variants[:_MAX_VARIANTS]
        ttl = max(policy.keep_for(e, call.settings, now) for e in variants)
        if ttl <= 0:
            return False
        done: bool = yield ("put", call.key, variants, ttl, stored.version)
        if done:
            self._add("stored")
        return done

    def _store_stream(
        self, call: _Call, stored: Stored, response: Response, body: bytes, request_time: float
    ) -> Flow[None]:
        new = self._entry(call, response, body, request_time, raw=True)
        if new is not None and (yield from self._store(call, stored, new)):
            response.cache = CacheInfo("miss", stored=True)  # type: ignore[attr-defined]

    def _refresh(
        self,
        call: _Call,
        ctx: Config,
        entry: Entry,
        decision: policy.Decision,
        stored: Stored,
    ) -> Flow[None]:
        """stale-while-revalidate: the background refresh of a stale entry (one at a time per
        entry in this process; across processes, only by the one holding the lock)."""
        quiet = {**ctx, "cancel_token": None}
        lease: Lease | None = _NO_LOCK
        try:
            if self.storage.shared_across_processes:
                lease = yield ("lock", call.key)
                if lease is None:
                    return  # another process refreshes it
            outcome = yield from self._fetch(call, quiet, entry, decision, stored)
            if outcome.response is not None and not outcome.response.cache.from_cache:  # type: ignore[attr-defined]
                yield ("close", outcome.response)
        except Exception as exc:
            log.debug("background refresh failed: %s: %s", type(exc).__name__, exc)
        finally:
            if lease is not None and lease is not _NO_LOCK:
                yield ("unlock", call.key, lease)
            self._end_refresh(call.key)

    def _start_refresh(self, key: CacheKey) -> bool:
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            self._counts["refreshes"] += 1
            return True

    def _end_refresh(self, key: CacheKey) -> None:
        with self._lock:
            self._refreshing.discard(key)

    def _entry(
        self, call: _Call, response: Response, body: bytes, request_time: float, *, raw: bool
    ) -> Entry | None:
        """The entry to store for a response (``raw``: ``body`` as received, still encoded),
        or ``None`` when it may not be stored."""
        headers = list(response.headers.multi_items())
        if len(body) > self.max_entry_bytes or not policy.storable(
            call.method, call.headers, response.status_code, headers, call.settings
        ):
            return None
        names = policy.vary_names(headers)
        assert names is not None  # Vary: * is not storable
        kept = policy.stored_headers(headers)
        if not raw and call.method != "HEAD":  # the body is stored decoded: say so
            kept = [
                (k, v) for k, v in kept if k.lower() not in ("content-encoding", "content-length")
            ]
            kept.append(("content-length", str(len(body))))
        entry = Entry(
            status=response.status_code,
            headers=tuple(kept),
            body=body,
            vary=names,
            vary_digest=policy.vary_digest(names, call.headers),
            initial_age=self._arrival_age(response, request_time),
            response_time=self.clock(),
        )
        return entry if policy.keep_for(entry, call.settings, self.clock()) > 0 else None

    def _arrival_age(self, response: Response, request_time: float) -> float:
        """The response's age when it arrived: its Date against the wall clock (the plugin's
        clock measures time passing; it need not be a wall clock), its Age header plus the
        time the request took by the plugin's clock."""
        return policy.initial_age(
            response.headers.multi_items(), self.clock() - request_time, time.time()
        )

    def _invalidated_urls(self, ctx: Config, response: Response) -> list[str]:
        """An unsafe request's URL, and its Location and Content-Location on the same origin."""
        url = wire_url(ctx)
        urls = [url_key(url)]
        for name in ("location", "content-location"):
            value = response.headers.get(name)
            if not value:
                continue
            try:
                target = url.join(value)
            except Exception:
                continue
            if (target.scheme, target.host, target.port) == (url.scheme, url.host, url.port):
                urls.append(url_key(target))
        return urls

    def _mark(
        self,
        response: Response,
        status: CacheStatus,
        *,
        stored: bool = False,
        age: float | None = None,
    ) -> Response:
        info = _PLAIN_INFO.get(status) if age is None and not stored else None
        if info is None:
            info = CacheInfo(status, age=age, stored=stored)
        response.cache = info  # type: ignore[attr-defined]
        self._add(_COUNTERS[status])
        return response

    # -- failures of the storage: fail-open ---------------------------------------------------

    def _failed(self, what: str, exc: Exception) -> None:
        """Count a storage error and warn about it, at most once every 30 seconds."""
        self._add("errors")
        now = time.monotonic()
        with self._lock:
            if now - self._warned_at < _WARN_EVERY:
                self._unwarned += 1
                return
            self._warned_at, suppressed, self._unwarned = now, self._unwarned, 0
        more = f" ({suppressed} more storage errors since the last warning)" if suppressed else ""
        log.warning(
            "cache storage %s failed; going on without the cache: %s: %s%s",
            what,
            type(exc).__name__,
            exc,
            more,
        )

    # -- the drivers ---------------------------------------------------------------------------

    def _sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        if _bypassed(ctx):
            return self._mark(next_fn(ctx), "bypass")
        return self._drive_sync(self._flow(ctx), next_fn)

    async def _async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        if _bypassed(ctx):
            return self._mark(await next_fn(ctx), "bypass")
        return await self._drive_async(self._flow(ctx), next_fn)

    def _drive_sync(self, flow: Flow[T], next_fn: SyncNext) -> T:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            try:
                value = self._run_sync(op, next_fn)
            except BaseException as exc:  # into the flow, whose finally blocks may still act
                error = exc

    def _run_sync(self, op: tuple[Any, ...], next_fn: SyncNext) -> Any:
        name = op[0]
        if name == "send":
            return next_fn(op[1])
        if name in _STORAGE_OPS:
            method = getattr(self.storage, name)
            try:
                result = method(*op[1:])
            except StorageUnavailable:
                return _STORAGE_OPS[name][1]
            except Exception as exc:
                self._failed(_STORAGE_OPS[name][0], exc)
                return _STORAGE_OPS[name][1]
            return True if name == "put" else result
        if name == "flight":
            _, key, make, token = op
            return self._flights.run_sync(
                key,
                lambda: self._drive_sync(make(), next_fn),
                share=_for_followers,
                cancel_token=token,
            )
        if name == "transform":
            return _transform_sync(op[1], op[2])
        if name == "close":
            op[1].close()
            return None
        if name == "sleep":
            _, seconds, token = op
            if token is not None:
                token.wait(seconds)
            else:
                time.sleep(seconds)
            return None
        if name == "tee":
            _, response, store = op
            response.stream = tee_sync(
                response.stream,
                self.max_entry_bytes,
                lambda body: self._drive_sync(store(body), next_fn),
            )
            return None
        if name == "background":
            make = op[1]
            thread = threading.Thread(
                target=self._drive_sync,
                args=(make(), next_fn),
                name="axios-python-cache-refresh",
                daemon=True,
            )
            thread.start()
            return None
        raise AssertionError(f"unknown operation {name!r}")

    async def _drive_async(self, flow: Flow[T], next_fn: AsyncNext) -> T:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            try:
                value = await self._run_async(op, next_fn)
            except BaseException as exc:  # into the flow, whose finally blocks may still act
                error = exc

    async def _run_async(self, op: tuple[Any, ...], next_fn: AsyncNext) -> Any:
        import asyncio

        name = op[0]
        if name == "send":
            return await next_fn(op[1])
        if name in _STORAGE_OPS:
            method = getattr(self.storage, "a" + name)
            try:
                result = await method(*op[1:])
            except StorageUnavailable:
                return _STORAGE_OPS[name][1]
            except Exception as exc:
                self._failed(_STORAGE_OPS[name][0], exc)
                return _STORAGE_OPS[name][1]
            return True if name == "put" else result
        if name == "flight":
            _, key, make, _token = op  # an async caller is cancelled through its task
            return await self._flights.run_async(
                key, lambda: self._drive_async(make(), next_fn), share=_for_followers
            )
        if name == "transform":
            return await _transform_async(op[1], op[2])
        if name == "close":
            await op[1].aclose()
            return None
        if name == "sleep":
            await asyncio.sleep(op[1])
            return None
        if name == "tee":
            _, response, store = op
            response.stream = tee_async(
                response.stream,
                self.max_entry_bytes,
                lambda body: self._drive_async(store(body), next_fn),
            )
            return None
        if name == "background":
            task = asyncio.ensure_future(self._drive_async(op[1](), next_fn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return None
        raise AssertionError(f"unknown operation {name!r}")


def _transform_sync(response: Response, ctx: Config) -> bool:
    """Apply the call's ``transform_response`` to a stored response in a sync call; ``False``
    when a transform has only an async form."""
    forms = [hook_forms(fn, "transform_response")[0] for fn in ctx["transform_response"]]
    if any(form is None or inspect.iscoroutinefunction(form) for form in forms):
        return False
    data = response.data
    for form in forms:
        assert form is not None
        data = form(data)
    response.data = data
    return True


async def _transform_async(response: Response, ctx: Config) -> bool:
    """Apply the call's ``transform_response`` to a stored response in an async call."""
    data = response.data
    for fn in ctx["transform_response"]:
        sync_form, async_form = hook_forms(fn, "transform_response")
        if async_form is not None:
            data = await async_form(data)
        else:
            assert sync_form is not None
            data = sync_form(data)
            if inspect.isawaitable(data):
                data = await data
    response.data = data
    return True


#: The lease of a lock the storage could not take (it failed): fetch anyway, unlock nothing.
_NO_LOCK: Lease = object()

#: Storage operations: what failed (for the warning) and the result that stands in for theirs.
_STORAGE_OPS: Mapping[str, tuple[str, Any]] = {
    "get": ("read", Stored((), None)),
    "put": ("write", False),
    "invalidate": ("invalidation", None),
    "lock": ("lock", _NO_LOCK),
    "unlock": ("unlock", None),
    "locked": ("lock check", False),
}

_COUNTERS: Mapping[str, str] = {
    "hit": "hits",
    "stale": "stale",
    "revalidated": "revalidated",
    "miss": "misses",
    "bypass": "bypassed",
}
#: The ``CacheInfo`` of each status without an age, not stored: frozen, so responses share it.
_PLAIN_INFO: dict[str, CacheInfo] = {status: CacheInfo(status) for status in get_args(CacheStatus)}
_MAX_VARIANTS = 8
_WARN_EVERY = 30.0
