"""Django: one module-level instance per upstream service, used from sync views and async
views on a real Django request cycle (the test client runs the whole handler stack), closed
at process exit. It runs in its own process: Django's settings and ``atexit`` are
process-wide, and what happens at exit is part of what is tested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from axios_python.testing import LocalServer

SCRIPT = """
import asyncio, atexit, json, sys

def report_at_exit():  # registered first, so it runs after the site's billing.close
    print(json.dumps({"closed_at_exit": site.billing.is_closed}), flush=True)

atexit.register(report_at_exit)

import django_site as site
from django.test import AsyncClient, Client

sync_answers = [Client().get(f"/invoices/{n}").json() for n in range(5)]

async def main():
    client = AsyncClient()
    # async views on the loop and sync views in Django's worker thread, all at once
    paths = [f"/async/invoices/{n}" for n in range(20)] + [f"/invoices/{n}" for n in range(5)]
    answers = await asyncio.gather(*(client.get(path) for path in paths))
    return [answer.json() for answer in answers]

async_answers = asyncio.run(main())
print(json.dumps({"sync": sync_answers, "async": async_answers}), flush=True)
"""


def test_one_instance_serves_sync_and_async_views_and_closes_at_exit(
    local_server: LocalServer,
) -> None:
    env = dict(
        os.environ, UPSTREAM_URL=local_server.base_url, PYTHONPATH=str(Path(__file__).parent)
    )
    done = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no ResourceWarning, no error at exit
    answers, closed = (json.loads(line) for line in done.stdout.splitlines())
    assert answers["sync"] == [{"view": "sync", "query": {"invoice": [str(n)]}} for n in range(5)]
    assert answers["async"] == [
        {"view": "async", "query": {"invoice": [str(n)]}} for n in range(20)
    ] + [{"view": "sync", "query": {"invoice": [str(n)]}} for n in range(5)]
    assert closed == {"closed_at_exit": True}
    assert local_server.count("/echo") == 30
