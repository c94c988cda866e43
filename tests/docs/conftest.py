"""A real redis-server for the pages whose samples cache in Redis: a page that names
``REDIS_URL`` gets one (started once per test process, on a free loopback port), its URL in
the environment variable ``REDIS_URL`` while the page's samples run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def docs_redis_url() -> Iterator[str]:
    from axios_python_plugin_redis_cache.testing import RedisServer, redis_server_binary

    server = RedisServer(redis_server_binary()).start()
    yield server.url
    server.stop()


@pytest.fixture(autouse=True)
def _redis_for_pages_that_use_it(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    callspec = getattr(request.node, "callspec", None)
    page = callspec.params.get("page") if callspec is not None else None
    if isinstance(page, Path) and "REDIS_URL" in page.read_text(encoding="utf-8"):
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("docs_redis_url"))
