"""Dance attempts made from a tracked reference by warping its time: the known answers of the closed-loop tests.

The pose model's output is what alignment sees, so resampling the tracked
landmarks in time is an honest attempt: the same dancer, moving the same
way, on a different clock.
"""

from __future__ import annotations

import numpy as np

from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.skills.closed_loop import Foot, StepEvent


def resample_at(sequence: PoseSequence, source_time_s: np.ndarray, fps: float) -> PoseSequence:
    """A new clip at ``fps`` whose frame k shows the reference as it was at ``source_time_s[k]`` (linear between frames)."""
    position = np.interp(source_time_s, sequence.time_s, np.arange(len(sequence), dtype=float))
    lower = np.clip(np.floor(position).astype(int), 0, len(sequence) - 1)
    upper = np.clip(lower + 1, 0, len(sequence) - 1)
    weight = (position - lower)

    def blend(values: np.ndarray) -> np.ndarray:
        w = weight.reshape(-1, *([1] * (values.ndim - 1)))
        return values[lower] * (1 - w) + values[upper] * w

    return sequence.replace(
        time_s=np.arange(len(source_time_s)) / fps,
        xy_px=blend(sequence.xy_px),
        visibility=blend(sequence.visibility),
        presence=blend(sequence.presence),
        world_m=blend(sequence.world_m),
        fps=fps,
    )


def played_slower(sequence: PoseSequence, factor: float) -> PoseSequence:
    """The whole routine danced ``factor`` times slower (1.1 = 10 % slower), filmed at the same frame rate."""
    duration_s = sequence.time_s[-1] - sequence.time_s[0]
    frame_count = int(np.floor(duration_s * factor * sequence.fps)) + 1
    attempt_time_s = np.arange(frame_count) / sequence.fps
    return resample_at(sequence, sequence.time_s[0] + attempt_time_s / factor, sequence.fps)


def played_at_speed(sequence: PoseSequence, speed: float, phase: float = 0.0) -> PoseSequence:
    """The routine played back at ``speed`` (0.9 = 10 % slower) and filmed at the same frame rate, as a player or
    a webcam does it: frame k repeats or skips to the tracked frame ``floor(phase + k · speed)``, nothing interpolated.

    ``phase`` (0-1) moves where the repeats or skips fall.
    """
    frame_count = int(np.floor((len(sequence) - 1 - phase) / speed)) + 1
    source = np.minimum(np.floor(phase + np.arange(frame_count) * speed + 1e-9).astype(int), len(sequence) - 1)
    return sequence.replace(
        time_s=sequence.time_s[0] + np.arange(frame_count) / sequence.fps,
        xy_px=sequence.xy_px[source],
        visibility=sequence.visibility[source],
        presence=sequence.presence[source],
        world_m=sequence.world_m[source],
    )


def stretch_delayed(sequence: PoseSequence, start_s: float, end_s: float, delay_s: float, catch_up_s: float = 0.8) -> PoseSequence:
    """The stretch [start_s, end_s) of the routine danced ``delay_s`` late, on time before and after.

    The dancer holds still for ``delay_s`` at ``start_s``, dances the
    stretch late, then catches up by moving faster over ``catch_up_s``; put
    ``start_s`` and the catch-up where the feet are still.
    """
    attempt_time_s = sequence.time_s - sequence.time_s[0]
    last_s = max(attempt_time_s[-1], end_s + catch_up_s + 1e-3)
    knots_attempt = [0.0, start_s, start_s + delay_s, end_s + delay_s, end_s + catch_up_s, last_s]
    knots_source = [0.0, start_s, start_s, end_s, end_s + catch_up_s, last_s]
    source_time_s = np.interp(attempt_time_s, knots_attempt, knots_source)
    return resample_at(sequence, sequence.time_s[0] + source_time_s, sequence.fps)


LEG_LANDMARKS: dict[Foot, tuple[Landmark, ...]] = {
    Foot.LEFT: (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    Foot.RIGHT: (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
}


def step_left_out(sequence: PoseSequence, step: StepEvent, margin_frames: int = 3) -> PoseSequence:
    """The routine with one step not danced: that leg stays where it was before the step.

    Meant for a step that returns the foot near where it started (a kick):
    the leg's landmarks are interpolated straight across the swing, so the
    foot neither lifts nor moves; the rest of the body dances on.
    """
    start = max(step.lift_frame - margin_frames, 0)
    end = min(step.plant_frame + margin_frames, len(sequence) - 1)
    leg = list(LEG_LANDMARKS[step.foot])
    weight = np.linspace(0.0, 1.0, end - start + 1)[:, None, None]
    xy = np.array(sequence.xy_px, copy=True)
    world = np.array(sequence.world_m, copy=True)
    for values in (xy, world):
        values[start : end + 1, leg] = values[start, leg] * (1 - weight) + values[end, leg] * weight
    return sequence.replace(xy_px=xy, world_m=world)
