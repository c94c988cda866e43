"""FastAPI and Starlette: ManagedClient creates the instance at startup, hands it to sync and
async handlers, and closes it at shutdown, served by a real uvicorn on loopback."""

# no ``from __future__ import annotations``: FastAPI reads the handlers' annotations, which
# refer to objects local to fastapi_app()

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from axios_python import AxiosPython, ConfigError, ManagedClient, combine_lifespans
from axios_python.testing import LocalServer, RecordedRequest, Reply

from .conftest import Served

JSON = {"hello": "world", "items": [1, 2, 3]}


def fastapi_app(upstream: ManagedClient) -> FastAPI:
    app = FastAPI(lifespan=upstream.lifespan)
    Api = Annotated[AxiosPython, Depends(upstream)]

    @app.get("/async")
    async def from_async(api: Api) -> Any:
        return (await api.async_get("/json")).data

    @app.get("/sync")
    def from_sync(api: Api) -> Any:  # FastAPI runs it in its thread pool
        return api.get("/json").data

    @app.get("/slow")
    async def slow(api: Api) -> Any:
        return (await api.async_get("/gate")).data

    return app


def test_fastapi_sync_and_async_handlers_share_one_instance_under_load(
    local_server: LocalServer, serve: Callable[[Any], Served]
) -> None:
    upstream = ManagedClient({"base_url": local_server.base_url, "timeout": 10})
    assert not upstream.is_running  # nothing is created at import time
    served = serve(fastapi_app(upstream))
    assert upstream.is_running
    instance = upstream.instance

    with httpx.Client(base_url=served.url, timeout=10) as client, ThreadPoolExecutor(16) as pool:
        answers = [r.json() for r in pool.map(client.get, ["/async", "/sync"] * 20)]
    assert answers == [JSON] * 40
    assert local_server.count("/json") == 40
    assert upstream.instance is instance  # one instance for every handler, sync or async

    served.stop()
    served.join()
    assert not upstream.is_running
    assert instance.is_closed
    with pytest.raises(RuntimeError, match="is not running"):
        upstream()


def test_fastapi_shutdown_finishes_the_calls_in_flight_then_closes(
    local_server: LocalServer, serve: Callable[[Any], Served]
) -> None:
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def gate(request: RecordedRequest) -> Reply:
        arrived.release()
        release.wait(10)
        return Reply(json={"gate": "passed"})

    local_server.route("/gate", gate)
    upstream = ManagedClient({"base_url": local_server.base_url, "timeout": 10})
    served = serve(fastapi_app(upstream))
    instance = upstream.instance

    with httpx.Client(base_url=served.url, timeout=15) as client, ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(client.get, "/slow") for _ in range(5)]
        for _ in range(5):  # every call is waiting on the upstream
            assert arrived.acquire(timeout=10)
        served.stop()  # shutdown begins while five calls are in flight
        assert not instance.is_closed  # the server drains before the lifespan ends
        release.set()
        answers = [future.result() for future in futures]
    served.join()
    assert [answer.status_code for answer in answers] == [200] * 5
    assert [answer.json() for answer in answers] == [{"gate": "passed"}] * 5
    assert instance.is_closed


def test_starlette_reads_the_instance_from_lifespan_state(
    local_server: LocalServer, other_server: LocalServer, serve: Callable[[Any], Served]
) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def own(app: Any) -> AsyncIterator[dict[str, Any]]:
        events.append("own up")
        yield {"greeting": "hi"}
        events.append("own down")

    users = ManagedClient({"base_url": local_server.base_url}, name="users")
    billing = ManagedClient({"base_url": other_server.base_url}, name="billing")

    async def both(request: Request) -> JSONResponse:
        first, second = await asyncio.gather(
            request.state.users.async_get("/json"), request.state.billing.async_get("/text")
        )
        return JSONResponse(
            {"users": first.data, "billing": second.data, "greeting": request.state.greeting}
        )

    app = Starlette(routes=[Route("/both", both)], lifespan=combine_lifespans(users, billing, own))
    served = serve(app)
    with httpx.Client(base_url=served.url, timeout=10) as client:
        answer = client.get("/both").json()
    assert answer == {
        "users": JSON,
        "billing": "hello world",
        "greeting": "hi",
    }
    clients = users.instance, billing.instance
    served.stop()
    served.join()
    assert events == ["own up", "own down"]
    assert all(client.is_closed for client in clients)


async def test_the_lifespan_runs_without_a_server_and_rejects_a_second_application() -> None:
    managed = ManagedClient({"base_url": "https://api.example.com"}, name="api")
    async with managed.lifespan(None) as state:
        assert state == {"api": managed.instance}
        with pytest.raises(RuntimeError, match="already running"):
            async with managed.lifespan(None):
                pass
        instance = managed()
    assert instance.is_closed and not managed.is_running
    async with managed.lifespan(None):  # a restarted application gets a fresh instance
        assert managed() is not instance


def test_bad_definitions_fail_where_the_client_is_defined() -> None:
    with pytest.raises(ConfigError, match="timeout"):
        ManagedClient({"timeout": "soon"})
    with pytest.raises(ConfigError, match="identifier"):
        ManagedClient({}, name="not a name")
    with pytest.raises(ConfigError, match="mapping"):
        ManagedClient("https://api.example.com")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="lifespan"):
        combine_lifespans(ManagedClient(), 42)  # type: ignore[arg-type]
    shown = repr(ManagedClient({"base_url": "https://user:pw@api.example.com/?token=t"}))
    assert "pw" not in shown and "=t'" not in shown
