"""The `motor-trainer` command: no arguments opens the desktop app; subcommands work headless.

Each subcommand lives in its own module under ``motor_trainer.commands`` with a
``register(subparsers)`` function that adds its parser and sets ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from motor_trainer.desktop_libraries import desktop_libraries_problem
from motor_trainer.errors import UserFacingError

#: Modules under motor_trainer.commands, in the order their commands are listed in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "track",
    "analyze",
    "models",
    "calibrate",
    "record",
    "sessions",
    "export",
    "replay",
    "skills",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motor-trainer",
        description="Webcam motor-skill coach. Run without a command to open the desktop app.",
    )
    parser.add_argument("--workspace", help="folder holding calibration/ and sessions/ (default: see README)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"motor_trainer.commands.{name}").register(subparsers)
    return parser


def offer_recovery(workspace_option: str | None) -> None:
    """On start, a session left unfinished by a crash or kill is pointed out with how to keep it."""
    from motor_trainer.commands.sessions import unfinished_notice
    from motor_trainer.storage.store import SessionStore
    from motor_trainer.workspace import resolve_workspace

    sessions_dir = resolve_workspace(workspace_option).sessions_dir
    if sessions_dir.is_dir() and (notice := unfinished_notice(SessionStore(sessions_dir))):
        print(f"motor-trainer: {notice}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command != "sessions":  # `sessions` lists and recovers them itself
            offer_recovery(args.workspace)
        if args.command is None:
            if problem := desktop_libraries_problem():
                raise UserFacingError(problem)
            from motor_trainer.gui.app import run_app

            return run_app(args)
        return int(args.run(args) or 0)
    except UserFacingError as error:
        print(f"motor-trainer: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("motor-trainer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
