# Seed post 02-async-vs-sync.txt, section "How We Got Here" (sample 1).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import httpx

class GitHubClient:
    def get_user(self, username: str) -> dict:
        with httpx.Client(base_url="https://api.github.com") as client:
            return client.get(f"/users/{username}").json()

    def list_repos(self, username: str) -> list:
        with httpx.Client(base_url="https://api.github.com") as client:
            return client.get(f"/users/{username}/repos").json()


class AsyncGitHubClient:
    async def get_user(self, username: str) -> dict:
        async with httpx.AsyncClient(base_url="https://api.github.com") as client:
            return (await client.get(f"/users/{username}")).json()

    async def list_repos(self, username: str) -> list:
        async with httpx.AsyncClient(base_url="https://api.github.com") as client:
            return (await client.get(f"/users/{username}/repos")).json()
