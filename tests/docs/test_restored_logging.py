"""A docs sample that changes logging (``basicConfig``, a named logger's level, handlers,
``propagate``) must not change it for the tests that run after it in the same process."""

from __future__ import annotations

import logging

from ._runner import restored_logging


def test_what_a_sample_does_to_logging_is_undone() -> None:
    existing = logging.getLogger("axios_python.restored_logging_probe")
    existing.setLevel(logging.NOTSET)
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    with restored_logging():
        existing.setLevel(logging.ERROR)
        existing.propagate = False
        existing.addHandler(logging.NullHandler())
        existing.disabled = True
        new = logging.getLogger("axios_python.restored_logging_probe.new")
        new.setLevel(logging.CRITICAL)
        new.addHandler(logging.NullHandler())
        root.addHandler(logging.NullHandler())
        root.setLevel(logging.DEBUG)
    assert (existing.level, existing.propagate, existing.handlers, existing.disabled) == (
        logging.NOTSET,
        True,
        [],
        False,
    )
    assert (new.level, new.handlers, new.propagate) == (logging.NOTSET, [], True)
    assert (root.level, root.handlers) == (root_level, root_handlers)
