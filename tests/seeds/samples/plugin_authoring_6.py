# Seed post 04-plugin-authoring.txt, section "Building a Real-World Plugin" (sample 6).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import asyncio
from axios_python import AxiosPython
class DedupePlugin:
    """
    Collapses concurrent identical GET requests into a single in-flight call.
    Any request that arrives while the first is still running receives the same
    response without making a second network round-trip.
    """
    def __init__(self):
        self._in_flight: dict[str, asyncio.Future] = {}
    def attach(self, client: AxiosPython) -> None:
        client.use(self._dedupe_middleware)
    def uninstall(self, client: AxiosPython) -> None:
        self._in_flight.clear()
    async def _dedupe_middleware(self, ctx: dict, next_fn) -> object:
        if ctx.get("method", "").upper() != "GET":
            return await next_fn(ctx)
        key = ctx["url"]
        if key in self._in_flight:
            # A request for this URL is already in flight — wait for it
            return await self._in_flight[key]
        loop = asyncio.get_event_loop()
        future: asyncio.Future = loop.create_future()
        self._in_flight[key] = future
        try:
            response = await next_fn(ctx)
            future.set_result(response)
            return response
        except Exception as exc:
            future.set_exception(exc)
            raise
        finally:
            self._in_flight.pop(key, None)
