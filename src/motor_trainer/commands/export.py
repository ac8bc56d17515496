"""`motor-trainer export ID --format csv|trc|dlc|bundle [--out DIR]`: a session in another tool's format."""

from __future__ import annotations

import argparse
from pathlib import Path

from motor_trainer.storage.export import ExportFormat, export_session
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import resolve_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write a session as CSV, OpenSim .trc/.mot, DeepLabCut CSV, or a bundle to share")
    parser.add_argument("session_id", metavar="ID")
    parser.add_argument("--format", required=True, choices=[str(f) for f in ExportFormat],
                        help="csv: tidy landmarks, reps, events; trc: .trc positions + .mot joint angles; "
                             "dlc: DeepLabCut CSV; bundle: the whole session as a zip")
    parser.add_argument("--out", type=Path, help="folder to write to (default: the session's derived/)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = SessionStore(resolve_workspace(args.workspace).ensure().sessions_dir)
    session = store.get(args.session_id)
    for path in export_session(session, ExportFormat(args.format), args.out):
        print(path)
    return 0
