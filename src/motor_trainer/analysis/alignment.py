"""Aligning a dance attempt to its reference: pose features, offline DTW, and a live follower.

Both aligners compare the same features (landmarks relative to the pelvis,
in body lengths, so where the dancer stands and how far the camera is do not
matter; each left/right pair ordered by image x, so the pose model's naming
of a front-facing dancer's limbs does not matter either) with the same cost
(squared Euclidean, accumulated as dtaidistance does) on the same clock (one
DTW step per reference frame of time), so the live follower ends where the
offline path ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from dtaidistance import dtw, dtw_ndim

from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.pose.kinematics import JOINT_ANGLES, body_length_px, joint_angle_deg, joint_angles_deg, pelvis_centre
from motor_trainer.pose.landmarks import MIRROR_ORDER, Landmark, PoseSequence
from motor_trainer.pose.smoothing import interpolate_track
from motor_trainer.skills.closed_loop import Foot, LiveStepDetector, RunningBodyLength, StepTier, TimingWindows, timing_tier

#: Landmarks compared frame by frame: the limbs and the head, not the face details.
FEATURE_LANDMARKS: tuple[Landmark, ...] = (
    Landmark.NOSE,
    Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW,
    Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST,
    Landmark.LEFT_HIP, Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX,
)  # fmt: skip

#: Positions in FEATURE_LANDMARKS of each left landmark and of its right partner.
_PAIR_LEFT = np.array([i for i, lm in enumerate(FEATURE_LANDMARKS) if lm.name.startswith("LEFT_")], dtype=np.intp)
_PAIR_RIGHT = np.array([FEATURE_LANDMARKS.index(Landmark(MIRROR_ORDER[FEATURE_LANDMARKS[i]])) for i in _PAIR_LEFT], dtype=np.intp)

#: Columns of labelled_features with left and right names exchanged (same geometry).
_RELABELLED_COLUMNS = np.array(
    [2 * FEATURE_LANDMARKS.index(Landmark(MIRROR_ORDER[landmark])) + axis for landmark in FEATURE_LANDMARKS for axis in (0, 1)],
    dtype=np.intp,
)

_ANGLE_FIRST = np.array([joint.first for joint in JOINT_ANGLES.values()], dtype=np.intp)
_ANGLE_VERTEX = np.array([joint.vertex for joint in JOINT_ANGLES.values()], dtype=np.intp)
_ANGLE_SECOND = np.array([joint.second for joint in JOINT_ANGLES.values()], dtype=np.intp)

#: How long the follower remembers which frame came when (a missed step is called within about a second).
FRAMES_REMEMBERED_S = 5.0

#: Open begin and end: either side may start or stop up to this long before the other.
DEFAULT_SLACK_S = 2.0

#: The live step detector sees each frame named by the majority of its own
#: left/right vote and this many votes on either side (as offline,
#: ``frames_labelled_other_way``), not by the trailing majority that names the
#: live posture: a trailing majority copies the reference's naming changes two
#: frames late, and in a side view those changes come as the feet cross, so
#: each one made the feet trade places two or three times in a few frames.
#: Dancing the sideways dance's own reference, 3 of its 10 steps were then
#: missed (merged with the next step, or put on the other foot). It costs no
#: judging delay: the detector dates its speeds at the middle of its slope
#: window, which is already this far behind the newest frame at 25-30 fps.
STEP_NAMING_HALF_WINDOW_FRAMES = 2


def mirrored_points(xy: np.ndarray) -> np.ndarray:
    """(frame, landmark, 2) as a mirror shows them: left and right swapped, x negated.

    Only differences of x are used downstream, so no image width is needed.
    """
    mirrored = np.array(xy[:, MIRROR_ORDER], dtype=float, copy=True)
    mirrored[..., 0] *= -1.0
    return mirrored


def labelled_features(xy_px: np.ndarray, body_length: float, mirror: bool = False) -> np.ndarray:
    """(frame, feature) body-centred, scale-normalised landmark positions, by landmark name.

    Each frame's FEATURE_LANDMARKS relative to the pelvis centre, divided by
    the body length, flattened (x, y per landmark). Mirroring (a student
    facing the coach) swaps sides and negates x. NaN stays NaN.
    """
    points = np.asarray(xy_px, dtype=float)
    if mirror:
        points = mirrored_points(points)
    centred = (points - pelvis_centre(points)[:, None, :]) / body_length
    return centred[:, FEATURE_LANDMARKS].reshape(len(points), -1)


def pose_features(xy_px: np.ndarray, body_length: float, mirror: bool = False) -> np.ndarray:
    """(frame, feature) what alignment compares: ``labelled_features`` with each left/right pair ordered by image x.

    The pose model may name a front-facing dancer's limbs the other way
    round than it did in the reference (live, or after a crossing step);
    ordering each pair by where it is in the image makes the features blind
    to that naming and still continuous (a pair swaps places only where its
    two points meet).
    """
    features = labelled_features(xy_px, body_length, mirror).reshape(len(xy_px), len(FEATURE_LANDMARKS), 2)
    left, right = features[:, _PAIR_LEFT], features[:, _PAIR_RIGHT]
    right_of_left = (left[..., 0] > right[..., 0])[..., None]
    ordered = np.array(features, copy=True)
    ordered[:, _PAIR_LEFT] = np.where(right_of_left, right, left)
    ordered[:, _PAIR_RIGHT] = np.where(right_of_left, left, right)
    return ordered.reshape(len(xy_px), -1)


def _fill_missing_rows(features: np.ndarray) -> np.ndarray:
    """Rows with any NaN take the nearest complete row, so DTW always has a cost; all-NaN stays zero."""
    complete = np.isfinite(features).all(axis=1)
    if not complete.any():
        return np.zeros_like(features)
    valid = np.flatnonzero(complete)
    nearest = valid[np.clip(np.searchsorted(valid, np.arange(len(features))), 0, len(valid) - 1)]
    previous = valid[np.clip(np.searchsorted(valid, np.arange(len(features))) - 1, 0, len(valid) - 1)]
    rows = np.arange(len(features))
    pick = np.where(np.abs(previous - rows) <= np.abs(nearest - rows), previous, nearest)
    return features[pick]


def sequence_features(sequence: PoseSequence, mirror: bool = False, labelled: bool = False) -> np.ndarray:
    """Features of a whole clip (``pose_features``, or ``labelled_features`` when ``labelled``), gaps filled.

    Short gaps are interpolated and frames where nobody was found take the
    nearest frame's features, so DTW always has a cost.
    """
    xy = interpolate_track(sequence.xy_px, sequence.time_s, max_gap_frames=10)
    body = body_length_px(xy)
    if not np.isfinite(body) or body <= 0:
        body = 1.0
    return _fill_missing_rows((labelled_features if labelled else pose_features)(xy, body, mirror))


@dataclass(frozen=True)
class Alignment:
    """An attempt matched frame by frame to a reference.

    ``path (step, 2)`` holds (reference_frame, attempt_frame) pairs, both
    non-decreasing. ``reference_frame_for_frame (attempt frame,)`` is the mean
    reference frame matched to each attempt frame (NaN outside the path),
    which the replay uses to draw the reference as a ghost;
    ``attempt_frame_for_reference_frame (reference frame,)`` is its inverse.
    ``cost`` is the root of the summed squared feature distances along the path.
    """

    path: np.ndarray
    reference_frame_for_frame: np.ndarray
    attempt_frame_for_reference_frame: np.ndarray
    cost: float

    def __post_init__(self) -> None:
        if self.path.ndim != 2 or self.path.shape[1] != 2:
            raise ValueError(f"Alignment.path has shape {self.path.shape}, expected (step, 2)")
        for name in ("path", "reference_frame_for_frame", "attempt_frame_for_reference_frame"):
            value = np.array(getattr(self, name), copy=True)
            value.setflags(write=False)
            object.__setattr__(self, name, value)


def _mean_partner(path: np.ndarray, key_column: int, length: int) -> np.ndarray:
    """For each index of one side, the mean index it is matched to on the other side (NaN if unmatched)."""
    sums = np.bincount(path[:, key_column], weights=path[:, 1 - key_column], minlength=length)
    counts = np.bincount(path[:, key_column], minlength=length)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def align_offline(reference_features: np.ndarray, attempt_features: np.ndarray, slack_frames: int) -> Alignment:
    """DTW of the attempt against the reference with open begin and end (dtaidistance, C).

    The global offset between the two clips is absorbed by ``slack_frames``
    of free start and end on either side: a student who starts a second late
    or stops early is matched on what was danced, not padded with stillness.
    """
    reference_features = np.ascontiguousarray(reference_features, dtype=np.double)
    attempt_features = np.ascontiguousarray(attempt_features, dtype=np.double)
    slack = int(max(0, min(slack_frames, len(reference_features) - 1, len(attempt_features) - 1)))
    cost, paths = dtw_ndim.warping_paths(reference_features, attempt_features, psi=slack, use_c=True)
    path = np.asarray(dtw.best_path(paths), dtype=np.intp)
    return Alignment(
        path=path,
        reference_frame_for_frame=_mean_partner(path, 1, len(attempt_features)),
        attempt_frame_for_reference_frame=_mean_partner(path, 0, len(reference_features)),
        cost=float(cost),
    )


def resample_features(features: np.ndarray, time_s: np.ndarray, tick_s: np.ndarray) -> np.ndarray:
    """(tick, feature) linearly interpolated at ``tick_s`` from (frame, feature) at ``time_s``."""
    return np.stack([np.interp(tick_s, time_s, column) for column in features.T], axis=1)


def reference_ticks_s(start_s: float, end_s: float, reference_fps: float) -> np.ndarray:
    """The attempt's clock cut at the reference's frame rate, so one DTW step is one reference frame of time."""
    return start_s + np.arange(int(np.floor((end_s - start_s) * reference_fps + 1e-9)) + 1) / reference_fps


def relabel_frames(sequence: PoseSequence, swapped: np.ndarray) -> PoseSequence:
    """The sequence with left and right labels exchanged on the ``swapped (frame,)`` frames (geometry unchanged)."""
    if not np.any(swapped):
        return sequence

    def exchange(values: np.ndarray) -> np.ndarray:
        out = np.array(values, copy=True)
        out[swapped] = values[swapped][:, MIRROR_ORDER]
        return out

    return sequence.replace(
        xy_px=exchange(sequence.xy_px),
        visibility=exchange(sequence.visibility),
        presence=exchange(sequence.presence),
        world_m=exchange(sequence.world_m),
    )


def frames_labelled_other_way(reference_labelled: np.ndarray, attempt_labelled: np.ndarray, alignment: Alignment) -> np.ndarray:
    """(attempt frame,) True where exchanging left and right names brings a frame closer to the reference frame it matches.

    Takes ``labelled_features`` of both clips. Decided per frame, then by a
    5-frame majority, so a frame where both namings fit alike (feet
    together) follows its neighbours.
    """
    matched = np.isfinite(alignment.reference_frame_for_frame)
    swapped = np.zeros(len(attempt_labelled), dtype=bool)
    reference_rows = reference_labelled[np.rint(alignment.reference_frame_for_frame[matched]).astype(np.intp)]
    as_is = np.sum((attempt_labelled[matched] - reference_rows) ** 2, axis=1)
    exchanged = np.sum((attempt_labelled[matched][:, _RELABELLED_COLUMNS] - reference_rows) ** 2, axis=1)
    swapped[matched] = exchanged < as_is
    return np.convolve(swapped.astype(float), np.ones(5), mode="same") >= 3


def settle_labels_against(reference: PoseSequence, attempt: PoseSequence, slack_s: float = DEFAULT_SLACK_S) -> PoseSequence:
    """The attempt with left/right labels made to agree with the reference's, frame by frame, after a first alignment."""
    first = align_sequences(reference, attempt, slack_s=slack_s)
    swapped = frames_labelled_other_way(
        sequence_features(reference, labelled=True), sequence_features(attempt, labelled=True), first
    )
    return relabel_frames(attempt, swapped)


def align_sequences(reference: PoseSequence, attempt: PoseSequence, mirror: bool = False, slack_s: float = DEFAULT_SLACK_S) -> Alignment:
    """Offline alignment of two clips (the attempt mirrored when the student faced the coach).

    The attempt is resampled to the reference's frame rate before DTW (a
    30 fps webcam against a 25 fps coach video, or a clip with dropped
    frames, would otherwise read as a tempo change), and the path is mapped
    back to the attempt's own frames.
    """
    reference_fps = reference.fps if np.isfinite(reference.fps) else 30.0
    tick_s = reference_ticks_s(float(attempt.time_s[0]), float(attempt.time_s[-1]), reference_fps)
    ticks = resample_features(sequence_features(attempt, mirror), attempt.time_s, tick_s)
    on_ticks = align_offline(sequence_features(reference), ticks, int(round(slack_s * reference_fps)))
    frames = np.arange(len(attempt), dtype=float)
    frame_of_tick = np.interp(tick_s, attempt.time_s, frames)
    path = np.column_stack([on_ticks.path[:, 0], np.rint(frame_of_tick[on_ticks.path[:, 1]]).astype(np.intp)])
    path = path[np.concatenate([[True], np.any(np.diff(path, axis=0) != 0, axis=1)])]
    matched = np.flatnonzero(np.isfinite(on_ticks.reference_frame_for_frame))
    reference_frame_for_frame = np.interp(attempt.time_s, tick_s[matched], on_ticks.reference_frame_for_frame[matched])
    outside = (attempt.time_s < tick_s[matched[0]] - 1e-9) | (attempt.time_s > tick_s[matched[-1]] + 1e-9)
    reference_frame_for_frame[outside] = np.nan
    tick_for_reference = on_ticks.attempt_frame_for_reference_frame
    attempt_frame_for_reference_frame = np.where(
        np.isfinite(tick_for_reference),
        np.interp(np.nan_to_num(tick_for_reference), np.arange(len(tick_s)), frame_of_tick),
        np.nan,
    )
    return Alignment(
        path=path,
        reference_frame_for_frame=reference_frame_for_frame,
        attempt_frame_for_reference_frame=attempt_frame_for_reference_frame,
        cost=on_ticks.cost,
    )


@dataclass(frozen=True)
class StepTierEvent:
    """A live judgement of one reference step: hit in a timing window, or MISS.

    ``timing_error_ms`` is None for a step the dancer never made (the window
    closed without a landing of that foot); ``time_s`` is the landing time,
    or when the window closed. ``frame_range`` is half-open, in the frame
    indices the follower was fed: the swing of a landing, or the frames
    where a missed step was due (from its lift to its plant).
    """

    reference_index: int
    foot: Foot
    tier: StepTier
    timing_error_ms: float | None
    time_s: float
    frame_range: tuple[int, int]


@dataclass(frozen=True)
class LiveState:
    """Where the dancer is in the routine after one frame.

    ``timing_offset_ms`` is how far behind (positive) or ahead the dancer
    is against the music, which started at the follower's start time;
    ``posture_error_deg`` is this frame's angle difference per joint against
    the reference frame it matches.
    """

    frame_index: int
    time_s: float
    reference_frame: int
    timing_offset_ms: float
    posture_error_deg: Mapping[str, float]
    step_events: tuple[StepTierEvent, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "posture_error_deg", MappingProxyType(dict(self.posture_error_deg)))
        object.__setattr__(self, "step_events", tuple(self.step_events))


class LiveFollower:
    """Online DTW against a reference routine, fed one attempt frame per ``update`` (no Qt; call from a worker).

    Each reference frame period that passes on the attempt's clock extends
    the DTW cost by one column over the whole reference, vectorised as a
    min-plus prefix scan, with the cost and open begin that
    ``align_offline`` uses; the current reference frame is the cheapest end
    of a path so far, so after the last frame it is where the offline path ends.
    Step tiers judge each landing against when the reference landed, counted
    from the start of the music (``start_time_s``, default the first frame
    seen: call ``start_clock`` with the first frame's time when frames where
    nobody is in view are not fed, or every step reads early by that much).
    """

    def __init__(
        self,
        reference: ReferenceRoutine,
        windows: TimingWindows = TimingWindows(),
        *,
        mirror: bool = False,
        start_time_s: float | None = None,
        slack_s: float = DEFAULT_SLACK_S,
    ):
        self.reference = reference
        self.windows = windows
        self.mirror = mirror
        sequence = reference.sequence
        self._reference_features = sequence_features(sequence)
        self._reference_labelled = sequence_features(sequence, labelled=True)
        self._recent_namings: list[bool] = []
        self._step_rows: list[tuple[int, float, np.ndarray, bool | None]] = []  # (frame index, time_s, xy as tracked, naming vote)
        self._seen: deque[tuple[int, float]] = deque(maxlen=int(FRAMES_REMEMBERED_S * 120))  # (frame index, time_s)
        self._reference_time_s = sequence.time_s - sequence.time_s[0]
        fps = sequence.fps if np.isfinite(sequence.fps) else 30.0
        self._slack_frames = int(round(slack_s * fps))
        self._reference_angles_xy = np.stack(list(joint_angles_deg(sequence.xy_px).values()), axis=1)
        self._reference_angles_world = np.stack(list(joint_angles_deg(sequence.world_m).values()), axis=1)
        self._body = RunningBodyLength()
        self._steps = LiveStepDetector(reference.contact)
        self._start_time_s = start_time_s
        self._cost: np.ndarray | None = None
        self._frame = -1
        self._tick_count = 0
        self._tick_period_s = 1.0 / fps
        self._next_tick_s: float | None = None
        self._previous: tuple[float, np.ndarray] | None = None  # (time_s, features) of the last frame
        self._judged: set[int] = set()
        self._last_features = np.zeros(self._reference_features.shape[1])

    def _features(self, xy_px: np.ndarray) -> np.ndarray:
        body = self._body.add(xy_px)
        features = pose_features(np.asarray(xy_px, dtype=float)[None], body if np.isfinite(body) else 1.0, self.mirror)[0]
        if np.all(np.isfinite(features)):
            self._last_features = features
        return self._last_features

    def _advance(self, features: np.ndarray) -> np.ndarray:
        """One DTW column: D[i] = c[i] + min(D[i-1], D_prev[i], D_prev[i-1]), solved as a prefix minimum."""
        step_cost = np.sum((self._reference_features - features) ** 2, axis=1)
        free_start = 0.0 if self._tick_count <= self._slack_frames else np.inf
        self._tick_count += 1
        previous = np.where(np.arange(len(step_cost)) < self._slack_frames, 0.0, np.inf) if self._cost is None else self._cost
        diagonal = np.concatenate([[free_start], previous[:-1]])
        best_previous = np.minimum(previous, diagonal)
        cumulative = np.cumsum(step_cost)
        before = cumulative - step_cost
        self._cost = cumulative + np.minimum(free_start, np.minimum.accumulate(best_previous - before))
        return self._cost

    def _advance_to(self, time_s: float, features: np.ndarray) -> np.ndarray:
        """One DTW column per reference frame period elapsed, features interpolated between frames.

        A dropped frame or a camera faster than the reference then does not
        read as the dancer changing tempo.
        """
        if self._next_tick_s is None or self._previous is None or time_s <= self._previous[0]:
            if self._cost is None:
                self._advance(features)
                self._next_tick_s = time_s + self._tick_period_s
        else:
            previous_s, previous_features = self._previous
            while self._next_tick_s <= time_s + 1e-9:
                weight = (self._next_tick_s - previous_s) / (time_s - previous_s)
                self._advance(previous_features + weight * (features - previous_features))
                self._next_tick_s += self._tick_period_s
        self._previous = (time_s, features)
        assert self._cost is not None
        return self._cost

    def start_clock(self, time_s: float) -> float:
        """The music starts with the first frame filmed, whether or not anybody is in view yet; returns that time."""
        if self._start_time_s is None:
            self._start_time_s = time_s
        return self._start_time_s

    def update(self, pose: Any, time_s: float | None = None) -> LiveState:
        """Feed one frame: a PoseFrame (``xy_px``, ``world_m``, ``time_s``) or a (landmark, 2) row with ``time_s``."""
        xy_px = np.asarray(getattr(pose, "xy_px", pose), dtype=float)
        world_m = getattr(pose, "world_m", None)
        if time_s is None:
            time_s = float(pose.time_s)
        start_time_s = self.start_clock(time_s)
        self._frame += 1
        frame_index = int(getattr(pose, "index", self._frame))
        self._seen.append((frame_index, time_s))
        cost = self._advance_to(time_s, self._features(xy_px))
        reference_frame = int(np.argmin(cost))
        music_s = time_s - start_time_s
        timing_offset_ms = 1000.0 * (music_s - self._reference_time_s[reference_frame])
        vote = self._naming_vote(xy_px, reference_frame)
        events = self._judge_steps(frame_index, xy_px, time_s, vote)
        if self._labelled_other_way(vote):
            xy_px = xy_px[MIRROR_ORDER]
            world_m = None if world_m is None else np.asarray(world_m)[MIRROR_ORDER]
        posture = self._posture_error_deg(xy_px, world_m, reference_frame)
        return LiveState(self._frame, time_s, reference_frame, timing_offset_ms, posture, tuple(events))

    def _naming_vote(self, xy_px: np.ndarray, reference_frame: int) -> bool | None:
        """Whether this frame alone fits the matched reference frame better with left and right exchanged (None: incomplete)."""
        features = labelled_features(xy_px[None], self._body.value, self.mirror)[0]
        if not np.all(np.isfinite(features)):
            return None
        reference = self._reference_labelled[reference_frame]
        return float(np.sum((features[_RELABELLED_COLUMNS] - reference) ** 2)) < float(np.sum((features - reference) ** 2))

    def _labelled_other_way(self, vote: bool | None) -> bool:
        """Whether left and right are named the other way round than in the reference now (majority of the last 5 votes)."""
        if vote is not None:
            self._recent_namings = [*self._recent_namings[-4:], vote]
        return sum(self._recent_namings) * 2 > len(self._recent_namings)

    def _posture_error_deg(self, xy_px: np.ndarray, world_m: np.ndarray | None, reference_frame: int) -> dict[str, float]:
        use_world = world_m is not None and np.all(np.isfinite(self._reference_angles_world[reference_frame]))
        points = np.asarray(world_m if use_world else xy_px, dtype=float)
        if self.mirror:
            points = mirrored_points(points[None])[0]
        # All joints of one frame in one call: the joints stand in for joint_angle_deg's frame axis.
        angles = joint_angle_deg(points[_ANGLE_FIRST], points[_ANGLE_VERTEX], points[_ANGLE_SECOND])
        reference = (self._reference_angles_world if use_world else self._reference_angles_xy)[reference_frame]
        error = np.abs(angles - reference)
        return {name: float(error[k]) for k, name in enumerate(JOINT_ANGLES) if np.isfinite(error[k])}

    def _judge_steps(self, frame_index: int, xy_px: np.ndarray, time_s: float, vote: bool | None) -> list[StepTierEvent]:
        """Landings matched to the reference's steps, and misses; ``xy_px`` as tracked, named here by centred votes."""
        assert self._start_time_s is not None
        half = STEP_NAMING_HALF_WINDOW_FRAMES
        self._step_rows = [*self._step_rows[-2 * half :], (frame_index, time_s, xy_px, vote)]
        landings = []
        if len(self._step_rows) > half:
            frame, row_time_s, row, _ = self._step_rows[-1 - half]
            votes = [item[3] for item in self._step_rows if item[3] is not None]
            if sum(votes) * 2 > len(votes):
                row = row[MIRROR_ORDER]
            if self.mirror:
                row = mirrored_points(row[None])[0]
            landings = self._steps.update(frame, row_time_s, row, self._body.value)
        reference_start_s = float(self.reference.sequence.time_s[0])
        ok_s = self.windows.ok_ms / 1000.0
        events = []
        for landing in landings:
            candidates = [
                (abs(landing.plant_s - self._due_s(step.plant_s, reference_start_s)), index)
                for index, step in enumerate(self.reference.steps)
                if index not in self._judged and step.foot is landing.foot
            ]
            candidates = [item for item in candidates if item[0] <= ok_s]
            if not candidates:
                continue
            _, index = min(candidates)
            self._judged.add(index)
            error_ms = 1000.0 * (landing.plant_s - self._due_s(self.reference.steps[index].plant_s, reference_start_s))
            tier = timing_tier(self.windows, error_ms)
            events.append(StepTierEvent(index, landing.foot, tier, error_ms, landing.plant_s, landing.frame_range))
        # A landing is confirmed once the detector has judged min_stance_s of stillness after it (plus a
        # foot's settling): counted on the detector's clock, which trails the newest frame.
        patience_s = ok_s + self.reference.contact.min_stance_s + 0.15
        for index, step in enumerate(self.reference.steps):
            due_s = self._due_s(step.plant_s, reference_start_s)
            if index not in self._judged and self._steps.judged_until_s > due_s + patience_s:
                self._judged.add(index)
                due_range = self._frames_between(self._due_s(step.lift_s, reference_start_s), due_s)
                events.append(StepTierEvent(index, step.foot, StepTier.MISS, None, due_s + ok_s, due_range))
        return events

    def _frames_between(self, start_s: float, end_s: float) -> tuple[int, int]:
        """Half-open range of the frames fed between two times (the one nearest them when none was)."""
        inside = [index for index, time_s in self._seen if start_s <= time_s <= end_s]
        if inside:
            return inside[0], inside[-1] + 1
        nearest = min(self._seen, key=lambda seen: abs(seen[1] - end_s))[0]
        return nearest, nearest + 1

    def _due_s(self, reference_plant_s: float, reference_start_s: float) -> float:
        assert self._start_time_s is not None
        return self._start_time_s + reference_plant_s - reference_start_s


def follow_live(follower: LiveFollower, source: Any, tracker: Any) -> Iterator[tuple[Any, LiveState]]:
    """Drive a follower from a live source (webcam, or a video played as a camera) through a pose tracker.

    ``source.frames()`` yields the newest frames (``capture.sources``);
    ``tracker.process(frame)`` returns a PoseFrame (``pose.tracker``). Frames
    where nobody is found are skipped: the follower keeps its place. Yields
    each pose with the state after it, for a worker thread to hand to the GUI.
    """
    for frame in source.frames():
        follower.start_clock(frame.time_s)
        pose = tracker.process(frame)
        if not pose.detected:
            continue
        yield pose, follower.update(pose)
