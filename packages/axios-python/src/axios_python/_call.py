"""Per-call state: what one call's hooks share, from the request interceptors to the last
attempt.

The pipeline creates one ``CallState`` per call and puts it in the call's configuration under
``CALL_KEY``, where the call-scope and attempt-scope middleware of a plugin both find it with
``call_state(ctx)``, whatever thread or task each runs on. A plugin keeps its own per-call data
in a slot of its own::

    class StopwatchPlugin:
        def attach(self, client):
            client.use(self._call)
            client.use(self._attempt, scope="attempt")

        def _call(self, ctx, next_fn):
            watch = call_state(ctx).slot(self, Stopwatch)   # created on first use
            ...

        def _attempt(self, ctx, next_fn):
            watch = call_state(ctx).slot(self, Stopwatch)   # the same object
"""

from __future__ import annotations

import contextvars
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from ._secrets import DEFAULT_SECRETS

if TYPE_CHECKING:
    from ._client import AxiosPython
    from ._secrets import Secrets

__all__ = ["CALL_KEY", "CallState", "call_state"]

T = TypeVar("T")

#: The configuration key holding the call's ``CallState``.
CALL_KEY = "axios_python.call"

#: ``baseline`` outside the checking of middleware (and once the call ended)
_NO_CONFIG: Mapping[str, Any] = MappingProxyType({})

#: The call running in a context, held weakly: the call's configuration (and a response, through
#: its ``config``) holds the state; a context copied during the call (an event-loop callback, a
#: pooled connection's reader or timer, made by a library below us) must not keep the call's
#: state, and what its plugins keep in it, alive after the call.
_current: contextvars.ContextVar[weakref.ref[CallState] | None] = contextvars.ContextVar(
    "axios_python_call", default=None
)


class CallState:
    """What one call's hooks share.

    ``client`` made the call and ``secrets`` is its definition of secret; ``attempts`` counts
    the attempts started so far (``ctx["attempt"]`` is the number of the current one, 1 for the
    first); ``started`` is the ``time.perf_counter()`` reading when the call began. ``slot(owner,
    factory)`` holds one object per owner (a plugin) for the length of the call.
    """

    __slots__ = (
        "__weakref__",
        "_lock",
        "_slots",
        "attempts",
        "baseline",
        "client",
        "secrets",
        "sending",
        "started",
        "streams",
        "wire_urls",
    )

    def __init__(self, client: AxiosPython | None, secrets: Secrets | None = None) -> None:
        self.client = client
        self.secrets: Secrets = secrets or DEFAULT_SECRETS
        self.started = time.perf_counter()
        self.attempts = 0
        #: the configuration of the attempt on the wire now (read by the log filter)
        self.sending: Mapping[str, Any] | None = None
        #: the call's validated configuration (after the request interceptors): what hooks
        #: change is checked against it
        self.baseline: Mapping[str, Any] = _NO_CONFIG
        #: streamed responses the transport produced for this call: those the caller does
        #: not receive are closed when the call ends
        self.streams: list[Any] = []
        #: the wire URLs built (``wire_url``), by base_url, url and params: the client's (a
        #: URL object is immutable, so its calls share them), or this call's own
        self.wire_urls: dict[tuple[Any, ...], Any] = {} if client is None else client._wire_urls
        self._slots: dict[int, tuple[object, Any]] = {}
        self._lock = threading.Lock()

    def slot(self, owner: object, factory: Callable[[], T]) -> T:
        """The object ``owner`` keeps for this call, made by ``factory()`` on first use."""
        key = id(owner)
        found = self._slots.get(key)
        if found is None:
            with self._lock:
                found = self._slots.get(key)
                if found is None:
                    # the owner is kept with its value: its id cannot be reused meanwhile
                    found = self._slots[key] = (owner, factory())
        value: T = found[1]
        return value

    def peek(self, owner: object) -> Any:
        """The object ``owner`` keeps for this call, or ``None`` if it made none."""
        found = self._slots.get(id(owner))
        return None if found is None else found[1]

    def __repr__(self) -> str:
        return f"<CallState attempts={self.attempts} slots={len(self._slots)}>"


def call_state(ctx: Mapping[str, Any] | None = None) -> CallState:
    """The state of the call ``ctx`` belongs to (the configuration a hook received); without
    ``ctx``, the call running in this thread or task. Outside any call (a hook called by hand)
    a fresh, unshared state is returned, so hooks never need to check."""
    if ctx is not None:
        found = ctx.get(CALL_KEY)
        if isinstance(found, CallState):
            return found
    found_here = current()
    return found_here if found_here is not None else CallState(None)


def begin(
    client: AxiosPython, config: dict[str, Any]
) -> contextvars.Token[weakref.ref[CallState] | None]:
    """Start a call: its state in ``config`` and in this context. Returns the reset token."""
    state = CallState(client, client.secrets)
    config[CALL_KEY] = state
    return _current.set(weakref.ref(state))


def end(token: contextvars.Token[weakref.ref[CallState] | None], state: CallState | None) -> None:
    """End the call started with ``begin``, whose state is ``state``: the state lets go of the
    call's configurations. A response keeps the state through its ``config``; once the state
    no longer holds a configuration back, the two form no cycle, and both are freed as soon as
    the caller drops the response instead of waiting for the garbage collector."""
    _current.reset(token)
    if state is not None:
        state.sending = None
        state.baseline = _NO_CONFIG


def unclaimed_streams(state: CallState, returned: Any) -> list[Any]:
    """The streamed responses of the call that are still open and not ``returned`` to the
    caller: nobody else can close them, so the pipeline does."""
    streams, state.streams = state.streams, []
    return [r for r in streams if r is not returned and not r.is_closed]


def current() -> CallState | None:
    """The state of the call running in this context, if any."""
    ref = _current.get()
    return None if ref is None else ref()
