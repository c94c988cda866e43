"""The ``axios-python`` command (also ``python -m axios_python``).

Subcommands:

``demo``
    a guided tour of the request lifecycle against a local loopback server.
``plugins``
    the installed plugins (name, distribution, version, status), as a table or ``--json``.

Each subcommand is one ``_add_*`` function that declares its parser and sets ``handler``; the
work itself lives in its own module, imported only when the subcommand runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._version import __version__

__all__ = ["build_parser", "main"]


def _run_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo, section_names

    if args.list:
        print("\n".join(section_names()))
        return 0
    _loopback_direct()
    return run_demo(sections=args.sections)


def _loopback_direct() -> None:
    """The demo talks only to servers it starts on loopback: a proxy from the environment
    (used with ``trust_env``) must not carry those requests, so this process adds loopback to
    ``NO_PROXY``."""
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    entries = [entry for entry in current.split(",") if entry.strip()]
    for host in ("127.0.0.1", "localhost", "::1"):
        if host not in entries:
            entries.append(host)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(entries)


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        help="a guided tour: the request lifecycle, then the plugin ecosystem",
        description=(
            "Start a local loopback HTTP server and walk through the request lifecycle of "
            "axios_python on one instance, then the plugins: discovery, attaching by name, "
            "auth, logger, timing, cache, dedupe, OpenTelemetry, Redis cache and "
            "AXIOS_PYTHON_PLUGINS. Needs no network access; takes a few seconds. Name "
            "sections to run only those (--list shows them); each prints its source."
        ),
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help="run only these")
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.set_defaults(handler=_run_demo)


def _run_plugins(args: argparse.Namespace) -> int:
    from ._plugins_cli import print_plugins

    return print_plugins(as_json=args.json, check=not args.no_check)


def _add_plugins(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plugins",
        help="list installed plugins: name, distribution, version, status",
        description=(
            "List the plugins installed in this environment (entry-point group "
            "axios_python.plugins). Each one is loaded to report whether it works, unless "
            "--no-check is given. Exits 1 when a plugin is broken."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument(
        "--no-check", action="store_true", help="only read metadata; import no plugin"
    )
    parser.set_defaults(handler=_run_plugins)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``axios-python`` command, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="axios-python",
        description="axios_python: the request-lifecycle orchestration layer above httpx.",
    )
    parser.add_argument("--version", action="version", version=f"axios-python {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    _add_demo(commands)
    _add_plugins(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``axios-python`` command with ``argv`` (default ``sys.argv[1:]``); returns the
    exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
