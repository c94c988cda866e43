"""The HTTP engine axios_python runs on in this process: httpx or httpx2.

httpx2 is the maintained fork of httpx, with the same API. The engine is chosen once per
process, when ``axios_python`` is first imported, from the ``AXIOS_PYTHON_ENGINE`` environment
variable (``httpx`` or ``httpx2``; unset or empty: httpx if it is installed, else httpx2). Every
instance and every plugin then shares its classes.

Code that builds engine objects for the core (a ``MockTransport``, an ``httpx.Auth``, a
transport of its own) takes them from here, so that they are the classes the core checks::

    from axios_python.engine import httpx

    transport = httpx.MockTransport(lambda request: httpx.Response(200))

Plugins must import the engine from here too, never ``httpx`` directly. For the type checker
``httpx`` and ``httpcore`` are httpx's modules (httpx2 has the same API).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._engine import ENV_VAR as ENV_VAR
from ._engine import httpx as httpx
from ._engine import name as name

if TYPE_CHECKING:
    from ._engine import httpcore as httpcore

__all__ = ["ENV_VAR", "httpcore", "httpx", "name", "version"]

#: The engine's version (``httpx.__version__``), e.g. ``"0.28.1"`` or ``"2.16.2"``.
version: str = httpx.__version__


def __getattr__(attribute: str) -> object:
    # httpcore is imported on first use, as httpx itself does
    if attribute == "httpcore":
        from ._engine import httpcore

        return httpcore
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
