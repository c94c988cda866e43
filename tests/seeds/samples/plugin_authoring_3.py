# Seed post 04-plugin-authoring.txt, section "Example: TimingPlugin / Using it" (sample 3).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
import logging
import axios_python
from my_package import TimingPlugin
logging.basicConfig(level=logging.INFO)
api = axios_python.create({"base_url": "https://api.github.com"})
api.plugin(TimingPlugin())
api.get("/users/octocat")
# INFO:axios_python.timing:[GET] https://api.github.com/users/octocat — 91.4ms (HTTP 200)
