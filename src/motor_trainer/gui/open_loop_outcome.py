"""An open-loop rep's outcome entered live, and the replay of an obvious miss (no Qt).

The rep was judged on form the moment it ended; when the person enters
where the dart landed (or hit / miss), the rep is judged again with its
outcome, at the coach's current tolerance. If the verdict is an obvious miss,
its replay is cut from the frames and poses still held in memory.
"""

from __future__ import annotations

import numpy as np

from motor_trainer.analysis.outcomes import LandingPoint, Outcome, aim_point_mm
from motor_trainer.analysis.rep_errors import RepAnalysis, analyse_rep
from motor_trainer.feedback.clips import FrameRingBuffer, clip_window_s
from motor_trainer.feedback.replay import OutcomeInset, ReplayRenderer, ReplaySpec, should_replay
from motor_trainer.gui.live_analysis import OpenLoopAnalyser, PoseHistory, RepFound
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark

#: Landmarks copied from the person onto the ghost so it can be anchored and scaled (pelvis and shoulders).
_ANCHOR_LANDMARKS = (Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)


def judge_with_outcome(
    found: RepFound, analyser: OpenLoopAnalyser, outcome: Outcome, tolerance_mm: float | None, subtle_z: float | None
) -> RepAnalysis:
    """The rep judged again with its outcome at the coach's current difficulty (outcome tolerance, and the
    trajectory threshold as the "subtle" bar); a few hundred microseconds: fine on the GUI thread."""
    return analyse_rep(
        found.detected.track,
        found.detected.rep,
        analyser.preset,
        analyser.reference,
        outcome,
        tolerance_mm=tolerance_mm,
        subtle_z=subtle_z,
    )


def ghost_for_clip(analysis: RepAnalysis, frame_index: np.ndarray, person_xy_px: np.ndarray) -> np.ndarray:
    """(frame, landmark, 2) reference pose per clip frame: the aligned reference's parts inside the rep, NaN elsewhere.

    The reference only knows the compared parts (the acting arm, the head...);
    the person's pelvis and shoulders are lent to the ghost so the renderer
    anchors it on the body without moving it.
    """
    ghost = np.full((len(frame_index), LANDMARK_COUNT, 2), np.nan)
    alignment = analysis.alignment
    if alignment is None:
        return ghost
    parts = [Landmark[name.upper()] for name in alignment.ghost_landmarks]
    for row, frame in enumerate(frame_index):
        if alignment.start_frame <= frame < alignment.end_frame:
            ghost[row, list(_ANCHOR_LANDMARKS)] = person_xy_px[row, list(_ANCHOR_LANDMARKS)]
            ghost[row, parts] = alignment.ghost_xy_px(int(frame))
    return ghost


def outcome_inset(analysis: RepAnalysis, analyser: OpenLoopAnalyser, outcome: Outcome, tolerance_mm: float | None) -> OutcomeInset | None:
    if not isinstance(outcome, LandingPoint):
        return None
    tolerance = analyser.preset.outcome.tolerance_mm if tolerance_mm is None else tolerance_mm
    return OutcomeInset(outcome.point_mm, aim_point_mm(analyser.preset.outcome), max(tolerance, 1.0))


def replay_for(
    analysis: RepAnalysis,
    frames: FrameRingBuffer,
    poses: PoseHistory,
    inset: OutcomeInset | None,
    image_size_px: tuple[int, int],
) -> ReplayRenderer | None:
    """The exaggerated replay of an obvious miss from the frames in memory; None when it is not one,
    or its frames have already left the buffer."""
    verdict = analysis.verdict
    if not should_replay(verdict):
        return None
    try:
        clip = frames.clip(*clip_window_s(verdict))
    except ValueError:
        return None
    shown_size_px = clip.image_size_px
    scale = np.array(shown_size_px, float) / np.array(image_size_px, float)
    person = poses.xy_for(clip.frame_index) * scale
    ghost = ghost_for_clip(analysis, clip.frame_index, poses.xy_for(clip.frame_index)) * scale
    start = int(np.searchsorted(clip.frame_index, verdict.start_frame))
    end = int(np.searchsorted(clip.frame_index, verdict.end_frame))
    start = min(start, len(clip) - 1)
    spec = ReplaySpec(
        frames=clip.image,
        person_xy_px=person,
        reference_xy_px=ghost,
        time_s=clip.time_s,
        image_size_px=shown_size_px,
        verdict=verdict,
        rep_start_frame=start,
        rep_end_frame=max(end, start + 1),
        outcome=inset,
        output_height_px=480,
    )
    return ReplayRenderer(spec)
