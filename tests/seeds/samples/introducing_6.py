# Seed post 01-introducing.txt, section "A Plugin for Everything Else" (sample 6).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from axios_python import AuthPlugin, CachePlugin, LoggerPlugin
api.plugin(AuthPlugin(scheme="Bearer", token_provider=vault.get_token))
api.plugin(CachePlugin(ttl=60, max_size=512))
api.plugin(LoggerPlugin(level=logging.INFO))
