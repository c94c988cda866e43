# Seed post 05-production-guide.txt, section "4. Applying Global Middleware Wrapper" (sample 3).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# core/middleware.py
import contextvars
from uuid import uuid4
# Assume your web framework (FastAPI) sets this per incoming request
correlation_id_ctx = contextvars.ContextVar("correlation_id", default=str(uuid4()))
async def tracing_middleware(ctx, next_fn):
    # Inject the correlation ID into every outgoing request header
    correlation_id = correlation_id_ctx.get()
    ctx["headers"]["X-Correlation-ID"] = correlation_id
    # Yield to the next step
    result = await next_fn(ctx)
    return result
