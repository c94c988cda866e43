# Seed post 01-introducing.txt, section "Unified Sync and Async" (sample 3).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# Blocking — works in scripts, Django views, CLI tools
response = api.get("/users")
user = api.post("/users", json={"name": "Ada"})
