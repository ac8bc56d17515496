"""Closed-loop skills (dance footwork): foot-contact steps, the beat grid, the preset, the analyse command.

A step is one foot leaving the floor and landing again. Contacts are read
from how fast the heel AND the toe move in the image, in body lengths per
second: a planted foot is still from any viewpoint, while the height of a
foot in the image mixes height with depth (a foot planted nearer the camera
looks lower). Requiring both ends of the foot to move keeps heel raises,
toe taps and pivots from counting as steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from motor_trainer.pose.kinematics import TORSO_FRACTION_OF_STATURE, body_length_px, pelvis_centre, shoulder_centre
from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.pose.smoothing import butterworth_track, interpolate_track


class Foot(StrEnum):
    LEFT = "left"
    RIGHT = "right"


#: (heel, ankle, toe) of each foot.
FOOT_LANDMARKS: dict[Foot, tuple[Landmark, Landmark, Landmark]] = {
    Foot.LEFT: (Landmark.LEFT_HEEL, Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    Foot.RIGHT: (Landmark.RIGHT_HEEL, Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
}


@dataclass(frozen=True)
class ContactSettings:
    """Hysteresis of the foot-contact detector (speeds of the slower of heel and toe).

    A foot lifts when it moves faster than ``swing_speed_bl_per_s`` and lands
    when it is slower than ``stance_speed_bl_per_s`` for ``min_stance_s``; a
    swing must last ``min_swing_s`` and carry the foot ``min_travel_bl``.
    """

    swing_speed_bl_per_s: float = 0.5
    stance_speed_bl_per_s: float = 0.2
    min_swing_s: float = 0.12
    min_stance_s: float = 0.16
    min_travel_bl: float = 0.04
    smoothing_cutoff_hz: float = 6.0

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> ContactSettings:
        return cls(**{key: float(value) for key, value in table.items()})


@dataclass(frozen=True)
class StepEvent:
    """One foot's lift and plant; times interpolated between frames at the speed thresholds.

    ``lift_frame``/``plant_frame`` are the frames nearest those times;
    ``frame_range`` ``[lift_frame, plant_frame + 1)`` covers the swing for replay.
    ``plant_xy_px`` is the foot's centre (heel, ankle, toe) once planted,
    ``lift_xy_px`` where it left from.
    """

    foot: Foot
    lift_s: float
    plant_s: float
    lift_frame: int
    plant_frame: int
    lift_xy_px: tuple[float, float]
    plant_xy_px: tuple[float, float]

    @property
    def frame_range(self) -> tuple[int, int]:
        return self.lift_frame, self.plant_frame + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "foot": str(self.foot),
            "lift_s": self.lift_s,
            "plant_s": self.plant_s,
            "lift_frame": self.lift_frame,
            "plant_frame": self.plant_frame,
            "lift_xy_px": list(self.lift_xy_px),
            "plant_xy_px": list(self.plant_xy_px),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepEvent:
        return cls(
            foot=Foot(data["foot"]),
            lift_s=float(data["lift_s"]),
            plant_s=float(data["plant_s"]),
            lift_frame=int(data["lift_frame"]),
            plant_frame=int(data["plant_frame"]),
            lift_xy_px=(float(data["lift_xy_px"][0]), float(data["lift_xy_px"][1])),
            plant_xy_px=(float(data["plant_xy_px"][0]), float(data["plant_xy_px"][1])),
        )


def smoothed_feet_px(sequence: PoseSequence, cutoff_hz: float) -> np.ndarray:
    """Heel, ankle and toe of both feet, gap-filled and low-passed: (frame, foot, 3, 2), feet in Foot order."""
    indices = [landmark for foot in Foot for landmark in FOOT_LANDMARKS[foot]]
    points = interpolate_track(sequence.xy_px[:, indices], sequence.time_s, max_gap_frames=10)
    points = butterworth_track(points, sequence.fps, cutoff_hz=cutoff_hz)
    return points.reshape(len(sequence), len(Foot), 3, 2)


def foot_speed_bl_per_s(feet_px: np.ndarray, time_s: np.ndarray, body_length: float) -> np.ndarray:
    """(frame, foot) speed of the slower of heel and toe: high only when the whole foot moves."""
    if len(time_s) < 2:
        return np.full(feet_px.shape[:2], np.nan)
    speed = np.linalg.norm(np.gradient(feet_px, time_s, axis=0), axis=-1) / body_length
    return np.minimum(speed[:, :, 0], speed[:, :, 2])


def _crossing_time_s(previous: tuple[float, float], current: tuple[float, float], threshold: float) -> float:
    """When the speed crossed ``threshold`` between two (time_s, speed) samples (linear)."""
    (t0, v0), (t1, v1) = previous, current
    fraction = 0.0 if v0 == v1 else float(np.clip((threshold - v0) / (v1 - v0), 0.0, 1.0))
    return t0 + fraction * (t1 - t0)


class _Phase(StrEnum):
    STANCE = "stance"
    SWING = "swing"
    LANDING = "landing"  # slow again, but not yet for min_stance_s: may still be a pause in the air


class ContactTracker:
    """Hysteresis on one foot's speed, fed one frame at a time; the same machine runs offline and live.

    Notes: the foot is swinging from when its speed exceeds the swing
    threshold until it falls below the stance threshold. Lift and plant are
    dated where the speed crosses the swing threshold (interpolated between
    frames), where it changes fastest, so the dates do not wander with how
    slowly a foot settles. A plant is confirmed only after ``min_stance_s``
    of stillness, so a foot pausing in the air does not land; ``finish()``
    confirms a plant cut short by the end of the clip. Frames with NaN speed
    are skipped.
    """

    def __init__(self, foot: Foot, settings: ContactSettings, body_length: float):
        self.foot = foot
        self.settings = settings
        self.body_length = body_length
        self._phase = _Phase.STANCE
        self._previous: tuple[float, float] | None = None  # (time_s, speed)
        self._still_xy: np.ndarray | None = None  # where the foot last stood still
        self._lift: tuple[int, float, np.ndarray] | None = None  # (frame, time_s, xy where it left from)
        self._fall: tuple[int, float] | None = None  # last downward crossing of the swing threshold
        self._landing: tuple[int, float, np.ndarray] | None = None
        self._travel_px = 0.0

    def push(self, frame: int, time_s: float, speed: float, centre_xy: np.ndarray) -> StepEvent | None:
        if not np.isfinite(speed) or not np.all(np.isfinite(centre_xy)):
            return None
        settings = self.settings
        previous = self._previous if self._previous is not None else (time_s, speed)
        self._previous = (time_s, speed)
        swing_threshold = settings.swing_speed_bl_per_s
        if self._phase is _Phase.STANCE:
            if speed < settings.stance_speed_bl_per_s or self._still_xy is None:
                self._still_xy = centre_xy
            if speed > swing_threshold:
                self._phase, self._travel_px, self._fall = _Phase.SWING, 0.0, None
                self._lift = (max(frame - 1, 0), _crossing_time_s(previous, (time_s, speed), swing_threshold), self._still_xy)
            return None
        assert self._lift is not None
        if self._phase is _Phase.LANDING and speed > swing_threshold:
            self._phase, self._landing = _Phase.SWING, None
        if self._phase is _Phase.SWING:
            self._travel_px = max(self._travel_px, float(np.linalg.norm(centre_xy - self._lift[2])))
            if previous[1] >= swing_threshold > speed:
                self._fall = (frame, _crossing_time_s(previous, (time_s, speed), swing_threshold))
            if speed < settings.stance_speed_bl_per_s:
                fall = self._fall if self._fall is not None else (frame, time_s)
                self._phase = _Phase.LANDING
                self._landing = (fall[0], fall[1], centre_xy)
            return None
        assert self._landing is not None
        if time_s - self._landing[1] >= settings.min_stance_s:
            return self._confirm(centre_xy)
        return None

    def finish(self) -> StepEvent | None:
        """Confirm a plant still waiting at the end of the clip."""
        if self._phase is _Phase.LANDING and self._landing is not None:
            return self._confirm(self._landing[2])
        return None

    def _confirm(self, planted_xy: np.ndarray) -> StepEvent | None:
        assert self._lift is not None and self._landing is not None
        rise, landing = self._lift, self._landing
        self._phase, self._lift, self._landing = _Phase.STANCE, None, None
        self._still_xy = planted_xy
        long_enough = landing[1] - rise[1] >= self.settings.min_swing_s
        far_enough = self._travel_px / self.body_length >= self.settings.min_travel_bl
        if not (long_enough and far_enough):
            return None
        return StepEvent(
            foot=self.foot,
            lift_s=float(rise[1]),
            plant_s=float(landing[1]),
            lift_frame=int(rise[0]),
            plant_frame=int(landing[0]),
            lift_xy_px=(float(rise[2][0]), float(rise[2][1])),
            plant_xy_px=(float(planted_xy[0]), float(planted_xy[1])),
        )


def detect_steps(sequence: PoseSequence, settings: ContactSettings = ContactSettings()) -> tuple[StepEvent, ...]:
    """Every step of both feet over a clip, ordered by plant time (zero-phase smoothing, no lag)."""
    if len(sequence) < 4:
        return ()
    body = body_length_px(sequence.xy_px)
    if not np.isfinite(body) or body <= 0:
        return ()
    feet_px = smoothed_feet_px(sequence, settings.smoothing_cutoff_hz)
    speed = foot_speed_bl_per_s(feet_px, sequence.time_s, body)
    centre_px = feet_px.mean(axis=2)
    steps = []
    for foot_index, foot in enumerate(Foot):
        tracker = ContactTracker(foot, settings, body)
        for frame, time_s in enumerate(sequence.time_s):
            step = tracker.push(frame, float(time_s), float(speed[frame, foot_index]), centre_px[frame, foot_index])
            if step is not None:
                steps.append(step)
        last = tracker.finish()
        if last is not None:
            steps.append(last)
    return tuple(sorted(steps, key=lambda step: step.plant_s))


#: Savitzky–Golay first-derivative weights over 5 frames (quadratic fit): the live
#: speed of the middle frame, two frames late, without a low-pass filter's lag.
_DERIVATIVE_WEIGHTS = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) / 10.0


class LiveStepDetector:
    """Steps from landmarks arriving one frame at a time (live view); a plant is known min_stance_s + 2 frames late.

    ``body_length`` is the dancer's stature in pixels when known; otherwise
    it is the running median of the torso lengths seen so far.
    """

    def __init__(self, settings: ContactSettings = ContactSettings(), body_length: float | None = None):
        self.settings = settings
        self._fixed_body_length = body_length
        self._torso_px: list[float] = []
        self._recent: list[tuple[int, float, np.ndarray]] = []  # (frame, time_s, feet (foot, 3, 2))
        self._trackers: dict[Foot, ContactTracker] = {}

    def _body_length(self) -> float:
        if self._fixed_body_length is not None:
            return self._fixed_body_length
        return float(np.median(self._torso_px[-300:]) / TORSO_FRACTION_OF_STATURE) if self._torso_px else float("nan")

    def update(self, frame: int, time_s: float, xy_px: np.ndarray) -> list[StepEvent]:
        xy = np.asarray(xy_px, dtype=float)
        torso = float(np.linalg.norm(shoulder_centre(xy[None])[0] - pelvis_centre(xy[None])[0]))
        if np.isfinite(torso) and torso > 0:
            self._torso_px.append(torso)
        feet = np.stack([xy[list(FOOT_LANDMARKS[foot])] for foot in Foot])
        self._recent = [*self._recent[-(len(_DERIVATIVE_WEIGHTS) - 1) :], (frame, time_s, feet)]
        body = self._body_length()
        if len(self._recent) < len(_DERIVATIVE_WEIGHTS) or not np.isfinite(body):
            return []
        times = np.array([item[1] for item in self._recent])
        points = np.stack([item[2] for item in self._recent])
        step_s = (times[-1] - times[0]) / (len(times) - 1)
        velocity = np.tensordot(_DERIVATIVE_WEIGHTS, points, axes=1) / step_s
        speed = np.linalg.norm(velocity, axis=-1) / body
        middle_frame, middle_time_s, middle_feet = self._recent[len(_DERIVATIVE_WEIGHTS) // 2]
        events = []
        for foot_index, foot in enumerate(Foot):
            tracker = self._trackers.setdefault(foot, ContactTracker(foot, self.settings, body))
            tracker.body_length = body
            foot_speed = float(min(speed[foot_index, 0], speed[foot_index, 2]))
            step = tracker.push(middle_frame, middle_time_s, foot_speed, middle_feet[foot_index].mean(axis=0))
            if step is not None:
                events.append(step)
        return events


@dataclass(frozen=True)
class BeatGrid:
    """Beats of the reference's music: ``beat_s (beat,)`` in the reference clip's clock."""

    bpm: float
    first_beat_s: float
    beat_s: np.ndarray

    def __post_init__(self) -> None:
        if not (np.isfinite(self.bpm) and self.bpm > 0):
            raise ValueError(f"BeatGrid.bpm must be positive, got {self.bpm}")
        beats = np.array(self.beat_s, dtype=float, copy=True)
        beats.setflags(write=False)
        object.__setattr__(self, "beat_s", beats)

    @classmethod
    def from_tempo(cls, bpm: float, first_beat_s: float, start_s: float, end_s: float) -> BeatGrid:
        """Every beat of a steady tempo over [start_s, end_s], counted from ``first_beat_s`` both ways."""
        period_s = 60.0 / bpm
        first_index = int(np.ceil((start_s - first_beat_s) / period_s))
        last_index = int(np.floor((end_s - first_beat_s) / period_s))
        return cls(bpm=float(bpm), first_beat_s=float(first_beat_s), beat_s=first_beat_s + period_s * np.arange(first_index, last_index + 1))

    def beats_near(self, time_s: float, count: int = 4) -> np.ndarray:
        """The ``count`` beats closest to ``time_s``, in time order (for a beat strip)."""
        nearest = np.argsort(np.abs(self.beat_s - time_s), kind="stable")[:count]
        return np.sort(self.beat_s[nearest])

    def to_dict(self) -> dict[str, Any]:
        return {"bpm": self.bpm, "first_beat_s": self.first_beat_s, "beat_s": self.beat_s.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BeatGrid:
        return cls(bpm=float(data["bpm"]), first_beat_s=float(data["first_beat_s"]), beat_s=np.asarray(data["beat_s"], dtype=float))
