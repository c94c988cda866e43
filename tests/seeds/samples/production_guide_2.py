# Seed post 05-production-guide.txt, section "3. Defining Isolated Client Instances" (sample 2).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# clients/github.py
import axios_python
from axios_python import ExponentialBackoff, LoggerPlugin
from src.core.config import settings
import logging
# 1. Setup specific logger
logger = logging.getLogger("github_client")
# 2. Create the instance
github_client = axios_python.create({
    "base_url": settings.github_api_url,
    "timeout": 5.0, # Fail fast on GitHub API
    "max_retries": 3,
    "retry_strategy": ExponentialBackoff(base=1.0, multiplier=2.0),
    "headers": {
        "Authorization": f"Bearer {settings.github_token}",
        "Accept": "application/vnd.github.v3+json",
        "User-Agent": "MyProductionApp/1.0"
    }
})
# 3. Add Plugins for Observability
github_client.plugin(LoggerPlugin(logger=logger))
# 4. Add custom interceptors
def extract_data(response):
    # GitHub often wraps arrays or adds metadata we don't need in the app layer
    if isinstance(response.data, dict) and "items" in response.data:
        response.data = response.data["items"]
    return response
github_client.interceptors.response.use(extract_data)
# 5. Define abstract methods for the rest of your app to use
async def fetch_user_repos(username: str):
    # Notice how clean the actual request is!
    response = await github_client.async_get(f"/users/{username}/repos")
    response.raise_for_status()
    # The interceptor already extracted the list
    return response.data
