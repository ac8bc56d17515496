"""`motor-trainer analyze VIDEO... --skill NAME`: find every rep or step, judge it, save a session, write JSON.

The skill's preset decides the analyser: open-loop skills (throws) find and
judge reps; closed-loop ones (routines) align each attempt to the reference
routine and judge every step.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial
from itertools import zip_longest
from pathlib import Path
from typing import Any

from motor_trainer.analysis.entered_outcomes import outcome_event_payload
from motor_trainer.analysis.outcomes import Outcome, read_outcomes_csv
from motor_trainer.analysis.session_reference import remember_rep_reference, remember_routine
from motor_trainer.analysis.reference_reps import choose_reference_reps, mean_fps
from motor_trainer.analysis.rep_errors import ClipAnalysis, RepAnalysis, analyse_clip, reference_from_analyses
from motor_trainer.analysis.rep_reference import RepReference, SpreadSource, load_reference, references_dir
from motor_trainer.analysis.routine_reference import ReferenceRoutine, resolve_routine, routine_folder, run_as_reference
from motor_trainer.analysis.routine_reference import save_reference as save_routine
from motor_trainer.analysis.step_errors import RoutineAnalysis, analyse_attempt, format_step_table
from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.calibration.camera import undistort_if_calibrated
from motor_trainer.calibration.targets import workspace_dartboard
from motor_trainer.commands.batch import add_jobs_option, run_per_video
from motor_trainer.commands.track import add_subject_option
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import mirror_sequence
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.open_loop import OpenLoopPreset
from motor_trainer.skills.presets import available_presets, load_preset_table
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.session_folder import Session
from motor_trainer.storage.store import save_tracked_session
from motor_trainer.workspace import Workspace, resolve_workspace

ANALYSIS_JSON_NAME = "analysis.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze", help="find every rep or step in videos, judge each against a reference, save a session"
    )
    parser.add_argument("videos", nargs="+", type=Path, metavar="VIDEO")
    parser.add_argument("--skill", required=True, help=f"skill preset ({', '.join(available_presets())})")
    parser.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270), help="clockwise rotation for a sideways camera")
    parser.add_argument("--model", default="lite", help="pose model: lite (bundled), full, heavy, or a .task file")
    add_subject_option(parser)
    parser.add_argument("--reference", metavar="ID", help="a saved reference (default: the video's own reps)")
    parser.add_argument("--outcomes", type=Path, metavar="CSV", help="one outcome per rep, in order (x_mm,y_mm | hit | distance_mm)")
    parser.add_argument("--tolerance-mm", type=_positive_mm, help="outcome tolerance of the current difficulty (default: the preset's)")
    parser.add_argument("--save-reference", metavar="ID", help="save this analysis's successful (else all) reps as a reference")
    parser.add_argument("--reference-reps", type=_rep_numbers, metavar="N,N,...",
                        help="with --save-reference: build it from these reps instead (numbers as in the table, from 1; "
                             "with several videos, counted on across them in order)")
    parser.add_argument("--bpm", type=float, help="closed-loop: tempo of the music in beats per minute")
    parser.add_argument("--first-beat", type=float, metavar="SECONDS", help="closed-loop: time of the first beat")
    parser.add_argument("--mirror", action="store_true", help="mirror the person (a left-hander against a right-hander's reference)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the analysis as JSON here (default: in the session)")
    add_jobs_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    table = load_preset_table(args.skill, resolve_workspace(args.workspace).root)
    if table["kind"] is not SkillKind.OPEN_LOOP:
        return run_closed_loop(args, table)
    if args.reference_reps and not args.save_reference:
        raise UserFacingError("--reference-reps chooses the reps of a new reference: add --save-reference ID")
    preset = OpenLoopPreset.from_table(table)
    workspace = resolve_workspace(args.workspace)
    reference = load_reference(references_dir(workspace.root), args.reference) if args.reference else None
    if reference is not None and reference.skill != preset.name:
        raise UserFacingError(f"reference '{reference.reference_id}' is a {reference.skill} reference, not {preset.name}")
    outcomes = read_outcomes_csv(args.outcomes, preset.outcome.type) if args.outcomes else []
    board = workspace_dartboard(workspace.calibration_dir)
    clips: list[ClipAnalysis] = []
    documents: list[dict[str, Any]] = []
    for video, (sequence, calibration) in _tracked(args, workspace):
        if args.mirror:
            sequence = mirror_sequence(sequence)
        taken = sum(len(c.analyses) for c in clips)
        clip = analyse_clip(sequence, preset, reference, outcomes[taken:], tolerance_mm=args.tolerance_mm, board=board)
        clips.append(clip)
        session = save_session(workspace, video, sequence, clip, args, preset, calibration, outcomes[taken:])
        session = remember_rep_reference(session, reference, references_dir(workspace.root),
                                         {"mirror": bool(args.mirror), "tolerance_mm": args.tolerance_mm})
        json_path = session.derived_dir / ANALYSIS_JSON_NAME
        documents.append(analysis_document(video, session, preset, clip))
        print(f"\n{video}: {len(clip.analyses)} reps of {preset.title}, reference: {_reference_words(clip, reference)}")
        print(rep_table(clip.analyses))
        print(f"session {session.session_id}; analysis -> {json_path}")
        print(f"`motor-trainer replay {session.session_id} N` replays rep N of this table")
    if args.json:
        _write_json(args.json, documents[0] if len(documents) == 1 else documents)
        print(f"analysis -> {args.json}")
    if len(outcomes) > sum(len(c.analyses) for c in clips):
        print(f"note: {args.outcomes} has {len(outcomes)} outcomes for {sum(len(c.analyses) for c in clips)} reps; the rest were ignored")
    analyses = [a for c in clips for a in c.analyses]
    # the coach counts on across the videos of one run (with one video, as its table does)
    print_coach_summary([replace(a.verdict, index=number) for number, a in enumerate(analyses)], SkillKind.OPEN_LOOP)
    if args.save_reference:
        save_reference(analyses, preset, clips, workspace, args.save_reference, args.reference_reps)
    return 0


def run_closed_loop(args: argparse.Namespace, table: dict[str, Any]) -> int:
    """Each attempt aligned to the reference routine, stored as a session with one verdict per step."""
    workspace = resolve_workspace(args.workspace)
    routine = load_reference_for(args, ClosedLoopSettings.from_table(table, getattr(args, "difficulty", None)))
    judging = {"mirror": bool(args.mirror), "bpm": args.bpm, "first_beat_s": args.first_beat}
    verdicts: list[Verdict] = []
    for video, (sequence, calibration) in _tracked(args, workspace):
        analysis = analyze_attempt_command(args, sequence, table, routine)
        session = save_tracked_session(workspace, video, sequence, args.model, args.rotate, skill=args.skill, calibration=calibration)
        session = remember_routine(session, str(args.reference), routine, workspace, judging)
        with session.open_event_log() as log:
            for verdict in analysis.verdicts:
                log.append(EventKind.VERDICT, verdict.to_dict(), time_s=verdict.end_s)
        print(f"session {session.session_id}: `motor-trainer replay {session.session_id} N` replays step N of the table")
        verdicts.extend(analysis.verdicts)
    print_coach_summary(verdicts, SkillKind.CLOSED_LOOP)
    return 0


def load_reference_for(args: Any, settings: ClosedLoopSettings) -> ReferenceRoutine:
    """The routine named by ``--reference``, tracked like the attempt (same ``--rotate`` and ``--model``)."""
    given = getattr(args, "reference", None)
    if not given:
        raise UserFacingError(f"skill '{settings.skill}' is judged against a reference: pass --reference ID|VIDEO|FOLDER")
    return resolve_routine(
        str(given),
        resolve_workspace(getattr(args, "workspace", None)),
        settings.contact,
        rotate_deg=int(getattr(args, "rotate", 0) or 0),
        model=getattr(args, "model", None) or "lite",
        bpm=getattr(args, "bpm", None),
        first_beat_s=getattr(args, "first_beat", None),
    )


def analyze_command(args: Any, sequence: PoseSequence, preset_table: Mapping[str, Any]) -> int:
    """`motor-trainer analyze VIDEO --skill <closed-loop preset> --reference ...` for one tracked attempt."""
    analyze_attempt_command(args, sequence, preset_table)
    return 0


def analyze_attempt_command(args: Any, sequence: PoseSequence, preset_table: Mapping[str, Any],
                            routine: ReferenceRoutine | None = None) -> RoutineAnalysis:
    """The attempt aligned and judged: per-step table printed, JSON on request; the analysis returned to be stored.

    ``routine``: the reference already loaded (one for all the videos of a run), else the one ``--reference`` names.

    ``--save-reference ID`` keeps this run as a routine to dance against
    later (a saved good run), with the music's beat grid in the run's clock.
    """
    settings = ClosedLoopSettings.from_table(preset_table, getattr(args, "difficulty", None))
    routine = routine or load_reference_for(args, settings)
    mirror = bool(getattr(args, "mirror", False)) or settings.mirror
    analysis = analyse_attempt(routine, sequence, settings, mirror=mirror)
    print(format_step_table(analysis, routine))
    json_path = getattr(args, "json", None)
    if json_path:
        _write_json(Path(json_path), _json_safe(analysis.to_dict()))
        print(f"wrote {json_path}")
    save_id = getattr(args, "save_reference", None)
    if save_id:
        folder = routine_folder(resolve_workspace(getattr(args, "workspace", None)).ensure().root, str(save_id))
        run = run_as_reference(sequence, str(save_id), routine.beat_grid, analysis.tempo.rate, analysis.tempo.offset_s, settings.contact)
        save_routine(run, folder)
        print(f"saved this run as reference '{save_id}' ({folder})")
    return analysis


def _positive_mm(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive distance in mm")
    return value


def _rep_numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of rep numbers like 1,3,6") from None
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of rep numbers like 1,3,6 (reps count from 1)")
    return numbers


def _tracked(args: argparse.Namespace, workspace: Workspace) -> Iterator[tuple[Path, tuple[PoseSequence, str | None]]]:
    """Every video's landmarks and camera calibration (see ``_track``), in order, tracked side by side
    when there are several; a video that cannot be tracked is skipped with one line (alone, it is the error)."""
    for video, result in run_per_video(args.videos, partial(_track, args=args, workspace=workspace), workers=args.jobs):
        if isinstance(result, UserFacingError):
            if len(args.videos) == 1:
                raise result
            print(f"motor-trainer: skipped: {result}", file=sys.stderr)
            continue
        sequence, calibration, notes = result
        for note in notes:
            print(note, file=sys.stderr)
        yield video, (replace(sequence), calibration)  # rebuilt here: arrays read-only again after the trip


def track_with_calibration(video: Path, args: argparse.Namespace, workspace: Workspace) -> tuple[PoseSequence, str | None]:
    """One video's landmarks and calibration file as ``_track`` finds them, its notes printed."""
    print(f"tracking {video} ...", file=sys.stderr)
    sequence, calibration, notes = _track(video, lambda done, total: None, args, workspace)
    for note in notes:
        print(note, file=sys.stderr)
    return sequence, calibration


def _track(
    video: Path, progress: Callable[[int, int], None], args: argparse.Namespace, workspace: Workspace
) -> tuple[PoseSequence, str | None, list[str]]:
    """The video's landmarks, undistorted when the workspace holds a camera calibration for its
    resolution; the calibration file used (None: analysed uncalibrated) and what the user is told about it."""
    from motor_trainer.pose.tracker import track_video  # mediapipe loads only when a video is tracked

    sequence = track_video(video, rotate_deg=args.rotate, model=args.model, subject_hint_px=args.subject, progress=progress)
    sequence, calibration, notes = undistort_if_calibrated(sequence, workspace.calibration_dir)
    return sequence, None if calibration is None else str(calibration.path), list(notes)


def _reference_words(clip: ClipAnalysis, given: RepReference | None) -> str:
    if given is not None:
        return f"{given.reference_id} ({_reps(given.rep_count)}; {tolerance_words(clip.reference or given, given)})"
    if clip.reference is not None:
        return f"this video's own reps ({clip.reference.rep_count})"
    return "none (too few reps: only outcomes are judged)"


def _reps(count: int) -> str:
    return f"{count} rep" if count == 1 else f"{count} reps"


def tolerance_words(used: RepReference, saved: RepReference) -> str:
    """Whose spread the z-scores are in: the skill's typical one, the reference's reps', or the person's own."""
    if used.spread_source is SpreadSource.SKILL:
        return f"tolerances of the {used.skill} skill"
    if saved.spread_source is SpreadSource.SKILL:
        return "tolerances from your own reps in this video"
    return "tolerances from its own reps"


def save_session(
    workspace: Workspace,
    video: Path,
    sequence: PoseSequence,
    clip: ClipAnalysis,
    args: argparse.Namespace,
    preset: OpenLoopPreset,
    calibration: str | None,
    entered: Sequence[Outcome | None] = (),
) -> Session:
    """The one place an analysis is stored: a session with the video, landmarks, one event per rep (with its
    times, so a replay judges the very frames judged here), the outcome as entered (``entered``, one per rep,
    with the tolerance it was judged at), and the analysis as JSON in ``derived/``."""
    session = save_tracked_session(workspace, video, sequence, args.model, args.rotate, skill=preset.name, calibration=calibration)
    tolerance_mm = getattr(args, "tolerance_mm", None) or preset.outcome.tolerance_mm
    with session.open_event_log() as log:
        for analysis, outcome in zip_longest(clip.analyses, entered[:len(clip.analyses)]):
            log.append(EventKind.REP, _rep_dict(analysis), time_s=analysis.rep.release_s)
            if analysis.outcome is not None:
                payload = (vars(analysis.outcome).copy() if outcome is None
                           else outcome_event_payload(analysis.outcome, outcome, tolerance_mm, None))
                log.append(EventKind.OUTCOME, payload, time_s=analysis.rep.end_s)
            log.append(EventKind.VERDICT, analysis.verdict.to_dict(), time_s=analysis.rep.end_s)
    _write_json(session.derived_dir / ANALYSIS_JSON_NAME, analysis_document(video, session, preset, clip))
    return session


def _rep_dict(analysis: RepAnalysis) -> dict[str, Any]:
    rep = analysis.rep
    return {
        "index": rep.index,
        "number": rep.index + 1,
        "side": str(rep.side),
        "start_s": rep.start_s,
        "end_s": rep.end_s,
        "start_frame": rep.start_frame,
        "end_frame": rep.end_frame,
        "cock_frame": rep.cock_frame,
        "release_frame": rep.release_frame,
        "release_s": rep.release_s,
        "peak_speed_bl_per_s": rep.peak_speed_bl_per_s,
    }


def analysis_document(video: Path, session: Session | None, preset: OpenLoopPreset, clip: ClipAnalysis) -> dict[str, Any]:
    """Everything the analysis found, JSON-ready (NaN becomes null)."""
    reps = []
    for analysis in clip.analyses:
        alignment = analysis.alignment
        reps.append({
            "rep": _rep_dict(analysis),
            "verdict": analysis.verdict.to_dict(),
            "outcome": None if analysis.outcome is None else vars(analysis.outcome).copy(),
            "reference_frame_for_frame": None if alignment is None else alignment.reference_frame_for_frame.tolist(),
        })
    return _json_safe({
        "video": str(video),
        "session_id": None if session is None else session.session_id,
        "skill": preset.name,
        "side": str(clip.track.side),
        "reference_id": None if clip.reference is None else clip.reference.reference_id,
        "reference_spread_source": None if clip.reference is None else str(clip.reference.spread_source),
        "reps": reps,
    })


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers and other readers reject them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _write_json(path: Path, document: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, (json.dumps(document, indent=2, allow_nan=False) + "\n").encode())
    except OSError as error:
        raise UserFacingError(f"{path}: cannot write the analysis ({error.strerror or error})") from None


def _outcome_words(analysis: RepAnalysis) -> str:
    outcome = analysis.outcome
    if outcome is None:
        return "-"
    if outcome.error_mm is None:
        return outcome.direction
    label = f"{outcome.label} " if outcome.label else ""
    return f"{label}{abs(outcome.error_mm):.0f} mm {outcome.direction}"


def _deviation_words(analysis: RepAnalysis, count: int = 2) -> str:
    words = [
        f"{d.name} {d.z_score:+.1f}z ({d.magnitude:+.0f} {d.unit})" if d.unit != "bl_per_s" else f"{d.name} {d.z_score:+.1f}z"
        for d in analysis.verdict.deviations[:count]
    ]
    return "; ".join(words) or "-"


def rep_table(analyses: Sequence[RepAnalysis]) -> str:
    """One line per rep: time, release frame, verdict, channel, outcome error, largest deviations.

    Reps are numbered from 1 within the video's session, as `replay` and `sessions show` number them.
    """
    header = f"{'rep':>3}  {'time s':>11}  {'release':>7}  {'verdict':<7}  {'channel':<22}  {'outcome':<22}  largest deviations"
    lines = [header, "-" * len(header)]
    for number, a in enumerate(analyses, start=1):
        v = a.verdict
        lines.append(
            f"{number:>3}  {v.start_s:5.2f}-{v.end_s:5.2f}  {a.rep.release_frame:>7}  {str(v.severity):<7}  "
            f"{v.channel or '-':<22}  {_outcome_words(a):<22}  {_deviation_words(a)}"
        )
    if not analyses:
        lines.append("no reps found")
    return "\n".join(lines)


def print_coach_summary(verdicts: Sequence[Verdict], kind: SkillKind) -> None:
    """What the practice coach says about these reps or steps, block by block."""
    from motor_trainer.coaching.practice import summarise_session  # noqa: PLC0415 - the coach is optional reading

    if not verdicts:
        return
    print()
    for message in summarise_session(list(verdicts), kind):
        print(f"[{message.kind}] {message.text}")


def save_reference(
    analyses: list[RepAnalysis],
    preset: OpenLoopPreset,
    clips: list[ClipAnalysis],
    workspace: Workspace,
    reference_id: str,
    rep_numbers: list[int] | None = None,
) -> None:
    """Save the chosen reps (else the successful ones if there are enough, else all) as a reference."""
    chosen, which = choose_reference_reps(analyses, preset.reference.min_reps, rep_numbers)
    fps = mean_fps(clips[0].track.time_s)
    reference = reference_from_analyses(chosen, preset, fps, reference_id, source=f"{which} reps of `analyze`")
    path = reference.save(references_dir(workspace.ensure().root))
    print(f"saved reference {reference_id} from {_reps(len(chosen))} ({which}; {tolerance_words(reference, reference)}) -> {path}")
