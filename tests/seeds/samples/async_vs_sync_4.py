# Seed post 02-async-vs-sync.txt, section "The SDK Collapses to One Class" (sample 4).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import axios_python
from axios_python import ExponentialBackoff

class GitHubClient:
    def __init__(self, token: str):
        self._api = axios_python.create({
            "base_url": "https://api.github.com",
            "timeout": 10.0,
            "max_retries": 3,
            "retry_strategy": ExponentialBackoff(base=0.5, multiplier=2.0),
            "headers": {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
            },
        })

    def get_user(self, username: str) -> dict:
        return self._api.get(f"/users/{username}").json()

    def list_repos(self, username: str) -> list:
        return self._api.get(f"/users/{username}/repos").json()

    async def async_get_user(self, username: str) -> dict:
        return (await self._api.async_get(f"/users/{username}")).json()

    async def async_list_repos(self, username: str) -> list:
        return (await self._api.async_get(f"/users/{username}/repos")).json()
