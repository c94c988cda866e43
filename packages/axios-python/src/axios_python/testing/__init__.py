"""Test helpers shipped with axios_python, reusable by plugin authors.

:class:`LocalServer` is a stdlib-only loopback HTTP/1.1 server with routes for echoing,
status codes, stalls, dropped connections, streams, flaky endpoints, redirects and cookies;
:class:`RecordedRequest` is what it records for every request it receives; :func:`redirect`
routes clients written for real hosts to such a server; :class:`Caller` runs one test body on
the sync or the async path; :class:`LogCapture` keeps log records to check what reached them;
:class:`PluginConformance` is the checks every plugin must pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._caller import Caller
from ._logs import LogCapture
from ._redirect import redirect
from ._server import LocalServer, RecordedRequest, Reply, RouteHandler

if TYPE_CHECKING:
    from ._conformance import PluginConformance

__all__ = [
    "Caller",
    "LocalServer",
    "LogCapture",
    "PluginConformance",
    "RecordedRequest",
    "Reply",
    "RouteHandler",
    "redirect",
]


def __getattr__(name: str) -> Any:
    # The conformance kit imports pytest: load it only when asked for.
    if name == "PluginConformance":
        from ._conformance import PluginConformance

        return PluginConformance
    raise AttributeError(f"module 'axios_python.testing' has no attribute {name!r}")
