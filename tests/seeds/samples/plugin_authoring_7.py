# Seed post 04-plugin-authoring.txt, section "Plugin Composition" (sample 7).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
api.plugin(LoggerPlugin(level=logging.INFO))
api.plugin(AuthPlugin(scheme="Bearer", token_provider=vault.get_token))
api.plugin(TimingPlugin())
api.plugin(DedupePlugin())
