"""The command-line dispatcher: a registry of subcommand modules, each exposing ``register``.

Every module ``campaign/cli/<name>.py`` that defines ``register(subparsers)`` adds its own
subcommands (``validate`` in validate.py, ``bench`` in bench.py, ...); each subparser sets
``func`` via ``set_defaults(func=...)``, a callable taking the parsed namespace and returning
the exit code. Adding a subcommand is adding a module, nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Sequence


def command_modules() -> list[str]:
    """The names of the modules in this package, in alphabetical order."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    """The parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="python -m campaign", description="会员卡推进看板 command line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen subcommand; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
