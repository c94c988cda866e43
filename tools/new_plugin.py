"""Start a new axios_python plugin by copying the template package.

    python tools/new_plugin.py ratelimit                 # packages/axios-python-plugin-ratelimit
    python tools/new_plugin.py ratelimit --dest ~/code   # a standalone project outside the repo

Copies packages/axios-python-plugin-template, renaming the distribution
(axios-python-plugin-NAME), the import package (axios_python_plugin_NAME), the class
(NamePlugin, or --class-name), the entry point (NAME) and the test files, and resets the version
to 0.1.0 with a fresh CHANGELOG. Outside the workspace the uv workspace source is dropped, so
the project installs with plain pip.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "packages" / "axios-python-plugin-template"
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info", "dist")


def class_name_for(name: str) -> str:
    """``redis-cache`` -> ``RedisCachePlugin``."""
    return "".join(part.capitalize() for part in name.split("-")) + "Plugin"


def _rewrite(text: str, name: str, module: str, class_name: str, version: str) -> str:
    text = text.replace("axios-python-plugin-template", f"axios-python-plugin-{name}")
    text = text.replace("axios_python_plugin_template", module)
    text = text.replace("TestTemplate", "Test" + class_name.removesuffix("Plugin"))
    text = text.replace("TemplatePlugin", class_name)
    text = text.replace(
        "The starting point for an axios_python plugin: copy it with tools/new_plugin.py.",
        f"The {name} plugin for axios_python.",
    )
    text = text.replace("test_template", f"test_{module.removeprefix('axios_python_plugin_')}")
    text = re.sub(r'^template = "', f'{name} = "', text, flags=re.M)
    text = text.replace('name = "template"', f'name = "{name}"')
    text = text.replace('"template"', f'"{name}"')
    text = re.sub(r'^version = "[^"]+"', f'version = "{version}"', text, flags=re.M)
    return re.sub(r'^__version__ = "[^"]+"', f'__version__ = "{version}"', text, flags=re.M)


def _changelog(name: str, version: str) -> str:
    return (
        f"# Changelog\n\nAll notable changes to `axios-python-plugin-{name}`.\n\n"
        f"## {version} — unreleased\n\n### Added\n\n- First version, started from the "
        "axios_python plugin template.\n"
    )


def _readme(name: str, module: str, class_name: str) -> str:
    publish = (TEMPLATE / "README.md").read_text().split("## Publish it", 1)[1]
    return (
        f"# axios-python-plugin-{name}\n\n"
        f"The `{name}` plugin for [axios_python](https://pypi.org/project/axios-python/).\n\n"
        "## Install\n\n"
        f"```console\npip install axios-python-plugin-{name}\n```\n\n"
        "## Use\n\n"
        f"```python\nimport axios_python\nfrom {module} import {class_name}\n\n"
        'api = axios_python.create({"base_url": "https://api.example.com"})\n'
        f"api.plugin({class_name}())        # or by name: api.plugin({name!r})\n```\n\n"
        "## Develop\n\n"
        f'```console\npip install -e ".[test]"\npython -m pytest -W error tests\n```\n\n'
        f"## Publish{publish}"
    )


def scaffold(
    name: str, dest: Path, *, class_name: str | None = None, version: str = "0.1.0"
) -> Path:
    """Create ``dest/axios-python-plugin-NAME`` from the template; returns its path."""
    if not NAME.match(name) or name == "template":
        raise SystemExit(
            f"plugin name {name!r} is not accepted: use lower-case letters, digits and single "
            "hyphens, starting with a letter (e.g. 'ratelimit' or 'redis-cache')"
        )
    class_name = class_name or class_name_for(name)
    if not class_name.isidentifier():
        raise SystemExit(f"class name {class_name!r} is not a Python identifier")
    module = "axios_python_plugin_" + name.replace("-", "_")
    target = dest / f"axios-python-plugin-{name}"
    if target.exists():
        raise SystemExit(f"{target} already exists: choose another name or --dest")
    shutil.copytree(TEMPLATE, target, ignore=_SKIP)
    (target / "src" / "axios_python_plugin_template").rename(target / "src" / module)
    short = module.removeprefix("axios_python_plugin_")
    for path in sorted(target.rglob("*")):
        if path.is_file() and path.name.startswith("test_template"):
            path = path.rename(path.with_name(path.name.replace("test_template", f"test_{short}")))
        if path.is_file() and path.suffix in {".py", ".toml", ".md", ".txt", ".cfg"}:
            path.write_text(_rewrite(path.read_text(), name, module, class_name, version))
    (target / "CHANGELOG.md").write_text(_changelog(name, version))
    (target / "README.md").write_text(_readme(name, module, class_name))
    inside = dest.resolve() == (ROOT / "packages").resolve()
    if not inside:
        pyproject = target / "pyproject.toml"
        text = re.sub(r"\n\[tool\.uv\.sources\]\n[^\[]*", "\n", pyproject.read_text())
        pyproject.write_text(text.rstrip() + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("name", help="the plugin's entry-point name, e.g. 'ratelimit'")
    parser.add_argument(
        "--dest", type=Path, default=ROOT / "packages", help="where to create the package"
    )
    parser.add_argument("--class-name", help="the plugin class (default: NamePlugin)")
    parser.add_argument("--version", default="0.1.0", help="the first version (default 0.1.0)")
    args = parser.parse_args(argv)
    target = scaffold(args.name, args.dest, class_name=args.class_name, version=args.version)
    print(f"created {target}")
    if target.parent.resolve() == (ROOT / "packages").resolve():
        print("next: uv sync --all-packages && uv run pytest " + str(target.relative_to(ROOT)))
    else:
        print(f'next: pip install -e "{target}[test]" && python -m pytest -W error {target}/tests')
    return 0


if __name__ == "__main__":
    sys.exit(main())
