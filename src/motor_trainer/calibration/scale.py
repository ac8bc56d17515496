"""Centimetres per body length, for showing distances in real units without a floor calibration.

Analysis measures distances in body lengths (``_bl``: the stature estimated
from the torso, see ``pose.kinematics.body_length_px``) so that it does not
depend on how far the person stands from the camera. To say "12 cm" instead
of "0.07 body lengths" one needs the person's height: the one the user
entered is preferred; failing that, MediaPipe's world landmarks (metric, but
a model's guess) give an estimate. A floor calibration, when there is one,
makes both unnecessary for positions on the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import TORSO_FRACTION_OF_STATURE, pelvis_centre, shoulder_centre
from motor_trainer.pose.landmarks import PoseSequence

#: Heights outside this range are typing mistakes (e.g. metres or inches), not people.
PLAUSIBLE_HEIGHT_CM = (50.0, 250.0)


class ScaleSource(StrEnum):
    USER_HEIGHT = "user_height"
    WORLD_LANDMARKS = "world_landmarks"


@dataclass(frozen=True)
class BodyScale:
    """How many centimetres one body length is, and where that figure came from (shown to the user)."""

    cm_per_body_length: float
    source: ScaleSource


def scale_from_height(height_cm: float) -> BodyScale:
    """One body length is the person's stature, so the entered height is the scale itself."""
    low, high = PLAUSIBLE_HEIGHT_CM
    if not (np.isfinite(height_cm) and low <= height_cm <= high):
        raise UserFacingError(f"height {height_cm} cm is not plausible; enter it in centimetres ({low:.0f}–{high:.0f})")
    return BodyScale(float(height_cm), ScaleSource.USER_HEIGHT)


def scale_from_world_landmarks(sequence: PoseSequence) -> BodyScale | None:
    """Stature from the median 3-D torso length in MediaPipe's world landmarks, or None if never seen.

    Uses the same torso-to-stature ratio as the pixel body length, so the two
    measure the same thing; the 3-D torso is not foreshortened by a lean.
    """
    torso_m = np.linalg.norm(shoulder_centre(sequence.world_m) - pelvis_centre(sequence.world_m), axis=-1)
    torso_m = torso_m[np.isfinite(torso_m)]
    if torso_m.size == 0:
        return None
    return BodyScale(float(100.0 * np.median(torso_m) / TORSO_FRACTION_OF_STATURE), ScaleSource.WORLD_LANDMARKS)


def body_scale(height_cm: float | None = None, sequence: PoseSequence | None = None) -> BodyScale | None:
    """The best scale available: the user's height, else the world landmarks, else None (stay in body lengths)."""
    if height_cm is not None:
        return scale_from_height(height_cm)
    if sequence is not None:
        return scale_from_world_landmarks(sequence)
    return None
