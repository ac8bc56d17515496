"""`motor-trainer replay SESSION REP`: the exaggerated replay of one obvious miss, as an MP4 and a contact sheet.

Building the replay from a saved session (analysing the rep again against
its reference) lives in ``feedback/session_replay.py``, shared with the
desktop app's session review; this module parses the command line and
writes the MP4 and the contact sheet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from motor_trainer.feedback.replay import ReplayMode
from motor_trainer.feedback.replay_output import export_replay
from motor_trainer.feedback.session_replay import ReplayOptions, session_replay
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import resolve_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="render the exaggerated replay of one obvious miss to MP4 and PNG")
    parser.add_argument("session_id", metavar="SESSION")
    parser.add_argument("rep", type=int, metavar="REP",
                        help="rep (or, for a routine, step) number as `analyze` and `sessions show` list it, counted from 1")
    parser.add_argument("--gain", type=float, default=2.0, help="how many times larger the error is drawn (default 2)")
    parser.add_argument("--mode", choices=[str(m) for m in ReplayMode], default=str(ReplayMode.GAIN),
                        help="gain: multiply the error; offset: push it a constant distance further")
    parser.add_argument("--speed", type=float, default=0.35, help="slow-motion speed around the biggest error (default 0.35)")
    parser.add_argument("--no-fade", action="store_true", help="keep the full gain whatever the recent success rate")
    parser.add_argument("--skill", help="skill preset (default: the session's)")
    parser.add_argument("--reference", metavar="ID|VIDEO|FOLDER",
                        help="reference to judge against (default: the one the session's analysis used)")
    parser.add_argument("--bpm", type=float, help="closed-loop: tempo of the music in beats per minute")
    parser.add_argument("--first-beat", type=float, metavar="SECONDS", help="closed-loop: time of the first beat")
    parser.add_argument("--out", type=Path, metavar="MP4", help="where to write the MP4 (default: the session's derived/ folder)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = ReplayOptions(gain=args.gain, mode=ReplayMode(args.mode), speed=args.speed, fade=not args.no_fade,
                            skill=args.skill, reference=args.reference, bpm=args.bpm, first_beat_s=args.first_beat)
    workspace = resolve_workspace(args.workspace)
    session = SessionStore(workspace.ensure().sessions_dir).get(args.session_id)
    replay = session_replay(session, args.rep, workspace.root, options)
    for note in (*replay.notes, replay.changed_note):
        if note:
            print(note)
    renderer = replay.renderer
    out = args.out or session.derived_dir / f"replay_rep{args.rep:03d}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    export = export_replay(renderer, out, out.with_suffix(".png"))
    rate = replay.recent_success_rate
    faded = options.fade and replay.gain != args.gain
    fading = f" (faded from {args.gain:g}x: {rate:.0%} of recent reps succeeded)" if faded else ""
    print(f"{replay.caption}\ngain {replay.gain:.2g}x{fading}, slow motion {args.speed:g}x")
    print(f"replay -> {export.mp4_path} ({export.frames_written} frames at {renderer.fps:.0f} fps)")
    print(f"contact sheet -> {export.sheet_path}")
    return 0
