"""Just enough version-specifier logic to tell whether a plugin accepts this core's version.

The core depends on httpx and pluggy only, so it does not pull in ``packaging`` for this; the
specifiers plugins use (``>=1.0,<2.0``, ``~=1.2``, ``==1.*``) are handled here.
"""

from __future__ import annotations

import re

__all__ = ["core_requirement", "satisfies"]

_CLAUSE = re.compile(r"^\s*(~=|===|==|!=|<=|>=|<|>)\s*([0-9][0-9a-zA-Z.*+!-]*)\s*$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _release(version: str) -> tuple[int, ...]:
    numbers = []
    for part in version.split("+")[0].split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits.group()))
    return tuple(numbers)


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def _clause_ok(operator: str, wanted: str, version: tuple[int, ...]) -> bool:
    if wanted.endswith(".*"):
        prefix = _release(wanted[:-2])
        matches = version[: len(prefix)] == prefix
        return matches if operator == "==" else not matches
    have, want = _padded(version, _release(wanted))
    if operator == "~=":
        stem = _release(wanted)[:-1]
        return have >= want and version[: len(stem)] == stem
    return {
        "==": have == want,
        "===": have == want,
        "!=": have != want,
        "<": have < want,
        "<=": have <= want,
        ">": have > want,
        ">=": have >= want,
    }[operator]


def satisfies(version: str, specifier: str) -> bool:
    """Whether ``version`` meets every clause of ``specifier`` (unparsable clauses pass)."""
    release = _release(version)
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        match = _CLAUSE.match(clause)
        if match is not None and not _clause_ok(match.group(1), match.group(2), release):
            return False
    return True


def core_requirement(requirements: list[str] | None) -> str | None:
    """The specifier a distribution's requirements put on ``axios-python``, if any."""
    for requirement in requirements or ():
        head = requirement.split(";", 1)
        if len(head) > 1 and "extra" in head[1]:
            continue  # only an optional dependency
        match = _NAME.match(head[0])
        if match is None:
            continue
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if name == "axios-python":
            rest = head[0][match.end() :].strip()
            rest = re.sub(r"^\[[^]]*\]", "", rest).strip().strip("()")
            return rest
    return None
