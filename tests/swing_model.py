"""Synthetic serves and golf swings defined in continuous time, sampled at any frame rate.

Both bodies use the segment lengths of ``arm_model`` (Drillis & Contini) and
a stature of ``STATURE_PX``; time is in seconds, so the same movement can be
filmed at 24, 30 or 60 fps and the known key moment stays where it is.

Serve (side-on, facing image right, right-handed): from 0.4 s the LEFT arm
tosses, rising straight (elbow 178 deg) to point straight up by 1.2 s and
staying there until contact, then dropping over 0.6 s: its wrist is always
as high as a wrist can get, higher than the hitting wrist ever is. The RIGHT
arm lifts to the trophy pose (upper arm 100 deg from straight down, elbow 90)
by 1.2 s, lays back behind the head (230 deg, elbow 60) by ``contact_s`` - 0.25,
then swings over the top to 50 deg by ``contact_s`` + 0.25 (minimum jerk: its
fastest instant is ``contact_s``), while the elbow straightens to 175 deg
exactly at ``contact_s`` and bends again (a Gaussian bump, 0.1 s wide). So at
``contact_s`` the hitting arm is longest and swings fastest: the contact.

Golf swing (face-on, both hands on the grip): a waggle (the hands swing 25
deg toward the trail side and back in 0.6 s), address, then the backswing
lifts the hands along a circle about the shoulders to 200 deg in 0.9 s,
holds 0.2 s at the top, and the downswing carries them through the bottom
to -170 deg (the finish) in 0.55 s (minimum jerk). Impact is when the hands
pass the bottom of the circle (angle 0): ``GolfSwing.impact_s``, solved
from the same formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from arm_model import FOREARM, GROUND_Y_PX, HAND, HIP_H, NOSE_H, SHOULDER_H, STATURE_M, STATURE_PX, UPPER_ARM

from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence

SHOULDER_HALF_WIDTH = 0.13  # of stature, face-on
HIP_HALF_WIDTH = 0.09
ARM_LENGTH = UPPER_ARM + FOREARM


def minimum_jerk_at(t: np.ndarray, t0: float, t1: float, start: float, end: float) -> np.ndarray:
    """A minimum-jerk move from ``start`` (before ``t0``) to ``end`` (after ``t1``), evaluated at times ``t``."""
    u = np.clip((np.asarray(t, dtype=float) - t0) / (t1 - t0), 0.0, 1.0)
    return start + (end - start) * (10 * u**3 - 15 * u**4 + 6 * u**5)


def _limb(origin: np.ndarray, length: float, angle_from_down_deg: np.ndarray) -> np.ndarray:
    """End of a segment (length in statures) hanging from ``origin`` at an angle from straight down, + toward image right."""
    a = np.radians(angle_from_down_deg)
    return origin + length * STATURE_PX * np.stack([np.sin(a), np.cos(a)], axis=-1)


def _point(n: int, x_px: float, height: float) -> np.ndarray:
    return np.tile([x_px, GROUND_Y_PX - height * STATURE_PX], (n, 1))


def _sequence(xy_px: np.ndarray, time_s: np.ndarray, source: str) -> PoseSequence:
    n = len(xy_px)
    pelvis = (xy_px[:, Landmark.LEFT_HIP] + xy_px[:, Landmark.RIGHT_HIP]) / 2
    world = np.zeros((n, LANDMARK_COUNT, 3))
    world[..., :2] = (xy_px - pelvis[:, None]) / STATURE_PX * STATURE_M * np.array([1.0, -1.0])
    return PoseSequence(
        time_s=time_s,
        xy_px=xy_px,
        visibility=np.ones((n, LANDMARK_COUNT)),
        presence=np.ones((n, LANDMARK_COUNT)),
        world_m=world,
        image_size_px=(1920, 1080),
        source=source,
    )


def _legs_and_head(xy: np.ndarray, centre_x: float, half_width: float, nose_dx: float) -> None:
    n = len(xy)
    for side, sign in (("LEFT", -1.0), ("RIGHT", 1.0)):
        x = centre_x + sign * half_width * STATURE_PX
        xy[:, Landmark[f"{side}_HIP"]] = _point(n, x, HIP_H)
        xy[:, Landmark[f"{side}_KNEE"]] = _point(n, x, 0.285)
        xy[:, Landmark[f"{side}_ANKLE"]] = _point(n, x, 0.039)
        xy[:, Landmark[f"{side}_HEEL"]] = _point(n, x - 0.02 * STATURE_PX, 0.01)
        xy[:, Landmark[f"{side}_FOOT_INDEX"]] = _point(n, x + 0.08 * STATURE_PX, 0.0)
    nose = _point(n, centre_x + nose_dx * STATURE_PX, NOSE_H)
    for name in (
        "NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE",
        "RIGHT_EYE_OUTER", "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT",
    ):
        xy[:, Landmark[name]] = nose
    xy[:, Landmark.LEFT_EAR] += [-0.05 * STATURE_PX, 0.0]
    xy[:, Landmark.RIGHT_EAR] += [-0.05 * STATURE_PX, 0.0]


def _arm(xy: np.ndarray, side: str, shoulder: np.ndarray, upper_deg: np.ndarray, elbow_deg: np.ndarray) -> None:
    forearm_deg = upper_deg - (180.0 - elbow_deg)  # the forearm folds back toward the body
    elbow = _limb(shoulder, UPPER_ARM, upper_deg)
    wrist = _limb(elbow, FOREARM, forearm_deg)
    xy[:, Landmark[f"{side}_SHOULDER"]] = shoulder
    xy[:, Landmark[f"{side}_ELBOW"]] = elbow
    xy[:, Landmark[f"{side}_WRIST"]] = wrist
    for finger in ("INDEX", "PINKY", "THUMB"):
        xy[:, Landmark[f"{side}_{finger}"]] = _limb(wrist, HAND, forearm_deg)


@dataclass(frozen=True)
class Serve:
    """A synthetic serve and its known answers."""

    sequence: PoseSequence
    contact_s: float
    hitting_side: str  # "right", or "left" once mirrored


def serve(fps: float, contact_s: float = 2.0, jitter_px: float = 1.0, seed: int = 5) -> Serve:
    """One serve filmed side-on at ``fps``; see the module docstring."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, contact_s + 1.5, 1.0 / fps)
    n, centre_x = len(t), 800.0
    xy = np.zeros((n, LANDMARK_COUNT, 2))
    _legs_and_head(xy, centre_x, 0.01, 0.06)
    shoulder = _point(n, centre_x, SHOULDER_H)
    toss_upper = minimum_jerk_at(t, 0.4, 1.2, 10.0, 180.0)
    toss_upper = np.where(t > contact_s, minimum_jerk_at(t, contact_s, contact_s + 0.6, 180.0, 20.0), toss_upper)
    _arm(xy, "LEFT", shoulder + [0.01 * STATURE_PX, 0], toss_upper, np.full(n, 178.0))
    swing_start, swing_end = contact_s - 0.25, contact_s + 0.25
    hit_upper = minimum_jerk_at(t, 0.4, 1.2, 10.0, 100.0)
    hit_upper = np.where(t > 1.2, minimum_jerk_at(t, 1.2, swing_start, 100.0, 230.0), hit_upper)
    hit_upper = np.where(t > swing_start, minimum_jerk_at(t, swing_start, swing_end, 230.0, 50.0), hit_upper)
    hit_elbow = minimum_jerk_at(t, 0.4, 1.2, 170.0, 90.0)
    hit_elbow = np.where(t > 1.2, minimum_jerk_at(t, 1.2, swing_start, 90.0, 60.0), hit_elbow)
    bump = 60.0 + 115.0 * np.exp(-(((t - contact_s) / 0.1) ** 2))
    hit_elbow = np.where(t > swing_start, np.maximum(bump, 60.0), hit_elbow)
    _arm(xy, "RIGHT", shoulder - [0.01 * STATURE_PX, 0], hit_upper, hit_elbow)
    xy += rng.normal(0, jitter_px, xy.shape)
    return Serve(_sequence(xy, t, f"synthetic serve at {fps:g} fps"), contact_s, "right")


@dataclass(frozen=True)
class GolfSwing:
    """A synthetic golf swing and its known answers."""

    sequence: PoseSequence
    impact_s: float
    waggle_span_s: tuple[float, float]


def _swing_angle_deg(t: np.ndarray, top_s: float) -> np.ndarray:
    """Hands' angle on their circle (0 = straight down at address, + toward image right = the trail side)."""
    angle = minimum_jerk_at(t, 0.5, 0.8, 0.0, 25.0) - minimum_jerk_at(t, 0.8, 1.1, 0.0, 25.0)  # waggle
    backswing = minimum_jerk_at(t, top_s - 0.9, top_s, 0.0, 200.0)
    downswing = minimum_jerk_at(t, top_s + 0.2, top_s + 0.75, 200.0, -170.0)
    return np.where(t < top_s - 0.9, angle, np.where(t <= top_s + 0.2, backswing, downswing))


def golf_swing(fps: float, top_s: float = 2.5, jitter_px: float = 1.0, seed: int = 9) -> GolfSwing:
    """One full swing filmed face-on at ``fps``; see the module docstring."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, top_s + 2.0, 1.0 / fps)
    n, centre_x = len(t), 900.0
    xy = np.zeros((n, LANDMARK_COUNT, 2))
    _legs_and_head(xy, centre_x, HIP_HALF_WIDTH, 0.0)
    sides = (("LEFT", -1.0), ("RIGHT", 1.0))
    shoulders = {s: _point(n, centre_x + sign * SHOULDER_HALF_WIDTH * STATURE_PX, SHOULDER_H) for s, sign in sides}
    centre = _point(n, centre_x, SHOULDER_H)
    hands = _limb(centre, 0.9 * ARM_LENGTH, _swing_angle_deg(t, top_s))
    for side, sign in (("LEFT", -1.0), ("RIGHT", 1.0)):
        wrist = hands + [sign * 0.01 * STATURE_PX, 0.0]
        xy[:, Landmark[f"{side}_SHOULDER"]] = shoulders[side]
        xy[:, Landmark[f"{side}_WRIST"]] = wrist
        xy[:, Landmark[f"{side}_ELBOW"]] = (shoulders[side] + wrist) / 2 + [sign * 0.02 * STATURE_PX, 0.0]
        for finger in ("INDEX", "PINKY", "THUMB"):
            xy[:, Landmark[f"{side}_{finger}"]] = wrist + [0.0, 0.03 * STATURE_PX]
    xy += rng.normal(0, jitter_px, xy.shape)
    fine = np.linspace(top_s + 0.2, top_s + 0.75, 100_001)
    impact_s = float(fine[np.argmin(np.abs(_swing_angle_deg(fine, top_s)))])
    return GolfSwing(_sequence(xy, t, f"synthetic golf swing at {fps:g} fps"), impact_s, (0.5, 1.1))
