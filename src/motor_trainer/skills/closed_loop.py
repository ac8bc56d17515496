"""Closed-loop skills (dance footwork): foot-contact steps, the beat grid, the preset.

A step is one foot leaving the floor and landing again. Contacts are read
from how fast the heel AND the toe move in the image, in body lengths per
second: a planted foot is still from any viewpoint, while the height of a
foot in the image mixes height with depth (a foot planted nearer the camera
looks lower). Requiring both ends of the foot to move keeps heel raises,
toe taps and pivots from counting as steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np

from motor_trainer.errors import UserFacingError
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


class StepTier(StrEnum):
    PERFECT = "perfect"
    GOOD = "good"
    OK = "ok"
    MISS = "miss"


@dataclass(frozen=True)
class TimingWindows:
    """Half-widths of the timing windows in ms; set by the difficulty."""

    perfect_ms: float = 50.0
    good_ms: float = 100.0
    ok_ms: float = 200.0

    def __post_init__(self) -> None:
        if not 0 < self.perfect_ms <= self.good_ms <= self.ok_ms:
            raise ValueError(f"timing windows must grow: {self.perfect_ms}, {self.good_ms}, {self.ok_ms}")

    def scaled(self, factor: float) -> TimingWindows:
        """Every window times ``factor``, rounded to whole ms (the coach tightens or eases them)."""
        return TimingWindows(
            perfect_ms=round(self.perfect_ms * factor),
            good_ms=round(self.good_ms * factor),
            ok_ms=round(self.ok_ms * factor),
        )

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.perfect_ms, self.good_ms, self.ok_ms)


def timing_tier(windows: TimingWindows, error_ms: float) -> StepTier:
    """The tier of a timing error (Perfect / Good / OK inside each window, Miss beyond)."""
    size = abs(error_ms)
    if size <= windows.perfect_ms:
        return StepTier.PERFECT
    if size <= windows.good_ms:
        return StepTier.GOOD
    if size <= windows.ok_ms:
        return StepTier.OK
    return StepTier.MISS


@dataclass(frozen=True)
class ErrorThresholds:
    """Where placement and posture errors become SUBTLE and OBVIOUS."""

    placement_subtle_bl: float = 0.06
    placement_obvious_bl: float = 0.15
    placement_subtle_cm: float = 10.0
    placement_obvious_cm: float = 25.0
    posture_subtle_deg: float = 15.0
    posture_obvious_deg: float = 40.0
    match_radius_s: float = 0.6


@dataclass(frozen=True)
class ContactSettings:
    """Hysteresis of the foot-contact detector (speeds of the slower of heel and toe).

    A foot lifts when it moves faster than ``swing_speed_bl_per_s`` and lands
    when it is slower than ``stance_speed_bl_per_s`` for ``min_stance_s``; a
    step must keep the foot moving (faster than the stance speed) for
    ``min_swing_s`` and carry it ``min_travel_bl``.
    Notes: 0.3 s of stillness tells a landing from a foot held in the air
    (a balance, the turn of a kick; the lab clip holds a leg out for 0.15–0.2 s)
    while two landings of one foot at up to about 100 BPM stay apart;
    0.08 body lengths of travel (about 14 cm) is more than landmark jitter.
    """

    swing_speed_bl_per_s: float = 0.5
    stance_speed_bl_per_s: float = 0.2
    min_swing_s: float = 0.12
    min_stance_s: float = 0.3
    min_travel_bl: float = 0.08
    smoothing_cutoff_hz: float = 6.0

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> ContactSettings:
        return cls(**{key: float(value) for key, value in table.items()})

    def at_tempo(self, rate: float) -> ContactSettings:
        """The same contacts for a dancer ``rate`` times slower (0.9: 10 % faster): stances and swings last
        ``rate`` times as long, feet move ``rate`` times slower.

        Notes: read with one clock, a step whose stance lasts 0.33 s in the
        reference lasts 0.30 s in a copy danced 10 % faster and falls under
        ``min_stance_s``: the two steps merge into one and the first is missing.
        """
        return replace(
            self,
            swing_speed_bl_per_s=self.swing_speed_bl_per_s / rate,
            stance_speed_bl_per_s=self.stance_speed_bl_per_s / rate,
            min_swing_s=self.min_swing_s * rate,
            min_stance_s=self.min_stance_s * rate,
        )


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


def median_track(values: np.ndarray, width_frames: int) -> np.ndarray:
    """Running median of (frame, ...) ``values`` over each NaN-free stretch (edges use the nearest window).

    Notes: removes spikes shorter than half the window, such as a few frames
    where the pose model swapped the feet, which a low-pass would smear
    into a fake step.
    """
    out = np.array(values, dtype=float, copy=True)
    if width_frames < 3:
        return out
    half = width_frames // 2
    flat = out.reshape(len(out), -1)
    finite_rows = np.isfinite(flat).all(axis=1)
    padded_mask = np.concatenate([[False], finite_rows, [False]])
    edges = np.flatnonzero(np.diff(padded_mask.astype(np.int8)))
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start < width_frames:
            continue
        stretch = np.pad(flat[start:end], ((half, half), (0, 0)), mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(stretch, width_frames, axis=0)
        flat[start:end] = np.median(windows, axis=-1)
    return out


def repeated_frames(xy_px: np.ndarray) -> np.ndarray:
    """(frame,) True where every landmark equals the previous frame's: the same picture shown again.

    Notes: a player slowing a clip down, or a camera delivering its last
    buffer twice, repeats pictures; a moving person never reproduces all 33
    landmarks to the last bit. Read at the repeat's own time stamp, the
    stale pose makes the foot stop for a frame and jump the next.
    """
    points = np.asarray(xy_px, dtype=float)
    repeated = np.zeros(len(points), dtype=bool)
    if len(points) > 1:
        same = (points[1:] == points[:-1]) | (np.isnan(points[1:]) & np.isnan(points[:-1]))
        repeated[1:] = same.reshape(len(points) - 1, -1).all(axis=1) & np.isfinite(points[1:]).reshape(len(points) - 1, -1).any(axis=1)
    return repeated


def fill_repeated(fresh_values: np.ndarray, fresh: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """(frame, ...) values with the repeated frames (``~fresh``) put back, linear in time between the fresh
    frames around them, however many repeat (a still synthetic figure repeats for seconds); the last value held at the end."""
    out = np.full((len(fresh), *fresh_values.shape[1:]), np.nan)
    out[fresh] = fresh_values
    fresh_index = np.flatnonzero(fresh)
    repeated = np.flatnonzero(~fresh)
    if repeated.size == 0 or fresh_index.size == 0:
        return out
    after = np.clip(np.searchsorted(fresh_index, repeated), 0, len(fresh_index) - 1)
    before = np.clip(after - 1, 0, len(fresh_index) - 1)
    before = np.where(fresh_index[after] > repeated, before, after)  # past the last fresh frame: hold it
    first, second = fresh_index[before], fresh_index[after]
    span_s = time_s[second] - time_s[first]
    weight = np.where(span_s > 0, (time_s[repeated] - time_s[first]) / np.where(span_s > 0, span_s, 1.0), 0.0)
    weight = weight.reshape(-1, *([1] * (fresh_values.ndim - 1)))
    out[repeated] = out[first] * (1 - weight) + out[second] * weight
    return out


def smoothed_feet_px(sequence: PoseSequence, cutoff_hz: float, median_s: float = 0.15) -> np.ndarray:
    """Heel, ankle and toe of both feet, gap-filled, de-spiked and low-passed: (frame, foot, 3, 2), feet in Foot order.

    A repeated picture (``repeated_frames``) is left out of the de-spiking
    (repeated, a one-frame foot swap would outlast the median) and then
    filled from its neighbours by their time stamps, like any dropout.
    """
    indices = [landmark for foot in Foot for landmark in FOOT_LANDMARKS[foot]]
    fresh = ~repeated_frames(sequence.xy_px)
    fresh_time_s = sequence.time_s[fresh]
    # C order matters: the smoothing helpers fill their output through a reshaped view.
    fresh_points = interpolate_track(np.ascontiguousarray(sequence.xy_px[fresh][:, indices]), fresh_time_s, max_gap_frames=10)
    fps = sequence.fps if np.isfinite(sequence.fps) else 30.0
    points = fill_repeated(median_track(fresh_points, int(round(median_s * fps)) | 1), fresh, sequence.time_s)
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
        self._left_still_s = float("nan")  # when the foot last started moving (upward crossing of the stance threshold)
        self._moving_s = 0.0  # from leaving stillness to being still again

    def push(self, frame: int, time_s: float, speed: float, centre_xy: np.ndarray) -> StepEvent | None:
        if not np.isfinite(speed) or not np.all(np.isfinite(centre_xy)):
            return None
        settings = self.settings
        previous = self._previous if self._previous is not None else (time_s, speed)
        self._previous = (time_s, speed)
        swing_threshold, stance_threshold = settings.swing_speed_bl_per_s, settings.stance_speed_bl_per_s
        if self._phase is _Phase.STANCE:
            if speed < stance_threshold:
                self._still_xy = centre_xy
            elif previous[1] < stance_threshold:
                self._left_still_s = _crossing_time_s(previous, (time_s, speed), stance_threshold)
            # A step starts from a stance we saw: a clip opening mid-swing has no lift to date.
            if speed > swing_threshold and self._still_xy is not None:
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
            if speed < stance_threshold:
                fall = self._fall if self._fall is not None else (frame, time_s)
                self._phase = _Phase.LANDING
                self._landing = (fall[0], fall[1], centre_xy)
                self._moving_s = _crossing_time_s(previous, (time_s, speed), stance_threshold) - self._left_still_s
            return None
        assert self._landing is not None
        if time_s - self._landing[1] >= settings.min_stance_s:
            self._left_still_s = time_s  # at the latest: the foot may be sliding slowly into its next step
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
        # Timed between the stance threshold's crossings: between the swing threshold's, a short quick step
        # (a jump's landing, 0.12 s at 24 fps) lasts more or less than min_swing_s with how the frames fall.
        long_enough = self._moving_s >= self.settings.min_swing_s
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


@dataclass(frozen=True)
class FootTracks:
    """Where each foot is and how fast it moves, frame by frame: what contacts and placements are read from.

    ``centre_px (frame, foot, 2)`` is the mean of heel, ankle and toe,
    ``speed_bl_per_s (frame, foot)`` the slower of heel and toe, feet in Foot order.
    """

    time_s: np.ndarray
    centre_px: np.ndarray
    speed_bl_per_s: np.ndarray
    body_length_px: float
    still_below_bl_per_s: float
    moving_above_bl_per_s: float

    @classmethod
    def of(cls, sequence: PoseSequence, settings: ContactSettings) -> FootTracks | None:
        """The tracks of a clip; None when no body length can be measured (nobody in view)."""
        body = body_length_px(sequence.xy_px)
        if not np.isfinite(body) or body <= 0:
            return None
        feet_px = smoothed_feet_px(sequence, settings.smoothing_cutoff_hz)
        return cls(
            time_s=np.asarray(sequence.time_s, dtype=float),
            centre_px=feet_px.mean(axis=2),
            speed_bl_per_s=foot_speed_bl_per_s(feet_px, sequence.time_s, body),
            body_length_px=float(body),
            still_below_bl_per_s=settings.stance_speed_bl_per_s,
            moving_above_bl_per_s=settings.swing_speed_bl_per_s,
        )

    def resting_xy_px(self, foot: Foot, at_s: float, *, after: bool, longest_s: float = 1.0) -> np.ndarray:
        """Where ``foot`` stood nearest ``at_s``, after it (or before it): the median of its still frames
        over the stance found there, at most ``longest_s`` of it.

        Notes: from ``at_s`` outward, frames where the foot still moves are
        passed over until it is still; the stance then lasts until the foot
        swings again (faster than the swing threshold). A placement read at the
        one frame where a contact detector drew a boundary moves with how the
        detector cut the step (a slower copy of a routine may pause mid-swing
        long enough to land twice, or settle in two slides); the median over
        the stance does not. Without any still frame on that side, the frame
        nearest ``at_s``.
        """
        column = list(Foot).index(foot)
        centre, speed = self.centre_px[:, column], self.speed_bl_per_s[:, column]
        found = np.all(np.isfinite(centre), axis=1) & np.isfinite(speed)
        order = np.flatnonzero(self.time_s >= at_s) if after else np.flatnonzero(self.time_s <= at_s)[::-1]
        order = order[found[order]]
        still = speed[order] < self.still_below_bl_per_s
        if not still.any():
            nearest = int(np.argmin(np.abs(self.time_s - at_s)))
            return np.array(centre[nearest], dtype=float)
        stance = order[int(np.argmax(still)) :]
        moving_again = np.flatnonzero(speed[stance] > self.moving_above_bl_per_s)
        stance = stance[: moving_again[0] if moving_again.size else len(stance)]
        stance = stance[np.abs(self.time_s[stance] - self.time_s[stance[0]]) <= longest_s]
        return np.median(centre[stance[speed[stance] < self.still_below_bl_per_s]], axis=0)


def detect_steps(sequence: PoseSequence, settings: ContactSettings = ContactSettings()) -> tuple[StepEvent, ...]:
    """Every step of both feet over a clip, ordered by plant time (zero-phase smoothing, no lag)."""
    if len(sequence) < 4:
        return ()
    tracks = FootTracks.of(sequence, settings)
    if tracks is None:
        return ()
    steps = []
    for foot_index, foot in enumerate(Foot):
        tracker = ContactTracker(foot, settings, tracks.body_length_px)
        for frame, time_s in enumerate(sequence.time_s):
            step = tracker.push(frame, float(time_s), float(tracks.speed_bl_per_s[frame, foot_index]), tracks.centre_px[frame, foot_index])
            if step is not None:
                steps.append(step)
        last = tracker.finish()
        if last is not None:
            steps.append(last)
    return tuple(sorted(steps, key=lambda step: step.plant_s))


#: Live foot speed is the slope of a straight line fitted to this much of the
#: latest (de-spiked) track: about the smoothing of the offline 6 Hz low-pass,
#: half of it as delay.
LIVE_SLOPE_WINDOW_S = 0.16


class RunningBodyLength:
    """A live dancer's stature in pixels: the median torso length of the last few seconds of frames."""

    def __init__(self, window_frames: int = 300):
        self._torso_px: list[float] = []
        self._window_frames = window_frames

    def add(self, xy_px: np.ndarray) -> float:
        points = np.asarray(xy_px, dtype=float)[None]
        torso = float(np.linalg.norm(shoulder_centre(points)[0] - pelvis_centre(points)[0]))
        if np.isfinite(torso) and torso > 0:
            self._torso_px = [*self._torso_px[-(self._window_frames - 1) :], torso]
        return self.value

    @property
    def value(self) -> float:
        return float(np.median(self._torso_px) / TORSO_FRACTION_OF_STATURE) if self._torso_px else float("nan")


class LiveStepDetector:
    """Steps from landmarks arriving one frame at a time (live view).

    Each foot point is de-spiked by the median of its last three positions
    (a frame where the model swapped the feet), then its speed is the slope
    of a line fitted over LIVE_SLOPE_WINDOW_S, dated at the window's middle;
    the same ContactTracker as offline turns speeds into steps, so a plant
    is known about min_stance_s + 0.1 s after it happens. The dancer's
    stature in pixels is passed to ``update`` by a caller that already
    follows it; otherwise it is the running median of the torso lengths seen.
    ``judged_until_s`` is the time of the newest sample the trackers have
    judged (half a slope window and a frame behind the newest frame): a
    landing before ``judged_until_s - min_stance_s`` would have been reported.
    """

    def __init__(self, settings: ContactSettings = ContactSettings()):
        self.settings = settings
        self._running_body = RunningBodyLength()
        self._raw: list[tuple[int, float, np.ndarray]] = []  # last three (frame, time_s, feet (foot, 3, 2))
        self._recent: list[tuple[int, float, np.ndarray]] = []  # (frame, time_s, de-spiked feet)
        self._trackers: dict[Foot, ContactTracker] = {}
        self.judged_until_s = float("-inf")

    def update(self, frame: int, time_s: float, xy_px: np.ndarray, body_length: float | None = None) -> list[StepEvent]:
        xy = np.asarray(xy_px, dtype=float)
        body = self._running_body.add(xy) if body_length is None else body_length
        self._raw = [*self._raw[-2:], (frame, time_s, np.stack([xy[list(FOOT_LANDMARKS[foot])] for foot in Foot]))]
        # The median of three belongs to the middle one of them: dating it at the newest would add a frame of lag.
        middle_raw = self._raw[len(self._raw) // 2]
        self._recent.append((middle_raw[0], middle_raw[1], np.median(np.stack([item[2] for item in self._raw]), axis=0)))
        times = np.array([item[1] for item in self._recent])
        self._recent = self._recent[int(np.searchsorted(times, times[-1] - LIVE_SLOPE_WINDOW_S - 1e-9)) :]
        if len(self._recent) < 3 or not np.isfinite(body):
            return []
        times = np.array([item[1] for item in self._recent])
        points = np.stack([item[2] for item in self._recent])
        centred_s = times - times.mean()
        velocity = np.tensordot(centred_s / np.sum(centred_s**2), points, axes=1)
        speed = np.linalg.norm(velocity, axis=-1) / body
        middle_frame, middle_time_s, middle_feet = self._recent[len(self._recent) // 2]
        self.judged_until_s = middle_time_s
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
        beat_s = first_beat_s + period_s * np.arange(first_index, last_index + 1)
        return cls(bpm=float(bpm), first_beat_s=float(first_beat_s), beat_s=beat_s)

    def beats_near(self, time_s: float, count: int = 4) -> np.ndarray:
        """The ``count`` beats closest to ``time_s``, in time order (for a beat strip)."""
        nearest = np.argsort(np.abs(self.beat_s - time_s), kind="stable")[:count]
        return np.sort(self.beat_s[nearest])

    def to_dict(self) -> dict[str, Any]:
        return {"bpm": self.bpm, "first_beat_s": self.first_beat_s, "beat_s": self.beat_s.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BeatGrid:
        return cls(bpm=float(data["bpm"]), first_beat_s=float(data["first_beat_s"]), beat_s=np.asarray(data["beat_s"], dtype=float))


class Difficulty(StrEnum):
    EASY = "easy"
    NORMAL = "normal"
    HARD = "hard"


@dataclass(frozen=True)
class ClosedLoopSettings:
    """A closed-loop preset read into types: timing windows of the chosen difficulty, thresholds, contacts."""

    skill: str
    mirror: bool
    difficulty: Difficulty
    windows: TimingWindows
    thresholds: ErrorThresholds
    contact: ContactSettings
    slack_s: float

    @classmethod
    def from_table(cls, table: Mapping[str, Any], difficulty: Difficulty | str | None = None) -> ClosedLoopSettings:
        """Settings from ``load_preset_table``; a missing or mistyped key is a user error naming the preset."""
        name = str(table.get("name", "closed-loop preset"))
        try:
            level = Difficulty(difficulty or table.get("difficulty", Difficulty.NORMAL))
            return cls(
                skill=name,
                mirror=bool(table.get("mirror", False)),
                difficulty=level,
                windows=TimingWindows(**{k: float(v) for k, v in table["timing_windows_ms"][str(level)].items()}),
                thresholds=ErrorThresholds(**{k: float(v) for k, v in table.get("thresholds", {}).items()}),
                contact=ContactSettings.from_table(table.get("contact", {})),
                slack_s=float(table.get("alignment", {}).get("slack_s", 2.0)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise UserFacingError(f"skill preset '{name}': invalid closed-loop settings ({type(error).__name__}: {error})") from None
