"""A parametric side-view body with a throwing arm, for open-loop tests with known answers.

The person stands side-on, facing image right, stature ``STATURE_PX`` pixels
(segment lengths from Drillis & Contini: upper arm 0.186, forearm 0.146,
shoulder height 0.818, hip 0.530 of stature). The right arm throws darts:

1. raise the arm to aim (0.8 s): upper arm from hanging (10 deg from straight
   down) to 100 deg (just above horizontal, pointing at the board);
2. aim (0.5 s), then cock (0.3 s): the elbow closes from 90 to 50 deg;
3. extend (0.16 s, minimum jerk): the elbow opens from 50 to 175 deg. The
   forearm's angular speed, and so the hand's speed, peaks at the midpoint:
   that instant is the release (the dart leaves at peak hand speed);
4. follow through (0.3 s), lower the arm (1.0 s).

Between throws the person either walks (2 s at 0.75 stature/s, two strides,
legs and arms swinging 20 deg) or reaches for the next dart (the hand goes to the hip and
back, 1.4 s): neither is a throw. ``elbow_drift_deg`` rotates the upper arm
forward-down during one extension, moving the elbow by
``0.186 * sin(drift)`` statures: the one error a dart coach wants caught.
Landmarks get Gaussian jitter (default 1.5 px, like a pose model's).
``idle_session`` is the same body standing, walking and reaching without
ever throwing: the known answer is no rep at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence

STATURE_PX = 600.0
STATURE_M = 1.75
GROUND_Y_PX = 900.0
FPS = 30.0
UPPER_ARM, FOREARM, HAND = 0.186, 0.146, 0.06
SHOULDER_H, HIP_H, KNEE_H, ANKLE_H, NOSE_H = 0.818, 0.530, 0.285, 0.039, 0.93
THIGH, SHANK = HIP_H - KNEE_H, KNEE_H - ANKLE_H
EXTENSION_S = 0.16


def minimum_jerk(start: float, end: float, n: int) -> np.ndarray:
    """n samples of a minimum-jerk move from start to end (speed peaks at the middle)."""
    u = np.linspace(0.0, 1.0, n)
    return start + (end - start) * (10 * u**3 - 15 * u**4 + 6 * u**5)


@dataclass
class _Timeline:
    """Per-frame joint angles (deg) and pelvis position, appended phase by phase."""

    upper_arm_deg: list[float]
    elbow_deg: list[float]
    pelvis_x_px: list[float]
    leg_swing_deg: list[float]

    def hold(self, seconds: float, upper: float, elbow: float) -> None:
        n = int(round(seconds * FPS))
        self.upper_arm_deg += [upper] * n
        self.elbow_deg += [elbow] * n
        self._stand(n)

    def move(self, seconds: float, upper: tuple[float, float], elbow: tuple[float, float]) -> None:
        n = int(round(seconds * FPS))
        self.upper_arm_deg += list(minimum_jerk(*upper, n))
        self.elbow_deg += list(minimum_jerk(*elbow, n))
        self._stand(n)

    def walk(self, seconds: float, speed_bl_per_s: float = 0.75) -> None:
        n = int(round(seconds * FPS))
        t = np.arange(n) / FPS
        stride_hz = max(1, round(0.9 * seconds)) / seconds  # whole strides: the arm ends where it started
        phase = np.sin(2 * np.pi * stride_hz * t)
        self.upper_arm_deg += list(10 + 20 * phase)
        self.elbow_deg += list(165 - 10 * np.abs(phase))
        x0 = self.pelvis_x_px[-1] if self.pelvis_x_px else 400.0
        self.pelvis_x_px += list(x0 + speed_bl_per_s * STATURE_PX * (t + 1 / FPS))
        self.leg_swing_deg += list(25 * phase)

    def _stand(self, n: int) -> None:
        x0 = self.pelvis_x_px[-1] if self.pelvis_x_px else 400.0
        self.pelvis_x_px += [x0] * n
        self.leg_swing_deg += [0.0] * n

    def __len__(self) -> int:
        return len(self.elbow_deg)


@dataclass(frozen=True)
class DartSession:
    """A synthetic clip and its known answers (frame indices of the sequence)."""

    sequence: PoseSequence
    release_frames: tuple[int, ...]
    throw_spans: tuple[tuple[int, int], ...]  # [raise start, lowering end) of each throw
    distraction_spans: tuple[tuple[int, int], ...]  # walking or reaching, never a rep


def dart_session(
    throws: int = 8,
    drift_throw: int | None = None,
    elbow_drift_deg: float = 25.0,
    jitter_px: float = 1.5,
    seed: int = 7,
) -> DartSession:
    """``throws`` dart throws with walking and reaching between them; see the module docstring."""
    rng = np.random.default_rng(seed)
    tl = _Timeline([], [], [], [])
    releases, throw_spans, distractions = [], [], []
    tl.hold(1.0, 10, 165)
    for k in range(throws):
        aim = 100 + rng.normal(0, 1.5)
        cock = 50 + rng.normal(0, 2.0)
        finish = 175 + rng.normal(0, 1.5)
        drift = elbow_drift_deg if k == drift_throw else rng.normal(0, 0.7)
        first = len(tl)
        tl.move(0.8, (10, aim), (165, 90))
        tl.hold(0.5 + rng.uniform(0, 0.2), aim, 90)
        tl.move(0.3, (aim, aim), (90, cock))
        n = int(round(EXTENSION_S * FPS)) + 1  # odd: the minimum-jerk midpoint is a sample
        start = len(tl)
        tl.upper_arm_deg += list(minimum_jerk(aim, aim - drift, n))
        tl.elbow_deg += list(minimum_jerk(cock, finish, n))
        tl._stand(n)
        releases.append(start + n // 2)
        tl.hold(0.3, aim - drift, finish)
        tl.move(1.0, (aim - drift, 10), (finish, 165))
        throw_spans.append((first, len(tl)))
        tl.hold(0.4, 10, 165)
        first = len(tl)
        if k % 2 == 0:
            tl.walk(2.0)
        else:
            tl.move(0.7, (10, 35), (165, 100))  # reach to the hip for the next dart
            tl.move(0.7, (35, 10), (100, 165))
        distractions.append((first, len(tl)))
        tl.hold(0.5, 10, 165)
    xy = _landmarks(tl) + rng.normal(0, jitter_px, (len(tl), LANDMARK_COUNT, 2))
    return DartSession(_sequence(xy), tuple(releases), tuple(throw_spans), tuple(distractions))


def _limb(origin: np.ndarray, length_bl: float, angle_from_down_deg: np.ndarray) -> np.ndarray:
    """End of a segment hanging from origin at an angle from straight down, positive toward image right."""
    a = np.radians(angle_from_down_deg)
    return origin + length_bl * STATURE_PX * np.stack([np.sin(a), np.cos(a)], axis=-1)


def _landmarks(tl: _Timeline) -> np.ndarray:
    n = len(tl)
    xy = np.zeros((n, LANDMARK_COUNT, 2))
    pelvis_x = np.asarray(tl.pelvis_x_px)
    leg = np.asarray(tl.leg_swing_deg)
    upper = np.asarray(tl.upper_arm_deg)
    forearm = upper + (180.0 - np.asarray(tl.elbow_deg))

    def at(height: float, dx_bl: float = 0.0) -> np.ndarray:
        return np.stack([pelvis_x + dx_bl * STATURE_PX, np.full(n, GROUND_Y_PX - height * STATURE_PX)], axis=-1)

    for side, depth, sign in (("RIGHT", -0.02, 1.0), ("LEFT", 0.02, -1.0)):
        shoulder = at(SHOULDER_H, depth)
        hip = at(HIP_H, depth)
        xy[:, Landmark[f"{side}_SHOULDER"]] = shoulder
        xy[:, Landmark[f"{side}_HIP"]] = hip
        if side == "RIGHT":
            elbow = _limb(shoulder, UPPER_ARM, upper)
            wrist = _limb(elbow, FOREARM, forearm)
            hand = forearm
        else:  # the other arm hangs, swinging opposite when walking
            swing = 10 - (upper - 10) * (leg != 0)
            elbow = _limb(shoulder, UPPER_ARM, swing)
            wrist = _limb(elbow, FOREARM, swing + 15)
            hand = swing + 15
        xy[:, Landmark[f"{side}_ELBOW"]] = elbow
        xy[:, Landmark[f"{side}_WRIST"]] = wrist
        for finger, offset in (("INDEX", 0.0), ("PINKY", -8.0), ("THUMB", 8.0)):
            xy[:, Landmark[f"{side}_{finger}"]] = _limb(wrist, HAND, hand + offset)
        knee = _limb(hip, THIGH, sign * leg)
        ankle = _limb(knee, SHANK, sign * leg)
        xy[:, Landmark[f"{side}_KNEE"]] = knee
        xy[:, Landmark[f"{side}_ANKLE"]] = ankle
        xy[:, Landmark[f"{side}_HEEL"]] = ankle + [-0.03 * STATURE_PX, 0.02 * STATURE_PX]
        xy[:, Landmark[f"{side}_FOOT_INDEX"]] = ankle + [0.08 * STATURE_PX, 0.03 * STATURE_PX]
    nose = at(NOSE_H, 0.06)
    xy[:, Landmark.NOSE] = nose
    for name, dx, dy in (
        ("LEFT_EYE_INNER", -0.01, -0.02), ("LEFT_EYE", -0.015, -0.02), ("LEFT_EYE_OUTER", -0.02, -0.02),
        ("RIGHT_EYE_INNER", -0.01, -0.02), ("RIGHT_EYE", -0.015, -0.02), ("RIGHT_EYE_OUTER", -0.02, -0.02),
        ("LEFT_EAR", -0.07, -0.01), ("RIGHT_EAR", -0.07, -0.01), ("MOUTH_LEFT", -0.01, 0.02), ("MOUTH_RIGHT", -0.01, 0.02),
    ):
        xy[:, Landmark[name]] = nose + np.array([dx, -dy]) * STATURE_PX
    return xy


def _sequence(xy_px: np.ndarray) -> PoseSequence:
    n = len(xy_px)
    pelvis = (xy_px[:, Landmark.LEFT_HIP] + xy_px[:, Landmark.RIGHT_HIP]) / 2
    world = np.zeros((n, LANDMARK_COUNT, 3))
    world[..., :2] = (xy_px - pelvis[:, None]) / STATURE_PX * STATURE_M * np.array([1.0, -1.0])
    return PoseSequence(
        time_s=np.arange(n) / FPS,
        xy_px=xy_px,
        visibility=np.ones((n, LANDMARK_COUNT)),
        presence=np.ones((n, LANDMARK_COUNT)),
        world_m=world,
        image_size_px=(1920, 1080),
        source="synthetic dart session",
    )


def idle_session(seed: int = 3, jitter_px: float = 1.5) -> PoseSequence:
    """12 s without a throw: stand, walk 3 s, reach for a dart twice, walk 3 s back, stand."""
    rng = np.random.default_rng(seed)
    tl = _Timeline([], [], [], [])
    tl.hold(1.0, 10, 165)
    tl.walk(3.0)
    for _ in range(2):
        tl.hold(0.5, 10, 165)
        tl.move(0.7, (10, 35), (165, 100))
        tl.move(0.7, (35, 10), (100, 165))
    tl.walk(3.0, speed_bl_per_s=-0.75)
    tl.hold(1.0, 10, 165)
    return _sequence(_landmarks(tl) + rng.normal(0, jitter_px, (len(tl), LANDMARK_COUNT, 2)))
