"""`motor-trainer replay SESSION REP`: the exaggerated replay of one obvious miss, as an MP4 and a contact sheet.

The session keeps the video, the landmarks and the verdicts; the ghost needs
the reference's pose frame by frame, which is not stored, so the rep (or the
routine, for a dance) is analysed again against the same reference: the
saved one ``analyze`` used (``--reference`` or the one named in the
session's analysis.json), or the video's own reps. Subtle errors and clean
reps are not replayed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from motor_trainer.analysis.rep_errors import analyse_clip
from motor_trainer.analysis.rep_reference import load_reference, references_dir
from motor_trainer.analysis.verdict import SkillKind, Verdict
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.clips import clip_from_video, clip_window_s
from motor_trainer.feedback.exaggerate import faded_gain
from motor_trainer.feedback.replay import ReplayMode, ReplayRenderer, ReplaySpec, should_replay
from motor_trainer.feedback.replay_inputs import open_loop_replay_spec, recent_success_rate, step_replay_spec
from motor_trainer.feedback.replay_output import export_replay
from motor_trainer.skills.open_loop import OpenLoopPreset
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.storage.sessions import Session, SessionStore
from motor_trainer.workspace import Workspace, resolve_workspace

#: Where `analyze` leaves its JSON inside a session (commands/analyze.py).
ANALYSIS_JSON = Path("derived") / "analysis.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="render the exaggerated replay of one obvious miss to MP4 and PNG")
    parser.add_argument("session_id", metavar="SESSION")
    parser.add_argument("rep", type=int, metavar="REP", help="rep (or, for a routine, step) number as `sessions show` lists it")
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
    if args.gain <= 0 or not 0 < args.speed <= 1:
        raise UserFacingError(f"--gain must be positive and --speed in (0, 1], got {args.gain} and {args.speed}")
    workspace = resolve_workspace(args.workspace)
    session = SessionStore(workspace.ensure().sessions_dir).get(args.session_id)
    skill = args.skill or session.manifest.skill
    if not skill:
        raise UserFacingError(f"session {session.session_id} does not say which skill it is: pass --skill")
    if session.video_path is None or not session.video_path.is_file():
        raise UserFacingError(f"session {session.session_id} has no video to replay")
    table = load_preset_table(skill)
    if table["kind"] is SkillKind.OPEN_LOOP:
        verdicts, build = _open_loop(args, session, workspace, OpenLoopPreset.from_table(table))
    else:
        verdicts, build = _closed_loop(args, session, table)

    verdict = _verdict_for(verdicts, args.rep, session)
    _note_if_changed(verdict, session)
    if not should_replay(verdict):
        raise UserFacingError(
            f"rep {args.rep} of session {session.session_id} is {verdict.severity}"
            f"{f' ({verdict.channel})' if verdict.channel else ''}: only obvious misses are replayed"
        )
    rate = recent_success_rate(verdicts, verdict.index)
    gain = args.gain if args.no_fade else faded_gain(args.gain, rate)
    clip = clip_from_video(session.video_path, *clip_window_s(verdict), rotate_deg=session.manifest.source.rotate_deg)
    renderer = ReplayRenderer(build(verdict, clip, gain=gain, mode=ReplayMode(args.mode), speed=args.speed))

    out = args.out or session.derived_dir / f"replay_rep{args.rep:03d}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    export = export_replay(renderer, out, out.with_suffix(".png"))
    fading = "" if args.no_fade or gain == args.gain else f" (faded from {args.gain:g}x: {rate:.0%} of recent reps succeeded)"
    print(f"{renderer.caption}\ngain {gain:.2g}x{fading}, slow motion {args.speed:g}x")
    print(f"replay -> {export.mp4_path} ({export.frames_written} frames at {renderer.fps:.0f} fps)")
    print(f"contact sheet -> {export.sheet_path}")
    return 0


def _open_loop(args: argparse.Namespace, session: Session, workspace: Workspace, preset: OpenLoopPreset):
    saved = references_dir(workspace.root)
    reference_id = args.reference or _analysed_reference_id(session, saved)
    reference = load_reference(saved, reference_id) if reference_id else None
    sequence = session.landmarks()
    analyses = {a.verdict.index: a for a in analyse_clip(sequence, preset, reference).analyses}

    def build(verdict: Verdict, clip, **options) -> ReplaySpec:
        return open_loop_replay_spec(analyses[verdict.index], sequence, clip, **options)

    return [a.verdict for a in analyses.values()], build


def _closed_loop(args: argparse.Namespace, session: Session, table):
    from motor_trainer.analysis.step_errors import analyse_attempt  # noqa: PLC0415 - dance skills only
    from motor_trainer.skills.closed_loop import ClosedLoopSettings, load_reference_for  # noqa: PLC0415

    settings = ClosedLoopSettings.from_table(table)
    if settings.mirror:
        raise UserFacingError(f"skill '{settings.skill}' is danced mirrored; mirrored replays are not drawn yet")
    routine = load_reference_for(args, settings)
    sequence = session.landmarks()
    analysis = analyse_attempt(routine, sequence, settings)
    reports = {report.verdict.index: report for report in analysis.steps}

    def build(verdict: Verdict, clip, **options) -> ReplaySpec:
        return step_replay_spec(reports[verdict.index], analysis, sequence, routine.sequence, clip, **options)

    return list(analysis.verdicts), build


def _analysed_reference_id(session: Session, saved: Path) -> str | None:
    """The saved reference `analyze` judged this session against; None when it used the video's own reps."""
    path = session.directory / ANALYSIS_JSON
    if not path.is_file():
        return None
    try:
        reference_id = json.loads(path.read_text(encoding="utf-8")).get("reference_id")
    except (OSError, ValueError, AttributeError) as error:
        raise UserFacingError(f"{path}: unreadable analysis ({error})") from None
    is_saved = isinstance(reference_id, str) and (saved / f"{reference_id}.json").is_file()
    return reference_id if is_saved else None


def _verdict_for(verdicts: list[Verdict], rep: int, session: Session) -> Verdict:
    for verdict in verdicts:
        if verdict.index == rep:
            return verdict
    found = ", ".join(str(v.index) for v in verdicts) or "none"
    raise UserFacingError(f"session {session.session_id} has no rep {rep} (reps: {found})")


def _note_if_changed(verdict: Verdict, session: Session) -> None:
    """Say so when analysing again disagrees with the verdict stored at the time (e.g. a newer reference)."""
    stored = {v.index: v for v in session.verdicts()}.get(verdict.index)
    if stored is not None and (stored.severity, stored.channel) != (verdict.severity, verdict.channel):
        print(
            f"note: rep {verdict.index} was saved as {stored.severity} ({stored.channel or '-'}); "
            f"analysed again it is {verdict.severity} ({verdict.channel or '-'})"
        )
