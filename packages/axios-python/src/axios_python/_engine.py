"""The HTTP engine the core runs on: httpx, or its maintained fork httpx2 (the same API).

Chosen once, when ``axios_python`` is first imported, from the ``AXIOS_PYTHON_ENGINE``
environment variable: ``httpx`` or ``httpx2``; empty or unset chooses httpx if it can be
imported, else httpx2. Every module of the core and of the first-party plugins takes the engine
from here (``from ._engine import httpx``; plugins through ``axios_python.engine``), so one set
of classes serves the whole process: a response, an error or a transport made by one module is
the class every other module checks against.

For the type checker the engine is httpx (httpx2 has the same API); at run time ``httpx`` and
``httpcore`` are the modules chosen.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["ENGINES", "ENV_VAR", "choose", "httpcore", "httpx", "joined", "mismatch", "name"]

#: The environment variable that selects the engine.
ENV_VAR = "AXIOS_PYTHON_ENGINE"

#: The engines the core runs on, each with the httpcore it builds on and how to install it.
ENGINES: dict[str, tuple[str, str]] = {
    "httpx": ("httpcore", 'pip install "httpx>=0.27,<0.29"'),
    "httpx2": ("httpcore2", 'pip install "axios-python[httpx2]" (Python >= 3.11)'),
}


def _core_available(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _import(engine: str, *, core: bool = True) -> tuple[ModuleType, ModuleType | None]:
    client = importlib.import_module(engine)
    core_name = ENGINES[engine][0]
    if core:
        return client, importlib.import_module(core_name)
    if not _core_available(core_name):  # imported when first used (transports, tracking)
        raise ImportError(f"No module named {core_name!r}")
    return client, None


def choose(value: str | None, *, core: bool = True) -> tuple[str, ModuleType, ModuleType | None]:
    """The engine ``value`` (the environment variable's value) selects: its name, its httpx
    module and its httpcore module (``None`` with ``core=False``: only checked to be there).
    Raises ImportError for a value that names no engine, and for an engine that is not
    installed."""
    selected = (value or "").strip().lower()
    accepted = " or ".join(repr(engine) for engine in ENGINES)
    if selected and selected not in ENGINES:
        raise ImportError(
            f"{ENV_VAR}={value!r} names no engine axios_python runs on: accepted are {accepted}, "
            "or empty/unset for the default (httpx if it is installed, else httpx2)"
        )
    if selected:
        try:
            client, core_module = _import(selected, core=core)
        except ImportError as exc:
            raise ImportError(
                f"{ENV_VAR}={value!r} selects {selected}, which cannot be imported ({exc}): "
                f"{ENGINES[selected][1]}, or set {ENV_VAR} to another engine ({accepted}) "
                "or leave it unset"
            ) from exc
        return client.__name__, client, core_module
    failures = []
    for engine in ENGINES:
        try:
            client, core_module = _import(engine, core=core)
        except ImportError as exc:
            failures.append(f"{engine}: {exc}")
        else:
            # the module's own name: httpx2 when httpx2.alias_httpx() made ``httpx`` an alias
            return client.__name__, client, core_module
    raise ImportError(
        "axios_python needs httpx or httpx2 and can import neither "
        f"({'; '.join(failures)}): pip install axios-python (httpx), or "
        f"{ENGINES['httpx2'][1]}"
    )


def _describe(value: object) -> str:
    cls = type(value)
    module = cls.__module__.partition(".")[0]
    return f"{module}.{cls.__qualname__}"


def mismatch(value: object, engine: str) -> str | None:
    """Why ``value`` cannot be used when the process runs on ``engine``: it is an object of the
    other engine (an ``httpx.MockTransport`` given to the core running on httpx2); else None."""
    made_by = ""
    for cls in type(value).__mro__:  # a subclass of the other engine's class counts too
        top = cls.__module__.partition(".")[0]
        made_by = {"httpcore": "httpx", "httpcore2": "httpx2"}.get(top, top)
        if made_by in ENGINES:
            break
    if made_by not in ENGINES or made_by == engine:
        return None
    return (
        f"got {_describe(value)}, an object of {made_by}, but axios_python runs "
        f"on {engine} in this process ({ENV_VAR}={os.environ.get(ENV_VAR, '')!r}): build it "
        f"from the engine axios_python uses (`from axios_python.engine import httpx` gives "
        f"{engine}), or run the process on {made_by} ({ENV_VAR}={made_by})"
    )


def joined(output: bytes | Iterable[bytes]) -> bytes:
    """A content decoder's output as bytes: httpx's ``decode()`` and ``flush()`` return bytes,
    httpx2's yield the output in pieces (of at most 1 MiB each)."""
    return output if isinstance(output, bytes) else b"".join(output)


if TYPE_CHECKING:
    import httpcore as httpcore
    import httpx as httpx

    #: The chosen engine's name: ``"httpx"`` or ``"httpx2"``.
    name: str
else:
    # httpcore is imported when first asked for (``__getattr__``): importing axios_python
    # costs no more than importing httpx, which does not import httpcore either
    name, httpx, _ = choose(os.environ.get(ENV_VAR), core=False)

    def __getattr__(attribute: str) -> ModuleType:
        if attribute == "httpcore":
            module = importlib.import_module(ENGINES[name][0])
            globals()["httpcore"] = module
            return module
        raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
