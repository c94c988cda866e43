"""Bump one package's version consistently: pyproject.toml, _version.py and CHANGELOG.md.

    python tools/bump_version.py axios-python-plugin-timing minor
    python tools/bump_version.py axios-python 1.1.0 --date 2026-12-01

The CHANGELOG's top section must hold the changes: either "## Unreleased" (renamed to the new
version and date, with a fresh "## Unreleased" above it) or "## NEW — unreleased" (dated).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VERSION = re.compile(r'^version = "([^"]+)"', re.M)
_HEADING = re.compile(r"^## (.+)$", re.M)


def next_version(current: str, part: str) -> str:
    """``part`` is major, minor, patch or an explicit X.Y.Z."""
    if re.fullmatch(r"\d+\.\d+\.\d+", part):
        return part
    numbers = [int(n) for n in current.split(".")[:3]]
    index = {"major": 0, "minor": 1, "patch": 2}.get(part)
    if index is None:
        raise SystemExit(f"part must be major, minor, patch or X.Y.Z, got {part!r}")
    numbers[index] += 1
    numbers[index + 1 :] = [0] * (2 - index)
    return ".".join(map(str, numbers))


def _version_file(package_dir: Path) -> Path:
    found = sorted(package_dir.glob("src/*/_version.py"))
    if len(found) != 1:
        raise SystemExit(f"expected one src/*/_version.py in {package_dir}, found {found}")
    return found[0]


def read_versions(package_dir: Path) -> tuple[str, str, str]:
    """(pyproject version, _version.py version, CHANGELOG top version) of a package."""
    pyproject = _VERSION.search((package_dir / "pyproject.toml").read_text())
    module = re.search(r'__version__ = "([^"]+)"', _version_file(package_dir).read_text())
    headings = _HEADING.findall((package_dir / "CHANGELOG.md").read_text())
    versions = [h.split(" ")[0] for h in headings if h.strip().lower() != "unreleased"]
    top = versions[0] if versions else ""
    return (pyproject.group(1) if pyproject else "", module.group(1) if module else "", top)


def bump(package: str, part: str, date: str) -> str:
    """Bump ``package`` (a folder name under packages/); returns the new version."""
    package_dir = ROOT / "packages" / package
    if not (package_dir / "pyproject.toml").is_file():
        names = ", ".join(sorted(p.name for p in (ROOT / "packages").iterdir() if p.is_dir()))
        raise SystemExit(f"no package {package!r}; packages: {names}")
    current = read_versions(package_dir)[0]
    new = next_version(current, part)
    changelog_path = package_dir / "CHANGELOG.md"
    changelog = changelog_path.read_text()
    heading = _HEADING.search(changelog)
    title = heading.group(1).strip() if heading else ""
    if heading is None or title.lower() not in {"unreleased", f"{new} — unreleased"}:
        raise SystemExit(
            f"{changelog_path}: describe the changes under '## Unreleased' (or '## {new} — "
            f"unreleased') before bumping; the top section is {title!r}"
        )
    following = _HEADING.search(changelog, heading.end())
    body = changelog[heading.end() : following.start() if following else len(changelog)]
    if not re.sub(r"^###.*$", "", body, flags=re.M).strip():
        raise SystemExit(
            f"{changelog_path}: describe the changes under '## Unreleased' before bumping; "
            "the section is empty"
        )
    dated = f"## {new} — {date}"
    replacement = dated if title.lower() != "unreleased" else f"## Unreleased\n\n{dated}"
    changelog = changelog[: heading.start()] + replacement + changelog[heading.end() :]
    pyproject = package_dir / "pyproject.toml"
    pyproject.write_text(_VERSION.sub(f'version = "{new}"', pyproject.read_text(), count=1))
    version_file = _version_file(package_dir)
    version_file.write_text(
        re.sub(r'__version__ = "[^"]+"', f'__version__ = "{new}"', version_file.read_text())
    )
    changelog_path.write_text(changelog)
    return new


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Bump a package's version consistently.")
    parser.add_argument("package", help="folder under packages/, e.g. axios-python-plugin-timing")
    parser.add_argument("part", help="major, minor, patch or an explicit X.Y.Z")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args(argv)
    print(bump(args.package, args.part, args.date))
    return 0


if __name__ == "__main__":
    sys.exit(main())
