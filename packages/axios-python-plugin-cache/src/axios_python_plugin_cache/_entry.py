"""A stored response: what a storage keeps for one variant of one request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Entry"]


@dataclass(frozen=True)
class Entry:
    """One stored response.

    Never holds a request credential: the request is represented by the digest of the header
    values the response varies on (``vary_digest``), and the response's ``Set-Cookie`` headers
    are not kept. ``body`` is the body as it will be served: decoded for a response that was
    read whole, as received (with its ``Content-Encoding``) for a stream stored as it was read.
    """

    #: the response's status code
    status: int
    #: the response headers kept (in order, repeats kept)
    headers: tuple[tuple[str, str], ...]
    #: the body
    body: bytes
    #: the request header names the response varies on (lower-cased, sorted)
    vary: tuple[str, ...]
    #: a digest of the request's values of those headers
    vary_digest: str
    #: the response's age when it arrived (RFC 9111 §4.2.3's corrected initial age), seconds
    initial_age: float
    #: the clock reading when it arrived (or was last revalidated), seconds
    response_time: float

    @property
    def size(self) -> int:
        """Roughly the bytes the entry takes: its body and headers."""
        return len(self.body) + sum(len(k) + len(v) + 4 for k, v in self.headers) + 128
