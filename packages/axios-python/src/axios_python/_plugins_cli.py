"""``axios-python plugins``: the installed plugins as a table or as JSON."""

from __future__ import annotations

import json
import sys

from ._discovery import discovery

__all__ = ["print_plugins"]

_COLUMNS = ("name", "distribution", "version", "status")


def print_plugins(*, as_json: bool = False, check: bool = True) -> int:
    """Print the installed plugins; returns 1 if one of them is broken, else 0."""
    infos = discovery.available(check=check)
    broken = any(info.status == "error" for info in infos)
    if as_json:
        print(json.dumps([info._asdict() for info in infos], indent=2))
        return 1 if broken else 0
    if not infos:
        print("No axios_python plugins are installed (entry-point group axios_python.plugins).")
        print('Install one, e.g.: pip install "axios-python[timing]"')
        return 0
    rows = [tuple(str(getattr(info, c)) for c in _COLUMNS) for info in infos]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(_COLUMNS)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    for info in infos:
        if info.error:
            print(f"\n{info.name}: {info.error}", file=sys.stderr)
    return 1 if broken else 0
