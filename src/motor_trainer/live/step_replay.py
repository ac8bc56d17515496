"""The replay of a step missed live (no Qt): the reference dancer's step as a ghost on the dancer, the foot loud.

Live, a step is a MISS when its timing window closed without a landing of
that foot. The clip runs from a second before the step was due to just after
its window closed; the ghost is the reference at the frame the live follower
matched to each clip frame, so it shows the step the dancer should have made
at that moment, and the stepping foot's ankle is drawn where the dancer's
really was, its distance from the ghost's exaggerated.
"""

from __future__ import annotations

import numpy as np

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.records.verdict import Verdict
from motor_trainer.feedback.clips import FrameRingBuffer
from motor_trainer.feedback.exaggerate import resample_reference
from motor_trainer.feedback.replay import ReplayRenderer, ReplaySpec, should_replay
from motor_trainer.live.live_analysis import PoseHistory

#: Seconds of clip before the step was due, and after its window closed.
BEFORE_DUE_S = 1.0
AFTER_CLOSE_S = 0.3


def step_replay(
    event: StepTierEvent,
    verdict: Verdict,
    routine: ReferenceRoutine,
    followed: list[tuple[int, int]],
    frames: FrameRingBuffer,
    poses: PoseHistory,
    image_size_px: tuple[int, int],
    ok_window_s: float,
) -> ReplayRenderer | None:
    """The replay of a missed step; None for a hit, or when its frames have left the buffer.

    ``followed`` pairs each live frame index with the reference frame the
    follower matched it to; ``event.time_s`` of a step never made is when its
    window closed, so it was due ``ok_window_s`` earlier.
    """
    if not should_replay(verdict) or len(followed) < 2:
        return None
    due_s = event.time_s - ok_window_s
    try:
        clip = frames.clip(due_s - BEFORE_DUE_S, event.time_s + AFTER_CLOSE_S)
    except ValueError:
        return None
    if len(clip) < 2:
        return None
    live_frames, reference_frames = np.array(followed, dtype=float).T
    positions = np.interp(clip.frame_index, live_frames, reference_frames)
    scale = np.array(clip.image_size_px, float) / np.array(image_size_px, float)
    person = poses.xy_for(clip.frame_index) * scale
    ghost = resample_reference(routine.sequence.xy_px, positions)  # placed on the person by the renderer
    # The verdict's own frames (where the step was due): the part of the clip the replay slows down.
    step = np.flatnonzero((clip.frame_index >= verdict.start_frame) & (clip.frame_index < verdict.end_frame))
    start, end = (int(step[0]), int(step[-1]) + 1) if step.size else (0, len(clip))
    spec = ReplaySpec(
        frames=clip.image,
        person_xy_px=person,
        reference_xy_px=ghost,
        time_s=clip.time_s,
        image_size_px=clip.image_size_px,
        verdict=verdict,
        rep_start_frame=start,
        rep_end_frame=end,
        key_body_part=f"{event.foot}_ankle",
        peak_frame=int(np.argmin(np.abs(clip.time_s - due_s))),
        output_height_px=480,
    )
    return ReplayRenderer(spec)
