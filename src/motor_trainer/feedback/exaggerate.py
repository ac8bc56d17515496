"""Pure geometry of the exaggerated replay: where the ghost stands, where the error is drawn, when time slows.

An obvious error teaches when it is loud and clear, so the replay draws the
faulty body part further from the reference than it really was. Everything
here is numpy in, numpy out: no drawing, no Qt, no files.

Conventions: points are ``(frame, landmark, 2)`` pixel arrays of the image the
person was filmed in; NaN marks a landmark nobody saw and stays NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motor_trainer.pose.kinematics import pelvis_centre, shoulder_centre


def _torso_vector(points: np.ndarray) -> np.ndarray:
    """(frame, 2) pelvis centre → shoulder centre."""
    return shoulder_centre(points) - pelvis_centre(points)


def _median_length(vectors: np.ndarray) -> float:
    lengths = np.linalg.norm(vectors, axis=-1)
    lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
    return float(np.median(lengths)) if lengths.size else float("nan")


def resample_reference(reference_xy: np.ndarray, reference_position: np.ndarray) -> np.ndarray:
    """The reference pose at fractional reference frames, one per clip frame.

    ``reference_position (frame,)`` is where each clip frame falls in the
    reference (an analyser's ``reference_frame_for_frame``, possibly
    fractional); the result is ``(frame, landmark, 2)``, linearly interpolated
    between the two neighbouring reference frames.

    Notes
    -----
    Positions outside the reference are clamped to its first or last frame
    (the ghost waits at the start or end pose rather than vanishing); NaN
    positions give NaN poses.
    """
    reference_xy = np.asarray(reference_xy, dtype=float)
    position = np.asarray(reference_position, dtype=float)
    if reference_xy.ndim != 3 or reference_xy.shape[-1] != 2:
        raise ValueError(f"reference_xy must be (frame, landmark, 2), got {reference_xy.shape}")
    last = len(reference_xy) - 1
    valid = np.isfinite(position)
    clamped = np.clip(np.where(valid, position, 0.0), 0.0, last)
    lower = np.floor(clamped).astype(np.intp)
    upper = np.minimum(lower + 1, last)
    weight = (clamped - lower)[:, None, None]
    out = (1.0 - weight) * reference_xy[lower] + weight * reference_xy[upper]
    out[~valid] = np.nan
    return out


def anchor_reference(reference_xy: np.ndarray, person_xy: np.ndarray, rotate: bool = False) -> np.ndarray:
    """The reference redrawn as a ghost standing where the person stands, at the person's size.

    A similarity transform per frame: the reference's pelvis centre is moved
    onto the person's, and the reference is scaled by the ratio of torso
    lengths (shoulder centre to pelvis centre). With ``rotate`` the ghost is
    also turned so that its torso axis lies along the person's, which hides
    a difference in trunk lean; leave it off when lean may be the error.

    Notes
    -----
    The scale is one number per clip (median torso length of the person over
    median of the reference): a per-frame ratio would make the ghost breathe
    whenever either torso foreshortens as the body bends. The translation is
    per frame so the ghost follows the person across the image. A frame where
    either pelvis is missing gives a NaN ghost.
    """
    reference_xy = np.asarray(reference_xy, dtype=float)
    person_xy = np.asarray(person_xy, dtype=float)
    if reference_xy.shape != person_xy.shape or reference_xy.ndim != 3 or reference_xy.shape[-1] != 2:
        raise ValueError(
            f"reference_xy {reference_xy.shape} and person_xy {person_xy.shape} must both be (frame, landmark, 2)"
        )
    reference_torso = _torso_vector(reference_xy)
    person_torso = _torso_vector(person_xy)
    scale = _median_length(person_torso) / _median_length(reference_torso)
    centred = reference_xy - pelvis_centre(reference_xy)[:, None, :]
    if rotate:
        turn = np.arctan2(person_torso[:, 1], person_torso[:, 0]) - np.arctan2(
            reference_torso[:, 1], reference_torso[:, 0]
        )
        turn = np.where(np.isfinite(turn), turn, 0.0)
        cos, sin = np.cos(turn)[:, None], np.sin(turn)[:, None]
        x, y = centred[..., 0], centred[..., 1]
        centred = np.stack([cos * x - sin * y, sin * x + cos * y], axis=-1)
    return scale * centred + pelvis_centre(person_xy)[:, None, :]


def amplify(person_point: np.ndarray, ghost_point: np.ndarray, gain: float) -> np.ndarray:
    """The point drawn ``gain`` times as far from the ghost as the person really was.

    ``ghost + gain * (person - ghost)``: gain 1 is the person's own point,
    gain 2 doubles the error, gain 0 would put it on the ghost.
    """
    person_point = np.asarray(person_point, dtype=float)
    ghost_point = np.asarray(ghost_point, dtype=float)
    return ghost_point + gain * (person_point - ghost_point)


def offset_amplify(person_point: np.ndarray, ghost_point: np.ndarray, distance_px: float) -> np.ndarray:
    """The point pushed a constant ``distance_px`` further along the error's direction.

    Unlike :func:`amplify`, a tiny error still moves visibly and a huge one
    is not blown off screen. Where the person sits exactly on the ghost there
    is no direction, and the point stays where the person is.
    """
    person_point = np.asarray(person_point, dtype=float)
    error = person_point - np.asarray(ghost_point, dtype=float)
    length = np.linalg.norm(error, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        direction = np.where(length > 0, error / length, 0.0)
    return person_point + distance_px * direction


@dataclass(frozen=True)
class GainFading:
    """How the amplification fades as the learner succeeds.

    Constant amplification breeds dependence on the replay, so the gain is
    withdrawn as the recent success rate rises: the full gain up to
    ``full_gain_until_rate``, 1× (true size) from ``true_size_from_rate`` on,
    and a straight line in between.
    """

    full_gain_until_rate: float = 0.3
    true_size_from_rate: float = 0.8

    def __post_init__(self) -> None:
        if not 0.0 <= self.full_gain_until_rate < self.true_size_from_rate <= 1.0:
            raise ValueError("GainFading needs 0 <= full_gain_until_rate < true_size_from_rate <= 1")


def faded_gain(base_gain: float, recent_success_rate: float, fading: GainFading = GainFading()) -> float:
    """The gain to draw with, given the recent success rate (0–1).

    The curve, with ``r`` the success rate, ``a = full_gain_until_rate`` and
    ``b = true_size_from_rate``::

        gain(r) = base_gain                                  for r <= a
                = 1 + (base_gain - 1) * (b - r) / (b - a)    for a < r < b
                = 1                                          for r >= b

    A base gain below 1 (shrinking) fades up to 1 the same way. An unknown
    rate (NaN, e.g. no reps yet) keeps the full gain.
    """
    if not np.isfinite(recent_success_rate):
        return float(base_gain)
    rate = float(np.clip(recent_success_rate, 0.0, 1.0))
    remaining = (fading.true_size_from_rate - rate) / (fading.true_size_from_rate - fading.full_gain_until_rate)
    return float(1.0 + (base_gain - 1.0) * np.clip(remaining, 0.0, 1.0))


@dataclass(frozen=True)
class ReplayTimeline:
    """Which source frame each output frame shows.

    ``source_frame (output_frame,)`` indexes the clip; ``frozen (output_frame,)``
    is True on the held frames at the peak (where the arrow is drawn).
    """

    source_frame: np.ndarray
    frozen: np.ndarray
    peak_frame: int

    def __post_init__(self) -> None:
        for name in ("source_frame", "frozen"):
            array = np.array(getattr(self, name), copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if self.source_frame.shape != self.frozen.shape or self.source_frame.ndim != 1:
            raise ValueError("ReplayTimeline.source_frame and frozen must be matching (output_frame,) arrays")

    def __len__(self) -> int:
        return len(self.source_frame)


def slow_motion_timeline(
    frame_count: int,
    peak_frame: int,
    speed: float = 0.35,
    window_frames: int = 12,
    freeze_frames: int = 20,
) -> ReplayTimeline:
    """Map output frames to clip frames: real time, then slow motion around the peak, a freeze on it.

    The source position advances by 1 per output frame outside
    ``[peak_frame - window_frames, peak_frame + window_frames]`` and by
    ``speed`` inside it; the first time the position reaches ``peak_frame``
    that frame is held for ``freeze_frames`` extra output frames.

    Notes
    -----
    Slow motion repeats source frames (no interpolated images), so the
    output keeps the clip's frame rate. The output has about
    ``frame_count - W + W / speed + freeze_frames`` frames, ``W`` being the
    number of clip frames inside the window.
    """
    if frame_count <= 0:
        raise ValueError("slow_motion_timeline needs at least one frame")
    if not 0.0 < speed <= 1.0:
        raise ValueError(f"slow-motion speed must be in (0, 1], got {speed}")
    peak_frame = int(np.clip(peak_frame, 0, frame_count - 1))
    source: list[int] = []
    frozen: list[bool] = []
    position = 0.0
    held = False
    while position < frame_count:
        frame = int(position)
        source.append(frame)
        frozen.append(False)
        if frame == peak_frame and not held:
            source.extend([frame] * freeze_frames)
            frozen.extend([True] * freeze_frames)
            held = True
        inside = abs(frame - peak_frame) <= window_frames
        position += speed if inside else 1.0
    return ReplayTimeline(np.array(source, dtype=np.intp), np.array(frozen, dtype=bool), peak_frame)


def peak_error_frame(person_point: np.ndarray, ghost_point: np.ndarray) -> int | None:
    """Clip frame where the person's point is furthest from the ghost's, None if never both seen."""
    distance = np.linalg.norm(np.asarray(person_point, float) - np.asarray(ghost_point, float), axis=-1)
    if not np.isfinite(distance).any():
        return None
    return int(np.nanargmax(distance))
