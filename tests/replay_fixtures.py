"""Synthetic reps with a known error, for the exaggerated-replay tests and benchmark.

``synthetic_elbow_rep`` films (on a plain dark background) a stick figure
raising its right arm over ``frame_count`` frames while the elbow drifts
upwards from the reference by a bump that peaks at ``peak_frame`` with
``peak_drift_px``. The reference is the same movement without the drift,
drawn at half the size in another corner of its own image, so the replay has
to move and scale it onto the person (anchoring) before the drift shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motor_trainer.records.verdict import Deviation, Severity, SkillKind, Verdict
from motor_trainer.feedback.replay import ReplaySpec
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark

BACKGROUND_RGB = (40, 40, 40)


def standing_pose(pelvis_x: float, pelvis_y: float, torso_px: float, arm_raise: float) -> np.ndarray:
    """(landmark, 2) of a person facing the camera; ``arm_raise`` 0 = right arm hanging, 1 = forearm up."""
    t = torso_px
    pose = np.zeros((LANDMARK_COUNT, 2))

    def put(landmark: Landmark, dx: float, dy: float) -> None:
        pose[landmark] = (pelvis_x + dx * t, pelvis_y + dy * t)

    put(Landmark.LEFT_HIP, 0.2, 0.0)
    put(Landmark.RIGHT_HIP, -0.2, 0.0)
    put(Landmark.LEFT_SHOULDER, 0.3, -1.0)
    put(Landmark.RIGHT_SHOULDER, -0.3, -1.0)
    put(Landmark.NOSE, 0.0, -1.35)
    for landmark, dx in ((Landmark.LEFT_EYE_INNER, 0.03), (Landmark.LEFT_EYE, 0.06), (Landmark.LEFT_EYE_OUTER, 0.09)):
        put(landmark, dx, -1.42)
        put(Landmark[landmark.name.replace("LEFT", "RIGHT")], -dx, -1.42)
    put(Landmark.LEFT_EAR, 0.14, -1.38)
    put(Landmark.RIGHT_EAR, -0.14, -1.38)
    put(Landmark.MOUTH_LEFT, 0.05, -1.28)
    put(Landmark.MOUTH_RIGHT, -0.05, -1.28)
    # Left arm hangs; the right upper arm goes from hanging to horizontal-out, the forearm from hanging to up.
    put(Landmark.LEFT_ELBOW, 0.35, -0.55)
    put(Landmark.LEFT_WRIST, 0.38, -0.1)
    angle = arm_raise * np.pi / 2
    elbow = np.array([-0.3 - 0.45 * np.sin(angle), -1.0 + 0.45 * np.cos(angle)])
    wrist = elbow + 0.45 * np.array([-np.sin(2 * angle), np.cos(2 * angle)])
    put(Landmark.RIGHT_ELBOW, *elbow)
    put(Landmark.RIGHT_WRIST, *wrist)
    for side, hand in (("LEFT", pose[Landmark.LEFT_WRIST]), ("RIGHT", pose[Landmark.RIGHT_WRIST])):
        for finger in ("PINKY", "INDEX", "THUMB"):
            pose[Landmark[f"{side}_{finger}"]] = hand + (0.0, 0.05 * t)
    put(Landmark.LEFT_KNEE, 0.22, 0.8)
    put(Landmark.RIGHT_KNEE, -0.22, 0.8)
    put(Landmark.LEFT_ANKLE, 0.22, 1.6)
    put(Landmark.RIGHT_ANKLE, -0.22, 1.6)
    put(Landmark.LEFT_HEEL, 0.2, 1.68)
    put(Landmark.RIGHT_HEEL, -0.2, 1.68)
    put(Landmark.LEFT_FOOT_INDEX, 0.32, 1.7)
    put(Landmark.RIGHT_FOOT_INDEX, -0.32, 1.7)
    return pose


@dataclass(frozen=True)
class SyntheticRep:
    images: tuple[np.ndarray, ...]
    person_xy_px: np.ndarray
    reference_xy_px: np.ndarray
    time_s: np.ndarray
    image_size_px: tuple[int, int]
    drift_px: np.ndarray  # (frame, 2) the person's elbow minus where the reference puts it
    peak_frame: int
    rep_start_frame: int
    rep_end_frame: int


def synthetic_elbow_rep(
    frame_count: int = 40,
    peak_frame: int = 24,
    peak_drift_px: float = 24.0,
    size_px: tuple[int, int] = (640, 480),
    fps: float = 30.0,
) -> SyntheticRep:
    """The stick-figure rep described in the module docstring; padding of 8 frames either side of the rep."""
    width, height = size_px
    frames = np.arange(frame_count)
    raise_fraction = np.clip((frames - 8) / max(1, frame_count - 16), 0.0, 1.0)
    person = np.stack([standing_pose(width * 0.5, height * 0.52, height * 0.22, r) for r in raise_fraction])
    reference = np.stack([standing_pose(width * 0.2, height * 0.3, height * 0.11, r) for r in raise_fraction])
    bump = np.exp(-0.5 * ((frames - peak_frame) / 4.0) ** 2)
    drift = np.zeros((frame_count, 2))
    drift[:, 1] = -peak_drift_px * bump  # the right elbow flares up, across the upper arm
    person[:, Landmark.RIGHT_ELBOW] += drift
    image = np.full((height, width, 3), BACKGROUND_RGB, dtype=np.uint8)
    image.setflags(write=False)
    return SyntheticRep(
        images=(image,) * frame_count,
        person_xy_px=person,
        reference_xy_px=reference,
        time_s=frames / fps,
        image_size_px=size_px,
        drift_px=drift,
        peak_frame=peak_frame,
        rep_start_frame=8,
        rep_end_frame=frame_count - 8,
    )


def elbow_verdict(severity: Severity = Severity.OBVIOUS, drift_cm: float = 6.0) -> Verdict:
    """A verdict blaming the right elbow's upward drift."""
    return Verdict(
        index=3,
        skill="free_throw",
        kind=SkillKind.OPEN_LOOP,
        start_frame=8,
        end_frame=32,
        start_s=8 / 30,
        end_s=32 / 30,
        severity=severity,
        channel="elbow_drift",
        success=False,
        deviations=(Deviation("elbow_drift", 3.4, drift_cm, "cm", body_part="right_elbow", direction="up"),),
    )


def synthetic_spec(rep: SyntheticRep | None = None, **changes: object) -> ReplaySpec:
    """The replay of ``rep`` (default: ``synthetic_elbow_rep()``) judged by ``elbow_verdict()``, uncropped
    so that output pixels are landmark pixels; ``changes`` override any ReplaySpec field."""
    rep = rep or synthetic_elbow_rep()
    fields = {
        "frames": rep.images,
        "person_xy_px": rep.person_xy_px,
        "reference_xy_px": rep.reference_xy_px,
        "time_s": rep.time_s,
        "image_size_px": rep.image_size_px,
        "verdict": elbow_verdict(),
        "rep_start_frame": rep.rep_start_frame,
        "rep_end_frame": rep.rep_end_frame,
        "crop_to_person": False,
    }
    return ReplaySpec(**{**fields, **changes})
