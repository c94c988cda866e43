"""AuthPlugin: credentials on every attempt, one refresh for many concurrent 401s."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from axios_python import (
    AsyncNext,
    AxiosPython,
    Config,
    Dual,
    HeaderDict,
    Response,
    Secrets,
    SyncNext,
    add_redirect_hook,
    call_state,
    check_credential,
    check_header_name,
    describe_callable,
    display_url,
)
from axios_python.engine import httpx

from ._sources import ClientCredentialsSource, ProviderSource, StaticSource

__all__ = ["AuthPlugin"]

log = logging.getLogger("axios_python.auth")


def _check_scheme(scheme: Any) -> str:
    if scheme == "":
        return ""
    try:
        return check_header_name(scheme, "scheme")  # a scheme is an HTTP token, like a name
    except ValueError:
        pass
    raise ValueError(
        "scheme must be an HTTP authentication scheme such as 'Bearer' or 'Token', "
        f"or '' for none; got {scheme!r}"
    )


@dataclass(frozen=True)
class _Placement:
    """Where the credential goes: ``header: prefix + credential`` or ``?query=credential``."""

    header: str | None
    query: str | None
    prefix: str = ""

    def register(self, secrets: Secrets) -> None:
        """Make the name secret on the client: its redirect guard, messages and logs honour it."""
        if self.header is not None:
            secrets.register(headers=[self.header])
        else:
            assert self.query is not None
            secrets.register(params=[self.query])

    def apply(self, ctx: Config, credential: str) -> Config:
        out = ctx.copy()
        if self.header is not None:
            headers = HeaderDict(ctx["headers"])
            headers[self.header] = self.prefix + credential
            out["headers"] = headers
        else:
            assert self.query is not None
            # the core merges params into the URL's own query string (wire_url)
            params = httpx.QueryParams(ctx.get("params") or {}).set(self.query, credential)
            out["params"] = list(params.multi_items())
        return out

    def on_hops(self, ctx: Config, credential: str) -> Config:
        """``ctx`` with a redirect hook that puts the credential on every hop the core lets
        carry it (the call's origin), when the hop lacks it: httpx does not copy a query
        parameter to the next URL, and a header dropped on the way through another origin
        comes back on the way back to the call's own."""
        if self.header is not None:
            name, value = self.header, self.prefix + credential

            def put_header(request: httpx.Request) -> None:
                if name not in request.headers:
                    request.headers[name] = value

            hook: Callable[[httpx.Request], None] = put_header
        else:
            query = self.query
            assert query is not None

            def put_query(request: httpx.Request) -> None:
                if query not in request.url.params:
                    request.url = request.url.copy_add_param(query, credential)

            hook = put_query
        if self.header is not None and ctx["headers"].get(self.header) == self.prefix + credential:
            ctx = ctx.copy()  # the first attempt: the request interceptor put it there already
        else:
            ctx = self.apply(ctx, credential)
        add_redirect_hook(ctx, hook)
        return ctx

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
    failing together with the same token cause one refresh. Redirects are followed by the core,
    whose guard keeps every credential (this plugin's header or query name is registered as
    secret on the client) away from other origins.
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
        prefix = f"{scheme} " if _check_scheme(scheme) else ""
        if (token is None) == (token_provider is None):
            raise ValueError(
                "AuthPlugin takes token=... or token_provider=..., exactly one of them; "
                "for other schemes see AuthPlugin.basic(), AuthPlugin.api_key() and "
                "AuthPlugin.client_credentials()"
            )
        source: StaticSource | ProviderSource
        if token is not None:
            source = StaticSource(token, "token")
            shown = f"AuthPlugin(scheme={scheme!r}, token=***"
        else:
            source = ProviderSource(token_provider, "token_provider", "the token_provider's token")
            shown = (
                f"AuthPlugin(scheme={scheme!r}, token_provider={describe_callable(token_provider)}"
            )
        self._setup(source, _Placement("Authorization", None, prefix), refresh_on_401, shown)

    def _setup(self, source: Any, placement: _Placement, refresh_on_401: bool, shown: str) -> None:
        if not isinstance(refresh_on_401, bool):
            raise TypeError(f"refresh_on_401 must be True or False, got {refresh_on_401!r}")
        self._source = source
        #: a credential that never changes: the first attempt need not be told which one the
        #: call started with
        self._fixed = isinstance(source, StaticSource)
        self._placement = placement
        self._refresh_on_401 = refresh_on_401 and bool(source.refreshable)
        if source.refreshable and not refresh_on_401:
            shown += ", refresh_on_401=False"
        self._repr = shown + ")"
        self._lock = threading.Lock()
        self._attached = 0

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
            f"AuthPlugin.basic(user={user!r}, password=***",
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
        ``token_provider``. The header or parameter name is registered as secret on the client
        the plugin is attached to."""
        if header is not None and query is not None:
            raise ValueError("api_key() puts the key in a header or a query parameter, not both")
        if query is not None:
            if not isinstance(query, str) or not query:
                raise ValueError(f"query must be a parameter name such as 'api_key', got {query!r}")
            placement = _Placement(None, query)
            where = f"query={query!r}"
        else:
            placement = _Placement(check_header_name(header or "X-Api-Key", "header"), None)
            where = f"header={placement.header!r}"
        source: StaticSource | ProviderSource
        if isinstance(key, str):
            source = StaticSource(key, "key")
            shown = f"AuthPlugin.api_key(key=***, {where}"
        else:
            source = ProviderSource(key, "key", "the key provider's key")
            shown = f"AuthPlugin.api_key(key={describe_callable(key)}, {where}"
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
            f"client_id={source.client_id!r}, client_secret=***"
        )
        return cls._build(source, _Placement("Authorization", None, "Bearer "), True, shown)

    # -- plugin contract ----------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the credential's name as secret on the client, a request interceptor that
        puts the call's credential on the config (so call-scoped keys, such as a cache's or
        dedupe's, tell users apart) and the attempt-scope middleware that sets a credential on
        every attempt."""
        self._placement.register(client.secrets)
        if self._source.async_only:
            # an async-only provider: the core runs these forms on its loop in sync calls
            client.interceptors.request.use(self._identify_async, validated=True)
            client.use(self._attempt_async, scope="attempt", validated=True)
        else:
            client.interceptors.request.use(
                Dual(sync=self._identify_sync, async_=self._identify_async), validated=True
            )
            client.use(
                Dual(sync=self._attempt_sync, async_=self._attempt_async),
                scope="attempt",
                validated=True,  # a checked credential in a header or in the params
            )
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

    # -- the hooks ----------------------------------------------------------------------------

    # The credential a call starts with is asked for once, by the request interceptor, and
    # used by the first attempt; every later attempt asks the source again.

    def _identify_sync(self, config: Config) -> Config:
        seen, credential = self._source.get_sync(config.get("cancel_token"))
        return self._identified(config, seen, credential)

    async def _identify_async(self, config: Config) -> Config:
        seen, credential = await self._source.get_async()
        return self._identified(config, seen, credential)

    def _identified(self, config: Config, seen: int, credential: str) -> Config:
        if not self._fixed:  # the call's first credential, as the source gave it
            call_state(config).slot(self, lambda: (seen, credential))
        return self._placement.apply(config, credential)

    def _first(self, ctx: Config) -> tuple[int, str] | None:
        if self._fixed or ctx.get("attempt", 1) != 1:
            return None
        first: tuple[int, str] | None = call_state(ctx).peek(self)
        return first

    def _should_refresh(self, ctx: Config, response: Response, credential: str) -> bool:
        if response.status_code != 401 or not self._refresh_on_401:
            return False
        if not self._placement.carried(response, credential):
            return False  # answered by another origin, which never saw our credential
        if log.isEnabledFor(logging.DEBUG):
            shown = display_url(ctx, call_state(ctx).secrets)
            log.debug("HTTP 401 for %s: asking for fresh credentials", shown)
        return True

    def _attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        cancel_token = ctx.get("cancel_token")
        seen, credential = self._first(ctx) or self._source.get_sync(cancel_token)
        response = next_fn(self._placement.on_hops(ctx, credential))
        if not self._should_refresh(ctx, response, credential):
            return response
        fresh = self._source.refresh_sync(seen, cancel_token)
        if fresh == credential:
            return response
        response.close()
        return next_fn(self._placement.on_hops(ctx, fresh))

    async def _attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        seen, credential = self._first(ctx) or await self._source.get_async()
        response = await next_fn(self._placement.on_hops(ctx, credential))
        if not self._should_refresh(ctx, response, credential):
            return response
        fresh = await self._source.refresh_async(seen)
        if fresh == credential:
            return response
        await response.aclose()
        return await next_fn(self._placement.on_hops(ctx, fresh))
