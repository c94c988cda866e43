# Seed post 01-introducing.txt, section "The Problem with Raw Transport" (sample 1).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import httpx
import time
def fetch_users():
    headers = {"Authorization": f"Bearer {get_token()}"}
    for attempt in range(4):
        try:
            response = httpx.get(
                "https://api.example.com/users",
                headers=headers,
                timeout=5.0,
            )
            response.raise_for_status()
            payload = response.json()
            return payload.get("data", payload)
        except httpx.RequestError as exc:
            if attempt == 3:
                raise
            time.sleep(2 ** attempt)
