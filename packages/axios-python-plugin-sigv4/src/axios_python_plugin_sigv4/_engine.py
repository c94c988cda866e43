"""botocore's signers, fed one request at a time.

The plugin never computes a signature itself: it hands botocore a request (method, URL in its
canonical wire form, the headers to sign, the payload hash) and copies back the headers
botocore adds. SigV4 uses botocore's Python signers (``SigV4Auth``, and ``S3SigV4Auth`` for S3,
whose path rules differ); SigV4A uses botocore's CRT signers (the ``[crt]`` extra).

botocore logs the canonical request, the string to sign and the signature at DEBUG on
``botocore.auth``; while this plugin signs, those records are kept with their values masked,
so enabling debug logging never writes a signature or a session token.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import botocore.auth  # type: ignore[import-untyped]
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]

from ._errors import SigV4Error

__all__ = ["SIGNATURE_HEADERS", "UNSIGNED_HEADERS", "Engine"]

#: The headers a signature consists of (replaced on every attempt and hop).
SIGNATURE_HEADERS = (
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Content-SHA256",
    "X-Amz-Security-Token",
    "X-Amz-Region-Set",
)

#: Headers never signed: botocore's list (hop-by-hop, tracing, User-Agent), what httpx sets
#: (Content-Length) and the signature's own headers (``Date`` would replace ``X-Amz-Date``).
UNSIGNED_HEADERS = frozenset(
    {
        *(name.lower() for name in botocore.auth.SIGNED_HEADERS_BLACKLIST),
        "content-length",
        "date",
        *(name.lower() for name in SIGNATURE_HEADERS),
    }
)

_PAYLOAD = "axios_python_sigv4.payload"
_signing: contextvars.ContextVar[bool] = contextvars.ContextVar("sigv4_signing", default=False)


class _MaskWhileSigning(logging.Filter):
    """Masks the values in ``botocore.auth``'s records made while this plugin signs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _signing.get() and record.args:
            record.args = (
                tuple("***" for _ in record.args) if isinstance(record.args, tuple) else ("***",)
            )
        return True


_filter = _MaskWhileSigning()
logging.getLogger("botocore.auth").addFilter(_filter)


@contextmanager
def _masked() -> Iterator[None]:
    reset = _signing.set(True)
    try:
        yield
    finally:
        _signing.reset(reset)


class _S3Auth(S3SigV4Auth):  # type: ignore[misc]
    """botocore's S3 signer, given the payload hash this plugin computed (streamed, or
    ``UNSIGNED-PAYLOAD``) instead of reading ``request.body``."""

    def payload(self, request: Any) -> str:
        return str(request.context[_PAYLOAD])


def _crt_signers(s3: bool) -> tuple[type[Any], type[Any]]:
    """The SigV4A signers (header, query) from botocore's CRT integration."""
    from botocore.compat import HAS_CRT  # type: ignore[import-untyped]

    if not HAS_CRT:
        raise SigV4Error(
            "algorithm='sigv4a' signs through the AWS CRT, which is not installed: "
            'pip install "axios-python-plugin-sigv4[crt]"'
        )
    from botocore.crt.auth import (  # type: ignore[import-untyped]
        CrtS3SigV4AsymAuth,
        CrtS3SigV4AsymQueryAuth,
        CrtSigV4AsymAuth,
        CrtSigV4AsymQueryAuth,
    )

    if not s3:
        return CrtSigV4AsymAuth, CrtSigV4AsymQueryAuth

    class _CrtS3Auth(CrtS3SigV4AsymAuth):  # type: ignore[misc]
        """botocore's S3 SigV4A signer, given this plugin's payload hash."""

        def _get_existing_sha256(self, request: Any) -> Any:
            return request.headers.get("X-Amz-Content-SHA256")

    return _CrtS3Auth, CrtS3SigV4AsymQueryAuth


class Engine:
    """Signs requests for one service and region (a region set for SigV4A)."""

    def __init__(self, service: str, region: str, *, s3: bool, algorithm: str) -> None:
        self.service = service
        self.region = region
        if algorithm == "sigv4a":
            self._header, self._query = _crt_signers(s3)
        elif s3:
            self._header, self._query = _S3Auth, S3SigV4QueryAuth
        else:
            self._header, self._query = SigV4Auth, SigV4QueryAuth

    def sign(
        self, credentials: Any, method: str, url: str, headers: Mapping[str, str], payload: str
    ) -> dict[str, str]:
        """The signature headers of a request: ``url`` as sent, ``headers`` the ones to sign
        (``Host`` comes from the URL), ``payload`` its hash or ``UNSIGNED-PAYLOAD``."""
        request = AWSRequest(method=method, url=url, headers=dict(headers))
        request.headers["X-Amz-Content-SHA256"] = payload
        request.context[_PAYLOAD] = payload
        with _masked():
            self._header(credentials, self.service, self.region).add_auth(request)
        signed = request.headers
        return {name: str(signed[name]) for name in SIGNATURE_HEADERS if name in signed}

    def presign(
        self,
        credentials: Any,
        method: str,
        url: str,
        headers: Mapping[str, str],
        expires: int,
    ) -> str:
        """``url`` with a query-string signature valid for ``expires`` seconds."""
        request = AWSRequest(method=method, url=url, headers=dict(headers))
        with _masked():
            self._query(credentials, self.service, self.region, expires=expires).add_auth(request)
        return str(request.url)
