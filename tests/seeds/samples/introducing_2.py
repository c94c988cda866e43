# Seed post 01-introducing.txt, section "The axios_python Approach" (sample 2).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import axios_python
from axios_python import ExponentialBackoff
api = axios_python.create({
    "base_url": "https://api.example.com",
    "timeout": 5.0,
    "max_retries": 3,
    "retry_strategy": ExponentialBackoff(base=1.0, multiplier=2.0, max_delay=30.0),
})
# Token injection — runs before every request, once, for every endpoint
api.interceptors.request.use(lambda config: {
    **config,
    "headers": {**config.get("headers", {}), "Authorization": f"Bearer {get_token()}"},
})
# Envelope unwrapping — runs after every response
api.interceptors.response.use(
    lambda r: setattr(r, "data", r.json().get("data", r.data)) or r
)
def fetch_users():
    return api.get("/users").data
