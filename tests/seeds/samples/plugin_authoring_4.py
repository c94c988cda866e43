# Seed post 04-plugin-authoring.txt, section "Example: RequestSourcePlugin" (sample 4).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from axios_python import AxiosPython
class RequestSourcePlugin:
    """Stamps every request with a static X-Request-Source header."""
    def __init__(self, source: str):
        self.source = source
    def attach(self, client: AxiosPython) -> None:
        client.interceptors.request.use(self._inject_source)
    def _inject_source(self, config: dict) -> dict:
        config["headers"]["X-Request-Source"] = self.source
        return config
