"""Fixtures of the SigV4 plugin's tests: a verifier that recomputes every signature it receives
with botocore, a moto server enforcing signatures against its IAM, and a signing clock.

No test reaches for real AWS: botocore's credential chain is confined to the environment the
tests set (instance metadata off, the shared files pointed at empty temporary ones).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import importlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import botocore.auth  # type: ignore[import-untyped]
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

import axios_python
from axios_python.testing import Caller, LocalServer, RecordedRequest, Reply
from axios_python_plugin_sigv4 import SigV4Plugin

pytest_plugins = ["axios_python.testing.fixtures"]

#: The key pair the verifier knows (any secret-looking string will do).
ACCESS_KEY = "AKIDSIGV4TESTKEY0001"
SECRET_KEY = "verifier/Secret+Key=0001abcdefghijklmnopqrs"
SESSION_TOKEN = "FwoGZXIvYXdzE-session-token-0001"
#: How far from the verifier's clock a request's X-Amz-Date may be (AWS allows 15 minutes).
SKEW = datetime.timedelta(minutes=5)


# -- a clean AWS environment ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_real_aws(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's chain finds only what a test puts in the environment: no instance metadata
    (no traffic to the link-local metadata address), no user's files or profile."""
    empty = tmp_path_factory.mktemp("aws")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))


# -- the signing clock ------------------------------------------------------------------------


class SigningClock:
    """What botocore's signers read as the time: the real time plus ``offset``, one second
    later on every reading. Two signatures are then never made in the same second, so a
    signature the verifier sees twice really is one sent twice (X-Amz-Date has whole seconds)."""

    def __init__(self) -> None:
        self.offset = datetime.timedelta(0)
        self.readings = 0
        self._lock = threading.Lock()

    def __call__(self, remove_tzinfo: bool = True) -> datetime.datetime:
        with self._lock:
            self.readings += 1
            now = datetime.datetime.now(datetime.timezone.utc) + self.offset
            self.offset += datetime.timedelta(seconds=1)
        return now.replace(tzinfo=None) if remove_tzinfo else now


@pytest.fixture(autouse=True)
def signing_clock(monkeypatch: pytest.MonkeyPatch) -> SigningClock:
    clock = SigningClock()
    monkeypatch.setattr(botocore.auth, "get_current_datetime", clock)
    crt_auth = importlib.import_module("botocore.crt.auth")  # the [crt] extra: a dev dependency
    monkeypatch.setattr(crt_auth, "get_current_datetime", clock)
    return clock


# -- the verifier --------------------------------------------------------------------------------


def _aws_path(raw: str) -> str:
    """The path as AWS reads it: each segment decoded, then encoded by its rule."""
    return (
        "/".join(quote(unquote_to_bytes(segment), safe="-_.~") for segment in raw.split("/")) or "/"
    )


def _aws_query(raw: str) -> list[tuple[str, str]]:
    """The query as AWS reads it: names and values decoded (``+`` is a space)."""
    pairs = []
    for item in raw.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append(
                (
                    unquote_to_bytes(name.replace("+", " ")).decode("utf-8"),
                    unquote_to_bytes(value.replace("+", " ")).decode("utf-8"),
                )
            )
    return pairs


def _signature_matches(auth: Any, received: Any, amz_date: str, signature: str) -> bool:
    """Whether botocore's signer ``auth``, given the request as received and its date, computes
    ``signature``."""
    received.context["timestamp"] = amz_date
    canonical = auth.canonical_request(received)
    expected = auth.signature(auth.string_to_sign(received, canonical), received)
    return hmac.compare_digest(expected, signature)


@dataclass
class Verdict:
    """What the verifier made of one request."""

    ok: bool
    reason: str
    path: str
    service: str = ""
    signed_headers: list[str] = field(default_factory=list)
    payload: str = ""
    date: str = ""
    signature: str = ""


class Verifier:
    """Checks AWS SigV4 requests as AWS would, from the request exactly as received.

    It parses ``Authorization``, takes the secret of its access key, rebuilds the canonical
    request from the method, the received path and query (decoded and re-encoded by AWS's
    rule), the signed headers as received and the payload hash, and has botocore compute the
    signature. It also checks what AWS checks and moto does not: ``X-Amz-Content-SHA256``
    against the body received (``UNSIGNED-PAYLOAD`` for S3 only), the date against its clock,
    the credential scope's date; and it refuses a signature it has already seen.

    Paths: ``/flaky/...`` answers 503 to its first ``fail`` (query) verified requests;
    ``/hop?to=...`` answers a redirect to ``to`` once verified; anything else 200 with the
    verdict. A failed check answers 403 with the reason.
    """

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self._lock = threading.Lock()
        server.route("/", self._handle, prefix=True)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.keys = {ACCESS_KEY: SECRET_KEY}
            self.seen: set[str] = set()
            self.verdicts: list[Verdict] = []
            self.flaky: dict[str, int] = {}
        self.server.reset()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def check(self, request: RecordedRequest) -> Verdict:
        path, _, query = request.raw_target.partition("?")
        authorization = request.header("Authorization")
        if authorization is None and "X-Amz-Signature=" in query:
            return self._check_presigned(request, path, query)
        if not authorization or not authorization.startswith("AWS4-HMAC-SHA256 "):
            return Verdict(False, "no SigV4 Authorization header", path)
        fields = dict(
            part.strip().split("=", 1)
            for part in authorization[len("AWS4-HMAC-SHA256 ") :].split(",")
        )
        scope = fields.get("Credential", "").split("/")
        signed = fields.get("SignedHeaders", "").split(";")
        signature = fields.get("Signature", "")
        if len(scope) != 5 or scope[4] != "aws4_request":
            return Verdict(False, "malformed credential scope", path)
        access_key, day, region, service, _ = scope
        verdict = Verdict(False, "", path, service, signed, signature=signature)
        secret = self.keys.get(access_key)
        if secret is None:
            verdict.reason = "unknown access key"
            return verdict
        amz_date = request.header("X-Amz-Date") or ""
        verdict.date = amz_date
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc
            )
        except ValueError:
            verdict.reason = "no valid X-Amz-Date"
            return verdict
        if abs(datetime.datetime.now(datetime.timezone.utc) - when) > SKEW:
            verdict.reason = "X-Amz-Date too far from the server's clock (stale or future)"
            return verdict
        if day != amz_date[:8]:
            verdict.reason = "credential scope date differs from X-Amz-Date"
            return verdict
        for required in ("host", "x-amz-date"):
            if required not in signed:
                verdict.reason = f"{required} is not signed"
                return verdict
        received = {name.lower(): value for name, value in request.headers}
        missing = [name for name in signed if name not in received]
        if missing:
            verdict.reason = f"signed headers missing: {missing}"
            return verdict
        unsigned_amz = [n for n in received if n.startswith("x-amz-") and n not in signed]
        if unsigned_amz:
            verdict.reason = f"x-amz-* headers not signed: {unsigned_amz}"
            return verdict
        declared = received.get("x-amz-content-sha256")
        actual = hashlib.sha256(request.body).hexdigest()
        if declared == "UNSIGNED-PAYLOAD":
            if service != "s3":
                verdict.reason = "UNSIGNED-PAYLOAD for a service that needs the hash"
                return verdict
        elif declared is not None and declared != actual:
            verdict.reason = "X-Amz-Content-SHA256 does not match the body received"
            return verdict
        elif declared is None and service == "s3":
            verdict.reason = "S3 needs X-Amz-Content-SHA256"
            return verdict
        verdict.payload = declared or actual
        headers = {name: value for name, value in request.headers if name.lower() in signed}
        aws_request = AWSRequest(
            method=request.method,
            url=_aws_path(path),
            headers=headers,
            data=request.body,
            params=_aws_query(query),
        )
        auth_cls = S3SigV4Auth if service == "s3" else SigV4Auth
        auth = auth_cls(Credentials(access_key, secret), service, region)
        if not _signature_matches(auth, aws_request, amz_date, signature):
            verdict.reason = "signature does not match the request received"
            return verdict
        with self._lock:
            if signature in self.seen:
                verdict.reason = "signature already used (a replayed request)"
                return verdict
            self.seen.add(signature)
        verdict.ok = True
        verdict.reason = "verified"
        return verdict

    def _check_presigned(self, request: RecordedRequest, path: str, query: str) -> Verdict:
        """A presigned URL: the signature in the query string, over every other parameter,
        the headers it names, and UNSIGNED-PAYLOAD (S3) or the hash of no body."""
        params = _aws_query(query)
        fields = dict(params)
        signature = fields.get("X-Amz-Signature", "")
        scope = fields.get("X-Amz-Credential", "").split("/")
        signed = fields.get("X-Amz-SignedHeaders", "").split(";")
        if fields.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or len(scope) != 5:
            return Verdict(False, "malformed presigned URL", path)
        access_key, day, region, service, _ = scope
        verdict = Verdict(False, "", path, service, signed, signature=signature)
        secret = self.keys.get(access_key)
        if secret is None:
            verdict.reason = "unknown access key"
            return verdict
        amz_date = fields.get("X-Amz-Date", "")
        verdict.date = amz_date
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
        expires = datetime.timedelta(seconds=int(fields.get("X-Amz-Expires", "0")))
        now = datetime.datetime.now(datetime.timezone.utc)
        if not when - SKEW <= now <= when + expires or day != amz_date[:8]:
            verdict.reason = "presigned URL expired or not valid yet"
            return verdict
        headers = {name: value for name, value in request.headers if name.lower() in signed}
        aws_request = AWSRequest(
            method=request.method,
            url=_aws_path(path),
            headers=headers,
            params=[(k, v) for k, v in params if k != "X-Amz-Signature"],
        )
        auth_cls = S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth
        auth = auth_cls(Credentials(access_key, secret), service, region)
        if not _signature_matches(auth, aws_request, amz_date, signature):
            verdict.reason = "signature does not match the request received"
            return verdict
        verdict.ok = True
        verdict.reason = "verified"
        return verdict

    def _handle(self, request: RecordedRequest) -> Reply:
        verdict = self.check(request)
        with self._lock:
            self.verdicts.append(verdict)
        body = {"verified": verdict.ok, "reason": verdict.reason, "path": verdict.path,
                "signed_headers": verdict.signed_headers, "payload": verdict.payload}  # fmt: skip
        if not verdict.ok:
            return Reply(403, json=body)
        path = verdict.path
        query = dict(_aws_query(request.raw_target.partition("?")[2]))
        if path.startswith("/flaky/"):
            with self._lock:
                hits = self.flaky[path] = self.flaky.get(path, 0) + 1
            if hits <= int(query.get("fail", "1")):
                return Reply(503, json={**body, "attempt": hits}, headers={"Retry-After": "0"})
            body["attempt"] = hits
        if path == "/hop":
            status = int(query.get("status", "302"))
            return Reply(status, json=body, headers={"Location": query.get("to", "/done")})
        return Reply(json=body)

    def results(self) -> list[tuple[bool, str]]:
        with self._lock:
            return [(v.ok, v.reason) for v in self.verdicts]


@pytest.fixture(scope="session")
def _verifier_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def verifier(_verifier_server: LocalServer) -> Verifier:
    """A loopback server that verifies every request's signature (see ``Verifier``)."""
    return Verifier(_verifier_server)


@pytest.fixture
def signed_caller(make_caller: Callable[..., Caller], verifier: Verifier) -> Callable[..., Caller]:
    """``signed_caller(plugin, **config)``: a :class:`Caller` on the test's path (sync, then
    async) for an instance pointed at the verifier with ``plugin`` attached, never raising for
    a status."""

    def make(plugin: Any, **config: Any) -> Caller:
        return make_caller(
            {"base_url": verifier.base_url, "validate_status": lambda s: True,
             "plugins": [plugin], **config}
        )  # fmt: skip

    return make


@pytest.fixture
def keys() -> tuple[str, str]:
    """The key pair the verifier accepts."""
    return ACCESS_KEY, SECRET_KEY


@pytest.fixture
def session_token() -> str:
    """A session token (the verifier does not check it; moto's IAM user has none)."""
    return SESSION_TOKEN


@pytest.fixture
def new_api() -> Iterator[Callable[..., axios_python.AxiosPython]]:
    """``new_api(base_url, plugin=None, **config)``: an instance (never raising for a status);
    closed after the test (sync instances; async tests close their own)."""
    made: list[axios_python.AxiosPython] = []

    def make(base_url: str, plugin: Any = None, **config: Any) -> axios_python.AxiosPython:
        api = axios_python.create(
            {"base_url": base_url, "timeout": 15.0, "validate_status": lambda s: True, **config}
        )
        if plugin is not None:
            api.plugin(plugin)
        made.append(api)
        return api

    yield make
    for api in made:
        if not api.is_closed:
            api.close()


# -- moto --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moto:
    """A moto server in its own process that checks signatures against its IAM, and the key
    pair of the IAM user created for the tests (allowed everything)."""

    endpoint: str
    access_key: str
    secret_key: str

    @property
    def credentials(self) -> tuple[str, str]:
        return self.access_key, self.secret_key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server did not start: {log.read_text()[-2000:]}")


#: The requests moto answers before it checks signatures: the IAM calls that create the user.
_SETUP_ACTIONS = 3


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """moto in server mode on a free loopback port, requests after the first three (creating
    an IAM user, its policy and access key) authenticated against moto's IAM."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        INITIAL_NO_AUTH_ACTION_COUNT=str(_SETUP_ACTIONS),
        AWS_EC2_METADATA_DISABLED="true",
        MOTO_ALLOW_NONEXISTENT_REGION="false",
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        _wait_for(port, process, log)
        endpoint = f"http://127.0.0.1:{port}"
        # the first three requests are not authenticated: the plugin signs them all the same
        setup = SigV4Plugin("iam", "us-east-1", ("setup", "setup"))
        policy = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}  # fmt: skip
        with axios_python.create({"base_url": endpoint, "plugins": [setup]}) as iam:
            answers = [
                iam.post("/", data={"Version": "2010-05-08", **action}).raise_for_status()
                for action in (
                    {"Action": "CreateUser", "UserName": "sigv4-tests"},
                    {"Action": "PutUserPolicy", "UserName": "sigv4-tests",
                     "PolicyName": "everything", "PolicyDocument": json.dumps(policy)},
                    {"Action": "CreateAccessKey", "UserName": "sigv4-tests"},
                )
            ]  # fmt: skip
        key = ET.fromstring(answers[-1].content).find(".//{*}AccessKey")
        assert key is not None, answers[-1].text
        yield Moto(
            endpoint, key.findtext("{*}AccessKeyId", ""), key.findtext("{*}SecretAccessKey", "")
        )
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


@pytest.fixture
def verifier_on() -> Callable[[LocalServer], Verifier]:
    """``verifier_on(server)``: make ``server`` a verifier (every path)."""
    return Verifier
