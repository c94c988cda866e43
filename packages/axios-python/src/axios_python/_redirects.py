"""Redirects: the core follows them (through httpx) and applies one policy on every hop.

Every request carries a ``HopPolicy`` in its extensions (httpx hands them on to the requests it
makes for redirects). Before each hop is sent, an httpx request event hook applies it:

* a hop to an origin that may not receive the call's credentials loses every credential
  header, built-in or registered on the client (``client.secrets``), cookies included (a cookie
  jar scopes cookies by host, not by port or scheme, so it would send them to another server on
  the same host); ``auth=`` credentials go to the first request only (httpx);
* a hop that may receive them is handed to the hooks the call's attempt registered with
  ``add_redirect_hook``: that is how a plugin puts credentials that are not a header (a query
  parameter, a signature over the new URL) on the follow-up request, and only there.

Credentials may go where the call was made to: the same scheme, host and port, or the same host
upgraded from ``http`` on port 80 to ``https`` on port 443.

The body of a redirect that is followed is read by httpx, unbounded and decoded; a response
event hook bounds it: at most ``MAX_HOP_BODY`` bytes are read, kept as received (not decoded),
so a redirect carrying a decompression bomb costs nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from ._engine import httpx
from ._headers import has_any
from ._url_parse import scheme_host_port

if TYPE_CHECKING:
    from ._secrets import Secrets

__all__ = [
    "HOP_POLICY",
    "MAX_HOP_BODY",
    "HopObserver",
    "HopPolicy",
    "add_redirect_hook",
    "async_cap_hop",
    "async_guard",
    "may_receive_credentials",
    "observe_hops",
    "origin_of",
    "redirects",
    "sync_cap_hop",
    "sync_guard",
]

#: The most bytes of a followed redirect's body that are read (as received, not decoded).
MAX_HOP_BODY = 64 * 1024

#: The extension key holding a request's ``HopPolicy``.
HOP_POLICY = "axios_python.hop_policy"

#: The configuration key holding the redirect hooks an attempt registered.
_HOOKS_KEY = "axios_python.redirect_hooks"
#: The configuration key holding the hop observers an attempt registered.
_OBSERVERS_KEY = "axios_python.hop_observers"

Origin = tuple[str, str, int | None]
RedirectHook = Callable[[httpx.Request], None]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

#: The statuses httpx follows (with a ``Location``): 301, 302, 303, 307 and 308.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LOCATION = frozenset({b"location"})


def redirects(response: httpx.Response) -> bool:
    """``response.has_redirect_location``, without the enum lookups and header decoding."""
    return response.status_code in _REDIRECTS and has_any(response.headers, _LOCATION)


def origin_of(url: httpx.URL) -> Origin:
    """``(scheme, host, port)`` of ``url``, the port filled in for the scheme's default."""
    scheme, host, port = scheme_host_port(url)
    return scheme, host, port or _DEFAULT_PORTS.get(scheme)


def may_receive_credentials(origin: Origin, url: httpx.URL) -> bool:
    """Whether a request to ``url`` may carry the credentials of a call made to ``origin``."""
    target = origin_of(url)
    if target == origin:
        return True
    return origin == ("http", target[1], 80) and target[0] == "https" and target[2] == 443


def add_redirect_hook(ctx: MutableMapping[str, Any], hook: RedirectHook) -> None:
    """Have ``hook(request)`` called on every redirect hop of this attempt that may carry the
    call's credentials, before it is sent; it may change the request (add a query parameter,
    sign it). Call it from attempt-scope middleware, on the ``ctx`` it passes to ``next_fn``.
    Hooks run on the event loop in async calls: they must not block."""
    ctx[_HOOKS_KEY] = (*ctx.get(_HOOKS_KEY, ()), hook)


class HopObserver(Protocol):
    """What ``observe_hops`` takes: told of every request of an attempt and its answer."""

    def on_request(self, request: httpx.Request) -> None:
        """Before ``request`` is sent: the attempt's first request, then each redirect hop
        (after the redirect policy removed what may not go there)."""

    def on_response(self, response: httpx.Response) -> None:
        """When the headers of the answer to one of those requests have arrived."""


def observe_hops(ctx: MutableMapping[str, Any], observer: HopObserver) -> None:
    """Have ``observer`` told of every request this attempt sends, redirect hops included, and
    of each answer's headers: for one span or one log line per request on the wire. Call it from
    attempt-scope middleware on the ``ctx`` it passes to ``next_fn``. The observer's methods run
    on the event loop in async calls: they must not block, and an exception they raise fails
    the attempt."""
    ctx[_OBSERVERS_KEY] = (*ctx.get(_OBSERVERS_KEY, ()), observer)


class HopPolicy:
    """What the redirect guard needs to know about one attempt's first request."""

    __slots__ = ("first", "follow", "hooks", "observers", "origin", "secrets")

    def __init__(
        self,
        url: httpx.URL,
        secrets: Secrets,
        hooks: tuple[RedirectHook, ...] = (),
        *,
        follow: bool = True,
        observers: tuple[HopObserver, ...] = (),
    ) -> None:
        self.origin = origin_of(url)
        self.secrets = secrets
        self.hooks = hooks
        self.follow = follow
        self.observers = observers
        #: ``id()`` of the attempt's first request, which the sender holds for the whole
        #: attempt; not the request itself, which holds the policy in its extensions: no cycle
        #: to wait for the garbage collector
        self.first = 0

    @classmethod
    def for_config(cls, url: httpx.URL, secrets: Secrets, config: Any) -> HopPolicy:
        return cls(
            url,
            secrets,
            config.get(_HOOKS_KEY, ()),
            follow=bool(config.get("follow_redirects")),
            observers=config.get(_OBSERVERS_KEY, ()),
        )

    def apply(self, request: httpx.Request) -> None:
        """Run before every request of the attempt is sent (redirect hops included)."""
        if id(request) != self.first:
            if not may_receive_credentials(self.origin, request.url):
                secret = self.secrets.is_secret_header
                for name in [n for n in request.headers if secret(n)]:
                    del request.headers[name]
            else:
                for hook in self.hooks:
                    hook(request)
        for observer in self.observers:
            observer.on_request(request)

    def answered(self, response: httpx.Response) -> None:
        """Run when the headers of an answer of the attempt arrive (redirects included)."""
        for observer in self.observers:
            observer.on_response(response)


def sync_guard(request: httpx.Request) -> None:
    """The httpx request event hook of the sync clients."""
    policy = request.extensions.get(HOP_POLICY)
    if isinstance(policy, HopPolicy):
        policy.apply(request)


async def async_guard(request: httpx.Request) -> None:
    """The httpx request event hook of the async clients."""
    sync_guard(request)


def _answered(response: httpx.Response) -> bool:
    """Tell the attempt's hop observers; whether ``response`` is a redirect being followed."""
    policy = response.request.extensions.get(HOP_POLICY)
    if not isinstance(policy, HopPolicy):
        return False
    if policy.observers:
        policy.answered(response)
    return policy.follow and redirects(response)


def _undecoded(response: httpx.Response) -> None:
    for name in ("content-encoding", "content-length"):
        if name in response.headers:
            del response.headers[name]


class _Capped:
    """What both capped streams share: the stream under them, and its ``elapsed`` (httpx2
    keeps a response's time on its bound stream and reads it from ``response.stream``)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def elapsed(self) -> Any:
        return getattr(self._inner, "elapsed", None)


class _CappedSync(_Capped, httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._inner:
            size += len(chunk)
            yield chunk
            if size >= MAX_HOP_BODY:
                return  # the rest is never read; closing drops the connection

    def close(self) -> None:
        self._inner.close()


class _CappedAsync(_Capped, httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self._inner:
            size += len(chunk)
            yield chunk
            if size >= MAX_HOP_BODY:
                return

    async def aclose(self) -> None:
        await self._inner.aclose()


def sync_cap_hop(response: httpx.Response) -> None:
    """The httpx response event hook of the sync clients: bound a followed redirect's body."""
    if _answered(response):
        _undecoded(response)
        response.stream = _CappedSync(response.stream)


async def async_cap_hop(response: httpx.Response) -> None:
    """The httpx response event hook of the async clients."""
    if _answered(response):
        _undecoded(response)
        response.stream = _CappedAsync(response.stream)
