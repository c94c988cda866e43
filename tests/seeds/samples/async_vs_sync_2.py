# Seed post 02-async-vs-sync.txt, section "One Instance to Rule Them All" (sample 2).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import axios_python

api = axios_python.create({
    "base_url": "https://api.github.com",
    "headers": {"Authorization": "Bearer token"},
})

# Blocking. Works great in Django, scripts, CLI tools.
user = api.get("/users/octocat").json()
repos = api.get("/users/octocat/repos").json()
