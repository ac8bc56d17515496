"""An open-loop rep's outcome entered live, and the replay of an obvious miss (no Qt).

The rep was judged on form the moment it ended; when the person enters
where the dart landed (or hit / miss), the rep is judged again with its
outcome, at the coach's current tolerance. If the verdict is an obvious miss,
its replay is cut from the frames and poses still held in memory (the same
spec as a saved session's replay: feedback/rep_replay.py).
"""

from __future__ import annotations

import dataclasses

from motor_trainer.analysis.outcomes import Outcome
from motor_trainer.analysis.rep_errors import RepAnalysis, analyse_rep
from motor_trainer.feedback.clips import FrameRingBuffer, clip_window_s
from motor_trainer.feedback.rep_replay import rep_replay_spec
from motor_trainer.feedback.replay import OutcomeInset, ReplayRenderer, should_replay
from motor_trainer.live.live_analysis import OpenLoopAnalyser, PoseHistory, RepFound


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


def replay_for(
    analysis: RepAnalysis,
    frames: FrameRingBuffer,
    poses: PoseHistory,
    inset: OutcomeInset | None,
    image_size_px: tuple[int, int],
) -> ReplayRenderer | None:
    """The exaggerated replay of an obvious miss from the frames in memory; None when it is not one,
    or its frames have already left the buffer."""
    if not should_replay(analysis.verdict):
        return None
    try:
        clip = frames.clip(*clip_window_s(analysis.verdict))
    except ValueError:
        return None
    person = poses.xy_for(clip.frame_index)  # in the camera's pixels; the kept images may be smaller
    spec = rep_replay_spec(analysis, clip, person, image_size_px, outcome=inset)
    return ReplayRenderer(dataclasses.replace(spec, output_height_px=480))
