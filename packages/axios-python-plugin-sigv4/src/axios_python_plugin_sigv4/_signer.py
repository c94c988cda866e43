"""The attempt-scope middleware: every attempt, and every redirect hop the core lets carry the
call's credentials, gets a signature of its own.

For an attempt: the wire URL (``wire_url(ctx)``) in its canonical form, the attempt's headers
(all but the unsigned ones, ``Host`` taken from the URL), its payload hash and credentials
frozen for this signature go to botocore; the request is then sent to that very URL with the
headers botocore made. For a hop (``add_redirect_hook``): the same, from the ``httpx.Request``
of the hop, with the same credentials, the attempt's payload hash when the method (and so the
body) is kept, the hash of nothing when the redirect turned the request into a body-less GET.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from axios_python import (
    AsyncNext,
    Config,
    HeaderDict,
    Response,
    SyncNext,
    add_redirect_hook,
    call_state,
    display_url,
    wire_url,
)
from axios_python.engine import httpx

from ._canonical import canonical_url
from ._credentials import CredentialSource
from ._engine import SIGNATURE_HEADERS, UNSIGNED_HEADERS, Engine
from ._errors import SigV4Error
from ._hosts import Hosts
from ._payload import EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD, Payload, plan_payload

__all__ = ["Signer"]

log = logging.getLogger("axios_python.sigv4")

#: The query parameter that makes a URL presigned (signed already, sent as it is).
_PRESIGNED = "X-Amz-Signature"
_PRESIGNED_BYTES = _PRESIGNED.encode()


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _to_sign(headers: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: _text(value)
        for name, value in headers.items()
        if value is not None and name.lower() not in UNSIGNED_HEADERS
    }


def _replace_signature(headers: Any, signature: Mapping[str, str]) -> None:
    for name in SIGNATURE_HEADERS:
        if name in headers:
            del headers[name]
    headers.update(signature)


class _Hop:
    """The redirect hook of one attempt: signs a hop to the call's origin."""

    __slots__ = ("credentials", "digest", "engine", "method", "names")

    def __init__(
        self, engine: Engine, credentials: Any, method: str, digest: str, names: frozenset[str]
    ) -> None:
        self.engine = engine
        self.credentials = credentials
        self.method = method
        self.digest = digest
        self.names = names

    def __call__(self, request: httpx.Request) -> None:
        url = canonical_url(request.url)
        request.url = url
        headers = {n: v for n, v in request.headers.items() if n.lower() in self.names}
        digest = self.digest if request.method == self.method else EMPTY_SHA256_HASH
        signature = self.engine.sign(self.credentials, request.method, str(url), headers, digest)
        _replace_signature(request.headers, signature)


class Signer:
    """What ``SigV4Plugin`` runs on every attempt."""

    def __init__(
        self,
        engine: Engine,
        credentials: CredentialSource,
        hosts: Hosts,
        *,
        refuse_other_hosts: bool,
        s3: bool,
        unsigned_payload: bool,
    ) -> None:
        self.engine = engine
        self.credentials = credentials
        self.hosts = hosts
        self.refuse_other_hosts = refuse_other_hosts
        self.s3 = s3
        self.unsigned_payload = unsigned_payload

    # -- the parts ----------------------------------------------------------------------------

    def _target(self, ctx: Config) -> httpx.URL | None:
        """The canonical wire URL of the attempt, or ``None`` when it is sent unsigned."""
        try:
            url = wire_url(ctx)
        except Exception:
            return None  # the core reports a URL it cannot build, as without the plugin
        if _PRESIGNED_BYTES in url.query and _PRESIGNED in url.params:
            # a presigned URL carries its signature: a second one would make AWS refuse it
            if log.isEnabledFor(logging.DEBUG):
                shown = display_url(url, call_state(ctx).secrets)
                log.debug("%s %s: sent as it is (a presigned URL)", ctx["method"], shown)
            return None
        if self.hosts.allows(url, ctx):
            return canonical_url(url)
        if self.refuse_other_hosts:
            shown = display_url(url, call_state(ctx).secrets)
            raise SigV4Error(
                f"SigV4Plugin does not sign {ctx['method']} {shown}: its host is not one the "
                f"plugin signs for (hosts={self.hosts!r}; None is the base_url's host), and "
                "other_hosts='refuse'",
                config=ctx,
            )
        if log.isEnabledFor(logging.DEBUG):
            shown = display_url(url, call_state(ctx).secrets)
            log.debug(
                "%s %s: sent unsigned (not a host the plugin signs for)", ctx["method"], shown
            )
        return None

    def _payload(self, ctx: Config) -> Payload:
        if self.unsigned_payload:
            return Payload(digest=UNSIGNED_PAYLOAD)
        return plan_payload(ctx, service=self.engine.service, unsigned_ok=self.s3)

    def _signed(
        self, ctx: Config, url: httpx.URL, payload: Payload, digest: str, credentials: Any
    ) -> Config:
        headers = HeaderDict(ctx["headers"])
        headers.update(payload.headers)
        to_sign = _to_sign(headers)
        signature = self.engine.sign(credentials, ctx["method"], str(url), to_sign, digest)
        _replace_signature(headers, signature)
        signed: Config = {**ctx, "headers": headers, "url": str(url), "params": None}
        names = frozenset(name.lower() for name in to_sign)
        add_redirect_hook(signed, _Hop(self.engine, credentials, ctx["method"], digest, names))
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s: signed for %s in %s (attempt %s, payload %s)",
                ctx["method"],
                display_url(url, call_state(ctx).secrets),
                self.engine.service,
                self.engine.region,
                ctx.get("attempt", 1),
                "unsigned" if digest == UNSIGNED_PAYLOAD else "hashed",
            )
        return signed

    # -- the middleware -----------------------------------------------------------------------

    def attempt_sync(self, ctx: Config, next_fn: SyncNext) -> Response:
        url = self._target(ctx)
        if url is None:
            return next_fn(ctx)
        payload = self._payload(ctx)
        credentials = self.credentials.frozen_sync()
        return next_fn(self._signed(ctx, url, payload, payload.now(), credentials))

    async def attempt_async(self, ctx: Config, next_fn: AsyncNext) -> Response:
        url = self._target(ctx)
        if url is None:
            return await next_fn(ctx)
        payload = self._payload(ctx)
        credentials = await self.credentials.frozen_async()
        if payload.digest is None and payload.heavy:
            digest = await asyncio.to_thread(payload.now)  # a file or a large body
        else:
            digest = payload.now()
        return await next_fn(self._signed(ctx, url, payload, digest, credentials))

    # -- presigned URLs -------------------------------------------------------------------------

    def presign(
        self,
        credentials: Any,
        method: str,
        url: httpx.URL,
        headers: Mapping[str, str],
        expires: int,
    ) -> str:
        return self.engine.presign(
            credentials, method, str(canonical_url(url)), _to_sign(headers), expires
        )
