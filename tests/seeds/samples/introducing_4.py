# Seed post 01-introducing.txt, section "Unified Sync and Async" (sample 4).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# Non-blocking — works in FastAPI, asyncio scripts, async workers
response = await api.async_get("/users")
user = await api.async_post("/users", json={"name": "Ada"})
