"""Open-loop arm skills ("act, then see the result"): typed presets, reps, release and per-rep features.

A rep is found from the acting wrist's speed relative to the pelvis, in body
lengths per second: relative to the pelvis so that walking or jumping moves
nothing, in body lengths so the thresholds hold for any person and camera
distance. The same hysteresis gate runs offline (over a zero-phase smoothed
clip) and online (over a causally smoothed stream, frame by frame), so both
find the same reps; the release and the features of a rep are always measured
on zero-phase smoothed positions, so a live rep reads the same as a replayed one.
"""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path
from itertools import islice
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

import numpy as np

from motor_trainer.records.outcome_settings import OutcomeSettings
from motor_trainer.records.verdict import SkillKind
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import (
    TORSO_FRACTION_OF_STATURE,
    Side,
    acting_side,
    body_length_px,
    JOINT_ANGLES,
    joint_angle_deg,
    pelvis_centre,
    shoulder_centre,
    trunk_lean_deg,
)
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence
from motor_trainer.pose.smoothing import butterworth_track, interpolate_track
from motor_trainer.skills.demonstration import MovementTemplate, find_matches
from motor_trainer.skills.presets import load_preset_table

AUTO_SIDE = "auto"
#: Longest dropout bridged, like the offline gap filling (a third of a second at 30 fps).
MAX_GAP_FRAMES = 10
#: The live gate runs this many frames behind the newest frame, so the zero-phase filter has a little future.
LOOKAHEAD_FRAMES = 2
#: Trailing stretch the live filter runs over: long enough for the filter, short enough to cost ~0.1 ms.
SPEED_WINDOW_S = 1.0

#: Every feature measured on a rep, with the body part (a role resolved to a
#: landmark of the acting side, or a landmark name) it belongs to.
FEATURE_BODY_PARTS: Mapping[str, str | None] = {
    "release_height_bl": "acting_wrist",
    "release_forward_bl": "acting_wrist",
    "elbow_angle_at_release_deg": "acting_elbow",
    "elbow_drift_bl": "acting_elbow",
    "peak_wrist_speed_bl_per_s": "acting_wrist",
    "tempo_s": None,
    "follow_through_extension_deg": "acting_elbow",
    "trunk_sway_deg": "acting_shoulder",
    "head_movement_bl": "nose",
}
JOINT_FEATURE_SUFFIX = "_angle_at_release_deg"


def joint_angle_feature(joint: str) -> str:
    """The feature of a preset's joint angle: "acting_knee" -> "knee_angle_at_release_deg"."""
    return joint.removeprefix("acting_") + JOINT_FEATURE_SUFFIX


def feature_body_part(feature: str) -> str | None:
    """The body part (a role like "acting_elbow", or a landmark name) a feature belongs to."""
    if feature in FEATURE_BODY_PARTS:
        return FEATURE_BODY_PARTS[feature]
    joint = feature.removesuffix(JOINT_FEATURE_SUFFIX)
    return joint if joint.startswith(("left_", "right_")) else f"acting_{joint}"


class ReleaseRule(StrEnum):
    """How the key moment (release, contact, impact) is estimated inside a rep."""

    ELBOW_EXTENSION = "elbow-extension"  # peak wrist speed while the elbow straightens (throws)
    PEAK_SPEED = "peak-speed"  # peak wrist speed (straight-arm swings and raises)
    FARTHEST_REACH = "farthest-reach"  # striking hand farthest from its shoulder during the fastest swing (serve, overhead, pitch)
    LOWEST_HANDS = "lowest-hands"  # both hands' lowest point after the fastest downswing (golf impact)


class SideRule(StrEnum):
    """How a preset's ``acting_side`` picks the arm that does the skill."""

    TRAVEL = AUTO_SIDE  # the wrist that travels farthest over the clip (one arm throws, the other rests)
    STRIKING = "striking"  # the wrist that moves fastest through the key moment (not a serve's tossing arm)
    LEAD = "lead"  # two-handed swings: the side whose shoulder the hands finish over (golf's lead arm)
    LEFT = "left"
    RIGHT = "right"


class MovingPoint(StrEnum):
    """The point whose speed gates a rep and times the key moment."""

    ACTING_WRIST = "acting-wrist"
    HANDS = "hands"  # the midpoint of both wrists: a club or bat held in two hands


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class SegmentationSettings:
    """Thresholds of the rep gate; speeds are acting-wrist speeds relative to the pelvis."""

    enter_speed_bl_per_s: float
    exit_speed_bl_per_s: float
    min_peak_speed_bl_per_s: float
    min_duration_s: float
    max_duration_s: float
    quiet_s: float
    refractory_s: float
    smoothing_cutoff_hz: float
    release_rule: ReleaseRule
    min_elbow_extension_deg: float
    wind_up_gap_s: float = 0.3
    rest_speed_bl_per_s: float = 0.15
    release_direction: tuple[float, float] = (0.0, 0.0)  # (forward, up); zero = any direction
    min_release_travel_bl: float = 0.0  # wrist travel along release_direction, start to release
    moving_point: MovingPoint = MovingPoint.ACTING_WRIST
    #: Strikes: the swing is the stretch of this half-width with the highest mean speed, and the
    #: key moment is searched within ``strike_search_s`` of its centre (a strike's last push lasts ~0.2 s).
    swing_half_width_s: float = 0.1
    strike_search_s: float = 0.15

    def __post_init__(self) -> None:
        object.__setattr__(self, "release_rule", ReleaseRule(self.release_rule))
        object.__setattr__(self, "moving_point", MovingPoint(self.moving_point))
        object.__setattr__(self, "release_direction", (float(self.release_direction[0]), float(self.release_direction[1])))
        if not 0 < self.exit_speed_bl_per_s < self.enter_speed_bl_per_s <= self.min_peak_speed_bl_per_s:
            raise ValueError("speeds must satisfy 0 < exit < enter <= min_peak")


@dataclass(frozen=True)
class TriageSettings:
    """z thresholds (in units of the reference's own spread) for subtle and obvious deviations."""

    subtle_z: float = 2.0
    obvious_z: float = 3.5


@dataclass(frozen=True)
class ReferenceSettings:
    """Spread floors per unit (measurement noise of a 2D pose model), the fewest reps whose own spread
    is trusted, and the skill's spreads that judge against fewer (a coach's single demonstration).

    The skill's spreads are how much one person's good reps typically differ
    from each other: about 5 cm at the hand, 8 degrees at a joint, 80 ms of
    tempo, 0.4 body lengths per second of hand speed, and 5 cm along a path.
    """

    spread_floor_bl: float = 0.01
    spread_floor_deg: float = 3.0
    spread_floor_s: float = 0.033
    spread_floor_bl_per_s: float = 0.1
    min_reps: int = 3
    skill_spread_bl: float = 0.03
    skill_spread_deg: float = 8.0
    skill_spread_s: float = 0.08
    skill_spread_bl_per_s: float = 0.4
    skill_path_spread_bl: float = 0.03

    def floor_for(self, feature: str) -> float:
        """The spread floor of a feature, chosen by the unit at the end of its name."""
        return float(getattr(self, f"spread_floor_{_unit_suffix(feature)}"))

    def skill_spread_for(self, feature: str) -> float:
        """The skill's typical rep-to-rep spread of a feature, by the unit at the end of its name."""
        return float(getattr(self, f"skill_spread_{_unit_suffix(feature)}"))


def _unit_suffix(feature: str) -> str:
    for suffix in ("bl_per_s", "bl", "deg", "s"):
        if feature.endswith("_" + suffix):
            return suffix
    raise ValueError(f"feature {feature!r} has no known unit suffix")


@dataclass(frozen=True)
class OpenLoopPreset:
    """One open-loop skill, read from its TOML file in ``presets/skills``."""

    name: str
    title: str
    acting_side: SideRule
    trajectory_parts: tuple[str, ...]
    judged_features: tuple[str, ...]
    joint_angles: tuple[str, ...]
    phases: tuple[str, ...]
    segmentation: SegmentationSettings
    pre_release_s: float
    post_release_s: float
    outcome: OutcomeSettings
    triage: TriageSettings
    reference: ReferenceSettings
    #: A skill taught from one demonstration finds its reps by this template instead of the speed gate.
    template: MovementTemplate | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> OpenLoopPreset:
        """Typed preset from a raw TOML table; a missing or wrong entry is a one-line user error."""
        name = str(table.get("name", "?"))
        try:
            if SkillKind(table["kind"]) is not SkillKind.OPEN_LOOP:
                raise ValueError(f"kind is {table['kind']}, not open-loop")
            side = SideRule(table.get("acting_side", AUTO_SIDE))
            parts = tuple(str(p) for p in table["trajectory_parts"])
            for part in parts:
                resolve_part(part, Side.RIGHT)
            joints = tuple(str(j) for j in table.get("joint_angles", ()))
            unknown_joints = [j for j in joints if resolve_part(j, Side.RIGHT).name.lower() not in JOINT_ANGLES]
            if unknown_joints:
                raise ValueError(f"no joint angle is defined at {', '.join(unknown_joints)}")
            listed = [str(f) for f in table["judged_features"]] + [joint_angle_feature(j) for j in joints]
            judged = tuple(dict.fromkeys(listed))  # each once, in order
            unknown = [f for f in judged if f not in FEATURE_BODY_PARTS and f.removesuffix(JOINT_FEATURE_SUFFIX) == f]
            if unknown:
                raise ValueError(f"unknown features {', '.join(unknown)}")
            window = table["window"]
            template = _template(table)
            if template is not None:
                side = SideRule(template.side)
            return cls(
                name=name,
                title=str(table.get("title", name)),
                acting_side=side,
                trajectory_parts=parts,
                judged_features=judged,
                joint_angles=joints,
                phases=tuple(str(p) for p in table.get("phases", ())),
                segmentation=_settings(SegmentationSettings, table["segmentation"]),
                pre_release_s=float(window["pre_release_s"]),
                post_release_s=float(window["post_release_s"]),
                outcome=_settings(OutcomeSettings, table["outcome"]),
                triage=_settings(TriageSettings, table.get("triage", {})),
                reference=_settings(ReferenceSettings, table.get("reference", {})),
                template=template,
            )
        except (KeyError, TypeError, ValueError) as error:
            where = f"{table['folder']}/skill.toml" if "folder" in table else f"skill preset {name}.toml"
            cause = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise UserFacingError(f"{where}: {cause}") from None


def _template(table: Mapping[str, Any]) -> MovementTemplate | None:
    """A taught skill's template, read from beside its TOML; a damaged one is a user error naming the folder."""
    if "template" not in table:
        return None
    folder = Path(str(table.get("folder", ".")))
    try:
        return MovementTemplate.load(table["template"], folder)
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise UserFacingError(f"{folder}: the taught skill's template is damaged ({type(error).__name__}: {error})") from None


def _settings(kind: type, table: Mapping[str, Any]) -> Any:
    """A settings dataclass from a TOML sub-table; an unexpected key is an error, not silently ignored."""
    known = {f.name for f in fields(kind)}
    unexpected = sorted(set(table) - known)
    if unexpected:
        raise ValueError(f"unexpected key(s) {', '.join(unexpected)} in [{kind.__name__}]")
    return kind(**dict(table))


def load_open_loop_preset(name: str, workspace_root: Path | None = None) -> OpenLoopPreset:
    return OpenLoopPreset.from_table(load_preset_table(name, workspace_root))


def resolve_part(part: str, side: Side) -> Landmark:
    """``"acting_wrist"`` -> RIGHT_WRIST for a right-hander; any other name is a Landmark name."""
    if part.startswith("acting_"):
        part = f"{side}_{part.removeprefix('acting_')}"
    try:
        return Landmark[part.upper()]
    except KeyError:
        raise ValueError(f"unknown body part {part!r}") from None


# --------------------------------------------------------------------------- kinematics of one clip


@dataclass(frozen=True)
class ArmTrack:
    """The acting arm and body over a stretch of frames, smoothed and measured once.

    ``frame_index (frame,)`` holds the video frame number of each row, so reps
    keep the frame numbers of the video even when a live source dropped
    frames. ``body_bl (frame, landmark, 2)`` is the body-centred frame: origin
    at the pelvis centre, x toward where the person faces, y up, in body lengths.
    """

    side: Side
    frame_index: np.ndarray
    time_s: np.ndarray
    xy_px: np.ndarray
    body_length_px: float
    facing_sign: float  # +1 when the person faces image right
    wrist_speed_bl_per_s: np.ndarray
    elbow_angle_deg: np.ndarray
    body_bl: np.ndarray

    def __post_init__(self) -> None:
        for name in ("frame_index", "time_s", "xy_px", "wrist_speed_bl_per_s", "elbow_angle_deg", "body_bl"):
            array = np.array(getattr(self, name), dtype=np.int64 if name == "frame_index" else float, copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if not len(self.frame_index) == len(self.time_s) == len(self.xy_px):
            raise ValueError("ArmTrack arrays need one row per frame")

    def __len__(self) -> int:
        return len(self.time_s)

    def row(self, frame: int) -> int:
        """The row of a video frame (of the nearest later row if that frame was dropped)."""
        return int(np.searchsorted(self.frame_index, frame))

    def landmark(self, part: str) -> Landmark:
        return resolve_part(part, self.side)


def facing_sign(xy_px: np.ndarray) -> float:
    """+1 if the person faces image right (nose ahead of the shoulders), -1 if left.

    Notes: in a frontal view the nose sits between the shoulders and the sign
    is arbitrary; forward/back features are then meaningless but harmless.
    """
    offset = xy_px[:, Landmark.NOSE, 0] - shoulder_centre(xy_px)[:, 0]
    offset = offset[np.isfinite(offset)]
    return -1.0 if offset.size and np.median(offset) < 0 else 1.0


def body_centred_bl(xy_px: np.ndarray, body_length: float, facing: float) -> np.ndarray:
    """(frame, landmark, 2) around the pelvis centre, x forward, y up, in body lengths."""
    centred = (xy_px - pelvis_centre(xy_px)[:, None, :]) / body_length
    return centred * np.array([facing, -1.0])


def moving_point_px(xy_px: np.ndarray, side: Side, point: MovingPoint = MovingPoint.ACTING_WRIST) -> np.ndarray:
    """(frame, 2) the point that gates reps: the acting wrist, or the midpoint of both wrists."""
    if point is MovingPoint.HANDS:
        return (xy_px[:, Landmark.LEFT_WRIST] + xy_px[:, Landmark.RIGHT_WRIST]) / 2
    return xy_px[:, Landmark[f"{side.upper()}_WRIST"]]


def wrist_speed_bl_per_s(
    xy_px: np.ndarray, time_s: np.ndarray, side: Side, body_length: float, point: MovingPoint = MovingPoint.ACTING_WRIST
) -> np.ndarray:
    """Speed of the moving point relative to the pelvis centre (frame,), in body lengths per second."""
    wrist = moving_point_px(xy_px, side, point) - pelvis_centre(xy_px)
    if len(time_s) < 2:
        return np.full(len(time_s), np.nan)
    return np.linalg.norm(np.gradient(wrist, time_s, axis=0), axis=-1) / body_length


def elbow_angle_deg(xy_px: np.ndarray, side: Side) -> np.ndarray:
    s = side.upper()
    return joint_angle_deg(
        xy_px[:, Landmark[f"{s}_SHOULDER"]], xy_px[:, Landmark[f"{s}_ELBOW"]], xy_px[:, Landmark[f"{s}_WRIST"]]
    )


def prepare_arm_track(
    xy_px: np.ndarray,
    time_s: np.ndarray,
    preset: OpenLoopPreset,
    side: Side | None = None,
    frame_index: np.ndarray | None = None,
    body_length: float | None = None,
) -> ArmTrack:
    """Fill short gaps, low-pass (zero phase) and measure the arm of one stretch of frames.

    ``side`` defaults to the preset's side, or to the arm that moves most when
    the preset lets the clip decide (``find_reps`` then refines "striking" and
    "lead"). Raises ValueError when no torso is visible.
    """
    time_s = np.asarray(time_s, dtype=float)
    filled = interpolate_track(np.asarray(xy_px, dtype=float), time_s, max_gap_frames=MAX_GAP_FRAMES)
    fps = (len(time_s) - 1) / (time_s[-1] - time_s[0]) if len(time_s) > 1 else float("nan")
    smooth = butterworth_track(filled, fps, preset.segmentation.smoothing_cutoff_hz)
    if side is None:
        fixed = preset.acting_side in (SideRule.LEFT, SideRule.RIGHT)
        side = Side(preset.acting_side) if fixed else acting_side(smooth, time_s)
    length = body_length if body_length is not None else body_length_px(smooth)
    if not np.isfinite(length) or length <= 0:
        raise ValueError("no torso visible: cannot measure body lengths")
    facing = facing_sign(smooth)
    return ArmTrack(
        side=side,
        frame_index=np.arange(len(time_s)) if frame_index is None else frame_index,
        time_s=time_s,
        xy_px=smooth,
        body_length_px=length,
        facing_sign=facing,
        wrist_speed_bl_per_s=wrist_speed_bl_per_s(smooth, time_s, side, length, preset.segmentation.moving_point),
        elbow_angle_deg=elbow_angle_deg(smooth, side),
        body_bl=body_centred_bl(smooth, length, facing),
    )


# --------------------------------------------------------------------------- reps


@dataclass(frozen=True)
class Rep:
    """One attempt: frames ``[start_frame, end_frame)``, the wind-up's end (``cock_frame``) and the release.

    ``release_frame`` is the sample nearest the release; ``release_s`` is
    sub-frame (the wrist-speed peak refined by a parabola), because at 30 fps
    a throwing elbow opens 30-40 degrees between two frames.
    """

    index: int
    side: Side
    start_frame: int
    end_frame: int
    cock_frame: int
    release_frame: int
    start_s: float
    end_s: float
    release_s: float
    peak_speed_bl_per_s: float

    def __post_init__(self) -> None:
        if not self.start_frame <= self.cock_frame <= self.release_frame < self.end_frame:
            raise ValueError("a rep needs start <= cock <= release < end")


class ActivityGate:
    """Hysteresis on a speed signal, one sample at a time, with a quiet confirmation and a refractory period.

    A movement starts when the speed reaches ``enter``; it starts at the frame
    after the last one at rest (below ``rest_speed``: a dart's cock is slow but
    belongs to the throw), or at the start of a movement that was no
    rep and ended at most ``wind_up_gap_s`` before (a free throw's ball lift
    before the push). It ends at the first frame of a run below ``exit``
    lasting ``quiet_s``. After a rep (``accept()``), nothing starts for
    ``refractory_s`` nor before the speed has dropped below ``exit`` again: the
    arm coming down after a throw, or reaching for the next dart, is not a rep.
    """

    def __init__(self, settings: SegmentationSettings) -> None:
        self._settings = settings
        self._active = False
        self._armed = True
        self._refractory_until_s = -math.inf
        self._last_rest_frame: int | None = None
        self._last_rest_s = -math.inf
        self._start_frame = 0
        self._start_s = 0.0
        self._peak = 0.0
        self._below_frame: int | None = None
        self._below_s = 0.0
        self._last_frame: int | None = None
        self._last_s = 0.0
        self._wind_up: tuple[int, float] | None = None  # (start frame, end time) of the last movement
        self._armed_frame = -1  # a rep never starts before the gate re-armed after the last one

    def update(self, frame: int, time_s: float, speed: float) -> tuple[int, int, float] | None:
        """Feed one sample; returns ``(start, end, peak)`` of a fast enough movement that just ended.

        Call ``accept()`` if it turns out to be a rep, which starts the refractory period.
        """
        s = self._settings
        speed = speed if math.isfinite(speed) else 0.0
        self._last_frame, self._last_s = frame, time_s
        if not self._active:
            if not self._armed and time_s >= self._refractory_until_s and speed < s.exit_speed_bl_per_s:
                self._armed, self._armed_frame = True, frame
            if self._armed and speed >= s.enter_speed_bl_per_s:
                self._active = True
                last_rest_frame = self._last_rest_frame
                if last_rest_frame is not None and time_s - self._last_rest_s <= s.max_duration_s:  # rested just before
                    self._start_frame = max(last_rest_frame + 1, self._armed_frame)
                else:
                    self._start_frame = frame
                if self._wind_up is not None and time_s - self._wind_up[1] <= s.wind_up_gap_s:
                    self._start_frame = self._wind_up[0]
                self._wind_up = None
                self._start_s = time_s
                self._peak = speed
                self._below_frame = None
            elif speed < s.rest_speed_bl_per_s:
                self._last_rest_frame, self._last_rest_s = frame, time_s
            return None
        self._peak = max(self._peak, speed)
        if speed >= s.exit_speed_bl_per_s:
            self._below_frame = None
            if time_s - self._start_s > s.max_duration_s:  # endless motion (waving, walking with a swinging arm)
                self._active, self._armed = False, False
            return None
        if self._below_frame is None:
            self._below_frame, self._below_s = frame, time_s
        if speed < s.rest_speed_bl_per_s:
            self._last_rest_frame, self._last_rest_s = frame, time_s
        if time_s - self._below_s < s.quiet_s:
            return None
        return self._end_movement()

    def _end_movement(self) -> tuple[int, int, float] | None:
        """Close the movement under way at ``_below_frame``; ``(start, end, peak)`` if it was fast and long enough."""
        s = self._settings
        end_frame = self._below_frame
        assert end_frame is not None  # both callers mark where the movement fell below the exit speed first
        self._active = False
        self._wind_up = (self._start_frame, self._below_s)
        if self._peak < s.min_peak_speed_bl_per_s or self._below_s - self._start_s < s.min_duration_s:
            return None
        return self._start_frame, end_frame, self._peak

    @property
    def active(self) -> bool:
        """A movement is under way."""
        return self._active

    def accept(self) -> None:
        """The movement just returned was a rep: start the refractory period from its end."""
        self._armed = False
        self._refractory_until_s = self._below_s + self._settings.refractory_s
        self._wind_up = None

    def finish(self) -> tuple[int, int, float] | None:
        """End of the clip: a movement still going is judged as if it stopped after the last sample.

        It is closed directly, not by feeding a quiet sample ``quiet_s`` later:
        in floating point ``(t + quiet_s) - t`` can fall a hair short of
        ``quiet_s`` (2.967 + 0.03 - 2.967 < 0.03), and the movement, often a
        live run's last throw, was then dropped.
        """
        if not self._active or self._last_frame is None:
            return None
        if self._below_frame is None:
            self._below_frame, self._below_s = self._last_frame + 1, self._last_s
        return self._end_movement()


def estimate_release(track: ArmTrack, start: int, end: int, settings: SegmentationSettings) -> tuple[int, int, float] | None:
    """``(cock_frame, release_frame, release_row)`` of the movement ``[start, end)``, or None if it is no throw.

    ``release_row`` is the sub-frame row of the key moment in ``track``: the
    vertex of a parabola through the peak of the signal that defines it.

    Peak-speed rule: release at the wrist's peak speed while it moves along
    ``release_direction`` (an arm raise's upswing, not the arm coming down
    again), cock at the start.
    Elbow-extension rule: the main extension is the run of straightening
    elbow around its fastest moment while the wrist moves along
    ``release_direction`` (so the arm falling straight after a shot does not
    count); release is the wrist's peak speed inside that run (the hand is
    fastest as the elbow opens, and the object leaves then), cock is the most
    flexed elbow before it. A movement whose elbow opens less than
    ``min_elbow_extension_deg``, or whose wrist travels less than
    ``min_release_travel_bl`` toward release, is not a throw.
    Farthest-reach and lowest-hands rules: see ``_strike_moment`` and ``_impact_moment``.
    """
    lo, hi = track.row(start), track.row(end)
    if hi - lo < 3:
        return None
    if settings.release_rule is ReleaseRule.FARTHEST_REACH:
        return _strike_moment(track, lo, hi, settings)
    if settings.release_rule is ReleaseRule.LOWEST_HANDS:
        return _impact_moment(track, lo, hi, settings)
    speed = np.nan_to_num(track.wrist_speed_bl_per_s[lo:hi], nan=-1.0)
    frames = track.frame_index[lo:hi]
    toward = np.ones(hi - lo, dtype=bool)
    if any(settings.release_direction):
        wrist = track.body_bl[lo:hi, track.landmark("acting_wrist")]
        toward = np.gradient(wrist, axis=0) @ np.array(settings.release_direction) > 0
    if settings.release_rule is ReleaseRule.PEAK_SPEED:
        stroke = _longest_stroke(track, lo, toward, settings)
        if stroke is None:
            return None
        first, last = stroke
        release = lo + first + int(np.argmax(speed[first : last + 1]))
        return int(frames[0]), int(track.frame_index[release]), _refine_peak(track.wrist_speed_bl_per_s, release)
    angle = track.elbow_angle_deg[lo:hi]
    if not np.isfinite(angle).any():
        return None
    opening = np.where(toward, np.gradient(np.nan_to_num(angle, nan=np.nanmean(angle))), 0.0)
    fastest = int(np.argmax(opening))
    if opening[fastest] <= 0:
        return None
    extending = opening > 0.25 * opening[fastest]
    first = fastest
    while first > 0 and extending[first - 1]:
        first -= 1
    last = fastest
    while last + 1 < len(extending) and extending[last + 1]:
        last += 1
    cock = int(np.nanargmin(angle[: first + 1]))
    extension = np.nanmax(angle[first : last + 1]) - angle[cock]
    if extension < settings.min_elbow_extension_deg:
        return None
    release = first + int(np.argmax(speed[first : last + 1]))
    if _travel_bl(track, lo, lo + release, settings) < settings.min_release_travel_bl:
        return None
    return int(frames[cock]), int(frames[release]), _refine_peak(track.wrist_speed_bl_per_s, lo + release)


def track_fps(track: ArmTrack) -> float:
    return (len(track) - 1) / (track.time_s[-1] - track.time_s[0]) if len(track) > 1 else float("nan")


def _rows_for(seconds: float, fps: float) -> int:
    """A duration as a whole number of rows (at least one), so rules hold at 24 and at 60 fps."""
    return max(1, int(round(seconds * fps)))


def swing_centre_row(track: ArmTrack, lo: int, hi: int, settings: SegmentationSettings) -> int:
    """The row (from ``lo``) at the centre of the movement's fastest stretch of ``2 x swing_half_width_s``.

    A mean over a stretch, not the fastest single frame: from behind, a
    serving wrist's image speed dips at contact (it moves toward the camera),
    and a single fast frame may be a landmark jumping.
    """
    half = _rows_for(settings.swing_half_width_s, track_fps(track))
    speed = np.nan_to_num(track.wrist_speed_bl_per_s[lo:hi], nan=0.0)
    mean = np.convolve(speed, np.ones(2 * half + 1) / (2 * half + 1), mode="same")
    return int(np.argmax(mean))


def reach_bl(track: ArmTrack) -> np.ndarray:
    """(frame,) distance from the acting shoulder to the acting wrist, body lengths: the arm's extension."""
    arm = track.body_bl[:, track.landmark("acting_wrist")] - track.body_bl[:, track.landmark("acting_shoulder")]
    return np.linalg.norm(arm, axis=-1)


def _strike_moment(track: ArmTrack, lo: int, hi: int, settings: SegmentationSettings) -> tuple[int, int, float] | None:
    """Contact of a serve or overhead, release of a pitch: the striking arm at its longest during the swing.

    The ball is met (or let go) with the arm extended, as the hand whips
    through: the wrist farthest from its shoulder within ``strike_search_s``
    of the fastest stretch of the swing. The cock is the most bent elbow
    before it (the racket drop, the arm laid back).
    """
    centre = swing_centre_row(track, lo, hi, settings)
    search = _rows_for(settings.strike_search_s, track_fps(track))
    first, last = max(0, centre - search), min(hi - lo, centre + search + 1)
    reach = reach_bl(track)
    window = reach[lo + first : lo + last]
    if not np.isfinite(window).any():
        return None
    key = lo + first + int(np.nanargmax(window))
    angle = track.elbow_angle_deg[lo : key + 1]
    cock = lo + (int(np.nanargmin(angle)) if np.isfinite(angle).any() else 0)
    return int(track.frame_index[cock]), int(track.frame_index[key]), _refine_peak(reach, key)


def hands_height_bl(track: ArmTrack) -> np.ndarray:
    """(frame,) height of the midpoint of both wrists above the pelvis centre, body lengths."""
    return (track.body_bl[:, Landmark.LEFT_WRIST, 1] + track.body_bl[:, Landmark.RIGHT_WRIST, 1]) / 2


def _impact_moment(track: ArmTrack, lo: int, hi: int, settings: SegmentationSettings) -> tuple[int, int, float] | None:
    """Impact of a two-handed swing: the hands' lowest point after the fastest downswing.

    The club meets the ball as the hands come back down through the address
    position, just past their fastest descent; the cock is the top of the
    backswing (the highest hands before the descent). A movement whose hands
    drop less than ``min_release_travel_bl`` from that top (a backswing alone,
    a waggle) is no swing.
    """
    height = hands_height_bl(track)
    if not np.isfinite(height[lo:hi]).any():
        return None
    segment = np.nan_to_num(height[lo:hi], nan=float(np.nanmean(height[lo:hi])))
    descent = np.gradient(segment, track.time_s[lo:hi])
    fastest = int(np.argmin(descent))
    top = int(np.argmax(segment[: fastest + 1]))
    last = min(len(segment), fastest + 2 * _rows_for(settings.strike_search_s, track_fps(track)) + 1)
    key = fastest + int(np.argmin(segment[fastest:last]))
    if segment[top] - segment[key] < settings.min_release_travel_bl:
        return None
    return int(track.frame_index[lo + top]), int(track.frame_index[lo + key]), _refine_peak(-height, lo + key)


def _longest_stroke(track: ArmTrack, lo: int, toward: np.ndarray, settings: SegmentationSettings) -> tuple[int, int] | None:
    """``(first, last)`` rows (from ``lo``) of the run of frames moving along ``release_direction`` that gets the
    wrist farthest, if it gets at least ``min_release_travel_bl`` (a raise's upswing, not a glitch or a sway)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], toward.astype(np.int8), [0]])))
    best, best_travel = None, -np.inf
    for first, end in zip(edges[::2], edges[1::2]):
        travel = _travel_bl(track, lo + first, lo + end - 1, settings)
        if travel > best_travel:
            best, best_travel = (int(first), int(end - 1)), travel
    return best if best is not None and best_travel >= settings.min_release_travel_bl else None


def _travel_bl(track: ArmTrack, first_row: int, release_row: int, settings: SegmentationSettings) -> float:
    """How far the wrist got along ``release_direction`` from the movement's start to release, body lengths.

    An arm raise lifts the hand half a body length; a walking arm's pendulum
    swing lifts it a few hundredths, however fast it swings.
    """
    direction = np.array(settings.release_direction)
    if not direction.any():
        return float("inf")
    wrist = track.body_bl[first_row : release_row + 1, track.landmark("acting_wrist")] @ (direction / np.linalg.norm(direction))
    return float(wrist[-1] - np.nanmin(wrist))


def _rep_from_movement(track: ArmTrack, index: int, start: int, end: int, peak: float, settings: SegmentationSettings) -> Rep | None:
    found = estimate_release(track, start, end, settings)
    if found is None:
        return None
    cock, release, release_row = found
    t = track.time_s
    last = min(track.row(end), len(t) - 1)
    return Rep(
        index=index,
        side=track.side,
        start_frame=start,
        end_frame=end,
        cock_frame=cock,
        release_frame=release,
        start_s=float(t[track.row(start)]),
        end_s=float(t[last]),
        release_s=float(np.interp(release_row, np.arange(len(t)), t)),
        peak_speed_bl_per_s=float(peak),
    )


def segment_reps(track: ArmTrack, preset: OpenLoopPreset) -> list[Rep]:
    """Every rep in a prepared clip, in order (the offline twin of OnlineRepSegmenter).

    A taught skill's reps are where its template matches (``template_reps``).
    """
    if preset.template is not None:
        return template_reps(track, preset.template)
    gate = ActivityGate(preset.segmentation)
    reps: list[Rep] = []
    for row, (time_s, speed) in enumerate(zip(track.time_s, track.wrist_speed_bl_per_s)):
        movement = gate.update(int(track.frame_index[row]), float(time_s), float(speed))
        if movement is not None:
            rep = _rep_from_movement(track, len(reps), *movement, preset.segmentation)
            if rep is not None:
                gate.accept()
                reps.append(rep)
    movement = gate.finish()
    rep = None if movement is None else _rep_from_movement(track, len(reps), *movement, preset.segmentation)
    return reps if rep is None else [*reps, rep]


def template_reps(track: ArmTrack, template: MovementTemplate) -> list[Rep]:
    """The reps where a taught skill's template matches, its key moment placed by the alignment."""
    reps: list[Rep] = []
    for match in find_matches(template, track.body_bl, track.time_s):
        key = int(round(match.key_row))
        start, end = min(match.start_row, key), max(match.end_row, key + 1)
        reps.append(
            Rep(
                index=len(reps),
                side=match.side,
                start_frame=int(track.frame_index[start]),
                end_frame=int(track.frame_index[end - 1]) + 1,
                cock_frame=int(track.frame_index[start]),
                release_frame=int(track.frame_index[key]),
                start_s=float(track.time_s[start]),
                end_s=float(track.time_s[end - 1]),
                release_s=float(np.interp(match.key_row, np.arange(len(track)), track.time_s)),
                peak_speed_bl_per_s=match.marker_peak_speed_bl_per_s,
            )
        )
    return reps


def find_reps(sequence: PoseSequence, preset: OpenLoopPreset, side: Side | None = None) -> tuple[ArmTrack, list[Rep]]:
    """Prepare a whole clip and segment it; a clip with nobody in it is a user error naming the source.

    With ``acting_side = "striking"`` both arms are segmented and the one
    whose wrist moves fastest through its key moments is the acting arm,
    each arm's speed weighted by how visible its wrist is then (the model's
    guess at an arm hidden behind the body jitters fast); with "lead", the
    arm on the side the hands finish over.
    """
    try:
        if side is None and preset.acting_side is SideRule.STRIKING:
            candidates = [_track_and_reps(sequence, preset, s) for s in Side]
            return max(candidates, key=lambda found: _striking_score(sequence, found[0], found[1], preset.segmentation))
        track, reps = _track_and_reps(sequence, preset, side)
        if side is None and reps and (preset.acting_side is SideRule.LEAD or preset.template is not None):
            chosen = lead_side(track, reps) if preset.template is None else _most_common_side(reps)
            if chosen is not track.side:
                track, reps = _track_and_reps(sequence, preset, chosen)
        return track, [replace(rep, side=track.side) for rep in reps]
    except ValueError as error:
        raise UserFacingError(f"{sequence.source or 'pose sequence'}: {error}") from None


def _track_and_reps(sequence: PoseSequence, preset: OpenLoopPreset, side: Side | None) -> tuple[ArmTrack, list[Rep]]:
    track = prepare_arm_track(sequence.xy_px, sequence.time_s, preset, side)
    return track, segment_reps(track, preset)


def strike_speed_bl_per_s(track: ArmTrack, reps: Sequence[Rep], settings: SegmentationSettings) -> float:
    """How fast the arm moves through its key moments: the largest, over reps, of the mean wrist speed
    within ``swing_half_width_s`` of the key moment (0 without reps).

    A serve's tossing arm rises as high as the racket arm, but slowly, and
    holds still at the top; the racket arm whips through contact.
    """
    speeds = [0.0]
    for rep in reps:
        near = np.abs(track.time_s - rep.release_s) <= settings.swing_half_width_s + 1e-9
        if np.isfinite(track.wrist_speed_bl_per_s[near]).any():
            speeds.append(float(np.nanmean(track.wrist_speed_bl_per_s[near])))
    return max(speeds)


def _striking_score(sequence: PoseSequence, track: ArmTrack, reps: Sequence[Rep], settings: SegmentationSettings) -> float:
    """``strike_speed_bl_per_s`` times the median visibility of the wrist within ``swing_half_width_s`` of the key moments."""
    wrist = Landmark[f"{track.side.upper()}_WRIST"]
    near = np.zeros(len(track), dtype=bool)
    for rep in reps:
        near |= np.abs(track.time_s - rep.release_s) <= settings.swing_half_width_s + 1e-9
    rows = np.searchsorted(sequence.time_s, track.time_s[near])
    visibility = sequence.visibility[np.clip(rows, 0, len(sequence) - 1), wrist]
    seen = float(np.nanmedian(visibility)) if np.isfinite(visibility).any() else 0.0
    return strike_speed_bl_per_s(track, reps, settings) * seen


def _most_common_side(reps: Sequence[Rep]) -> Side:
    """The side most of a taught skill's reps were matched on (a tie keeps the first rep's)."""
    sides = [rep.side for rep in reps]
    return max(dict.fromkeys(sides), key=sides.count)


def lead_side(track: ArmTrack, reps: Sequence[Rep]) -> Side:
    """The lead arm of a two-handed swing: the hands finish over the lead shoulder (a right-handed
    golfer's left), so it is the shoulder nearer the hands from the key moments to the reps' ends."""
    hands = (track.body_bl[:, Landmark.LEFT_WRIST] + track.body_bl[:, Landmark.RIGHT_WRIST]) / 2
    nearer_left = []
    for rep in reps:
        finish = slice(track.row(rep.release_frame), track.row(rep.end_frame))
        to_left = np.linalg.norm(hands[finish] - track.body_bl[finish, Landmark.LEFT_SHOULDER], axis=-1)
        to_right = np.linalg.norm(hands[finish] - track.body_bl[finish, Landmark.RIGHT_SHOULDER], axis=-1)
        nearer_left.append(np.nanmean(to_left < to_right))
    return Side.LEFT if np.nanmean(nearer_left) > 0.5 else Side.RIGHT


@dataclass(frozen=True)
class DetectedRep:
    """A rep reported live, with the smoothed stretch of frames it was measured on."""

    rep: Rep
    track: ArmTrack


class OnlineRepSegmenter:
    """Finds reps as frames arrive; a rep is reported ``LOOKAHEAD_FRAMES`` plus its quiet period after it ends.

    Detection runs on the offline filter over a trailing window, two frames
    behind the newest (see ``_delayed_speeds``); once a rep has ended, the
    buffered stretch around it is smoothed and measured exactly like an
    offline clip. At 30 fps a dart's rep is reported 4 frames (133 ms) after
    its end, a free throw's or an arm raise's 3 (100 ms).
    With the preset's side "auto", both arms are watched until the first rep,
    whose arm then stays the acting arm.
    """

    def __init__(self, preset: OpenLoopPreset, fps: float, side: Side | None = None) -> None:
        self._preset = preset
        settings = preset.segmentation
        if side is None and preset.acting_side in (SideRule.LEFT, SideRule.RIGHT):
            side = Side(preset.acting_side)
        self._sides = (side,) if side is not None else (Side.LEFT, Side.RIGHT)
        self._gates = {s: ActivityGate(settings) for s in self._sides}
        self._window_rows = int(round(SPEED_WINDOW_S * fps)) + LOOKAHEAD_FRAMES
        history_s = 2 * settings.max_duration_s + preset.pre_release_s + 1.0  # longest wind-up + rep + margin
        self._rows: deque[tuple[int, float, np.ndarray]] = deque(maxlen=int(history_s * fps) + 1)
        self._torso_px: deque[float] = deque(maxlen=int(10 * fps))
        self._body_length_px = float("nan")
        self._rep_count = 0
        self._frame_interval_s = 1.0 / fps
        self._last_speeds: dict[Side, float] = {}
        self._last_seen_s = -math.inf
        self._travel_bl = dict.fromkeys(self._sides, 0.0)
        self._pending: dict[Side, DetectedRep] = {}

    @property
    def side(self) -> Side | None:
        return self._sides[0] if len(self._sides) == 1 else None

    def push_frame(self, frame: Any) -> DetectedRep | None:
        """Feed a PoseFrame (anything with ``index``, ``time_s`` and ``xy_px (33, 2)``)."""
        return self.push(int(frame.index), float(frame.time_s), np.asarray(frame.xy_px, dtype=float))

    def push(self, frame: int, time_s: float, xy_px: np.ndarray) -> DetectedRep | None:
        """Feed one frame's landmarks; returns a rep the moment it is confirmed over."""
        if xy_px.shape != (LANDMARK_COUNT, 2):
            raise ValueError(f"xy_px must be ({LANDMARK_COUNT}, 2), got {xy_px.shape}")
        self._rows.append((frame, time_s, xy_px))
        torso = float(np.linalg.norm(shoulder_centre(xy_px[None])[0] - pelvis_centre(xy_px[None])[0]))
        if math.isfinite(torso):
            self._torso_px.append(torso)
            if len(self._torso_px) % 15 == 1:  # a running median, refreshed twice a second
                self._body_length_px = float(np.median(self._torso_px)) / TORSO_FRACTION_OF_STATURE
        delayed = self._delayed_speeds()
        if delayed is None:
            return None
        at_frame, at_s, speeds = delayed
        for side, speed in speeds.items():
            if math.isfinite(speed):
                self._travel_bl[side] += speed * self._frame_interval_s
            movement = self._gates[side].update(at_frame, at_s, speed)
            if movement is not None:
                detected = self._measure(side, *movement)
                if detected is not None:
                    self._pending[side] = detected
        return self._report()

    def _report(self) -> DetectedRep | None:
        """A measured rep, once no other watched arm is still moving; of two, the arm that has travelled farther.

        Only before the acting arm is known (a two-handed free throw moves both):
        the first rep then waits for the other arm to stop, and its arm becomes
        the acting arm, chosen as offline (the wrist that travels farther, or
        for a "striking" preset the one fastest through its key moment).
        """
        still_moving = any(self._gates[s].active for s in self._sides if s not in self._pending)
        if not self._pending or still_moving:
            return None
        if self._preset.acting_side is SideRule.STRIKING:  # as offline: the arm fastest through its key moment
            settings = self._preset.segmentation
            side = max(self._pending, key=lambda s: strike_speed_bl_per_s(self._pending[s].track, [self._pending[s].rep], settings))
        else:
            side = max(self._pending, key=lambda s: self._travel_bl[s])
        detected = self._pending[side]
        self._pending.clear()
        self._gates[side].accept()
        if len(self._sides) > 1:
            self._sides = (side,)
            self._gates = {side: self._gates[side]}
            self._last_speeds = {side: self._last_speeds.get(side, float("nan"))}
        rep = replace(detected.rep, index=self._rep_count)
        self._rep_count += 1
        return DetectedRep(rep, detected.track)

    def _delayed_speeds(self) -> tuple[int, float, dict[Side, float]] | None:
        """``(frame, time_s, speeds)`` of each watched wrist relative to the pelvis, ``LOOKAHEAD_FRAMES`` back.

        The offline filter (gap filling, zero-phase Butterworth) runs over the
        last ``SPEED_WINDOW_S``; two frames from its end its values are close to
        the offline ones, so the live gate sees the same short pauses a clip
        shows (a causal filter smears a two-frame pause away). A dropout of up
        to ``MAX_GAP_FRAMES`` is bridged by holding the last speed: a movement
        under way stays under way, a quiet arm stays quiet and its rep ends on
        time. A longer dropout ends any movement.
        """
        count = min(len(self._rows), self._window_rows)
        if count < LOOKAHEAD_FRAMES + 3:
            return None
        rows = list(islice(self._rows, len(self._rows) - count, None))
        time_s = np.array([r[1] for r in rows])
        xy = np.stack([r[2] for r in rows])
        point = self._preset.segmentation.moving_point
        wrists = np.stack([moving_point_px(xy, s, point) for s in self._sides], axis=1)
        points = interpolate_track(wrists - pelvis_centre(xy)[:, None], time_s, MAX_GAP_FRAMES)
        fps = (count - 1) / (time_s[-1] - time_s[0])
        smooth = butterworth_track(points, fps, self._preset.segmentation.smoothing_cutoff_hz)
        k = count - 1 - LOOKAHEAD_FRAMES
        velocity = (smooth[k + 1] - smooth[k - 1]) / (time_s[k + 1] - time_s[k - 1])
        speed = np.linalg.norm(velocity, axis=-1) / self._body_length_px
        frame, at_s = rows[k][0], rows[k][1]
        if np.all(np.isfinite(speed)):
            self._last_speeds, self._last_seen_s = {s: float(v) for s, v in zip(self._sides, speed)}, at_s
        elif self._last_speeds and at_s - self._last_seen_s <= MAX_GAP_FRAMES * self._frame_interval_s:
            return frame, at_s, self._last_speeds
        else:
            return frame, at_s, dict.fromkeys(self._sides, float("nan"))
        return frame, at_s, self._last_speeds

    def _measure(self, side: Side, start: int, end: int, peak: float) -> DetectedRep | None:
        start = max(start, self._rows[0][0])  # a start older than the buffer is cut to it
        first_s = next(t for f, t, _ in self._rows if f >= start) - self._preset.pre_release_s
        rows = [r for r in self._rows if r[1] >= first_s]
        xy = np.stack([r[2] for r in rows])
        time_s = np.array([r[1] for r in rows])
        frames = np.array([r[0] for r in rows])
        try:
            track = prepare_arm_track(xy, time_s, self._preset, side, frame_index=frames, body_length=self._body_length_px)
        except ValueError:
            return None
        rep = _rep_from_movement(track, self._rep_count, start, end, peak, self._preset.segmentation)
        return None if rep is None else DetectedRep(rep, track)


def _refine_peak(values: np.ndarray, row: int) -> float:
    """Sub-sample position of a peak: the vertex of the parabola through it and its neighbours."""
    if row <= 0 or row >= len(values) - 1:
        return float(row)
    before, peak, after = values[row - 1 : row + 2]
    curvature = before - 2 * peak + after
    if not np.isfinite(curvature) or curvature >= 0:
        return float(row)
    return row + float(np.clip(0.5 * (before - after) / curvature, -0.5, 0.5))


# --------------------------------------------------------------------------- features


def _at(values: np.ndarray, row: float) -> np.ndarray:
    """``values`` (row, ...) linearly interpolated at a fractional row."""
    low = min(int(np.floor(row)), len(values) - 1)
    high = min(low + 1, len(values) - 1)
    return values[low] + (row - low) * (values[high] - values[low])


def measure_features(track: ArmTrack, rep: Rep, follow_through_s: float, joints: Sequence[str] = ()) -> dict[str, float]:
    """Every feature of one rep (units in the keys; ``feature_body_part`` says what each belongs to).

    ``joints`` (a preset's ``joint_angles``, e.g. "acting_knee") add the angle
    of each joint at release, as ``knee_angle_at_release_deg``.

    Notes: positions are body-centred (pelvis origin, x forward, y up, body
    lengths); the elbow's drift is its largest displacement from where it was
    at the cock to the release (in darts the upper arm should not move then);
    head movement is measured in the image, so a still head reads 0 even if
    the trunk leans; the follow-through is the elbow's largest angle within
    ``follow_through_s`` after release, even past the rep's end (the arm may
    still be opening, slowly, as the wrist stops).
    """
    side = track.side.upper()
    shoulder, elbow, wrist = (Landmark[f"{side}_{j}"] for j in ("SHOULDER", "ELBOW", "WRIST"))
    r0, r1 = track.row(rep.start_frame), track.row(rep.end_frame)
    cock, release = track.row(rep.cock_frame), track.row(rep.release_frame)
    exact = float(np.interp(rep.release_s, track.time_s, np.arange(len(track))))
    follow_through_rows = int(np.searchsorted(track.time_s, rep.release_s + follow_through_s) - release)
    body = track.body_bl
    release_offset = _at(body[:, wrist] - body[:, shoulder], exact)
    elbow_path = body[cock : release + 1, elbow]
    drift = np.linalg.norm(elbow_path - elbow_path[0], axis=-1)
    lean = trunk_lean_deg(track.xy_px[r0:r1])
    nose_px = track.xy_px[r0:r1, Landmark.NOSE]
    head = np.linalg.norm(nose_px - nose_px[0], axis=-1) / track.body_length_px
    joint_features = {}
    for joint in joints:
        angle = JOINT_ANGLES[track.landmark(joint).name.lower()]
        points = _at(track.xy_px[:, [angle.first, angle.vertex, angle.second]], exact)[None]
        joint_features[joint_angle_feature(joint)] = float(joint_angle_deg(points[:, 0], points[:, 1], points[:, 2])[0])
    return joint_features | {
        "release_height_bl": float(release_offset[1]),
        "release_forward_bl": float(release_offset[0]),
        "elbow_angle_at_release_deg": float(_at(track.elbow_angle_deg, exact)),
        "elbow_drift_bl": float(np.nanmax(drift)),
        "peak_wrist_speed_bl_per_s": float(_at(track.wrist_speed_bl_per_s, exact)),
        "tempo_s": float(rep.release_s - track.time_s[cock]),
        "follow_through_extension_deg": float(np.nanmax(track.elbow_angle_deg[release : release + follow_through_rows + 1])),
        "trunk_sway_deg": float(np.nanmax(lean) - np.nanmin(lean)),
        "head_movement_bl": float(np.nanmax(head)),
    }


def release_window(
    track: ArmTrack, rep: Rep, parts: Sequence[str], pre_s: float, post_s: float
) -> tuple[np.ndarray, int, float]:
    """Body-centred paths of ``parts`` from ``pre_s`` before to ``post_s`` after release.

    Sampled once per frame interval but at the sub-frame release instant, so
    row ``release_row`` is the release itself in every rep (at 30 fps a
    throwing hand moves about 8 % of a body length between two frames).
    Returns ``(window (row, part, 2), release_row, first_frame)`` where
    ``first_frame`` is the fractional video frame of row 0; rows beyond the
    track are left out, so the window may be shorter near a clip's edges.
    """
    fps = (len(track) - 1) / (track.time_s[-1] - track.time_s[0])
    exact = float(np.interp(rep.release_s, track.time_s, np.arange(len(track))))
    offsets = np.arange(-int(round(pre_s * fps)), int(round(post_s * fps)) + 1)
    rows = exact + offsets[(exact + offsets >= 0) & (exact + offsets <= len(track) - 1)]
    low = np.minimum(np.floor(rows).astype(int), len(track) - 2)
    fraction = (rows - low)[:, None, None]
    paths = track.body_bl[:, [track.landmark(p) for p in parts]]
    window = paths[low] + fraction * (paths[low + 1] - paths[low])
    first_frame = float(np.interp(rows[0], np.arange(len(track)), track.frame_index))
    return window, int(np.count_nonzero(rows < exact - 1e-9)), first_frame
