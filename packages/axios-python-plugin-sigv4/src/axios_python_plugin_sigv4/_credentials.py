"""Where the signing keys come from, frozen once per signature.

Each signature is made with one ``ReadOnlyCredentials`` (access key, secret key, session
token) read in one step: reading a refreshable credential's fields one by one can mix the keys
of two generations. botocore refreshes a ``RefreshableCredentials`` when it is read close to its
expiry, over the network (STS, SSO, the container or instance metadata endpoint); on the async
path that refresh runs in a worker thread, once for all the tasks that need it (the core's
``SingleFlight``), so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable, Mapping
from typing import Any

from botocore.credentials import ReadOnlyCredentials  # type: ignore[import-untyped]

from axios_python import SingleFlight, check_credential, hook_forms

from ._errors import SigV4Error

__all__ = ["CredentialSource", "credential_source", "environment_region"]

#: botocore refreshes (advisory window) when fewer seconds than this are left; the async path
#: sends any credential closer than this plus a margin to a thread, so that the read it makes
#: on the loop can never be the one that refreshes.
_ADVISORY = 15 * 60
_MARGIN = 60


#: Accepted mapping keys: ours, botocore's config names, STS's response names.
_KEY_NAMES = (
    ("access_key", "secret_key", "token"),
    ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
    ("AccessKeyId", "SecretAccessKey", "SessionToken"),
)

ACCEPTED = (
    "None (botocore's credential chain), a (access_key, secret_key[, token]) tuple, a mapping "
    "with access_key/secret_key/token (or AccessKeyId/SecretAccessKey/SessionToken), a botocore "
    "Credentials or RefreshableCredentials, or a function returning one of these (sync, async "
    "or Dual)"
)


def _frozen(access_key: Any, secret_key: Any, token: Any) -> ReadOnlyCredentials:
    return ReadOnlyCredentials(
        check_credential(access_key, "the access key"),
        check_credential(secret_key, "the secret key"),
        None if token in (None, "") else check_credential(token, "the session token"),
    )


def _from_plain(value: Any) -> ReadOnlyCredentials | None:
    """Credentials given as values (a tuple or a mapping), or ``None`` for other types."""
    if isinstance(value, ReadOnlyCredentials):
        return _frozen(value.access_key, value.secret_key, value.token)
    if isinstance(value, (tuple, list)):
        if len(value) not in (2, 3):
            raise ValueError(
                "credentials as a sequence are (access_key, secret_key) or "
                f"(access_key, secret_key, token); got {len(value)} items"
            )
        return _frozen(*value, *([None] * (3 - len(value))))
    if isinstance(value, Mapping):
        for access, secret, token in _KEY_NAMES:
            if access in value and secret in value:
                return _frozen(value[access], value[secret], value.get(token))
        raise ValueError(
            "credentials as a mapping need access_key and secret_key (and optionally token), "
            f"or AccessKeyId and SecretAccessKey; got the keys {sorted(map(str, value))}"
        )
    return None


def _is_botocore(value: Any) -> bool:
    return callable(getattr(value, "get_frozen_credentials", None))


def _needs_thread(credentials: Any) -> bool:
    """Whether reading ``credentials`` may refresh them (network I/O)."""
    refresh_needed = getattr(credentials, "refresh_needed", None)
    if not callable(refresh_needed):
        return False  # static botocore Credentials
    window = getattr(credentials, "_advisory_refresh_timeout", _ADVISORY)
    if not isinstance(window, (int, float)):
        window = _ADVISORY
    return bool(refresh_needed(max(window, _ADVISORY) + _MARGIN))


class CredentialSource:
    """Frozen credentials for one signature, on either path."""

    #: Whether only an async form exists (an ``async def`` provider).
    async_only = False

    def frozen_sync(self) -> ReadOnlyCredentials:
        raise NotImplementedError

    async def frozen_async(self) -> ReadOnlyCredentials:
        raise NotImplementedError


class _Static(CredentialSource):
    def __init__(self, credentials: ReadOnlyCredentials) -> None:
        self._credentials = credentials

    def frozen_sync(self) -> ReadOnlyCredentials:
        return self._credentials

    async def frozen_async(self) -> ReadOnlyCredentials:
        return self._credentials


class _Freezer:
    """Freezes botocore credentials: in place on the sync path (botocore's own lock makes one
    refresh); on the async path in a worker thread when a refresh may happen, one thread for
    all the tasks asking about the same credentials."""

    def __init__(self) -> None:
        self._flight: SingleFlight[ReadOnlyCredentials] = SingleFlight()

    @staticmethod
    def sync(credentials: Any) -> ReadOnlyCredentials:
        frozen = credentials.get_frozen_credentials()
        return _frozen(frozen.access_key, frozen.secret_key, frozen.token)

    async def async_(self, credentials: Any) -> ReadOnlyCredentials:
        if not _needs_thread(credentials):
            return self.sync(credentials)

        async def refresh() -> ReadOnlyCredentials:
            return await asyncio.to_thread(self.sync, credentials)

        return await self._flight.run_async(id(credentials), refresh)


class _Botocore(CredentialSource):
    """A botocore ``Credentials`` or ``RefreshableCredentials``."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._freezer = _Freezer()

    def frozen_sync(self) -> ReadOnlyCredentials:
        return self._freezer.sync(self._credentials)

    async def frozen_async(self) -> ReadOnlyCredentials:
        return await self._freezer.async_(self._credentials)


class _Chain(CredentialSource):
    """botocore's standard chain (environment, shared files, profiles, SSO, container and
    instance metadata), resolved on first use (in a thread on the async path) and kept: what it
    finds is usually refreshable, and botocore refreshes it."""

    def __init__(self, profile: str | None) -> None:
        self._profile = profile
        self._found: Any = None
        self._flight: SingleFlight[Any] = SingleFlight()
        self._freezer = _Freezer()

    def _resolve(self) -> Any:
        if self._found is not None:
            return self._found
        import botocore.session  # type: ignore[import-untyped]

        session = botocore.session.Session(profile=self._profile)
        try:
            found = session.get_credentials()
        except Exception as exc:  # botocore's errors name files and profiles, never keys
            raise SigV4Error(f"botocore's credential chain failed: {exc}") from exc
        if found is None:
            where = f"profile {self._profile!r}, " if self._profile else ""
            raise SigV4Error(
                "no AWS credentials found: botocore's credential chain (environment variables, "
                f"{where}the shared credentials and config files, SSO, container and instance "
                "metadata) found none; configure one of them or pass credentials=..."
            )
        self._found = found
        return found

    def frozen_sync(self) -> ReadOnlyCredentials:
        found = self._found or self._flight.run_sync("chain", self._resolve)
        return self._freezer.sync(found)

    async def frozen_async(self) -> ReadOnlyCredentials:
        found = self._found
        if found is None:

            async def resolve() -> Any:
                return await asyncio.to_thread(self._resolve)

            found = await self._flight.run_async("chain", resolve)
        return await self._freezer.async_(found)


class _Provider(CredentialSource):
    """A function asked for credentials on every signature."""

    def __init__(self, provider: Any) -> None:
        sync_form, async_form = hook_forms(provider, "credentials")
        self._sync: Callable[[], Any] | None = sync_form
        self._async: Callable[[], Any] = async_form or sync_form  # type: ignore[assignment]
        self.async_only = sync_form is None
        self._freezer = _Freezer()

    @staticmethod
    def _plain(value: Any) -> ReadOnlyCredentials | None:
        if value is None:
            raise SigV4Error("the credentials provider returned None")
        if _is_botocore(value):
            return None
        plain = _from_plain(value)
        if plain is None:
            raise TypeError(
                f"the credentials provider returned a {type(value).__name__}; accepted: a "
                "(access_key, secret_key[, token]) tuple, a mapping with access_key and "
                "secret_key, or botocore Credentials"
            )
        return plain

    def frozen_sync(self) -> ReadOnlyCredentials:
        assert self._sync is not None
        value = self._sync()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise TypeError(
                "the credentials provider returned an awaitable in a sync call: declare it "
                "`async def` or pass Dual(sync=..., async_=...)"
            )
        plain = self._plain(value)
        return plain if plain is not None else self._freezer.sync(value)

    async def frozen_async(self) -> ReadOnlyCredentials:
        value = self._async()
        if inspect.isawaitable(value):
            value = await value
        plain = self._plain(value)
        return plain if plain is not None else await self._freezer.async_(value)


def credential_source(credentials: Any, profile: str | None) -> tuple[CredentialSource, str]:
    """The source for the ``credentials`` option, and how a repr shows it (never a key)."""
    if profile is not None:
        if credentials is not None:
            raise ValueError("profile= picks credentials from botocore's chain: pass it alone")
        if not isinstance(profile, str) or not profile:
            raise ValueError(f"profile must be a profile name, got {profile!r}")
    if credentials is None:
        return _Chain(profile), "None" if profile is None else "None, profile=" + repr(profile)
    if _is_botocore(credentials):
        return _Botocore(credentials), f"<{type(credentials).__name__}>"
    plain = _from_plain(credentials)
    if plain is not None:
        return _Static(plain), "***"
    if callable(credentials) or (
        callable(getattr(credentials, "sync", None))
        and callable(getattr(credentials, "async_", None))
    ):
        from axios_python import describe_callable

        return _Provider(credentials), describe_callable(credentials)
    raise TypeError(f"credentials must be {ACCEPTED}; got a {type(credentials).__name__}")


def environment_region(profile: str | None) -> str | None:
    """The region the environment names: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the
    profile's ``region`` in the shared config file (botocore's lookup)."""
    region = os.environ.get("AWS_REGION")
    if region:
        return region
    import botocore.session

    found = botocore.session.Session(profile=profile).get_config_variable("region")
    return str(found) if found else None
