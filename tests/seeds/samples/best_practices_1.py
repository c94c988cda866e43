# Seed post 03-best-practices.txt, section "1. Always Use Instances" (sample 1).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
axios_python.get("https://api.github.com/users", headers={"Authorization": "Bearer gh_token"})
axios_python.post("https://api.stripe.com/charges", headers={"Authorization": "Bearer sk_token"})
