"""Centimetres per body length from the user's height or from MediaPipe's world landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.calibration.scale import (
    ScaleSource,
    body_scale,
    scale_from_height,
    scale_from_world_landmarks,
)
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import TORSO_FRACTION_OF_STATURE
from motor_trainer.pose.landmarks import Landmark, PoseSequence


def standing_person(stature_m: float, frames: int = 30, lean_deg: float = 0.0) -> PoseSequence:
    """World landmarks of a person of known stature, hips at the origin, the torso leaning forward
    by ``lean_deg`` (a lean shortens the torso in the image, never in 3-D)."""
    sequence = PoseSequence.empty(np.arange(frames) / 30.0, (1280, 720))
    torso_m = TORSO_FRACTION_OF_STATURE * stature_m
    lean = np.radians(lean_deg)
    world_m = np.full((frames, len(Landmark), 3), np.nan)
    world_m[:, Landmark.LEFT_HIP] = [0.1, 0.0, 0.0]
    world_m[:, Landmark.RIGHT_HIP] = [-0.1, 0.0, 0.0]
    shoulder_y, shoulder_z = -torso_m * np.cos(lean), -torso_m * np.sin(lean)
    world_m[:, Landmark.LEFT_SHOULDER] = [0.18, shoulder_y, shoulder_z]
    world_m[:, Landmark.RIGHT_SHOULDER] = [-0.18, shoulder_y, shoulder_z]
    world_m[::7] = np.nan  # frames where nobody was found
    return sequence.replace(world_m=world_m)


def test_entered_height_is_the_scale():
    scale = scale_from_height(172.0)
    assert (scale.cm_per_body_length, scale.source) == (172.0, ScaleSource.USER_HEIGHT)


@pytest.mark.parametrize("height", [1.72, 5.8, 400.0, float("nan")])
def test_implausible_height_is_refused(height):
    with pytest.raises(UserFacingError, match="centimetres"):
        scale_from_height(height)


@pytest.mark.parametrize("lean_deg", [0.0, 35.0])
def test_world_landmarks_give_the_stature(lean_deg):
    scale = scale_from_world_landmarks(standing_person(1.80, lean_deg=lean_deg))
    assert scale.source is ScaleSource.WORLD_LANDMARKS
    assert scale.cm_per_body_length == pytest.approx(180.0, abs=0.01)


def test_entered_height_beats_the_model_and_nothing_means_body_lengths():
    person = standing_person(1.80)
    assert body_scale(height_cm=165.0, sequence=person).source is ScaleSource.USER_HEIGHT
    assert body_scale(sequence=person).source is ScaleSource.WORLD_LANDMARKS
    assert body_scale() is None
    assert scale_from_world_landmarks(PoseSequence.empty(np.arange(5) / 30.0, (1280, 720))) is None


@pytest.mark.footage
def test_world_landmarks_of_a_real_adult_give_an_adult_height():
    """The Pose2Sim lab subject: MediaPipe's metric world landmarks put the stature at about 1.7 m."""
    from footage import tracked

    scale = scale_from_world_landmarks(tracked("lab_steps_view1.mp4"))
    assert scale is not None and 150.0 < scale.cm_per_body_length < 200.0
