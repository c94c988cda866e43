"""Keeping secrets out of log records: httpx's and httpcore's own, and any the user routes here.

httpx logs ``HTTP Request: GET https://host/path?token=... "HTTP/1.1 200 OK"`` at INFO for every
request, and httpcore logs response headers (``Set-Cookie`` among them) at DEBUG. The core
attaches a ``RedactingFilter`` to those loggers when its first client opens a connection pool:
URLs lose their userinfo and secret query values, header pairs their credential values, and any
secret value the current call carries is scrubbed from the message.
"""

from __future__ import annotations

import logging
import re
import threading

from ._call import current
from ._engine import ENGINES, httpx, name
from ._secrets import DEFAULT_SECRETS, MASK, scrub

__all__ = ["RedactingFilter", "install_log_filters"]

#: The loggers of the engine's httpx and httpcore ("httpx2", "httpcore2.http11"... with httpx2;
#: a filter on a logger does not see its children's records).
HTTP_LOGGERS = (
    httpx.__name__,
    ENGINES[name][0],
    *(f"{ENGINES[name][0]}.{p}" for p in ("connection", "http11", "http2", "proxy", "socks")),
)

#: aiohttp's client-side loggers (the ``"transport": "aiohttp"`` engine).
AIOHTTP_LOGGERS = ("aiohttp.client", "aiohttp.internal")

# httpcore's repr of header pairs: (b'Set-Cookie', b'sid=abc')
_HEADER_PAIR = re.compile(
    r"\(b(?P<q1>['\"])(?P<name>[^'\"]*)(?P=q1), "
    r"b(?P<q2>['\"])(?P<value>(?:\\.|(?!(?P=q2)).)*)(?P=q2)\)"
)
# URLs written into a message as text
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>]+")


class RedactingFilter(logging.Filter):
    """A ``logging.Filter`` that removes secrets from the records it sees, by the definition of
    the call running when the record is made (``client.secrets``; the built-in one outside a
    call). It changes records, never drops them. Attach it to a logger or a handler::

        logging.getLogger("my_app.http").addFilter(RedactingFilter())
    """

    def __init__(self, mask: str = MASK) -> None:
        super().__init__()
        self.mask = mask

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message and arguments in place; never drops a record."""
        state = current()
        secrets = DEFAULT_SECRETS if state is None else state.secrets
        mask = self.mask
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, httpx.URL) for a in args):
            record.args = tuple(
                secrets.redact_url(a, mask=mask) if isinstance(a, httpx.URL) else a for a in args
            )
        try:
            message = record.getMessage()
        except Exception:  # a broken record: the logging module reports it, not us
            return True
        shown = message
        if "://" in shown:
            shown = _URL.sub(lambda m: secrets.redact_url(m.group(0), mask=mask), shown)
        if "(b" in shown:

            def pair(match: re.Match[str]) -> str:
                if not secrets.is_secret_header(match.group("name")):
                    return match.group(0)
                q1, q2 = match.group("q1"), match.group("q2")
                return f"(b{q1}{match.group('name')}{q1}, b{q2}{mask}{q2})"

            shown = _HEADER_PAIR.sub(pair, shown)
        sending = None if state is None else state.sending
        if sending is not None:
            shown = scrub(shown, secrets.secret_values(sending), mask=mask)
        if shown != message:
            record.msg = shown
            record.args = None
        return True


_installed = False
_install_lock = threading.Lock()


def install_log_filters() -> None:
    """Attach a ``RedactingFilter`` to httpx's and httpcore's loggers, once per process."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        for name in (*HTTP_LOGGERS, *AIOHTTP_LOGGERS):
            logging.getLogger(name).addFilter(RedactingFilter())
        _installed = True
