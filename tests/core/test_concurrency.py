"""One instance shared by many threads and tasks: no errors, no cross-talk."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import axios_python
from axios_python import Response


def _with_tagging(api: axios_python.AxiosPython) -> None:
    async def tag(ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["headers"]["X-Mw"] = ctx["params"]["n"]
        return await next_fn(ctx)  # type: ignore[no-any-return]

    def stamp(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Ic"] = config["params"]["n"]
        return config

    api.use(tag)
    api.interceptors.request.use(stamp)


def test_sixteen_threads(api: axios_python.AxiosPython) -> None:
    _with_tagging(api)
    barrier = threading.Barrier(16)

    def worker(worker_id: int) -> list[bool]:
        barrier.wait()
        results = []
        for i in range(20):
            n = f"{worker_id}-{i}"
            echoed = api.get(f"/echo/{n}", params={"n": n}).data
            results.append(
                echoed["path"] == f"/echo/{n}"
                and echoed["headers"]["x-mw"] == n
                and echoed["headers"]["x-ic"] == n
            )
        return results

    with ThreadPoolExecutor(16) as pool:
        outcomes = [ok for batch in pool.map(worker, range(16)) for ok in batch]
    assert len(outcomes) == 320 and all(outcomes)


async def test_two_hundred_tasks(aapi: axios_python.AxiosPython) -> None:
    _with_tagging(aapi)

    async def one(n: int) -> bool:
        # 500 at once queue for the pool's 100 connections: this test is about cross-talk,
        # not speed, so the pool wait may be long on a loaded machine
        echoed = (await aapi.async_get(f"/echo/{n}", params={"n": str(n)}, timeout=60.0)).data
        return bool(
            echoed["path"] == f"/echo/{n}"
            and echoed["headers"]["x-mw"] == str(n)
            and echoed["headers"]["x-ic"] == str(n)
        )

    outcomes = await asyncio.gather(*(one(n) for n in range(200)))
    assert all(outcomes) and len(outcomes) == 200
