"""Per-call config keys plugins register (client.call_keys): validated like the core's own,
removed with the plugin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import axios_python
from axios_python import ConfigError, Response
from axios_python.testing import Caller


def _check_speed(value: Any) -> str:
    if value not in ("fast", "slow"):
        raise ValueError(value)
    return str(value)


class SpeedPlugin:
    """Adds a per-call key ``speed`` and stamps it on the request."""

    name = "speed"

    def attach(self, client: axios_python.AxiosPython) -> None:
        client.call_keys.register("speed", check=_check_speed, accepted="'fast' or 'slow'")
        client.use(self._stamp)

    def _stamp(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        ctx["headers"]["X-Speed"] = ctx.get("speed") or "default"
        return next_fn(ctx)  # type: ignore[no-any-return]


def test_a_registered_key_is_accepted_per_call(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"plugins": [SpeedPlugin()]})
    assert call.get("/echo", speed="fast").data["headers"]["x-speed"] == "fast"
    assert call.get("/echo").data["headers"]["x-speed"] == "default"


def test_a_bad_value_names_the_key_and_what_is_accepted(
    make_caller: Callable[..., Caller],
) -> None:
    call = make_caller({"plugins": [SpeedPlugin()]})
    with pytest.raises(ConfigError, match=r"config key 'speed' got a str; accepted: 'fast'"):
        call.get("/echo", speed="warp")


def test_hooks_handing_the_key_on_are_checked_too(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"plugins": [SpeedPlugin()]})
    call.api.interceptors.request.use(lambda config: {**config, "speed": "slow"})
    assert call.get("/echo").data["headers"]["x-speed"] == "slow"
    call.api.interceptors.request.use(lambda config: {**config, "speed": 5})
    with pytest.raises(ConfigError, match="config key 'speed'"):
        call.get("/echo")


def test_the_key_goes_with_the_plugin(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"plugins": [SpeedPlugin()]})
    call.api.remove_plugin("speed")
    with pytest.raises(ConfigError, match="unknown config key 'speed'"):
        call.get("/echo", speed="fast")
    assert call.api.call_keys.ids == ()


def test_typos_suggest_registered_keys(make_caller: Callable[..., Caller]) -> None:
    call = make_caller({"plugins": [SpeedPlugin()]})
    with pytest.raises(ConfigError, match="Did you mean 'speed'"):
        call.get("/echo", sped="fast")


def test_names_are_checked() -> None:
    with axios_python.create() as api:
        with pytest.raises(ValueError, match="already taken"):
            api.call_keys.register("timeout", check=lambda v: v, accepted="x")
        api.call_keys.register("speed", check=lambda v: v, accepted="x")
        with pytest.raises(ValueError, match="already taken"):
            api.call_keys.register("speed", check=lambda v: v, accepted="x")
        with pytest.raises(ValueError, match="identifier"):
            api.call_keys.register("not a name", check=lambda v: v, accepted="x")
