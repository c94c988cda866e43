# Seed post 01-introducing.txt, section "Middleware for Deep Observability" (sample 5).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import time
import uuid
async def trace_middleware(ctx, next_fn):
    trace_id = str(uuid.uuid4())
    ctx["headers"]["X-Trace-Id"] = trace_id
    return await next_fn(ctx)
async def timing_middleware(ctx, next_fn):
    start = time.monotonic()
    result = await next_fn(ctx)
    elapsed = (time.monotonic() - start) * 1000
    log.info("request completed", url=ctx["url"], status=result.status_code, ms=elapsed)
    return result
api.use(trace_middleware)
api.use(timing_middleware)
