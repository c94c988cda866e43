"""The distribution's public face: exports, version, entry point, the core's lazy import,
botocore kept out of plugin listing, options checked, SigV4A through the CRT."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from hashlib import sha256
from importlib.metadata import entry_points, version
from typing import Any

import pytest

import axios_python
import axios_python_plugin_sigv4
from axios_python import FixedDelay
from axios_python.testing import Caller, LocalServer, Reply
from axios_python_plugin_sigv4 import SigV4Error, SigV4Plugin


def test_exports_and_version() -> None:
    assert {"SigV4Plugin", "SigV4Error"} <= set(axios_python_plugin_sigv4.__all__)
    assert axios_python_plugin_sigv4.__version__ == version("axios-python-plugin-sigv4")
    assert SigV4Plugin.name == "sigv4"


def test_entry_point_loads_the_class() -> None:
    (point,) = [p for p in entry_points(group="axios_python.plugins") if p.name == "sigv4"]
    assert point.load() is SigV4Plugin


def test_the_core_resolves_the_class_lazily() -> None:
    assert axios_python.SigV4Plugin is SigV4Plugin


def test_listing_plugins_does_not_import_botocore() -> None:
    script = (
        "import sys, axios_python, axios_python_plugin_sigv4\n"
        "names = [p.name for p in axios_python.plugins.available()]\n"
        "assert 'sigv4' in names, names\n"
        "assert not [m for m in sys.modules if m.startswith('botocore')], 'botocore imported'\n"
        "axios_python_plugin_sigv4.SigV4Plugin('s3', 'us-east-1', ('k', 's'))\n"
        "assert 'botocore.auth' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_built_by_name(verifier: Any, keys: tuple[str, str]) -> None:
    with axios_python.create({"base_url": verifier.base_url}) as api:
        api.plugin("sigv4", service="execute-api", region="us-east-1", credentials=keys)
        assert api.get("/prod/by-name").data["verified"] is True
        assert api.secrets.is_secret_header("X-Amz-Date")
        api.remove_plugin("sigv4")
        assert not api.secrets.is_secret_header("X-Amz-Date")
        assert api.get("/prod/by-name", validate_status=lambda s: True).status_code == 403


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"service": "Not A Service"}, ValueError, "AWS signing name"),
        ({"region": "us east"}, ValueError, "region must be a region"),
        ({"algorithm": "sigv2"}, ValueError, "'sigv4' or 'sigv4a'"),
        ({"other_hosts": "drop"}, ValueError, "'unsigned' or 'refuse'"),
        ({"unsigned_payload": "yes"}, TypeError, "True or False"),
        ({"profile": ""}, ValueError, "profile name"),
    ],
)
def test_options_are_checked(
    keys: tuple[str, str], options: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"service": "s3", "region": "us-east-1", "credentials": keys}
    if "profile" in options:
        arguments.pop("credentials")
    with pytest.raises(error, match=message):
        SigV4Plugin(**{**arguments, **options})


@pytest.fixture
def recorder() -> Iterator[LocalServer]:
    """A server of the test's own that answers 503 to the first request of a path under
    /flaky, else 200 (its route must not reach the session's shared servers)."""
    hits: dict[str, int] = {}

    def handle(request: Any) -> Reply:
        hits[request.path] = hits.get(request.path, 0) + 1
        if request.path.startswith("/flaky") and hits[request.path] == 1:
            return Reply(503, headers={"Retry-After": "0"})
        return Reply(json={"ok": True})

    with LocalServer() as server:
        server.route("/", handle, prefix=True)
        yield server


def test_sigv4a_signs_every_attempt_through_the_crt(
    make_caller: Callable[..., Caller], recorder: LocalServer, keys: tuple[str, str]
) -> None:
    plugin = SigV4Plugin("s3", "*", keys, algorithm="sigv4a")
    assert repr(plugin).endswith("algorithm='sigv4a')")
    retry = FixedDelay(0, retry_on_status=[503])
    call = make_caller(
        {"base_url": recorder.base_url, "plugins": [plugin], "max_retries": 1,
         "retry_strategy": retry}
    )  # fmt: skip
    assert call.put("/flaky/bucket/a b.txt", content=b"multi-region").status_code == 200
    first, second = recorder.requests
    for received in (first, second):
        authorization = received.header("Authorization") or ""
        assert authorization.startswith("AWS4-ECDSA-P256-SHA256 Credential=" + keys[0])
        assert "/s3/aws4_request" in authorization and "x-amz-region-set" in authorization
        assert received.header("X-Amz-Region-Set") == "*"
        assert received.header("X-Amz-Content-SHA256") == sha256(b"multi-region").hexdigest()
        assert received.body == b"multi-region" and received.path == "/flaky/bucket/a%20b.txt"
    assert first.header("X-Amz-Date") != second.header("X-Amz-Date")
    assert first.header("Authorization") != second.header("Authorization")
    link = plugin.presign(recorder.url("/bucket/key"), expires_in=60)
    assert "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256" in link and "X-Amz-Region-Set=" in link


def test_sigv4a_region_sets(keys: tuple[str, str]) -> None:
    SigV4Plugin("execute-api", "us-east-1,eu-west-1", keys, algorithm="sigv4a")
    with pytest.raises(ValueError, match="region set"):
        SigV4Plugin("execute-api", "us-east-1;eu", keys, algorithm="sigv4a")


def test_sigv4a_without_the_crt_says_what_to_install(
    keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.compat  # type: ignore[import-untyped]

    monkeypatch.setattr(botocore.compat, "HAS_CRT", False)
    with pytest.raises(SigV4Error, match=r'pip install "axios-python-plugin-sigv4\[crt\]"'):
        SigV4Plugin("s3", "*", keys, algorithm="sigv4a")
