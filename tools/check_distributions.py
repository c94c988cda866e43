"""CI proof that every distribution stands on its own.

    python tools/check_distributions.py wheels     # build all; each plugin alone in a fresh venv
    python tools/check_distributions.py scaffold   # a new plugin works inside and outside
    python tools/check_distributions.py all

``wheels`` builds an sdist and a wheel of every package, then for each plugin creates an empty
virtual environment, installs the core wheel and that plugin's wheel (nothing else of the
workspace, no dev dependency), and makes a request through the plugin, attached by its
entry-point name, against a loopback server. It also installs a plugin through the core's
extra (``axios-python[NAME]``) to prove the extra points at it.

``scaffold`` runs tools/new_plugin.py twice: outside the workspace (a plain ``python -m venv``
and ``pip install``) and inside a copy of the workspace (``uv sync``), and checks that the new
plugin is discovered by name and its tests pass at once.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# tomllib is 3.11+; these CI tools run on the workspace's interpreter (3.11).
tomllib = importlib.import_module("tomllib")

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"

#: Options a plugin needs to be built in the smoke test (others build without options).
PLUGIN_OPTIONS: dict[str, dict[str, object]] = {
    "auth": {"token": "smoke-token"},
    # no Redis in the smoke test: the cache fails open and the request goes to the server
    "redis-cache": {"url": "redis://127.0.0.1:1/0"},
    "sigv4": {"region": "us-east-1", "credentials": ["AKIDSMOKETEST", "smoke-secret"]},
}

SMOKE = """
import json, sys
import axios_python, axios_python.plugins
from axios_python.testing import LocalServer
name, options = sys.argv[1], json.loads(sys.argv[2])
infos = {i.name: i for i in axios_python.plugins.available(check=True)}
assert infos[name].status == "loaded", infos[name]
with LocalServer() as server, axios_python.create({"base_url": server.base_url}) as api:
    plugin = api.plugin(name, **options)
    response = api.get("/echo")
    assert response.status_code == 200, response
    print(json.dumps({"plugin": type(plugin).__name__, "status": response.status_code,
                      "installed": sorted(infos)}))
"""


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command, echoing it; fail loudly with its output."""
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"command failed ({result.returncode}): {args[0]} ...")
    return result.stdout


def _project(path: Path) -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((path / "pyproject.toml").read_text())["project"]
    return data


def _plugins() -> dict[str, Path]:
    """Entry-point name -> package folder, for every plugin package of the workspace."""
    found = {}
    for folder in sorted(PACKAGES.glob("axios-python-plugin-*")):
        eps = _project(folder).get("entry-points", {})
        for name in (eps or {}).get("axios_python.plugins", {}):  # type: ignore[attr-defined]
            found[name] = folder
    return found


def _wheel(dist: Path, package: str) -> Path:
    stem = package.replace("-", "_")
    wheels = sorted(dist.glob(f"{stem}-*.whl"))
    if not wheels:
        raise SystemExit(f"no wheel of {package} in {dist}")
    return wheels[-1]


def _venv(where: Path) -> Path:
    run("uv", "venv", "--quiet", "--python", sys.executable, where)
    return where / "bin" / "python"


def check_wheels(work: Path) -> None:
    dist = work / "dist"
    run("uv", "build", "--all-packages", "--out-dir", dist, cwd=ROOT)
    for folder in [PACKAGES / "axios-python", *_plugins().values()]:
        package = str(_project(folder)["name"])
        stem = package.replace("-", "_")
        if not list(dist.glob(f"{stem}-*.tar.gz")):
            raise SystemExit(f"no sdist of {package}")
    core = _wheel(dist, "axios-python")
    # the core alone: its demo runs, the plugin sections skipped with a note each
    python = _venv(work / "venv-core")
    run("uv", "pip", "install", "--quiet", "--python", python, core)
    demo = run(python, "-W", "error", "-m", "axios_python", "demo")
    if "skipped: axios_python_plugin_cache is not installed" not in demo:
        raise SystemExit(f"the core's demo did not skip the cache section:\n{demo}")
    print("ok: axios-python alone runs its demo")
    for name, folder in _plugins().items():
        package = str(_project(folder)["name"])
        python = _venv(work / f"venv-{name}")
        run(
            "uv", "pip", "install", "--quiet", "--python", python, "--find-links", dist,
            core, _wheel(dist, package),
        )  # fmt: skip
        options = json.dumps(PLUGIN_OPTIONS.get(name, {}))
        result = json.loads(run(python, "-W", "error", "-c", SMOKE, name, options))
        # a plugin built on another one (redis-cache on cache) brings that one along
        requires = {
            re.split(r"[<>=!~;\[ ]", str(dependency), maxsplit=1)[0]
            for dependency in _project(folder).get("dependencies", [])  # type: ignore[attr-defined]
        }
        expected = sorted(
            {name} | {n for n, f in _plugins().items() if _project(f)["name"] in requires}
        )
        if result["installed"] != expected:
            raise SystemExit(f"{package} alone should list {expected}: {result['installed']}")
        print(f"ok: {package} alone -> {result}")
    extras = tomllib.loads((PACKAGES / "axios-python" / "pyproject.toml").read_text())["project"]
    for name in sorted(set(extras.get("optional-dependencies", {})) - {"all"}):
        if name not in _plugins():  # fast, httpx2: third-party packages from the index
            continue
        python = _venv(work / f"extra-{name}")
        # the core's and the plugin's third-party dependencies (httpx, pluggy, redis...) from
        # the index; then the extra must resolve from the built wheels alone
        folder = _plugins()[name]
        run(
            "uv", "pip", "install", "--quiet", "--python", python, "--find-links", dist,
            core, _wheel(dist, str(_project(folder)["name"])),
        )  # fmt: skip
        run(
            "uv", "pip", "install", "--quiet", "--python", python, "--no-index",
            "--find-links", dist, f"axios-python[{name}]",
        )  # fmt: skip
        options = json.dumps(PLUGIN_OPTIONS.get(name, {}))
        print(
            f"ok: axios-python[{name}] ->", run(python, "-W", "error", "-c", SMOKE, name, options)
        )


def check_scaffold(work: Path) -> None:
    # Outside the workspace, with plain pip.
    outside = work / "outside"
    outside.mkdir(parents=True)
    run(sys.executable, ROOT / "tools" / "new_plugin.py", "ratelimit", "--dest", outside)
    venv = work / "venv-outside"
    run(sys.executable, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    project = outside / "axios-python-plugin-ratelimit"
    run(pip, "install", "--quiet", PACKAGES / "axios-python", "-e", f"{project}[test]")
    listing = json.loads(run(venv / "bin" / "axios-python", "plugins", "--json"))
    assert [p["name"] for p in listing] == ["ratelimit"], listing
    run(venv / "bin" / "python", "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider",
        project / "tests", cwd=project)  # fmt: skip
    print("ok: scaffolded plugin outside the workspace, plain pip")

    # Inside a copy of the workspace, with uv.
    copy = work / "workspace"
    files = run("git", "ls-files", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for line in files.splitlines():
        source = ROOT / line
        if source.is_file():
            (copy / line).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / line)
    run(sys.executable, copy / "tools" / "new_plugin.py", "ratelimit", cwd=copy)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    run("uv", "sync", "--all-packages", "--quiet", cwd=copy, env=env)
    listing = json.loads(run("uv", "run", "axios-python", "plugins", "--json", cwd=copy, env=env))
    assert "ratelimit" in [p["name"] for p in listing], listing
    run("uv", "run", "pytest", "-q", "packages/axios-python-plugin-ratelimit/tests",
        cwd=copy, env=env)  # fmt: skip
    print("ok: scaffolded plugin inside the workspace")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    what = (argv if argv is not None else sys.argv[1:]) or ["all"]
    with tempfile.TemporaryDirectory(prefix="axios-python-dists-") as tmp:
        work = Path(tmp)
        if what[0] in {"wheels", "all"}:
            check_wheels(work / "w")
        if what[0] in {"scaffold", "all"}:
            check_scaffold(work / "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
