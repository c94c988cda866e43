# Seed post 04-plugin-authoring.txt, section "Example: RequestSourcePlugin" (sample 5).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
api.plugin(RequestSourcePlugin(source="checkout-service/2.1"))
# Every request from this client now carries:
# X-Request-Source: checkout-service/2.1
