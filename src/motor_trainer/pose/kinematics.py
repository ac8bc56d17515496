"""Joint angles, speeds in body lengths per second, acting side and mirroring.

One pure function per quantity. Inputs are time-first arrays; NaN in gives NaN
out for the affected frames, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from motor_trainer.pose.landmarks import MIRROR_ORDER, Landmark, PoseSequence

#: Shoulder-to-hip height as a fraction of stature (Drillis & Contini segment
#: tables: shoulder 0.818 H, greater trochanter 0.530 H). Dividing the torso by
#: it turns a torso length into a body length that does not change when arms
#: or legs move, so speeds in body lengths per second are comparable across
#: people and camera distances.
TORSO_FRACTION_OF_STATURE = 0.288


@dataclass(frozen=True)
class JointAngle:
    """The angle at ``vertex`` between the segments to ``first`` and ``second``."""

    first: Landmark
    vertex: Landmark
    second: Landmark


L, R = "left", "right"
JOINT_ANGLES: dict[str, JointAngle] = {}
for _side in (L, R):
    _S = _side.upper()
    JOINT_ANGLES[f"{_side}_elbow"] = JointAngle(Landmark[f"{_S}_SHOULDER"], Landmark[f"{_S}_ELBOW"], Landmark[f"{_S}_WRIST"])
    JOINT_ANGLES[f"{_side}_shoulder"] = JointAngle(Landmark[f"{_S}_HIP"], Landmark[f"{_S}_SHOULDER"], Landmark[f"{_S}_ELBOW"])
    JOINT_ANGLES[f"{_side}_hip"] = JointAngle(Landmark[f"{_S}_SHOULDER"], Landmark[f"{_S}_HIP"], Landmark[f"{_S}_KNEE"])
    JOINT_ANGLES[f"{_side}_knee"] = JointAngle(Landmark[f"{_S}_HIP"], Landmark[f"{_S}_KNEE"], Landmark[f"{_S}_ANKLE"])
    JOINT_ANGLES[f"{_side}_ankle"] = JointAngle(Landmark[f"{_S}_KNEE"], Landmark[f"{_S}_ANKLE"], Landmark[f"{_S}_FOOT_INDEX"])


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"


def joint_angle_deg(first: np.ndarray, vertex: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Angle at ``vertex`` in degrees, 0–180, for points of shape (frame, 2|3).

    Notes: a zero-length segment gives NaN rather than a spurious 0 or 180.
    """
    a = np.asarray(first, dtype=float) - vertex
    b = np.asarray(second, dtype=float) - vertex
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.einsum("...i,...i->...", a, b) / norms
    cosine = np.where(norms > 0, cosine, np.nan)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def joint_angles_deg(points: np.ndarray) -> dict[str, np.ndarray]:
    """Every named joint angle for points (frame, landmark, 2|3)."""
    return {
        name: joint_angle_deg(points[:, j.first], points[:, j.vertex], points[:, j.second])
        for name, j in JOINT_ANGLES.items()
    }


def pelvis_centre(points: np.ndarray) -> np.ndarray:
    """Midpoint of the hips, (frame, 2|3)."""
    return (points[:, Landmark.LEFT_HIP] + points[:, Landmark.RIGHT_HIP]) / 2.0


def shoulder_centre(points: np.ndarray) -> np.ndarray:
    """Midpoint of the shoulders, (frame, 2|3)."""
    return (points[:, Landmark.LEFT_SHOULDER] + points[:, Landmark.RIGHT_SHOULDER]) / 2.0


def trunk_lean_deg(xy_px: np.ndarray) -> np.ndarray:
    """Signed angle of the hip→shoulder line from image vertical; positive leans to image right.

    Image y grows downward, so upright is (0, -1).
    """
    trunk = shoulder_centre(xy_px) - pelvis_centre(xy_px)
    return np.degrees(np.arctan2(trunk[:, 0], -trunk[:, 1]))


def body_length_px(xy_px: np.ndarray) -> float:
    """A stature estimate in pixels from the median torso length over the clip.

    The median ignores frames where the torso is foreshortened or misdetected.
    Returns NaN when no frame has a torso.
    """
    torso = np.linalg.norm(shoulder_centre(xy_px) - pelvis_centre(xy_px), axis=-1)
    torso = torso[np.isfinite(torso)]
    if torso.size == 0:
        return float("nan")
    return float(np.median(torso) / TORSO_FRACTION_OF_STATURE)


def velocity_bl_per_s(xy_px: np.ndarray, time_s: np.ndarray, body_length: float) -> np.ndarray:
    """Landmark velocity (frame, landmark, 2) in body lengths per second.

    Central differences inside, one-sided at the ends (numpy.gradient with the
    real, possibly uneven, timestamps).
    """
    if len(time_s) < 2:
        return np.full_like(xy_px, np.nan, dtype=float)
    return np.gradient(xy_px, time_s, axis=0) / body_length


def speed_bl_per_s(xy_px: np.ndarray, time_s: np.ndarray, body_length: float) -> np.ndarray:
    """Landmark speed (frame, landmark) in body lengths per second."""
    return np.linalg.norm(velocity_bl_per_s(xy_px, time_s, body_length), axis=-1)


def acting_side(xy_px: np.ndarray, time_s: np.ndarray) -> Side:
    """The arm doing the skill: the side whose wrist travels farther over the clip."""
    body = body_length_px(xy_px)
    speed = speed_bl_per_s(xy_px, time_s, body if np.isfinite(body) else 1.0)
    left = np.nansum(speed[:, Landmark.LEFT_WRIST])
    right = np.nansum(speed[:, Landmark.RIGHT_WRIST])
    return Side.LEFT if left > right else Side.RIGHT


def mirror_points(points: np.ndarray, width: float) -> np.ndarray:
    """Mirror (frame, landmark, 2|3) points about the vertical centre line and swap left/right."""
    mirrored = np.array(points[:, MIRROR_ORDER], dtype=float, copy=True)
    mirrored[..., 0] = width - mirrored[..., 0]
    return mirrored


def mirror_sequence(sequence: PoseSequence) -> PoseSequence:
    """The sequence as seen in a mirror: a student facing the coach moves like this."""
    world = np.array(sequence.world_m[:, MIRROR_ORDER], copy=True)
    world[..., 0] = -world[..., 0]
    return sequence.replace(
        xy_px=mirror_points(sequence.xy_px, sequence.image_size_px[0]),
        visibility=sequence.visibility[:, MIRROR_ORDER],
        presence=sequence.presence[:, MIRROR_ORDER],
        world_m=world,
    )
