"""An open-loop rep's outcome entered live, and the replay of an obvious miss (no Qt).

The rep was judged on form the moment it ended; when the person enters
where the dart landed (or hit / miss), the rep is judged again with its
outcome, at the coach's current tolerance. If the verdict is an obvious miss,
its replay is cut from the frames and poses still held in memory.
"""

from __future__ import annotations

import numpy as np

from motor_trainer.analysis.outcomes import Outcome
from motor_trainer.analysis.rep_errors import RepAnalysis, analyse_rep
from motor_trainer.feedback.clips import FrameRingBuffer, clip_window_s
from motor_trainer.feedback.replay import OutcomeInset, ReplayRenderer, ReplaySpec, should_replay
from motor_trainer.feedback.replay_inputs import rep_ghost_xy_px
from motor_trainer.gui.live_analysis import OpenLoopAnalyser, PoseHistory, RepFound

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
    if analysis.alignment is None:  # judged on its outcome alone: no reference to draw
        ghost = np.full_like(person, np.nan)
    else:
        ghost = rep_ghost_xy_px(analysis.alignment, clip.frame_index) * scale
    start = int(np.searchsorted(clip.frame_index, verdict.start_frame))
    end = int(np.searchsorted(clip.frame_index, verdict.end_frame))
    start = min(start, len(clip) - 1)
    release = min(int(np.searchsorted(clip.frame_index, analysis.rep.release_frame)), len(clip) - 1)
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
        reference_anchored=True,  # the analyser's ghost is already placed on the person
        peak_frame=release,  # the release decides where a throw goes: hold that moment
    )
    return ReplayRenderer(spec)
