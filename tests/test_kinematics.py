"""Joint angles and speeds on synthetic motion with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.pose.kinematics import (
    TORSO_FRACTION_OF_STATURE,
    Side,
    acting_side,
    body_length_px,
    joint_angles_deg,
    mirror_sequence,
    speed_bl_per_s,
    trunk_lean_deg,
)
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence
from motor_trainer.pose.smoothing import OneEuroFilter, butterworth_smooth, butterworth_track, interpolate_gaps, interpolate_track

FPS = 60.0
TORSO_PX = 100.0
UPPER_ARM_PX = 60.0
FOREARM_PX = 50.0


@pytest.fixture
def elbow_flexing() -> tuple[PoseSequence, np.ndarray, float]:
    """A standing figure, torso 100 px upright, whose right elbow flexes from 180° to 60° at a
    constant 120°/s over one second (60 fps) with the upper arm hanging straight down.

    Known answers: right elbow angle = 180 − 120 t degrees; the wrist moves on a circle of radius
    50 px at 120°/s, so its speed is 50 · (2π/3) px/s ≈ 104.7 px/s, which is that divided by the body
    length (torso / 0.288 ≈ 347 px) in body lengths per second.
    """
    time_s = np.arange(61) / FPS
    n = len(time_s)
    xy = np.zeros((n, LANDMARK_COUNT, 2))
    hips_y, shoulders_y = 400.0, 400.0 - TORSO_PX
    xy[:, :, :] = (300.0, shoulders_y)
    xy[:, Landmark.LEFT_HIP] = (330, hips_y)
    xy[:, Landmark.RIGHT_HIP] = (270, hips_y)
    xy[:, Landmark.LEFT_SHOULDER] = (340, shoulders_y)
    xy[:, Landmark.RIGHT_SHOULDER] = (260, shoulders_y)
    elbow = np.array([260.0, shoulders_y + UPPER_ARM_PX])
    xy[:, Landmark.RIGHT_ELBOW] = elbow
    flexion_rad = np.radians(120.0 * time_s)  # 0 = straight down
    xy[:, Landmark.RIGHT_WRIST, 0] = elbow[0] + FOREARM_PX * np.sin(flexion_rad)
    xy[:, Landmark.RIGHT_WRIST, 1] = elbow[1] + FOREARM_PX * np.cos(flexion_rad)
    xy[:, Landmark.LEFT_ELBOW] = (340, shoulders_y + UPPER_ARM_PX)
    xy[:, Landmark.LEFT_WRIST] = (340, shoulders_y + UPPER_ARM_PX + FOREARM_PX)
    sequence = PoseSequence.empty(time_s, (640, 480)).replace(xy_px=xy)
    expected_angle = 180.0 - 120.0 * time_s
    return sequence, expected_angle, FOREARM_PX * np.radians(120.0)


def test_elbow_angle_follows_the_known_flexion(elbow_flexing):
    sequence, expected_angle, _ = elbow_flexing
    angles = joint_angles_deg(sequence.xy_px)
    np.testing.assert_allclose(angles["right_elbow"], expected_angle, atol=1e-6)
    np.testing.assert_allclose(angles["left_elbow"], 180.0, atol=1e-6)


def test_wrist_speed_in_body_lengths_per_second(elbow_flexing):
    sequence, _, wrist_speed_px_per_s = elbow_flexing
    body = body_length_px(sequence.xy_px)
    assert body == pytest.approx(TORSO_PX / TORSO_FRACTION_OF_STATURE)
    speed = speed_bl_per_s(sequence.xy_px, sequence.time_s, body)[:, Landmark.RIGHT_WRIST]
    # Central differences on a circle under-read by sin(h)/h, h = 2°: 0.02 %.
    np.testing.assert_allclose(speed[1:-1], wrist_speed_px_per_s / body, rtol=1e-3)


def test_acting_side_is_the_moving_arm(elbow_flexing):
    sequence, _, _ = elbow_flexing
    assert acting_side(sequence.xy_px, sequence.time_s) is Side.RIGHT
    assert acting_side(mirror_sequence(sequence).xy_px, sequence.time_s) is Side.LEFT


def test_trunk_lean_sign_and_size():
    xy = np.zeros((1, LANDMARK_COUNT, 2))
    xy[0, Landmark.LEFT_HIP] = xy[0, Landmark.RIGHT_HIP] = (100, 200)
    xy[0, Landmark.LEFT_SHOULDER] = xy[0, Landmark.RIGHT_SHOULDER] = (100 + 100 * np.tan(np.radians(20)), 100)
    assert trunk_lean_deg(xy)[0] == pytest.approx(20.0)


def test_gaps_filled_only_up_to_the_bound(elbow_flexing):
    sequence, _, _ = elbow_flexing
    xy = np.array(sequence.xy_px)
    xy[10:14] = np.nan  # 4 frames: filled
    xy[30:50] = np.nan  # 20 frames: left empty
    filled = interpolate_gaps(sequence.replace(xy_px=xy), max_gap_frames=10)
    assert np.isfinite(filled.xy_px[10:14]).all()
    np.testing.assert_allclose(filled.xy_px[10:14, Landmark.LEFT_HIP], sequence.xy_px[10:14, Landmark.LEFT_HIP])
    assert np.isnan(filled.xy_px[30:50]).all()


def test_butterworth_removes_jitter_without_lag():
    """A 1 Hz sway plus ±3 px white jitter: the 6 Hz zero-phase filter cuts the jitter by more than
    half and adds no lag (the best-matching shift against the true sway is 0 frames)."""
    rng = np.random.default_rng(0)
    time_s = np.arange(240) / FPS
    sway = 50 * np.sin(2 * np.pi * 1.0 * time_s)
    xy = np.zeros((len(time_s), LANDMARK_COUNT, 2))
    xy[..., 0] = (sway + rng.normal(0, 3, len(time_s)))[:, None]
    sequence = PoseSequence.empty(time_s, (640, 480)).replace(xy_px=xy)
    smoothed = butterworth_smooth(sequence).xy_px[:, 0, 0]
    assert np.std(smoothed - sway) < 0.5 * np.std(xy[:, 0, 0] - sway)
    shifts = range(-5, 6)
    mismatch = [np.mean((np.roll(smoothed, shift) - sway)[10:-10] ** 2) for shift in shifts]
    assert list(shifts)[int(np.argmin(mismatch))] == 0


def test_one_euro_follows_a_step_and_damps_jitter():
    one_euro = OneEuroFilter(min_cutoff_hz=1.0, beta=0.05)
    rng = np.random.default_rng(1)
    still = [one_euro(np.array([100.0 + rng.normal(0, 2)]), i / 30)[0] for i in range(60)]
    assert np.std(still[30:]) < 1.0
    moved = [one_euro(np.array([300.0]), (60 + i) / 30)[0] for i in range(15)]
    assert moved[-1] == pytest.approx(300.0, abs=5.0)


def test_smoothing_works_on_a_strided_view(elbow_flexing):
    """A selection such as xy_px[:, [wrist, elbow]] is not C-contiguous; it must still be filtered."""
    sequence, _, _ = elbow_flexing
    noisy = np.array(sequence.xy_px) + np.random.default_rng(2).normal(0, 3, sequence.xy_px.shape)
    arm = [Landmark.RIGHT_WRIST, Landmark.RIGHT_ELBOW]
    view = noisy[:, arm]
    assert not view.flags["C_CONTIGUOUS"]
    truth = sequence.xy_px[:, arm]
    assert np.std(butterworth_track(view, FPS) - truth) < 0.6 * np.std(view - truth)
    gappy = np.array(view)
    gappy[5:8] = np.nan
    assert np.isfinite(interpolate_track(gappy[:, :, ::-1], sequence.time_s, 10)).all()
