"""axios-python-plugin-timing: how long every request took.

::

    import axios_python
    from axios_python_plugin_timing import TimingPlugin

    api = axios_python.create({"base_url": "https://api.example.com"})
    api.plugin(TimingPlugin())
    response = api.get("/users/octocat")
    # INFO:axios_python.timing:[GET] https://api.example.com/users/octocat — 91.4ms (HTTP 200)
    # (the wire URL; userinfo and secret query values such as ?api_key= show as ***)
    response.timings.total, response.timings.attempts, response.timings.connect

The entry point ``timing`` also lets ``create({"plugins": ["timing"]})`` build it by name.
"""

from __future__ import annotations

from ._plugin import OnTiming, TimingPlugin
from ._timings import Timings, get_timings
from ._version import __version__

__all__ = ["OnTiming", "TimingPlugin", "Timings", "__version__", "get_timings"]
