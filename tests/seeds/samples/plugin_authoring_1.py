# Seed post 04-plugin-authoring.txt, section "The Plugin Contract" (sample 1).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from axios_python import AxiosPython
class MyPlugin:
    def attach(self, client: AxiosPython) -> None:
        # Register interceptors, middleware, or both
        ...
