# Seed post 02-async-vs-sync.txt, section "One Instance to Rule Them All" (sample 3).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import axios_python

api = axios_python.create({
    "base_url": "https://api.github.com",
    "headers": {"Authorization": "Bearer token"},
})

# Non-blocking. Drops straight into FastAPI routes or asyncio workers.
user = (await api.async_get("/users/octocat")).json()
repos = (await api.async_get("/users/octocat/repos")).json()
