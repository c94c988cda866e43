"""Every package carries one version, the same in pyproject, _version.py and its CHANGELOG;
the bump tool keeps them together."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bump_version = _tool("bump_version")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_versions_agree(package: Path) -> None:
    pyproject, module, changelog = bump_version.read_versions(package)
    assert pyproject == module == changelog, (pyproject, module, changelog)
    for required in ("README.md", "CHANGELOG.md"):
        assert (package / required).is_file()
    assert list(package.glob("src/*/py.typed"))


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [("1.0.0", "patch", "1.0.1"), ("1.2.3", "minor", "1.3.0"), ("1.2.3", "major", "2.0.0"),
     ("1.2.3", "4.5.6", "4.5.6")],
)  # fmt: skip
def test_next_version(current: str, part: str, expected: str) -> None:
    assert bump_version.next_version(current, part) == expected


def test_bump_updates_all_three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    package = root / "packages" / "p"
    (package / "src" / "p").mkdir(parents=True)
    (package / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1.0.0"\n')
    (package / "src" / "p" / "_version.py").write_text('__version__ = "1.0.0"\n')
    changelog = package / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## Unreleased\n\n### Added\n\n- a change\n\n## 1.0.0 — 2026-01-01\n"
    )
    monkeypatch.setattr(bump_version, "ROOT", root)
    assert bump_version.bump("p", "minor", "2026-12-01") == "1.1.0"
    assert bump_version.read_versions(root / "packages" / "p") == ("1.1.0", "1.1.0", "1.1.0")
    text = changelog.read_text()
    assert "## Unreleased\n\n## 1.1.0 — 2026-12-01" in text
    with pytest.raises(SystemExit, match="describe the changes under '## Unreleased'"):
        bump_version.bump("p", "patch", "2026-12-02")
    with pytest.raises(SystemExit, match="no package 'nope'"):
        bump_version.bump("nope", "patch", "2026-12-02")
