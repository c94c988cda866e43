# Seed post 04-plugin-authoring.txt, section "Example: TimingPlugin" (sample 2).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import time
import logging
from axios_python import AxiosPython
class TimingPlugin:
    """Logs the wall-clock duration of every request made by the client."""
    def __init__(self, logger_name: str = "axios_python.timing"):
        self.logger = logging.getLogger(logger_name)
    def attach(self, client: AxiosPython) -> None:
        client.use(self._timing_middleware)
    async def _timing_middleware(self, ctx: dict, next_fn) -> object:
        start = time.monotonic()
        response = await next_fn(ctx)
        elapsed_ms = (time.monotonic() - start) * 1000
        self.logger.info(
            "[%s] %s — %.1fms (HTTP %s)",
            ctx["method"].upper(),
            ctx["url"],
            elapsed_ms,
            response.status_code,
        )
        return response
