"""The 33 BlazePose landmarks, the skeleton drawn between them, and PoseSequence.

A PoseSequence holds one tracked subject over a clip, one row per decoded
frame (frame i of the sequence is frame i of the video); a frame where nobody
was found holds NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np


class Landmark(IntEnum):
    """BlazePose landmark indices; 'left' is the person's own left."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


LANDMARK_COUNT = len(Landmark)
LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in Landmark)


def _mirror_index(lm: Landmark) -> int:
    name = lm.name
    if name.startswith("LEFT_"):
        return Landmark["RIGHT_" + name[5:]]
    if name.startswith("RIGHT_"):
        return Landmark["LEFT_" + name[6:]]
    if name.startswith("MOUTH_LEFT"):
        return Landmark.MOUTH_RIGHT
    if name.startswith("MOUTH_RIGHT"):
        return Landmark.MOUTH_LEFT
    return lm


#: MIRROR_ORDER[i] is the landmark that plays i's role on the other side.
MIRROR_ORDER: np.ndarray = np.array([_mirror_index(lm) for lm in Landmark], dtype=np.intp)

#: Bones drawn for the skeleton (face reduced to nose–ears for a clean overlay).
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_EAR, Landmark.NOSE),
    (Landmark.RIGHT_EAR, Landmark.NOSE),
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.LEFT_WRIST, Landmark.LEFT_INDEX),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.RIGHT_WRIST, Landmark.RIGHT_INDEX),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)


def _frozen(array: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    out: np.ndarray = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class PoseSequence:
    """One subject's landmarks over a clip.

    Axes are time first: ``xy_px (frame, landmark, 2)`` in pixels of the
    upright image, ``world_m (frame, landmark, 3)`` in metres around the hips
    (MediaPipe world landmarks), ``visibility``/``presence`` ``(frame, landmark)``
    in 0–1, ``time_s (frame,)`` from the container or the capture clock.
    NaN marks a missing landmark or a frame with nobody in view.
    """

    time_s: np.ndarray
    xy_px: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world_m: np.ndarray
    image_size_px: tuple[int, int]  # (width, height) after rotation
    source: str = ""
    fps: float = field(default=float("nan"))

    def __post_init__(self) -> None:
        n = len(self.time_s)
        expected = {
            "time_s": (n,),
            "xy_px": (n, LANDMARK_COUNT, 2),
            "visibility": (n, LANDMARK_COUNT),
            "presence": (n, LANDMARK_COUNT),
            "world_m": (n, LANDMARK_COUNT, 3),
        }
        for name, shape in expected.items():
            value = getattr(self, name)
            if np.shape(value) != shape:
                raise ValueError(f"PoseSequence.{name} has shape {np.shape(value)}, expected {shape}")
            object.__setattr__(self, name, _frozen(value))
        if n > 1 and np.any(np.diff(self.time_s) <= 0):
            raise ValueError("PoseSequence.time_s must strictly increase")
        if not np.isfinite(self.fps) and n > 1:
            object.__setattr__(self, "fps", float((n - 1) / (self.time_s[-1] - self.time_s[0])))
        object.__setattr__(self, "image_size_px", (int(self.image_size_px[0]), int(self.image_size_px[1])))

    def __len__(self) -> int:
        return len(self.time_s)

    @property
    def detected(self) -> np.ndarray:
        """(frame,) True where a person was found."""
        return np.isfinite(self.xy_px[:, Landmark.LEFT_HIP, 0])

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    def xy_norm(self) -> np.ndarray:
        """Landmarks in normalised image coordinates (0–1 across width and height)."""
        return self.xy_px / np.array(self.image_size_px, dtype=float)

    def slice(self, start: int, end: int) -> PoseSequence:
        """Frames ``[start, end)`` as a new sequence."""
        return self.replace(
            time_s=self.time_s[start:end],
            xy_px=self.xy_px[start:end],
            visibility=self.visibility[start:end],
            presence=self.presence[start:end],
            world_m=self.world_m[start:end],
        )

    def replace(self, **changes: object) -> PoseSequence:
        values = {
            "time_s": self.time_s,
            "xy_px": self.xy_px,
            "visibility": self.visibility,
            "presence": self.presence,
            "world_m": self.world_m,
            "image_size_px": self.image_size_px,
            "source": self.source,
            "fps": self.fps,
        }
        values.update(changes)
        if "time_s" in changes and "fps" not in changes:
            values["fps"] = float("nan")
        return PoseSequence(**values)  # type: ignore[arg-type]

    @classmethod
    def empty(cls, time_s: np.ndarray, image_size_px: tuple[int, int], source: str = "") -> PoseSequence:
        """A sequence of the given frames with nobody found in any of them."""
        n = len(time_s)
        return cls(
            time_s=np.asarray(time_s, dtype=float),
            xy_px=np.full((n, LANDMARK_COUNT, 2), np.nan),
            visibility=np.zeros((n, LANDMARK_COUNT)),
            presence=np.zeros((n, LANDMARK_COUNT)),
            world_m=np.full((n, LANDMARK_COUNT, 3), np.nan),
            image_size_px=image_size_px,
            source=source,
        )
