"""Run code samples the way a reader would paste them: in order, in one shared namespace.

Used by the documentation tests and by the seed-post tests. A :class:`SampleRunner`

* executes each sample in the namespace of one real module (so classes, dataclasses and
  ``import``-ed names behave as in a script), with the sample's own line numbers in tracebacks;
* accepts top-level ``await`` / ``async with`` / ``async for`` (compiled with
  ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``) and runs those samples on one fresh event loop that it owns;
* records every ``AxiosPython`` instance created while it is active and closes those the
  samples left open (``aclose()`` on its loop, so async connections are released too), because
  warnings, ``ResourceWarning`` included, are errors in this test suite.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import sys
import types
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from axios_python import AxiosPython

__all__ = ["Block", "SampleRunner", "python_blocks", "restored_logging"]

T = TypeVar("T")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    source: str
    line: int  # line number (1-based) of the block's first code line in the page


def python_blocks(markdown: str) -> list[Block]:
    """Every fenced block whose info string is ``python`` (or ``py``), in page order."""
    blocks: list[Block] = []
    fence: str | None = None
    is_python = False
    start = 0
    lines: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        stripped = line.strip()
        if fence is None:
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                info = stripped[3:].strip().split(maxsplit=1)
                is_python = bool(info) and info[0].lower() in ("python", "py")
                start, lines = number + 1, []
        elif stripped == fence:
            if is_python:
                blocks.append(Block("\n".join(lines) + "\n", start))
            fence = None
        else:
            lines.append(line)
    if fence is not None:
        raise ValueError(f"unclosed {fence} fence opened before line {start}")
    return blocks


class SampleRunner:
    """Executes samples in one namespace; see the module docstring."""

    def __init__(self, name: str, inject: Mapping[str, Any] | None = None) -> None:
        self.module = types.ModuleType(name)
        self.namespace: dict[str, Any] = self.module.__dict__
        if inject:
            self.namespace.update(inject)
        self.instances: list[AxiosPython] = []
        self.samples_run = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._original_init: Callable[..., None] | None = None

    # -- running --------------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runner's event loop for top-level awaits, created on first use."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def run(self, source: str, *, filename: str = "<sample>", first_line: int = 1) -> None:
        """Execute ``source``; a sample with top-level ``await`` runs on the runner's loop."""
        padded = "\n" * (first_line - 1) + source
        code = compile(
            padded, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
        )
        result = eval(code, self.namespace)  # running the samples is the point
        if code.co_flags & inspect.CO_COROUTINE:
            self.loop.run_until_complete(result)
        self.samples_run += 1

    def run_file(self, path: Path) -> None:
        """Execute a whole sample file."""
        self.run(path.read_text(encoding="utf-8"), filename=str(path))

    def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the runner's loop (for tests that call a sample's async function)."""
        return self.loop.run_until_complete(coro)

    def __getitem__(self, name: str) -> Any:
        """A name the samples defined."""
        return self.namespace[name]

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> SampleRunner:
        sys.modules[self.module.__name__] = self.module
        original: Callable[..., None] = AxiosPython.__init__
        instances = self.instances

        def recording_init(api: AxiosPython, *args: Any, **kwargs: Any) -> None:
            original(api, *args, **kwargs)
            instances.append(api)

        self._original_init = original
        setattr(AxiosPython, "__init__", recording_init)  # noqa: B010 - mypy: method assign
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._original_init is not None:
            setattr(AxiosPython, "__init__", self._original_init)  # noqa: B010
            self._original_init = None
        try:
            self.close_instances(self.instances)
        finally:
            self._close_loop()
            sys.modules.pop(self.module.__name__, None)

    def close_instances(self, instances: Iterable[AxiosPython]) -> None:
        """Close what the samples left open: on the runner's loop when it has one, so the
        async connections opened there are closed on the loop that owns them."""
        for api in instances:
            if api.is_closed:
                continue
            if self._loop is not None and not self._loop.is_closed():
                self._loop.run_until_complete(api.aclose())
            else:
                api.close()

    def _close_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    """Undo what a sample does to logging: ``logging.basicConfig(...)`` on the root logger, and
    a level, handler, ``propagate`` or ``disabled`` set on any named logger (a page that quiets
    ``axios_python.cache`` must not quiet it for the tests that run after it)."""
    import logging

    def loggers() -> list[logging.Logger]:
        named = logging.root.manager.loggerDict.values()
        return [logging.getLogger(), *(lg for lg in named if isinstance(lg, logging.Logger))]

    saved = {
        id(lg): (lg, lg.level, list(lg.handlers), lg.propagate, lg.disabled) for lg in loggers()
    }
    try:
        yield
    finally:
        for lg in loggers():
            _, level, handlers, propagate, disabled = saved.get(
                id(lg), (lg, logging.NOTSET, [], True, False)
            )
            for handler in list(lg.handlers):
                if handler not in handlers:
                    lg.removeHandler(handler)
                    handler.close()
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled
