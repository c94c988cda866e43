"""AuthPlugin: credentials on every attempt, one refresh for many concurrent 401s, never sent to
another origin."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from axios_python import (
    AsyncNext,
    AxiosPython,
    AxiosPythonError,
    Config,
    Dual,
    HeaderDict,
    NetworkError,
    Response,
    SyncNext,
    TooManyRedirects,
)

from ._sources import (
    ClientCredentialsSource,
    ProviderSource,
    StaticSource,
    check_credential,
    public_url,
)

__all__ = ["AuthPlugin"]

log = logging.getLogger("axios_python.auth")

#: Redirects the plugin follows itself (for credentials outside ``Authorization``) before
#: giving up, as httpx does.
MAX_REDIRECTS = 20

_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def _check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or not set(value) <= _TOKEN_CHARS:
        raise ValueError(f"{what} must be a header name such as 'X-Api-Key', got {value!r}")
    return value


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _describe_provider(provider: Any) -> str:
    # the qualified name only: the repr of a bound method shows its object, which may hold secrets
    name = getattr(provider, "__qualname__", None) or type(provider).__qualname__
    return f"<{name}>"


def _redirect_method(method: str, status: int) -> str:
    """The method of the next hop, as browsers and httpx choose it."""
    if status in (302, 303) and method != "HEAD":
        return "GET"
    if status == 301 and method == "POST":
        return "GET"
    return method


@dataclass(frozen=True)
class _Placement:
    """Where the credential goes: ``header: prefix + credential`` or ``?query=credential``."""

    header: str | None
    query: str | None
    prefix: str = ""

    @property
    def httpx_strips_it(self) -> bool:
        """httpx drops ``Authorization`` itself on a redirect to another origin; any other
        header would follow, so the plugin follows such redirects itself."""
        return self.header is not None and self.header.lower() == "authorization"

    def apply(self, ctx: Config, credential: str) -> Config:
        out = dict(ctx)
        if self.header is not None:
            headers = HeaderDict(ctx["headers"])
            headers[self.header] = self.prefix + credential
            out["headers"] = headers
        else:
            assert self.query is not None
            # httpx replaces a URL's query string with ``params`` rather than merging them:
            # move the URL's own parameters into ``params`` so none is lost
            url = httpx.URL(ctx["url"])
            params = url.params
            if ctx["params"]:
                params = params.merge(httpx.QueryParams(ctx["params"]))
            out["url"] = str(url.copy_with(query=None))
            out["params"] = list(params.set(self.query, credential).multi_items())
        return out

    def strip(self, headers: HeaderDict) -> None:
        if self.header is not None:
            headers.pop(self.header, None)

    def carried(self, response: Response, credential: str) -> bool:
        """Whether the request that got ``response`` carried ``credential``."""
        try:
            request = response.request
        except RuntimeError:  # a Response built by a middleware: it answered our request
            return True
        if self.header is not None:
            sent: Any = request.headers.get(self.header)
        else:
            assert self.query is not None
            sent = request.url.params.get(self.query)
        return bool(sent == (self.prefix + credential if self.header is not None else credential))


class AuthPlugin:
    """Adds credentials to every request of a client.

    ::

        api.plugin(AuthPlugin(scheme="Bearer", token="s3cr3t"))
        api.plugin(AuthPlugin(scheme="Bearer", token_provider=vault.get_token))
        api.plugin(AuthPlugin.basic("alice", "wonderland"))
        api.plugin(AuthPlugin.api_key("k-123", header="X-Api-Key"))
        api.plugin(AuthPlugin.client_credentials(token_url, client_id, client_secret))

    The credential is set on every attempt (an attempt-scope middleware), so a provider is asked
    again on each retry. When a response is 401 and the credential came from a provider or a
    token endpoint, the plugin asks for a fresh one (``token_provider(refresh=True)`` when the
    provider accepts a ``refresh`` keyword) and sends the request once more; many requests
    failing together with the same token cause one refresh. Credentials are only ever sent to
    the origin a request was made to: a redirect to another origin goes without them.
    """

    name = "auth"

    def __init__(
        self,
        scheme: str = "Bearer",
        token: str | None = None,
        token_provider: Any = None,
        *,
        refresh_on_401: bool = True,
    ) -> None:
        """``Authorization: {scheme} {token}``, the token fixed (``token=``) or asked of
        ``token_provider`` on every attempt: a function, an ``async def`` function or an
        ``axios_python.Dual(sync=..., async_=...)`` of both. ``refresh_on_401=False`` turns the
        refresh-and-retry on 401 off."""
        if not isinstance(scheme, str) or (scheme and not set(scheme) <= _TOKEN_CHARS):
            raise ValueError(
                "scheme must be an HTTP authentication scheme such as 'Bearer' or 'Token', "
                f"or '' for none; got {scheme!r}"
            )
        if (token is None) == (token_provider is None):
            raise ValueError(
                "AuthPlugin takes token=... or token_provider=..., exactly one of them; "
                "for other schemes see AuthPlugin.basic(), AuthPlugin.api_key() and "
                "AuthPlugin.client_credentials()"
            )
        prefix = f"{scheme} " if scheme else ""
        placement = _Placement("Authorization", None, prefix)
        source: StaticSource | ProviderSource
        if token is not None:
            source = StaticSource(token, "token")
            shown = f"AuthPlugin(scheme={scheme!r}, token=***)"
        else:
            source = ProviderSource(token_provider)
            shown = (
                f"AuthPlugin(scheme={scheme!r}, "
                f"token_provider={_describe_provider(token_provider)})"
            )
        self._setup(source, placement, refresh_on_401, shown)

    def _setup(self, source: Any, placement: _Placement, refresh_on_401: bool, shown: str) -> None:
        if not isinstance(refresh_on_401, bool):
            raise TypeError(f"refresh_on_401 must be True or False, got {refresh_on_401!r}")
        self._source = source
        self._placement = placement
        self._refresh_on_401 = refresh_on_401 and bool(source.refreshable)
        self._repr = shown
        self._lock = threading.Lock()
        self._attached = 0
        #: the config key carrying the credential a call started with (one per plugin object)
        self._call_key = f"axios_python_plugin_auth.{id(self)}"

    @classmethod
    def _build(
        cls, source: Any, placement: _Placement, refresh_on_401: bool, shown: str
    ) -> AuthPlugin:
        plugin = cls.__new__(cls)
        plugin._setup(source, placement, refresh_on_401, shown)
        return plugin

    # -- other schemes ------------------------------------------------------------------------

    @classmethod
    def basic(cls, user: str, password: str) -> AuthPlugin:
        """HTTP Basic authentication (RFC 7617): ``Authorization: Basic base64(user:password)``."""
        if not isinstance(user, str) or ":" in user:
            raise ValueError(f"user must be a str without ':', got {user!r}")
        if not isinstance(password, str):
            raise TypeError(f"password must be a str, got a {type(password).__name__}")
        check_credential(f"{user}:{password}", "the Basic credentials")
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return cls._build(
            StaticSource(encoded, "the Basic credentials"),
            _Placement("Authorization", None, "Basic "),
            False,
            f"AuthPlugin.basic(user={user!r}, password=***)",
        )

    @classmethod
    def api_key(
        cls,
        key: Any,
        *,
        header: str | None = None,
        query: str | None = None,
        refresh_on_401: bool = True,
    ) -> AuthPlugin:
        """An API key in a header (``header="X-Api-Key"``, the default) or in a query
        parameter (``query="api_key"``). ``key`` is the key itself or a provider of it, like
        ``token_provider``."""
        if header is not None and query is not None:
            raise ValueError("api_key() puts the key in a header or a query parameter, not both")
        if query is not None:
            if not isinstance(query, str) or not query:
                raise ValueError(f"query must be a parameter name such as 'api_key', got {query!r}")
            placement = _Placement(None, query)
            where = f"query={query!r}"
        else:
            placement = _Placement(_check_name(header or "X-Api-Key", "header"), None)
            where = f"header={placement.header!r}"
        source: StaticSource | ProviderSource
        if isinstance(key, str):
            source = StaticSource(key, "key")
            shown = f"AuthPlugin.api_key(key=***, {where})"
        else:
            source = ProviderSource(key)
            shown = f"AuthPlugin.api_key(key={_describe_provider(key)}, {where})"
        return cls._build(source, placement, refresh_on_401, shown)

    @classmethod
    def client_credentials(
        cls,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | Iterable[str] | None = None,
        audience: str | None = None,
        refresh_margin: float = 30,
        *,
        auth_method: str = "client_secret_post",
        timeout: float = 10.0,
        extra_params: dict[str, str] | None = None,
    ) -> AuthPlugin:
        """OAuth2 client credentials: a Bearer token POSTed for at ``token_url``, kept until
        ``refresh_margin`` seconds before its ``expires_in`` (at most half its lifetime) and
        refreshed ahead of time by one caller while the others keep using the valid one.

        ``auth_method`` is ``"client_secret_post"`` (id and secret in the form) or
        ``"client_secret_basic"`` (HTTP Basic). A failing token endpoint raises ``AuthError``
        naming the URL and the status, never the secret.
        """
        source = ClientCredentialsSource(
            token_url,
            client_id,
            client_secret,
            scope=scope,
            audience=audience,
            refresh_margin=refresh_margin,
            timeout=timeout,
            auth_method=auth_method,
            extra_params=extra_params,
        )
        shown = (
            f"AuthPlugin.client_credentials(token_url={source.shown_url!r}, "
            f"client_id={source.client_id!r}, client_secret=***)"
        )
        return cls._build(source, _Placement("Authorization", None, "Bearer "), True, shown)

    # -- plugin contract ----------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register a request interceptor that puts the call's credential on the config (so
        call-scoped keys, such as a cache's or dedupe's, tell users apart) and the
        attempt-scope middleware that sets a credential on every attempt."""
        if self._source.async_only:
            # an async-only provider: the core runs these forms on its loop in sync calls
            client.interceptors.request.use(self._identify_async)
            client.use(self._attempt_async, scope="attempt")
        else:
            client.interceptors.request.use(
                Dual(sync=self._identify_sync, async_=self._identify_async)
            )
            client.use(Dual(sync=self._attempt_sync, async_=self._attempt_async), scope="attempt")
        with self._lock:
            self._attached += 1

    def uninstall(self, client: AxiosPython) -> None:
        """Release the token endpoint's connections once no client uses the plugin."""
        with self._lock:
            self._attached -= 1
            last = self._attached <= 0
        if last:
            self._source.close()

    def __repr__(self) -> str:
        return self._repr

    # -- the middleware -----------------------------------------------------------------------

    def _should_refresh(self, response: Response, credential: str) -> bool:
        if response.status_code != 401 or not self._refresh_on_401:
            return False
        if not self._placement.carried(response, credential):
            return False  # answered by another origin, which never saw our credential
        log.debug(
            "HTTP 401 for %s: asking for fresh credentials",
            public_url(response.config.get("url") or ""),
        )
        return True

    # The credential a call starts with is asked for once, by the request interceptor, and
    # used by the first attempt; every later attempt asks the source again.

    def _identify_sync(self, config: Config) -> Config:
        seen, credential = self._source.get_sync()
        return self._identified(config, seen, credential)

    async def _identify_async(self, config: Config) -> Config:
        seen, credential = await self._source.get_async()
        return self._identified(config, seen, credential)

    def _identified(self, config: Config, seen: int, credential: str) -> Config:
        config = self._placement.apply(config, credential)
        config[self._call_key] = (seen, credential)
        return config

    def _first(self, ctx: Config) -> tuple[int, str] | None:
        found: tuple[int, str] | None = ctx.get(self._call_key)
        return found if found is not None and ctx.get("attempt", 1) == 1 else None

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        seen, credential = self._first(ctx) or self._source.get_sync()
        fresh = credential
        try:
            response = self._send_sync(ctx, next_fn, credential)
            if not self._should_refresh(response, credential):
                return response
            fresh = self._source.refresh_sync(seen)
            if fresh == credential:
                return response
            response.close()
            return self._send_sync(ctx, next_fn, fresh)
        except AxiosPythonError as exc:
            self._scrub(exc, credential, fresh)
            raise

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        seen, credential = self._first(ctx) or await self._source.get_async()
        fresh = credential
        try:
            response = await self._send_async(ctx, next_fn, credential)
            if not self._should_refresh(response, credential):
                return response
            fresh = await self._source.refresh_async(seen)
            if fresh == credential:
                return response
            await response.aclose()
            return await self._send_async(ctx, next_fn, fresh)
        except AxiosPythonError as exc:
            self._scrub(exc, credential, fresh)
            raise

    def _scrub(self, exc: AxiosPythonError, *credentials: str) -> None:
        """Error messages of the layers below name the request URL: with the key in the query
        string, take it back out before the error travels on (retry errors, logs)."""
        if self._placement.query is None:
            return
        message = exc.message
        for credential in credentials:
            for form in {credential, quote(credential, safe=""), quote_plus(credential)}:
                message = message.replace(form, "***")
        if message != exc.message:
            exc.message = message
            exc.args = (message,)

    # -- redirects ----------------------------------------------------------------------------

    def _follows_itself(self, ctx: Config) -> bool:
        return bool(ctx["follow_redirects"]) and not self._placement.httpx_strips_it

    def _send_sync(self, ctx: Config, next_fn: SyncNext, credential: str) -> Response:
        if not self._follows_itself(ctx):
            return next_fn(self._placement.apply(ctx, credential))
        origin = _origin(httpx.URL(ctx["url"]))
        hop = self._placement.apply({**ctx, "follow_redirects": False}, credential)
        response = next_fn(hop)
        history: list[httpx.Response] = []
        while response.has_redirect_location:
            next_hop = self._next_hop(hop, response, origin, credential, len(history))
            response.close()
            history.append(response)
            hop = next_hop
            response = next_fn(hop)
        if history:
            response.history = history
        return response

    async def _send_async(self, ctx: Config, next_fn: AsyncNext, credential: str) -> Response:
        if not self._follows_itself(ctx):
            return await next_fn(self._placement.apply(ctx, credential))
        origin = _origin(httpx.URL(ctx["url"]))
        hop = self._placement.apply({**ctx, "follow_redirects": False}, credential)
        response = await next_fn(hop)
        history: list[httpx.Response] = []
        while response.has_redirect_location:
            try:
                next_hop = self._next_hop(hop, response, origin, credential, len(history))
            except BaseException:
                await response.aclose()
                raise
            await response.aclose()
            history.append(response)
            hop = next_hop
            response = await next_fn(hop)
        if history:
            response.history = history
        return response

    def _next_hop(
        self,
        hop: Config,
        response: Response,
        origin: tuple[str, str, int | None],
        credential: str,
        hops: int,
    ) -> Config:
        """The configuration of the request a redirect asks for: the credential only when it
        goes back to the origin of the call."""
        sent = httpx.URL(hop["url"]).copy_merge_params(httpx.QueryParams(hop["params"]))
        if hops >= MAX_REDIRECTS:
            response.close()
            raise TooManyRedirects(
                f"Exceeded maximum allowed redirects ({MAX_REDIRECTS}) "
                f"({hop['method']} {public_url(str(sent))})"
            )
        try:
            url = httpx.URL(response.headers["Location"])
        except httpx.InvalidURL as exc:
            response.close()
            raise NetworkError(f"Invalid URL in location header: {exc}.") from None
        if url.scheme and not url.host:
            url = url.copy_with(host=sent.host)
        if url.is_relative_url:
            url = sent.join(url)
        if sent.fragment and not url.fragment:
            url = url.copy_with(fragment=sent.fragment)
        method = _redirect_method(hop["method"], response.status_code)
        out = dict(hop)
        out.update(url=str(url), params=None, method=method)
        headers = HeaderDict(hop["headers"])
        if method != hop["method"] and method == "GET":
            out.update(data=None, json=None, content=None, files=None)
            for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
                headers.pop(name, None)
        headers.pop("Cookie", None)  # the cookie jar decides, as httpx does
        if _origin(url) != _origin(sent):
            headers.pop("Host", None)
            headers.pop("Authorization", None)
        out["headers"] = headers
        if _origin(url) == origin:
            return self._placement.apply(out, credential)
        self._placement.strip(headers)
        return out
