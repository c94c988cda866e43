"""Where credentials come from: a fixed value, a provider, or an OAuth2 token endpoint."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from axios_python import (
    AxiosPython,
    AxiosPythonError,
    Response,
    SingleFlight,
    check_credential,
    display_url,
    hook_forms,
)
from axios_python.engine import httpx
from axios_python.redaction import scrub

from ._errors import AuthError

if TYPE_CHECKING:
    from typing import Protocol

    from axios_python import CancelToken

    class Source(Protocol):
        """What the middleware asks for credentials."""

        refreshable: bool
        async_only: bool

        def get_sync(self, cancel_token: CancelToken | None = None) -> tuple[int, str]: ...
        async def get_async(self) -> tuple[int, str]: ...
        def refresh_sync(self, seen: int, cancel_token: CancelToken | None = None) -> str: ...
        async def refresh_async(self, seen: int) -> str: ...
        def close(self) -> None: ...


__all__ = ["ClientCredentialsSource", "ProviderSource", "StaticSource"]

log = logging.getLogger("axios_python.auth")

#: The clock token lifetimes are measured with (a module attribute so tests can move time on).
clock = time.monotonic

T = TypeVar("T")


class _Generations(Generic[T]):
    """A value replaced by refreshes, and how many have landed (its generation).

    A caller that wants the value it holds replaced passes the generation it saw when it took
    that value. Refreshes are flights of the core's ``SingleFlight`` keyed by that generation:
    callers holding the same value share one refresh, and a caller whose value was replaced
    meanwhile gets the replacement without fetching again (the fetch checks the generation
    first, and moves it on before the flight settles).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._value: T | None = None
        self._flight: SingleFlight[tuple[int, T]] = SingleFlight()

    def snapshot(self) -> tuple[int, T | None]:
        """The current generation and value (``None`` before the first refresh)."""
        with self._lock:
            return self._generation, self._value

    def refreshing(self, seen: int) -> bool:
        """Whether a refresh replacing generation ``seen`` is running."""
        return self._flight.in_flight(("refresh", seen))

    def _replaced(self, seen: int) -> tuple[int, T] | None:
        with self._lock:
            if self._generation != seen and self._value is not None:
                return self._generation, self._value
            return None

    def _land(self, value: T) -> tuple[int, T]:
        with self._lock:
            self._generation += 1
            self._value = value
            return self._generation, value

    def run_sync(
        self, seen: int, fetch: Callable[[], T], cancel_token: CancelToken | None = None
    ) -> tuple[int, T]:
        """The value replacing generation ``seen`` and its generation."""

        def refresh() -> tuple[int, T]:
            return self._replaced(seen) or self._land(fetch())

        return self._flight.run_sync(("refresh", seen), refresh, cancel_token=cancel_token)

    async def run_async(self, seen: int, fetch: Callable[[], Awaitable[T]]) -> tuple[int, T]:
        """The async twin of ``run_sync``."""

        async def refresh() -> tuple[int, T]:
            return self._replaced(seen) or self._land(await fetch())

        return await self._flight.run_async(("refresh", seen), refresh)


class StaticSource:
    """A credential that never changes."""

    refreshable = False
    async_only = False

    def __init__(self, value: str, what: str) -> None:
        self._value = check_credential(value, what)

    def get_sync(self, cancel_token: CancelToken | None = None) -> tuple[int, str]:
        return 0, self._value

    async def get_async(self) -> tuple[int, str]:
        return 0, self._value

    def refresh_sync(self, seen: int, cancel_token: CancelToken | None = None) -> str:
        return self._value

    async def refresh_async(self, seen: int) -> str:
        return self._value

    def close(self) -> None:
        pass


def _accepts_refresh(fn: Callable[..., Any] | None) -> bool:
    """Whether ``fn(refresh=True)`` is a valid call."""
    if fn is None:
        return False
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return True
        if parameter.name == "refresh" and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            return True
    return False


def _forms(provider: Any, what: str) -> tuple[Callable[..., Any] | None, Callable[..., Any]]:
    """The form of ``provider`` for sync calls (``None`` if it has none) and for async calls
    (a plain function serves both). The error names the type only: a value passed here by
    mistake may be the secret itself."""
    sync_form, async_form = hook_forms(provider, what)  # its error names the type only
    either = async_form or sync_form
    assert either is not None  # hook_forms gives at least one form
    return sync_form, either


class ProviderSource:
    """A provider asked on every attempt; ``refresh=True`` (when it accepts the keyword) after
    a 401, once for all the requests that failed with the same token."""

    refreshable = True

    def __init__(self, provider: Any, what: str, result: str) -> None:
        self._what = what
        self._result = result
        self._sync, self._async = _forms(provider, what)
        self._sync_hint = _accepts_refresh(self._sync)
        self._async_hint = _accepts_refresh(self._async)
        self.async_only = self._sync is None
        self._refreshes: _Generations[str] = _Generations()

    def _call_sync(self, refresh: bool) -> str:
        assert self._sync is not None
        value = self._sync(refresh=True) if refresh and self._sync_hint else self._sync()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise TypeError(
                f"{self._what} returned an awaitable in a sync call: declare it `async def` "
                "or pass Dual(sync=..., async_=...)"
            )
        return check_credential(value, self._result)

    async def _call_async(self, refresh: bool) -> str:
        value = self._async(refresh=True) if refresh and self._async_hint else self._async()
        if inspect.isawaitable(value):
            value = await value
        return check_credential(value, self._result)

    def get_sync(self, cancel_token: CancelToken | None = None) -> tuple[int, str]:
        seen = self._refreshes.snapshot()[0]  # before asking: a refresh landing meanwhile counts
        return seen, self._call_sync(False)

    async def get_async(self) -> tuple[int, str]:
        seen = self._refreshes.snapshot()[0]
        return seen, await self._call_async(False)

    def refresh_sync(self, seen: int, cancel_token: CancelToken | None = None) -> str:
        return self._refreshes.run_sync(seen, lambda: self._call_sync(True), cancel_token)[1]

    async def refresh_async(self, seen: int) -> str:
        return (await self._refreshes.run_async(seen, lambda: self._call_async(True)))[1]

    def close(self) -> None:
        pass


# -- OAuth2 client credentials ------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float | None  # clock() deadlines; None: no expiry announced
    expires_at: float | None

    def fresh(self, now: float) -> bool:
        return self.refresh_at is None or now < self.refresh_at

    def usable(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


def shown_url(url: Any) -> str:
    """The token URL for reprs and messages: the toolkit's redaction (userinfo masked) of the
    URL without its query and fragment. A token endpoint's query may carry a secret under a
    name no definition of secret knows (``?tenant_sig=...``), so none of it is shown."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<invalid URL>"
    return display_url(parsed.copy_with(query=None, fragment=None))


_AUTH_METHODS = ("client_secret_post", "client_secret_basic")


def _number(name: str, value: Any, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError(f"{name} must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def _scope(scope: str | Iterable[str] | None) -> str | None:
    if scope is None:
        return None
    if isinstance(scope, str):
        return scope
    items = list(scope)
    if not all(isinstance(s, str) for s in items):
        raise TypeError(f"scope must be a str or an iterable of str, got {scope!r}")
    return " ".join(items)


def _expires_in(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if number > 0 else None
    return None


class ClientCredentialsSource:
    """The OAuth2 client credentials grant (RFC 6749 §4.4), token kept until ``refresh_margin``
    seconds before it expires, fetched by one caller at a time with its own bare client."""

    refreshable = True
    async_only = False

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | Iterable[str] | None,
        audience: str | None,
        refresh_margin: float,
        timeout: float,
        auth_method: str,
        extra_params: dict[str, str] | None,
    ) -> None:
        if not isinstance(token_url, str) or not token_url.startswith(("https://", "http://")):
            raise ValueError(
                f"token_url must be an absolute http(s) URL, got {shown_url(token_url)!r}"
            )
        self.token_url = token_url
        self.shown_url = shown_url(token_url)
        self.client_id = check_credential(client_id, "client_id")
        self._secret = check_credential(client_secret, "client_secret")
        self.scope = _scope(scope)
        if audience is not None and not isinstance(audience, str):
            raise TypeError(f"audience must be a str or None, got {type(audience).__name__}")
        self.audience = audience
        self.refresh_margin = _number("refresh_margin", refresh_margin)
        self.timeout = _number("timeout", timeout)
        if auth_method not in _AUTH_METHODS:
            raise ValueError(
                f"auth_method must be one of {', '.join(map(repr, _AUTH_METHODS))}, "
                f"got {auth_method!r}"
            )
        self.auth_method = auth_method
        if extra_params is not None and not (
            isinstance(extra_params, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in extra_params.items())
        ):
            raise TypeError("extra_params must be a dict of str to str or None")
        self.extra_params = dict(extra_params or {})
        self._tokens: _Generations[_Token] = _Generations()
        self._http: AxiosPython | None = None
        self._http_lock = threading.Lock()

    # -- the token endpoint -------------------------------------------------------------------

    def _client(self) -> AxiosPython:
        with self._http_lock:
            if self._http is None or self._http.is_closed:
                # a bare instance of its own: the user's interceptors, middleware and plugins,
                # and process-wide ones (autoload=False), never see the client secret; a
                # redirect is an error, never followed
                self._http = AxiosPython(
                    {"timeout": self.timeout, "follow_redirects": False}, autoload=False
                )
            return self._http

    def _request(self) -> dict[str, Any]:
        form = {"grant_type": "client_credentials", **self.extra_params}
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        headers = {"Accept": "application/json"}
        auth: tuple[str, str] | None = None
        if self.auth_method == "client_secret_post":
            form["client_id"] = self.client_id
            form["client_secret"] = self._secret
        else:
            auth = (self.client_id, self._secret)
        return {"data": form, "headers": headers, "auth": auth}

    def _failed(self, exc: AxiosPythonError) -> AuthError:
        # the core's message has the request's secrets scrubbed; the cause keeps its type,
        # message and traceback, not the request (it holds the secret)
        exc.config = None
        exc.request = None
        error = AuthError(
            f"token request to {self.shown_url} failed: {type(exc).__name__}: {exc}",
            url=self.shown_url,
        )
        error.__cause__ = exc
        return error

    def _token(self, response: Response, sent_at: float) -> _Token:
        status = response.status_code
        data: Any = None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not 200 <= status < 300:
            detail = ""
            if isinstance(data, dict) and isinstance(data.get("error"), str):
                # the endpoint's own words: they could echo what they were sent
                detail = f" ({scrub(data['error'][:100], [self._secret])})"
            raise AuthError(
                f"token endpoint {self.shown_url} answered HTTP {status} "
                f"{response.reason_phrase}{detail}",
                url=self.shown_url,
                status_code=status,
            )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(
                f"token endpoint {self.shown_url} answered HTTP {status} without an access_token",
                url=self.shown_url,
                status_code=status,
            )
        check_credential(token, "the access_token")
        lifetime = _expires_in(data.get("expires_in"))
        if lifetime is None:
            return _Token(token, None, None)
        margin = min(self.refresh_margin, lifetime / 2)
        expires_at = sent_at + lifetime
        return _Token(token, expires_at - margin, expires_at)

    def _fetch_sync(self) -> _Token:
        sent_at = clock()
        try:
            response = self._client().post(self.token_url, **self._request())
        except AxiosPythonError as exc:
            raise self._failed(exc) from exc
        return self._token(response, sent_at)

    async def _fetch_async(self) -> _Token:
        sent_at = clock()
        try:
            response = await self._client().async_post(self.token_url, **self._request())
        except AxiosPythonError as exc:
            raise self._failed(exc) from exc
        return self._token(response, sent_at)

    # -- Source -------------------------------------------------------------------------------

    def _kept(self) -> tuple[int, _Token | None, bool]:
        """(generation, the token to go on with or ``None``, whether to refresh it ahead of
        its expiry): a fresh token is kept; one inside the margin is kept while another
        caller refreshes it, else refreshed by this caller."""
        seen, token = self._tokens.snapshot()
        now = clock()
        if token is None or not token.usable(now):
            return seen, None, False
        return seen, token, not token.fresh(now) and not self._tokens.refreshing(seen)

    def _still_valid(self, error: AuthError, seen: int, token: _Token | None) -> tuple[int, str]:
        """After a failed fetch: the token that is still valid, or the error if none is."""
        if token is None:
            raise error
        log.warning("refreshing the OAuth2 token ahead of its expiry failed: %s", error)
        return seen, token.value

    def get_sync(self, cancel_token: CancelToken | None = None) -> tuple[int, str]:
        seen, token, ahead = self._kept()
        if token is not None and not ahead:
            return seen, token.value
        try:
            generation, fetched = self._tokens.run_sync(seen, self._fetch_sync, cancel_token)
        except AuthError as error:
            return self._still_valid(error, seen, token)
        return generation, fetched.value

    async def get_async(self) -> tuple[int, str]:
        seen, token, ahead = self._kept()
        if token is not None and not ahead:
            return seen, token.value
        try:
            generation, fetched = await self._tokens.run_async(seen, self._fetch_async)
        except AuthError as error:
            return self._still_valid(error, seen, token)
        return generation, fetched.value

    def refresh_sync(self, seen: int, cancel_token: CancelToken | None = None) -> str:
        return self._tokens.run_sync(seen, self._fetch_sync, cancel_token)[1].value

    async def refresh_async(self, seen: int) -> str:
        return (await self._tokens.run_async(seen, self._fetch_async))[1].value

    def close(self) -> None:
        with self._http_lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()
