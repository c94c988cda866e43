# Seed post 03-best-practices.txt, section "2. Set Reasonable Timeouts" (sample 4).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
api = axios_python.create({
    "base_url": "https://service.local",
    "timeout": 3.0
})
