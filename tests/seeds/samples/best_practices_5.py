# Seed post 03-best-practices.txt, section "3. Leverage Retries for Idempotent Requests" (sample 5).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from axios_python import ExponentialBackoff
api = axios_python.create({
    "base_url": "https://api.thirdparty.com",
    "max_retries": 3,
    "retry_strategy": ExponentialBackoff(base=1.0, multiplier=2.0)
})
