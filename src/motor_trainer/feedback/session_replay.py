"""The exaggerated replay of one rep of a saved session: what the `replay` command and the session review share.

The session keeps the video, the landmarks and the verdicts; the ghost needs
the reference's pose frame by frame, which is not stored, so the rep (or the
routine, for a dance) is analysed again against the same reference: the one
named in ``ReplayOptions.reference``, else the saved one ``analyze`` used
(named in the session's analysis.json), else the video's own reps.
An open-loop rep is judged with the outcome entered for it live (a dart far
off is an obvious miss on its own), at the tolerance of that moment
(analysis/entered_outcomes.py), and replayed with the same target inset as live.
Subtle errors and clean reps are not replayed: ``session_replay`` refuses
them in one line that says what the rep was.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.analysis.entered_outcomes import (
    BOARD_SETTING,
    OutcomeEntry,
    outcome_entries,
    overlapping_rep,
    recorded_reps,
    rep_on_rows,
    with_board_outcome,
)
from motor_trainer.analysis.outcomes import HitMiss
from motor_trainer.analysis.rep_errors import analyse_clip, analyse_rep
from motor_trainer.analysis.rep_reference import load_reference, references_dir
from motor_trainer.analysis.session_reference import judging_setting, remembered_rep_reference, remembered_routine
from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.clips import Clip, clip_from_video, clip_window_s
from motor_trainer.feedback import messages
from motor_trainer.feedback.exaggerate import faded_gain
from motor_trainer.feedback.rep_replay import rep_replay_spec
from motor_trainer.feedback.replay import (
    ReplayMode,
    ReplayRenderer,
    ReplaySpec,
    should_replay,
)
from motor_trainer.feedback.replay_inputs import (
    _person_for_clip,
    outcome_inset,
    recent_success_rate,
    step_replay_spec,
)
from motor_trainer.skills.open_loop import OpenLoopPreset, Rep, find_reps
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.storage.session_video import session_video
from motor_trainer.storage.session_folder import Session
from motor_trainer.workspace import Workspace

#: Where `analyze` leaves its JSON inside a session (commands/analyze.py).
ANALYSIS_JSON = Path("derived") / "analysis.json"

#: Builds the replay of the chosen rep from its clip, in ReplaySpec's default style.
SpecBuilder = Callable[[Clip], ReplaySpec]


@dataclass(frozen=True)
class _Judged:
    """The chosen rep judged again: its verdict (numbered as the session lists it), the success rate of the
    reps before it (which fades the gain), its replay builder, and what to tell the user."""

    verdict: Verdict
    recent_success_rate: float
    build: SpecBuilder
    landmarks_start_s: float  # the session clock at the first landmark frame (where its video's clock starts)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplayOptions:
    """How to draw the replay and what to judge the rep against.

    ``reference``: open-loop, a saved reference id; closed-loop, a routine
    folder, a video, a saved routine id or a session id (``--reference``).
    """

    gain: float = 2.0
    mode: ReplayMode = ReplayMode.GAIN
    speed: float = 0.35
    fade: bool = True
    skill: str | None = None
    reference: str | None = None
    bpm: float | None = None
    first_beat_s: float | None = None

    def __post_init__(self) -> None:
        if self.gain <= 0 or not 0 < self.speed <= 1:
            raise UserFacingError(f"--gain must be positive and --speed in (0, 1], got {self.gain} and {self.speed}")


@dataclass(frozen=True)
class SessionReplay:
    """A replay ready to play, with what the CLI and the GUI tell the user about it."""

    renderer: ReplayRenderer
    verdict: Verdict  # as analysed again now
    stored_verdict: Verdict | None  # as saved at the time, if the session holds one for this rep
    gain: float  # after fading
    recent_success_rate: float  # NaN when no earlier rep
    notes: tuple[str, ...] = ()  # how it was judged where the session could not say (e.g. the tolerance of the time)

    @property
    def caption(self) -> str:
        """The replay's caption; a miss with no size to name (entered as hit / miss, a step not danced) says what it was."""
        if self.renderer.caption:
            return self.renderer.caption
        verdict = self.verdict
        noun = messages.action_noun(verdict.skill, verdict.kind)
        return messages.replay_without_size_caption(noun, verdict.number, verdict.channel) if verdict.channel else ""

    @property
    def changed_note(self) -> str | None:
        """A line when analysing again disagrees with the verdict stored at the time (e.g. a newer reference)."""
        stored, now = self.stored_verdict, self.verdict
        if stored is None or (stored.severity, stored.channel) == (now.severity, now.channel):
            return None
        return (f"note: rep {now.number} was saved as {stored.severity} ({stored.channel or '-'}); "
                f"analysed again it is {now.severity} ({now.channel or '-'})")


def session_replay(session: Session, number: int, workspace_root: Path, options: ReplayOptions = ReplayOptions()) -> SessionReplay:
    """The exaggerated replay of rep (or step) ``number`` of ``session``, counted from 1 as `sessions show` lists it.

    Raises UserFacingError in one line when the session names no skill, has
    no video left, has no such rep, or the rep is not an obvious miss.
    Slow (re-analysis and decoding): call it off the GUI thread.
    """
    skill = options.skill or session.manifest.skill
    if not skill:
        raise UserFacingError(f"session {session.session_id} does not say which skill it is: pass --skill")
    video = session_video(session)
    if video is None:
        raise UserFacingError(f"session {session.session_id} has no video to replay")
    table = load_preset_table(skill, Path(workspace_root))
    rep = number - 1  # Verdict.index
    if table["kind"] is SkillKind.OPEN_LOOP:
        judged = _open_loop(session, rep, Path(workspace_root), OpenLoopPreset.from_table(table), options.reference)
    else:
        judged = _closed_loop(session, rep, Path(workspace_root), table, options)
    verdict = judged.verdict
    stored = {v.index: v for v in session.verdicts()}.get(verdict.index)
    refusal = replay_refusal(verdict)
    if refusal is not None:
        # A step missed live can be on time once the whole recording is aligned (a loaded machine drops frames live).
        saved_as_miss = stored is not None and should_replay(stored)
        was = f" was saved as {stored.severity} live, but" if stored is not None and saved_as_miss else ""
        now = "judged again it is" if saved_as_miss else "is"
        raise UserFacingError(f"rep {number} of session {session.session_id}{was} {now} {refusal}")
    rate = judged.recent_success_rate
    gain = faded_gain(options.gain, rate) if options.fade else options.gain
    clip = clip_from_video(video.path, *_video_window_s(verdict, judged.landmarks_start_s), rotate_deg=video.rotate_deg)
    renderer = ReplayRenderer(dataclasses.replace(judged.build(clip), gain=gain, mode=options.mode, speed=options.speed))
    return SessionReplay(renderer, verdict, stored, gain, rate, judged.notes)


def _video_window_s(verdict: Verdict, first_s: float) -> tuple[float, float]:
    """The replay clip's window on the video's clock, which starts at 0 at the first landmark frame
    (``first_s``: a live recording's landmarks keep the capture clock, which started a little earlier)."""
    start_s, end_s = clip_window_s(verdict)
    return max(0.0, start_s - first_s), end_s - first_s


def replay_refusal(verdict: Verdict) -> str | None:
    """Why a rep is not replayed ("subtle (elbow_drift): only obvious misses are replayed"), None if it is."""
    if should_replay(verdict):
        return None
    channel = f" ({verdict.channel})" if verdict.channel else ""
    return f"{verdict.severity}{channel}: only obvious misses are replayed"


def analysed_reference_id(session: Session, saved: Path) -> str | None:
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


def saved_reference_ids(workspace_root: Path, skill: str, kind: SkillKind) -> list[str]:
    """The references a rep of ``skill`` can be replayed against: saved rep references of that skill
    (``references/<id>.json``) or, for a routine (closed-loop ``kind``), saved routines (``references/<id>/``)."""
    from motor_trainer.analysis.routine_reference import is_reference_folder  # noqa: PLC0415 - dance skills only

    folder = references_dir(workspace_root)
    if not folder.is_dir():
        return []
    if kind is not SkillKind.OPEN_LOOP:
        return sorted(path.name for path in folder.iterdir() if path.is_dir() and is_reference_folder(path))
    ids = []
    for path in sorted(folder.glob("*.json")):
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("skill") == skill:
                ids.append(path.stem)
        except (OSError, ValueError, AttributeError):
            continue  # a damaged reference is named when someone chooses it, not while listing
    return ids


def _open_loop(session: Session, rep: int, workspace_root: Path, preset: OpenLoopPreset,
               reference_id: str | None) -> _Judged:
    """Rep ``rep`` judged as live: the rep the session recorded, with the outcome entered for it, at the
    difficulty of that moment (a session from `analyze` recorded neither: its rep is found again by number)."""
    preset = with_board_outcome(preset, bool(session.manifest.settings.get(BOARD_SETTING)))
    saved = references_dir(workspace_root)
    remembered = None if reference_id else remembered_rep_reference(session)
    if remembered is not None:
        reference = remembered.reference
    else:
        reference_id = reference_id or analysed_reference_id(session, saved)
        reference = load_reference(saved, reference_id) if reference_id else None
    sequence = session.landmarks()
    events = session.events()
    entries = {entry.rep_index: entry for entry in outcome_entries(events, str(session.events_path))}
    _, reps = find_reps(sequence, preset)
    outcome_for = {}  # the outcomes on the reps found again, to pick the reps of an own reference as analyze does
    for entered in entries.values():
        if (found := overlapping_rep(reps, entered.rep_start_s, entered.rep_end_s)) is not None:
            outcome_for[found.index] = entered.outcome
    clip = analyse_clip(sequence, preset, reference, [outcome_for.get(r.index) for r in reps])
    chosen_rep = _rep_to_judge(session, rep, recorded_reps(events), sequence.time_s, [a.rep for a in clip.analyses])
    entry = entries.get(rep)
    judged = analyse_rep(clip.track, chosen_rep, preset, clip.reference, None if entry is None else entry.outcome,
                         tolerance_mm=None if entry is None else entry.tolerance_mm,
                         subtle_z=None if entry is None else entry.subtle_z)
    inset = None if entry is None else outcome_inset(entry.outcome, preset.outcome, entry.tolerance_mm)
    notes = () if entry is None else _tolerance_notes(rep, entry, preset.outcome.tolerance_mm)
    if remembered is not None and remembered.note:
        notes = (remembered.note, *notes)

    def build(clip: Clip) -> ReplaySpec:
        return rep_replay_spec(judged, clip, _person_for_clip(sequence, clip), sequence.image_size_px, outcome=inset)

    latest = {v.index: v for v in session.verdicts()}  # an outcome entered twice left two verdicts: the later counts
    rate = recent_success_rate(list(latest.values()), rep)
    return _Judged(judged.verdict, rate, build, float(sequence.time_s[0]), notes)


def _rep_to_judge(session: Session, rep: int, recorded: Mapping[int, Mapping], time_s: np.ndarray,
                  found_again: list[Rep]) -> Rep:
    """Rep ``rep`` as the session numbers it: the one it recorded live (judged on the frames the person
    saw judged), else the one found again under that number."""
    if rep in recorded:
        try:
            return rep_on_rows(recorded[rep], time_s)
        except ValueError as error:
            raise UserFacingError(f"rep {rep + 1} of session {session.session_id}: {error}") from None
    for candidate in found_again:
        if candidate.index == rep:
            return candidate
    raise _no_such_rep(session, rep, {*recorded, *(r.index for r in found_again)})


def _tolerance_notes(rep: int, entry: OutcomeEntry, preset_tolerance_mm: float) -> tuple[str, ...]:
    """A line when the tolerance of the time is unknown and it matters (a hit or miss has no size to judge)."""
    if entry.tolerance_mm is not None or isinstance(entry.outcome, HitMiss):
        return ()
    note = (f"note: the session did not store the coach's tolerance when rep {rep + 1}'s outcome was entered: "
            f"judged at the preset's {preset_tolerance_mm:g} mm")
    return (note,)


def _closed_loop(session: Session, step: int, workspace_root: Path, table: dict, options: ReplayOptions) -> _Judged:
    from motor_trainer.analysis.step_errors import analyse_attempt  # noqa: PLC0415 - dance skills only
    from motor_trainer.analysis.routine_reference import (  # noqa: PLC0415 - dance skills only
        ReferenceRoutine,
        replace_beat_grid,
        resolve_routine,
    )
    from motor_trainer.skills.closed_loop import ClosedLoopSettings  # noqa: PLC0415

    settings = ClosedLoopSettings.from_table(table)
    if settings.mirror or judging_setting(session, "mirror"):
        raise UserFacingError(f"session {session.session_id} was danced mirrored; mirrored replays are not drawn yet")
    def resolve(choice: str, bpm: float | None = None, first_beat_s: float | None = None) -> ReferenceRoutine:
        return resolve_routine(choice, Workspace(workspace_root), settings.contact, rotate_deg=session.manifest.source.rotate_deg,
                               model=session.manifest.model, bpm=bpm, first_beat_s=first_beat_s)

    remembered = None if options.reference else remembered_routine(session, resolve)
    if options.reference:
        routine = resolve(options.reference, options.bpm, options.first_beat_s)
    elif remembered is not None:
        routine = replace_beat_grid(remembered.reference, options.bpm, options.first_beat_s)
    else:
        raise UserFacingError(f"session {session.session_id} does not say which routine it was judged against "
                              "(analysed before sessions kept it): pass --reference ID|VIDEO|FOLDER")
    sequence = session.landmarks()
    analysis = analyse_attempt(routine, sequence, settings)
    verdicts = list(analysis.verdicts)
    verdict = _verdict_for(verdicts, step, session)
    report = next(report for report in analysis.steps if report.verdict.index == step)

    def build(clip: Clip) -> ReplaySpec:
        return step_replay_spec(report, analysis, sequence, routine.sequence, clip)

    notes = () if remembered is None or remembered.note is None else (remembered.note,)
    return _Judged(verdict, recent_success_rate(verdicts, step), build, float(sequence.time_s[0]), notes)


def _verdict_for(verdicts: list[Verdict], rep: int, session: Session) -> Verdict:
    for verdict in verdicts:
        if verdict.index == rep:
            return verdict
    raise _no_such_rep(session, rep, {v.index for v in verdicts})


def _no_such_rep(session: Session, rep: int, indices: set[int]) -> UserFacingError:
    """Rep index ``rep`` is not among ``indices``: said with the numbers people read (counted from 1)."""
    listed = ", ".join(str(index + 1) for index in sorted(indices)) or "none"
    return UserFacingError(f"session {session.session_id} has no rep {rep + 1} (reps: {listed})")
