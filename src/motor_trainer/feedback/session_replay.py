"""The exaggerated replay of one rep of a saved session: what the `replay` command and the session review share.

The session keeps the video, the landmarks and the verdicts; the ghost needs
the reference's pose frame by frame, which is not stored, so the rep (or the
routine, for a dance) is analysed again against the same reference: the one
named in ``ReplayOptions.reference``, else the saved one ``analyze`` used
(named in the session's analysis.json), else the video's own reps.
Subtle errors and clean reps are not replayed: ``session_replay`` refuses
them in one line that says what the rep was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from motor_trainer.analysis.rep_errors import analyse_clip
from motor_trainer.analysis.rep_reference import load_reference, references_dir
from motor_trainer.analysis.verdict import SkillKind, Verdict
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.clips import Clip, clip_from_video, clip_window_s
from motor_trainer.feedback.exaggerate import faded_gain
from motor_trainer.feedback.replay import (
    ReplayMode,
    ReplayRenderer,
    ReplaySpec,
    should_replay,
)
from motor_trainer.feedback.replay_inputs import (
    open_loop_replay_spec,
    recent_success_rate,
    step_replay_spec,
)
from motor_trainer.skills.open_loop import OpenLoopPreset
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.storage.session_video import session_video
from motor_trainer.storage.sessions import Session

#: Where `analyze` leaves its JSON inside a session (commands/analyze.py).
ANALYSIS_JSON = Path("derived") / "analysis.json"

#: Builds the replay of one re-analysed verdict from its clip.
SpecBuilder = Callable[..., ReplaySpec]


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

    @property
    def changed_note(self) -> str | None:
        """A line when analysing again disagrees with the verdict stored at the time (e.g. a newer reference)."""
        stored, now = self.stored_verdict, self.verdict
        if stored is None or (stored.severity, stored.channel) == (now.severity, now.channel):
            return None
        return (f"note: rep {now.index} was saved as {stored.severity} ({stored.channel or '-'}); "
                f"analysed again it is {now.severity} ({now.channel or '-'})")


def session_replay(session: Session, rep: int, workspace_root: Path, options: ReplayOptions = ReplayOptions()) -> SessionReplay:
    """The exaggerated replay of rep ``rep`` (its verdict index) of ``session``.

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
    table = load_preset_table(skill)
    if table["kind"] is SkillKind.OPEN_LOOP:
        verdicts, build = _open_loop(session, Path(workspace_root), OpenLoopPreset.from_table(table), options.reference)
    else:
        verdicts, build = _closed_loop(session, Path(workspace_root), table, options)
    verdict = _verdict_for(verdicts, rep, session)
    refusal = replay_refusal(verdict)
    if refusal is not None:
        raise UserFacingError(f"rep {rep} of session {session.session_id} is {refusal}")
    rate = recent_success_rate(verdicts, verdict.index)
    gain = faded_gain(options.gain, rate) if options.fade else options.gain
    clip = clip_from_video(video.path, *clip_window_s(verdict), rotate_deg=video.rotate_deg)
    renderer = ReplayRenderer(build(verdict, clip, gain=gain, mode=options.mode, speed=options.speed))
    stored = {v.index: v for v in session.verdicts()}.get(verdict.index)
    return SessionReplay(renderer, verdict, stored, gain, rate)


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


def _open_loop(session: Session, workspace_root: Path, preset: OpenLoopPreset,
               reference_id: str | None) -> tuple[list[Verdict], SpecBuilder]:
    saved = references_dir(workspace_root)
    reference_id = reference_id or analysed_reference_id(session, saved)
    reference = load_reference(saved, reference_id) if reference_id else None
    sequence = session.landmarks()
    analyses = {a.verdict.index: a for a in analyse_clip(sequence, preset, reference).analyses}

    def build(verdict: Verdict, clip: Clip, **drawing) -> ReplaySpec:
        return open_loop_replay_spec(analyses[verdict.index], sequence, clip, **drawing)

    return [a.verdict for a in analyses.values()], build


def _closed_loop(session: Session, workspace_root: Path, table: dict,
                 options: ReplayOptions) -> tuple[list[Verdict], SpecBuilder]:
    from motor_trainer.analysis.step_errors import analyse_attempt  # noqa: PLC0415 - dance skills only
    from motor_trainer.skills.closed_loop import ClosedLoopSettings, load_reference_for  # noqa: PLC0415

    settings = ClosedLoopSettings.from_table(table)
    if settings.mirror:
        raise UserFacingError(f"skill '{settings.skill}' is danced mirrored; mirrored replays are not drawn yet")
    # load_reference_for reads the command line's names; the review passes the same choices.
    given = SimpleNamespace(reference=options.reference, bpm=options.bpm, first_beat=options.first_beat_s,
                            workspace=str(workspace_root), rotate=session.manifest.source.rotate_deg,
                            model=session.manifest.model)
    routine = load_reference_for(given, settings)
    sequence = session.landmarks()
    analysis = analyse_attempt(routine, sequence, settings)
    reports = {report.verdict.index: report for report in analysis.steps}

    def build(verdict: Verdict, clip: Clip, **drawing) -> ReplaySpec:
        return step_replay_spec(reports[verdict.index], analysis, sequence, routine.sequence, clip, **drawing)

    return list(analysis.verdicts), build


def _verdict_for(verdicts: list[Verdict], rep: int, session: Session) -> Verdict:
    for verdict in verdicts:
        if verdict.index == rep:
            return verdict
    found = ", ".join(str(v.index) for v in verdicts) or "none"
    raise UserFacingError(f"session {session.session_id} has no rep {rep} (reps: {found})")
