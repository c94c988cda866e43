# Seed post 03-best-practices.txt, section "1. Always Use Instances" (sample 2).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
github = axios_python.create({
    "base_url": "https://api.github.com",
    "headers": {"Authorization": "Bearer gh_token", "Accept": "application/vnd.github.v3+json"}
})
stripe = axios_python.create({
    "base_url": "https://api.stripe.com/v1",
    "headers": {"Authorization": "Bearer sk_token"}
})
github.get("/users/octocat")
stripe.post("/charges", json={"amount": 2000, "currency": "usd"})
