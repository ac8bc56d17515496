"""Aligning a dance attempt to its reference: pose features, offline DTW, and a live follower.

Both aligners compare the same features (landmarks relative to the pelvis,
in body lengths, so where the dancer stands and how far the camera is do not
matter) with the same cost (squared Euclidean, accumulated as dtaidistance
does), so the live follower ends where the offline path ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from dtaidistance import dtw, dtw_ndim

from motor_trainer.pose.kinematics import body_length_px, pelvis_centre, shoulder_centre
from motor_trainer.pose.landmarks import MIRROR_ORDER, Landmark, PoseSequence
from motor_trainer.pose.smoothing import interpolate_track

#: Landmarks compared frame by frame: the limbs and the head, not the face details.
FEATURE_LANDMARKS: tuple[Landmark, ...] = (
    Landmark.NOSE,
    Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW,
    Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST,
    Landmark.LEFT_HIP, Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX,
)  # fmt: skip

#: Open begin and end: either side may start or stop up to this long before the other.
DEFAULT_SLACK_S = 2.0


def mirrored_points(xy: np.ndarray) -> np.ndarray:
    """(frame, landmark, 2) as a mirror shows them: left and right swapped, x negated.

    Only differences of x are used downstream, so no image width is needed.
    """
    mirrored = np.array(xy[:, MIRROR_ORDER], dtype=float, copy=True)
    mirrored[..., 0] *= -1.0
    return mirrored


def pose_features(xy_px: np.ndarray, body_length: float, mirror: bool = False) -> np.ndarray:
    """(frame, feature) body-centred, scale-normalised landmark positions.

    Each frame's FEATURE_LANDMARKS relative to the pelvis centre, divided by
    the body length, flattened (x, y per landmark). Mirroring (a student
    facing the coach) swaps sides and negates x. NaN stays NaN.
    """
    points = np.asarray(xy_px, dtype=float)
    if mirror:
        points = mirrored_points(points)
    centred = (points - pelvis_centre(points)[:, None, :]) / body_length
    return centred[:, FEATURE_LANDMARKS].reshape(len(points), -1)


def _fill_missing_rows(features: np.ndarray) -> np.ndarray:
    """Rows with any NaN take the nearest complete row, so DTW always has a cost; all-NaN stays zero."""
    complete = np.isfinite(features).all(axis=1)
    if not complete.any():
        return np.zeros_like(features)
    valid = np.flatnonzero(complete)
    nearest = valid[np.clip(np.searchsorted(valid, np.arange(len(features))), 0, len(valid) - 1)]
    previous = valid[np.clip(np.searchsorted(valid, np.arange(len(features))) - 1, 0, len(valid) - 1)]
    rows = np.arange(len(features))
    pick = np.where(np.abs(previous - rows) <= np.abs(nearest - rows), previous, nearest)
    return features[pick]


def sequence_features(sequence: PoseSequence, mirror: bool = False) -> np.ndarray:
    """Alignment features of a whole clip, short gaps interpolated and lost frames filled from neighbours."""
    xy = interpolate_track(sequence.xy_px, sequence.time_s, max_gap_frames=10)
    body = body_length_px(xy)
    if not np.isfinite(body) or body <= 0:
        body = 1.0
    return _fill_missing_rows(pose_features(xy, body, mirror))


@dataclass(frozen=True)
class Alignment:
    """An attempt matched frame by frame to a reference.

    ``path (step, 2)`` holds (reference_frame, attempt_frame) pairs, both
    non-decreasing. ``reference_frame_for_frame (attempt frame,)`` is the mean
    reference frame matched to each attempt frame (NaN outside the path),
    which the replay uses to draw the reference as a ghost;
    ``attempt_frame_for_reference_frame (reference frame,)`` is its inverse.
    ``cost`` is the root of the summed squared feature distances along the path.
    """

    path: np.ndarray
    reference_frame_for_frame: np.ndarray
    attempt_frame_for_reference_frame: np.ndarray
    cost: float

    def __post_init__(self) -> None:
        if self.path.ndim != 2 or self.path.shape[1] != 2:
            raise ValueError(f"Alignment.path has shape {self.path.shape}, expected (step, 2)")
        for name in ("path", "reference_frame_for_frame", "attempt_frame_for_reference_frame"):
            value = np.array(getattr(self, name), copy=True)
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def end_reference_frame(self) -> int:
        return int(self.path[-1, 0])


def _mean_partner(path: np.ndarray, key_column: int, length: int) -> np.ndarray:
    """For each index of one side, the mean index it is matched to on the other side (NaN if unmatched)."""
    sums = np.bincount(path[:, key_column], weights=path[:, 1 - key_column], minlength=length)
    counts = np.bincount(path[:, key_column], minlength=length)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def align_offline(reference_features: np.ndarray, attempt_features: np.ndarray, slack_frames: int) -> Alignment:
    """DTW of the attempt against the reference with open begin and end (dtaidistance, C).

    The global offset between the two clips is absorbed by ``slack_frames``
    of free start and end on either side: a student who starts a second late
    or stops early is matched on what was danced, not padded with stillness.
    """
    reference_features = np.ascontiguousarray(reference_features, dtype=np.double)
    attempt_features = np.ascontiguousarray(attempt_features, dtype=np.double)
    slack = int(max(0, min(slack_frames, len(reference_features) - 1, len(attempt_features) - 1)))
    cost, paths = dtw_ndim.warping_paths(reference_features, attempt_features, psi=slack, use_c=True)
    path = np.asarray(dtw.best_path(paths), dtype=np.intp)
    return Alignment(
        path=path,
        reference_frame_for_frame=_mean_partner(path, 1, len(attempt_features)),
        attempt_frame_for_reference_frame=_mean_partner(path, 0, len(reference_features)),
        cost=float(cost),
    )


def align_sequences(reference: PoseSequence, attempt: PoseSequence, mirror: bool = False, slack_s: float = DEFAULT_SLACK_S) -> Alignment:
    """Offline alignment of two clips (the attempt mirrored when the student faced the coach)."""
    fps = attempt.fps if np.isfinite(attempt.fps) else 30.0
    return align_offline(sequence_features(reference), sequence_features(attempt, mirror), int(round(slack_s * fps)))


def torso_length_px(xy_px: np.ndarray) -> float:
    """One frame's hip-to-shoulder length, NaN when either is missing."""
    points = np.asarray(xy_px, dtype=float)[None]
    return float(np.linalg.norm(shoulder_centre(points) - pelvis_centre(points), axis=-1)[0])
