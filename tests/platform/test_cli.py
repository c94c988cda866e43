"""``axios-python plugins``: table and JSON, broken plugins reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(fake_plugins: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(fake_plugins)}
    return subprocess.run(
        [sys.executable, "-m", "axios_python", "plugins", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_table(fake_plugins: Path) -> None:
    result = _run(fake_plugins)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "STATUS"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["fake"] == ["fake", "axios-python-plugin-fake", "1.2.3", "loaded"]
    assert rows["broken"][3] == "error"
    assert "axios-python-plugin-broken" in result.stderr
    assert result.returncode == 1  # a broken plugin is worth a non-zero exit


def test_a_plugin_that_exits_at_import_is_one_error_row(fake_plugins: Path) -> None:
    result = _run(fake_plugins)
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["exits"][1:] == ["axios-python-plugin-exits", "0.3.0", "error"]
    assert rows["fake"][3] == rows["twin"][3] == rows["twin-alias"][3] == "loaded"
    assert "exits = fakeplugin_exits:Plugin" in result.stderr and "SystemExit: 7" in result.stderr
    assert result.returncode == 1  # not the plugin's exit code 7


def test_json(fake_plugins: Path) -> None:
    result = _run(fake_plugins, "--json")
    data = {row["name"]: row for row in json.loads(result.stdout)}
    assert data["fake"]["distribution"] == "axios-python-plugin-fake"
    assert data["fake"]["version"] == "1.2.3"
    assert data["fake"]["summary"] == "The fake test plugin"
    assert data["fake"]["status"] == "loaded" and data["fake"]["error"] is None
    assert "nonexistent_dependency_xyz" in data["broken"]["error"]


def test_no_check_imports_nothing(fake_plugins: Path) -> None:
    data = {
        row["name"]: row for row in json.loads(_run(fake_plugins, "--json", "--no-check").stdout)
    }
    assert data["broken"]["status"] == "not loaded"
