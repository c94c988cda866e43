"""Against moto in server mode, which checks every signature against its IAM: S3 and SQS on
both paths, keys with spaces, ``+`` and non-ASCII characters, a wrong secret refused."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

from axios_python.testing import Caller
from axios_python_plugin_sigv4 import SigV4Plugin

KEYS = ["plain.txt", "with space.txt", "plus+sign.txt", "dir/é ü~ü.txt", "deep/sub dir/x+y z.csv"]


def _s3(make_caller: Callable[..., Caller], moto: Any, credentials: Any = None) -> Caller:
    plugin = SigV4Plugin("s3", "us-east-1", credentials or moto.credentials)
    return make_caller(
        {"base_url": moto.endpoint, "plugins": [plugin], "validate_status": lambda s: True}
    )


def _bucket(call: Caller) -> str:
    name = f"sigv4-{call.mode}-{uuid.uuid4().hex[:8]}"
    response = call.put(f"/{name}")
    assert response.status_code == 200, response.text
    return name


def _keys_listed(body: bytes) -> list[str]:
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    return [k.text or "" for k in ET.fromstring(body).findall("s3:Contents/s3:Key", ns)]


def test_s3_objects_with_awkward_keys(make_caller: Callable[..., Caller], moto: Any) -> None:
    call = _s3(make_caller, moto)
    bucket = _bucket(call)
    for key in KEYS:
        body = f"contents of {key}".encode()
        put = call.put(f"/{bucket}/{key}", content=body, headers={"Content-Type": "text/plain"})
        assert put.status_code == 200, (key, put.text)
        got = call.get(f"/{bucket}/{key}")
        assert (got.status_code, got.content) == (200, body), key
    listed = call.get(f"/{bucket}", params={"list-type": "2", "prefix": "deep/sub dir/"})
    assert listed.status_code == 200, listed.text
    assert _keys_listed(listed.content) == ["deep/sub dir/x+y z.csv"]
    everything = call.get(f"/{bucket}", params={"list-type": "2"})
    assert sorted(_keys_listed(everything.content)) == sorted(KEYS)


def test_s3_streamed_upload(make_caller: Callable[..., Caller], moto: Any) -> None:
    def chunks() -> Iterator[bytes]:
        for index in range(4):
            yield f"part {index}\n".encode()

    call = _s3(make_caller, moto)
    bucket = _bucket(call)
    assert call.put(f"/{bucket}/streamed.log", content=chunks()).status_code == 200
    assert call.get(f"/{bucket}/streamed.log").content == b"part 0\npart 1\npart 2\npart 3\n"
    # with its size given (what S3 itself asks of a PutObject), sent without chunked encoding
    sized = call.put(f"/{bucket}/sized.log", content=chunks(), headers={"Content-Length": "28"})
    assert sized.status_code == 200, sized.text
    assert call.get(f"/{bucket}/sized.log").content == b"part 0\npart 1\npart 2\npart 3\n"


def test_a_wrong_secret_gets_403(make_caller: Callable[..., Caller], moto: Any) -> None:
    bucket = _bucket(_s3(make_caller, moto))
    wrong = _s3(make_caller, moto, (moto.access_key, "not-" + moto.secret_key))
    response = wrong.get(f"/{bucket}", params={"list-type": "2"})
    assert response.status_code == 403
    assert b"SignatureDoesNotMatch" in response.content


def test_sqs_queries_as_form_posts(make_caller: Callable[..., Caller], moto: Any) -> None:
    plugin = SigV4Plugin("sqs", "us-east-1", moto.credentials)
    call = make_caller({"base_url": moto.endpoint, "plugins": [plugin]})
    name = f"jobs-{call.mode}-{uuid.uuid4().hex[:6]}"
    created = call.post(
        "/", data={"Action": "CreateQueue", "QueueName": name, "Version": "2012-11-05"}
    )
    assert created.status_code == 200 and name.encode() in created.content
    listed = call.post(
        "/", data={"Action": "ListQueues", "QueueNamePrefix": name, "Version": "2012-11-05"}
    )
    assert listed.status_code == 200 and f"/{name}<".encode() in listed.content
