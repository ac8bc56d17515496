"""The replay of one judged open-loop rep, live or from a saved session: one spec for both.

A rep judged on its outcome alone (no reference yet: a session's first
throws) is replayed too, without a ghost: the miss is where it landed, shown
in the outcome inset, and the person's own throw is what there is to watch.
"""

from __future__ import annotations


import numpy as np

from motor_trainer.analysis.rep_errors import RepAnalysis
from motor_trainer.feedback.clips import Clip
from motor_trainer.feedback.replay import OutcomeInset, ReplaySpec
from motor_trainer.feedback.replay_inputs import rep_frames_in_clip, rep_ghost_xy_px


def rep_replay_spec(
    analysis: RepAnalysis, clip: Clip, person_xy_px: np.ndarray, image_size_px: tuple[int, int],
    outcome: OutcomeInset | None = None,
) -> ReplaySpec:
    """The replay of ``analysis`` over ``clip``, held at the release (which decides where a throw goes).

    ``person_xy_px (clip frame, landmark, 2)`` is in the pixels of an image of
    ``image_size_px``, as the analysis measured them (the clip's images may be
    smaller). ``outcome``: the landing-point inset. Drawn in ReplaySpec's default style
    (``dataclasses.replace`` changes gain, speed, size).
    """
    verdict = analysis.verdict
    if analysis.alignment is None:
        ghost = np.full_like(np.asarray(person_xy_px, float), np.nan)
    else:
        ghost = rep_ghost_xy_px(analysis.alignment, clip.frame_index)
    release = min(int(np.searchsorted(clip.frame_index, analysis.rep.release_frame)), len(clip) - 1)
    rep_start_frame, rep_end_frame = rep_frames_in_clip(verdict, clip)
    return ReplaySpec(
        frames=clip.image,
        person_xy_px=person_xy_px,
        reference_xy_px=ghost,
        time_s=clip.time_s,
        image_size_px=image_size_px,
        verdict=verdict,
        rep_start_frame=rep_start_frame,
        rep_end_frame=rep_end_frame,
        reference_anchored=True,  # the analyser's ghost is already placed on the person
        peak_frame=release,
        outcome=outcome,
    )
