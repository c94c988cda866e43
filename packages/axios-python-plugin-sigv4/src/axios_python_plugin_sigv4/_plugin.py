"""SigV4Plugin: AWS Signature Version 4 on every attempt, through botocore."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from axios_python import AxiosPython, Dual, check_header_name
from axios_python.engine import httpx

from ._hosts import Hosts

if TYPE_CHECKING:
    from ._signer import Signer

__all__ = ["SigV4Plugin"]

#: Services whose requests follow S3's rules: the path signed as sent, not normalised or
#: encoded twice; X-Amz-Content-SHA256 required; UNSIGNED-PAYLOAD accepted.
S3_SERVICES = frozenset({"s3", "s3-object-lambda", "s3-outposts"})

_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REGION_SET = re.compile(r"^(\*|[a-z0-9*-]+(,[a-z0-9*-]+)*)$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

#: The longest a SigV4 presigned URL may be valid (seven days).
MAX_EXPIRES = 7 * 24 * 3600

#: Query names a signature puts in a presigned URL (secret for the client's logs and guard).
SIGNATURE_PARAMS = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")


class SigV4Plugin:
    """Signs every attempt of every request to the allowed hosts with AWS Signature Version 4.

    ::

        api = axios_python.create({"base_url": "https://abc123.execute-api.eu-west-1.amazonaws.com"})
        api.plugin(SigV4Plugin(service="execute-api", region="eu-west-1"))

    The signature is computed by botocore on each attempt (a fresh ``X-Amz-Date``, the current
    credentials) over exactly what is sent: the method, the wire URL in AWS's canonical
    encoding, the attempt's headers, ``Host`` and the SHA-256 of the body. Redirects to the same
    origin are signed again for their own URL; other origins never get the signature (the
    plugin registers its headers as secret on the client, and the core's redirect guard drops
    them).
    """

    #: The entry-point name: ``api.plugin("sigv4", ...)`` and ``api.remove_plugin("sigv4")``.
    name = "sigv4"

    def __init__(
        self,
        service: str = "execute-api",
        region: str | None = None,
        credentials: Any = None,
        *,
        hosts: Iterable[str] | None = None,
        other_hosts: str = "unsigned",
        unsigned_payload: bool = False,
        algorithm: str = "sigv4",
        profile: str | None = None,
    ) -> None:
        """
        ``service``: the signing name (``execute-api``, ``s3``, ``sqs``, ``es``, ``aoss``,
        ``lambda``...). ``region``: the region (``None``: ``AWS_REGION``, ``AWS_DEFAULT_REGION``
        or the profile's, as botocore finds it); for SigV4A a region set such as ``"*"`` or
        ``"us-east-1,eu-west-1"``.

        ``credentials``: ``None`` for botocore's credential chain (environment, shared files,
        ``profile``, SSO, container and instance metadata), a ``(access_key, secret_key[,
        token])`` tuple, a mapping (``access_key``/``secret_key``/``token``, or STS's
        ``AccessKeyId``/``SecretAccessKey``/``SessionToken``), botocore ``Credentials`` or
        ``RefreshableCredentials``, or a provider function (sync, ``async def`` or ``Dual``)
        returning one of these, asked on every attempt.

        ``hosts``: the hosts requests are signed for (``None``: the host and port of the call's
        ``base_url``; else names such as ``"*.amazonaws.com"`` or ``"localhost:4566"``).
        ``other_hosts``: what happens to a request to another host: ``"unsigned"`` (sent
        without a signature, the default) or ``"refuse"`` (``SigV4Error``).

        ``unsigned_payload=True`` (S3 only): ``UNSIGNED-PAYLOAD`` for every body instead of
        its hash (a large file is then read once, not twice). Bodies that can only be read
        once are always sent that way to S3, and refused for the other services.

        ``algorithm``: ``"sigv4"`` or ``"sigv4a"`` (multi-region, through the AWS CRT:
        ``pip install "axios-python-plugin-sigv4[crt]"``).
        """
        if not isinstance(service, str) or not _SERVICE.match(service):
            raise ValueError(
                "service must be an AWS signing name such as 'execute-api', 's3', 'sqs' or "
                f"'es', got {service!r}"
            )
        if algorithm not in ("sigv4", "sigv4a"):
            raise ValueError(f"algorithm must be 'sigv4' or 'sigv4a', got {algorithm!r}")
        if other_hosts not in ("unsigned", "refuse"):
            raise ValueError(f"other_hosts must be 'unsigned' or 'refuse', got {other_hosts!r}")
        if not isinstance(unsigned_payload, bool):
            raise TypeError(f"unsigned_payload must be True or False, got {unsigned_payload!r}")
        s3 = service in S3_SERVICES
        if unsigned_payload and not s3:
            raise ValueError(
                f"unsigned_payload=True is for S3 only; the {service!r} service needs the hash "
                "of every body"
            )
        self._hosts = Hosts(hosts)

        # botocore is imported here, when the plugin is built: never when plugins are listed
        from ._credentials import credential_source, environment_region
        from ._engine import Engine
        from ._signer import Signer

        source, shown_credentials = credential_source(credentials, profile)
        if region is None:
            region = environment_region(profile)
            if region is None:
                raise ValueError(
                    "no region given and none configured (AWS_REGION, AWS_DEFAULT_REGION or "
                    "the profile's region): pass region='us-east-1' or the like"
                )
        pattern = _REGION_SET if algorithm == "sigv4a" else _REGION
        if not isinstance(region, str) or not pattern.match(region):
            what = (
                "a region set such as '*' or 'us-east-1,eu-west-1'"
                if algorithm == ("sigv4a")
                else "a region such as 'us-east-1'"
            )
            raise ValueError(f"region must be {what}, got {region!r}")

        self.service = service
        self.region = region
        self.algorithm = algorithm
        self._signer: Signer = Signer(
            Engine(service, region, s3=s3, algorithm=algorithm),
            source,
            self._hosts,
            refuse_other_hosts=other_hosts == "refuse",
            s3=s3,
            unsigned_payload=unsigned_payload,
        )
        shown = [f"service={service!r}", f"region={region!r}", f"credentials={shown_credentials}"]
        if hosts is not None:
            shown.append(f"hosts={self._hosts!r}")
        if other_hosts != "unsigned":
            shown.append(f"other_hosts={other_hosts!r}")
        if unsigned_payload:
            shown.append("unsigned_payload=True")
        if algorithm != "sigv4":
            shown.append(f"algorithm={algorithm!r}")
        self._repr = f"SigV4Plugin({', '.join(shown)})"

    # -- plugin contract ----------------------------------------------------------------------

    def attach(self, client: AxiosPython) -> None:
        """Register the signature's headers and query names as secret on the client (masked in
        messages and logs, dropped on redirects to other origins) and the attempt-scope
        middleware that signs."""
        if self._hosts.patterns is None and not client.config.get("base_url"):
            raise ValueError(
                "SigV4Plugin signs requests to the host of the client's base_url, and this "
                "client has none: set base_url in create() or pass hosts=[...]"
            )
        from ._engine import SIGNATURE_HEADERS

        client.secrets.register(headers=SIGNATURE_HEADERS, params=SIGNATURE_PARAMS)
        signer = self._signer
        if signer.credentials.async_only:
            # an async-only credentials provider: the core runs this form in sync calls too
            client.use(signer.attempt_async, scope="attempt", validated=True)
        else:
            client.use(
                Dual(sync=signer.attempt_sync, async_=signer.attempt_async),
                scope="attempt",
                validated=True,  # headers, the wire URL it signed and a redirect hook
            )

    def __repr__(self) -> str:
        return self._repr

    # -- presigned URLs -----------------------------------------------------------------------

    def _presign_args(
        self,
        url: str | httpx.URL,
        method: str,
        expires_in: int,
        params: Any,
        headers: Mapping[str, str] | None,
    ) -> tuple[str, httpx.URL, dict[str, str], int]:
        if not isinstance(method, str) or not _TOKEN.match(method):
            raise ValueError(
                f"method must be an HTTP method such as 'GET' or 'PUT', got {method!r}"
            )
        if isinstance(expires_in, bool) or not isinstance(expires_in, int):
            raise TypeError(f"expires_in must be a number of seconds (int), got {expires_in!r}")
        if not 1 <= expires_in <= MAX_EXPIRES:
            raise ValueError(
                f"expires_in must be between 1 and {MAX_EXPIRES} seconds (seven days), "
                f"got {expires_in}"
            )
        try:
            target = httpx.URL(str(url))
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise ValueError(f"url must be an absolute http(s) URL: {exc}") from None
        if target.scheme not in ("http", "https") or not target.host:
            raise ValueError("url must be an absolute http(s) URL such as https://host/key")
        if params:
            target = target.copy_merge_params(params)
        signed: dict[str, str] = {}
        for name, value in (headers or {}).items():
            signed[check_header_name(name, "headers")] = str(value)
        return method.upper(), target, signed, expires_in

    def presign(
        self,
        url: str | httpx.URL,
        *,
        method: str = "GET",
        expires_in: int = 3600,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """A presigned URL: ``url`` (absolute; ``params`` merged into its query) with a
        query-string signature valid for ``expires_in`` seconds, for whoever holds it (hand a
        browser a download or upload link). ``headers`` are signed too: the request must then
        carry them (a ``Content-Type`` for an upload). For S3 the body is never part of it
        (``UNSIGNED-PAYLOAD``). botocore's query signer computes it."""
        method, target, signed, expires = self._presign_args(
            url, method, expires_in, params, headers
        )
        credentials = self._signer.credentials.frozen_sync()
        return self._signer.presign(credentials, method, target, signed, expires)

    async def async_presign(
        self,
        url: str | httpx.URL,
        *,
        method: str = "GET",
        expires_in: int = 3600,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """``presign`` for async code: a credentials refresh runs in a worker thread."""
        method, target, signed, expires = self._presign_args(
            url, method, expires_in, params, headers
        )
        credentials = await self._signer.credentials.frozen_async()
        return self._signer.presign(credentials, method, target, signed, expires)
