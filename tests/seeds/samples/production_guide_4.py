# Seed post 05-production-guide.txt, section "5. Integrating with Business Logic" (sample 4).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# services/user_sync.py
from src.clients.github import fetch_user_repos
import logging
logger = logging.getLogger(__name__)
async def sync_repositories(username: str):
    try:
        repos = await fetch_user_repos(username)
        # ... business logic to save repos to database ...
        logger.info(f"Successfully synced {len(repos)} repositories for {username}")
    except axios_python.TimeoutError:
        logger.error("GitHub API timed out. Try again later.")
    except axios_python.HTTPStatusError as e:
        logger.error(f"GitHub returned an error: {e.response.status_code}")
