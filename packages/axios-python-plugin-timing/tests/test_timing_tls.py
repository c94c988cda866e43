"""The TLS phase, against a loopback HTTPS server (see ``https_server`` in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axios_python import Response
from axios_python.testing import Caller
from axios_python_plugin_timing import TimingPlugin, Timings


def test_tls_phase_new_then_reused_connection(
    make_caller: Callable[..., Caller],
    https_server: Any,
    timings_of: Callable[[Response], Timings],
) -> None:
    call = make_caller(
        {
            "base_url": https_server.base_url,
            "verify": str(https_server.cert),
            "plugins": [TimingPlugin()],
        }
    )
    first, second = call.get("/secure"), call.get("/secure")
    assert first.data == {"secure": True}
    t1, t2 = timings_of(first), timings_of(second)
    assert t1.connect is not None and t1.tls is not None and t1.tls > 0
    assert t2.connect is None and t2.tls is None  # reused connection: no handshake
    assert t2.waiting is not None and t2.download is not None
