"""The error the SigV4 plugin raises when it cannot sign a request."""

from __future__ import annotations

from axios_python import AxiosPythonError

__all__ = ["SigV4Error"]


class SigV4Error(AxiosPythonError):
    """A request could not be signed: no credentials were found, a body cannot be hashed for a
    service that needs its hash, or the request goes to a host the plugin refuses to sign for.
    The message says which and what to do; it never contains a key, a token or a signature."""
