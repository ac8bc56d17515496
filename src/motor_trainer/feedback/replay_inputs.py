"""From an analysed repetition to a ReplaySpec: the glue the live loop, the GUI and the replay command share.

The renderer wants everything per clip frame; the analysers give it per
session frame (landmarks, the alignment to the reference, the rhythm
context). This module cuts those to the clip and picks how the ghost keeps
time: through the alignment (the reference's pose at the matching moment)
for a form or placement error, or on the attempt's steady beat for a rhythm
miss, where aligning the reference to the late step would hide the very
lateness the replay is meant to show.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from motor_trainer.analysis.outcomes import LandingPoint, Outcome, aim_point_mm
from motor_trainer.records.outcome_settings import OutcomeSettings
from motor_trainer.analysis.rep_errors import RepAlignment, RepAnalysis
from motor_trainer.analysis.step_errors import RoutineAnalysis, StepReport, TempoFit
from motor_trainer.records.verdict import Channel, Verdict
from motor_trainer.records.verdict import is_success
from motor_trainer.feedback.clips import Clip
from motor_trainer.feedback.exaggerate import resample_reference
from motor_trainer.calibration.targets import DartBoard
from motor_trainer.feedback.replay import BeatStrip, OutcomeInset, ReplaySpec
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence
from motor_trainer.pose.smoothing import interpolate_gaps

#: Gaps in the person's landmarks up to this many frames are bridged for drawing.
MAX_DRAWN_GAP_FRAMES = 10
#: How many earlier reps the success rate that fades the gain looks back over.
RECENT_REPS = 10


def recent_success_rate(verdicts: Sequence[Verdict], before_index: int, window: int = RECENT_REPS) -> float:
    """Share of the last ``window`` reps before rep ``before_index`` that succeeded (coach's rule); NaN if none."""
    earlier = [v for v in verdicts if v.index < before_index][-window:]
    return float(np.mean([is_success(v) for v in earlier])) if earlier else float("nan")


def _person_for_clip(attempt: PoseSequence, clip: Clip) -> np.ndarray:
    """(clip frame, landmark, 2) the person's landmarks with short gaps bridged for drawing."""
    first, last = int(clip.frame_index[0]), int(clip.frame_index[-1])
    if first < 0 or last >= len(attempt):
        raise ValueError(f"clip frames {first}..{last} lie outside the attempt's {len(attempt)} frames")
    return interpolate_gaps(attempt.slice(first, last + 1), MAX_DRAWN_GAP_FRAMES).xy_px[clip.frame_index - first]


def rep_frames_in_clip(verdict: Verdict, clip: Clip) -> tuple[int, int]:
    """``[start, end)`` of the verdict's rep in clip frames (never empty): ReplaySpec's rep_start/end_frame."""
    start = min(int(np.searchsorted(clip.frame_index, verdict.start_frame)), len(clip) - 1)
    end = int(np.searchsorted(clip.frame_index, verdict.end_frame))
    return start, max(end, start + 1)


def beat_clock_reference_frames(tempo: TempoFit, attempt_time_s: np.ndarray, reference_time_s: np.ndarray) -> np.ndarray:
    """Fractional reference frame for each attempt time, the reference keeping the attempt's steady tempo.

    Inverts ``attempt_s = offset_s + rate * reference_s``; times before or
    after the reference hold its first or last frame.
    """
    reference_s = (np.asarray(attempt_time_s, float) - tempo.offset_s) / tempo.rate
    return np.interp(reference_s, reference_time_s, np.arange(len(reference_time_s), dtype=float))


def replay_spec_for(
    verdict: Verdict,
    attempt: PoseSequence,
    reference: PoseSequence,
    reference_frame_for_frame: np.ndarray,
    clip: Clip,
    key_body_part: str | None = None,
    beat_strip: BeatStrip | None = None,
    amplify_in_space: bool = True,
) -> ReplaySpec:
    """The replay of ``verdict`` over ``clip``, drawn in ReplaySpec's default style (``dataclasses.replace`` changes it).

    ``reference_frame_for_frame (attempt frame,)`` says which (fractional)
    reference frame each attempt frame should be compared with; ``clip``
    holds the attempt's frames by their index in ``attempt``. The keywords
    are ReplaySpec's: the joint drawn loud, a beat strip, whether the error
    is exaggerated in space.
    """
    rep_start_frame, rep_end_frame = rep_frames_in_clip(verdict, clip)
    reference_xy = interpolate_gaps(reference, MAX_DRAWN_GAP_FRAMES).xy_px
    ghost_source = resample_reference(reference_xy, np.asarray(reference_frame_for_frame, float)[clip.frame_index])
    return ReplaySpec(
        frames=clip.image,
        person_xy_px=_person_for_clip(attempt, clip),
        reference_xy_px=ghost_source,
        time_s=clip.time_s,
        image_size_px=attempt.image_size_px,
        verdict=verdict,
        rep_start_frame=rep_start_frame,
        rep_end_frame=rep_end_frame,
        key_body_part=key_body_part,
        beat_strip=beat_strip,
        amplify_in_space=amplify_in_space,
    )


def step_replay_spec(
    report: StepReport,
    analysis: RoutineAnalysis,
    attempt: PoseSequence,
    reference: PoseSequence,
    clip: Clip,
) -> ReplaySpec:
    """The replay of one judged dance step: the stepping foot's ankle drawn loud, a beat strip for rhythm misses.

    A rhythm miss is exaggerated in time on the beat strip, and the ankle is
    highlighted where it really was: multiplying a lag in space would draw
    the foot above the knee, a pose nobody can learn from.

    ``attempt`` and ``reference`` must be in the same handedness as the
    analysis ran (mirror the reference, not the footage, for a mirrored
    routine).
    """
    step = report.attempt_step or report.reference_step
    rhythm = report.rhythm if report.verdict.channel is Channel.TIMING else None
    rhythm_miss = rhythm is not None
    if rhythm is not None:
        positions = beat_clock_reference_frames(analysis.tempo, attempt.time_s, reference.time_s)
        beat_strip = BeatStrip(rhythm.step_s, rhythm.expected_s, rhythm.beat_s)
    else:
        positions = analysis.reference_frame_for_frame
        beat_strip = None
    return replay_spec_for(
        report.verdict,
        attempt,
        reference,
        positions,
        clip,
        key_body_part=f"{step.foot}_ankle",
        beat_strip=beat_strip,
        amplify_in_space=not rhythm_miss,
    )


def rep_ghost_xy_px(alignment: RepAlignment, frame_index: np.ndarray) -> np.ndarray:
    """(frame, landmark, 2) the open-loop reference placed on the person, for the given session frames.

    It is the analyser's own ghost (``RepAlignment.ghost_xy_px``) wherever
    the rep's frame maps inside the reference's window around the release,
    and NaN elsewhere (before the window, after it, outside the rep): a
    ghost held in its first pose would draw errors that were never measured.
    Landmarks the reference does not track are NaN too.
    """
    ghost = np.full((len(frame_index), LANDMARK_COUNT, 2), np.nan)
    columns = [Landmark[name.upper()] for name in alignment.ghost_landmarks]
    last_row = len(alignment.ghost_trajectory_bl) - 1
    for row, frame in enumerate(frame_index):
        if not alignment.start_frame <= frame < alignment.end_frame:
            continue
        reference_row = alignment.reference_frame_for_frame[frame - alignment.start_frame]
        if 0.0 <= reference_row <= last_row:
            ghost[row, columns] = alignment.ghost_xy_px(int(frame))
    return ghost


def open_loop_replay_spec(analysis: RepAnalysis, attempt: PoseSequence, clip: Clip) -> ReplaySpec:
    """The replay of one analysed open-loop rep, slowed and frozen at the release.

    The release decides where an open-loop throw goes, so that is the moment
    held on screen (rather than the frame of largest drawn difference, which
    a single misplaced landmark could claim). Without a reference (too few
    reps yet) there is no ghost to draw: ValueError.
    """
    if analysis.alignment is None:
        raise ValueError(f"rep {analysis.verdict.number} was judged without a reference: nothing to draw it against")
    release = int(np.searchsorted(clip.frame_index, analysis.rep.release_frame))
    rep_start_frame, rep_end_frame = rep_frames_in_clip(analysis.verdict, clip)
    return ReplaySpec(
        frames=clip.image,
        person_xy_px=_person_for_clip(attempt, clip),
        reference_xy_px=rep_ghost_xy_px(analysis.alignment, clip.frame_index),
        time_s=clip.time_s,
        image_size_px=attempt.image_size_px,
        verdict=analysis.verdict,
        rep_start_frame=rep_start_frame,
        rep_end_frame=rep_end_frame,
        reference_anchored=True,
        peak_frame=min(release, len(clip) - 1),
    )


def outcome_inset(
    outcome: Outcome | None, settings: OutcomeSettings, tolerance_mm: float | None = None, board: DartBoard | None = None
) -> OutcomeInset | None:
    """The target inset for a landing-point outcome (a dart, a ball at a wall target), else None.

    Pass it as ``outcome=`` to the spec builders; the tolerance is the
    current difficulty's when given, else the preset's.
    """
    if not isinstance(outcome, LandingPoint):
        return None
    tolerance = settings.tolerance_mm if tolerance_mm is None else float(tolerance_mm)
    return OutcomeInset(outcome.point_mm, aim_point_mm(settings, board), tolerance)

