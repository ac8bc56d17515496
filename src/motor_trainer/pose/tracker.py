"""MediaPipe pose landmarks for one subject, followed through a clip.

The only module that imports mediapipe. The landmarker is asked for a few
candidate poses per frame; the subject is chosen once (largest and most
central, or nearest a point the user gives) and then kept by continuity, so a
second person walking through never takes over. MediaPipe often decides,
for a frame or a stretch, that a person facing the camera faces away, and
swaps every left and right label at once; for a person filmed from behind its
labels are right. Real turns pass through a side view; such swaps are
instant. The tracker picks, for every frame, the labelling (as given or
swapped) that keeps the skeleton moving least and turning only through side
views, and otherwise keeps MediaPipe's labels: live by the forward pass frame
by frame, offline for the whole clip at once (Viterbi).
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from motor_trainer.capture.sources import Frame, open_video
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import TORSO_FRACTION_OF_STATURE
from motor_trainer.pose.landmarks import LANDMARK_COUNT, MIRROR_ORDER, Landmark, PoseSequence
from motor_trainer.pose.models import resolve_model

#: Poses asked for per frame: enough to tell the subject from a passer-by.
#:
#: The price: asked for more poses than it is following, MediaPipe runs its
#: person detector on every frame, and each fit starts from a fresh detection:
#: 28-32 ms a frame on 2 cores against 14-15 ms for one pose, which fits each
#: frame around its last fit. Following the subject with a second, one-pose
#: landmarker (candidates only at the start, on loss or refusal, and every 2 s)
#: was measured (December 2026) and not taken: tracking free_throw_side.mp4
#: went from 0.56x to 0.94x the speed of plain MediaPipe
#: (outdoor_jumps_and_walk.mp4 stayed at 0.49x: there the one pose kept
#: settling on other figures), but fits made around the last fit keep a
#: left/right swap for as long as the fit lasts instead of flickering, and the
#: left/right chain below, built on swaps that flicker, then kept
#: lab_steps_view2.mp4's frames 26-62 swapped (shoulders right in 66 % of clear
#: frames, 98 % now); the back-view live/offline agreement and the live
#: free-throw release with dropped frames failed too, and the accuracy table's
#: key moments within 1 frame went from 7/7 to 5/7. Counting MediaPipe's facing
#: belief only on detector fits made it worse (6 tests failing). A second
#: landmarker on the next frame (the model releases the GIL: 1.87x the frames
#: per second in two threads) made ``track`` 0.82x / 0.88x as fast as plain
#: MediaPipe on those two clips (branch ``two-models``), but that frame's crop
#: is placed from the fit two frames back, and the fit moves 8-34 px when its
#: crop moves a few pixels: the outdoor clip's second arm raise on the box was
#: lost, with a crop held still or not.
CANDIDATE_POSES = 3

#: Fastest any part of the subject's torso moves, in torso lengths per second
#: (about 6 m/s with a 0.5 m torso: a sprint; throwers and dancers stay far
#: below). A candidate whose shoulder centre or hip centre is further from
#: where the subject's was last seen than this speed allows is someone else,
#: or the model's misfit of them (see ``SubjectFollower.choose``).
MAX_SUBJECT_SPEED_TORSO_PER_S = 12.0

#: However long the subject was unseen, their shoulder and hip centres are
#: looked for within this many torso lengths of where they were last seen, so
#: a passer-by who walks through while the subject is undetected is never
#: taken for them.
MAX_REACQUIRE_DISTANCE_TORSO = 1.5

#: Which way a person faces is read from the image chirality of the labelled
#: skeleton (``facing_away_score``); nothing else in MediaPipe's output is
#: independent of its labels. Its world landmarks' chirality has the same sign
#: as the image chirality in 1474 of 1474 clearly turned frames of the shared
#: clips, and the face landmarks' visibility is 0.99-1.00 whether it believes
#: the person faces the camera or away: both report its belief, not evidence.
#: The evidence is in time and in its error pattern. A real turn passes
#: through a side view; a swap by MediaPipe is instant. And MediaPipe's labels
#: are right for a person filmed from behind, its swaps are mostly a person
#: facing the camera labelled as facing away (lab_steps_view2.mp4: 24 of 35
#: frames in 28-62) and rarely the other way.
#:
#: Cost, in torso lengths of limb movement, of the labelled skeleton turning
#: between two frames (its facing score changing sign), per unit of the
#: narrower of the two scores: a real turn crosses through a frame seen nearly
#: side-on (|score| 0.04-0.15 in the tennis, golf and padel turns of the shared
#: clips, at 30 and 60 fps); MediaPipe's swaps jump between square-on frames
#: (0.36-0.65), or through a single collapsed frame between two of them.
TURN_COST_PER_WIDTH = 1.0

#: Cost per frame and per unit of facing score of a labelling that overrules
#: MediaPipe's own belief that the person faces the camera (the belief it
#: rarely gets wrong), and one that overrules its belief that they face away
#: (the belief its swaps produce). The small second cost keeps MediaPipe's
#: labels wherever the movement itself does not call for a swap, which is why
#: a person filmed from behind keeps them (all of tennis_serve_djokovic_behind
#: from frame 34; main's former preference for a person facing the camera
#: swapped every one of those frames). Measured on the shared clips (back,
#: front and side views, 30 and 60 fps): turn cost 1.0 with 0.1-0.4 and 0.02
#: keeps the back-view checks of bench/bench_accuracy.py at 100 % (the golf
#: finish at 85-92 %, MediaPipe's own 89 %) and lab_steps_view2's swap undone,
#: offline and live; 0.75 leaves part of
#: lab_steps_view2's swap in place live; a face-away cost of 0.005 lets the
#: 60 fps golf downswing's real turn be explained away by a swap, and 0.03
#: leaves lab_steps_view2's 28-62 swapped. The price of the asymmetry, seen on
#: synthetic back views: MediaPipe labelling a person filmed from behind as
#: facing the camera for 10 frames or more is believed offline; live, a swap of
#: 2 frames or more is believed from its third frame, and once it ends the live
#: labels stay swapped for up to about a second (30 frames after a 5-frame
#: swap) until the face-away cost has piled up (tests/test_left_right.py).
OVERRULE_FACING_COST = 0.2
OVERRULE_AWAY_COST = 0.02

#: How much cheaper (in the chain's units, torso lengths of limb movement) the
#: other labelling must have become before the live labels change. A swap by
#: MediaPipe in a front view costs ~0.5 torso lengths and is followed at once.
#: In a side view (facing score ~0) both labellings cost about the same, and
#: without a margin the live labels flipped on a total 0.002 lower: in
#: free_throw_side.mp4 with frames dropped, at the release (frame 49) while
#: MediaPipe's own labels stayed put (0.07 torso lengths cheaper kept), so
#: each "wrist" jumped to the other hand, the guiding hand was taken for the
#: shooting one and the release was put at frame 46 (5 of 24 random drop
#: patterns; 2 with the margin, both with frame 46 itself dropped; measured
#: with the former facing prior). Offline labels (``best_path``) do not use it.
LIVE_SWITCH_MARGIN = 0.03

_LIMBS = np.array(
    [lm for lm in Landmark if lm.name.startswith(("LEFT_", "RIGHT_")) and lm >= Landmark.LEFT_SHOULDER]
)
_TORSO = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]


@dataclass(frozen=True)
class PoseFrame:
    """The subject's landmarks in one frame; NaN everywhere when nobody was found."""

    index: int
    time_s: float
    xy_px: np.ndarray  # (landmark, 2)
    visibility: np.ndarray  # (landmark,)
    presence: np.ndarray  # (landmark,)
    world_m: np.ndarray  # (landmark, 3)
    image_size_px: tuple[int, int]
    labels_swapped: bool = False

    @property
    def detected(self) -> bool:
        return bool(np.isfinite(self.xy_px[Landmark.LEFT_HIP, 0]))

    @classmethod
    def missing(cls, index: int, time_s: float, image_size_px: tuple[int, int]) -> PoseFrame:
        return cls(
            index,
            time_s,
            np.full((LANDMARK_COUNT, 2), np.nan),
            np.zeros(LANDMARK_COUNT),
            np.zeros(LANDMARK_COUNT),
            np.full((LANDMARK_COUNT, 3), np.nan),
            image_size_px,
        )


def _torso_ends(xy: np.ndarray) -> np.ndarray:
    """(2, 2): the shoulder centre and the hip centre; unchanged when left and right labels swap."""
    shoulders = (xy[Landmark.LEFT_SHOULDER] + xy[Landmark.RIGHT_SHOULDER]) / 2
    hips = (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2
    return np.array([shoulders, hips])


def _torso_length(xy: np.ndarray) -> float:
    shoulders, hips = _torso_ends(xy)
    return float(np.linalg.norm(shoulders - hips))


def _candidate_arrays(result: vision.PoseLandmarkerResult, crop: CropBox) -> list[tuple[np.ndarray, ...]]:
    """(xy_px, visibility, presence, world_m) in full-frame pixels for every pose MediaPipe returned."""
    candidates: list[tuple[np.ndarray, ...]] = []
    for landmarks, world in zip(result.pose_landmarks, result.pose_world_landmarks):
        raw = np.array([(p.x, p.y, p.visibility or 0.0, p.presence or 0.0) for p in landmarks])
        xy = raw[:, :2] * (crop.width_px, crop.height_px) + (crop.x0_px, crop.y0_px)
        world_m = np.array([(p.x, p.y, p.z) for p in world])
        candidates.append((xy, raw[:, 2], raw[:, 3], world_m))
    return candidates


#: Side of the region the model looks at once the subject is known, in
#: statures: the person with arms raised and a step either way fits, while a
#: small figure in a wide shot fills enough of the model's input to be found.
#: The BlazePose detector sees the whole input at 224 px, so a 300 px tall
#: player in a 1920x1080 gym (free_throw_side.mp4) is found in 60 % of frames
#: in the full frame and 94 % inside this crop; the backlit box jumper in
#: outdoor_jumps_and_walk.mp4 in 52 % and 76 %. At 2.0 statures a mid-step
#: lunge in lab_steps_view2.mp4 fell out of view (92 %), at 2.5 it does not (99 %).
CROP_STATURES = 2.5


@dataclass(frozen=True)
class CropBox:
    """The part of the frame given to the model, in pixels: [x0, x0 + width) × [y0, y0 + height)."""

    x0_px: int
    y0_px: int
    width_px: int
    height_px: int

    @classmethod
    def whole(cls, size_px: tuple[int, int]) -> CropBox:
        return cls(0, 0, size_px[0], size_px[1])

    def cut(self, image: np.ndarray) -> np.ndarray:
        """The crop as a C-contiguous copy (MediaPipe misreads strided views)."""
        return np.ascontiguousarray(image[self.y0_px : self.y0_px + self.height_px, self.x0_px : self.x0_px + self.width_px])


def subject_crop(centre_px: np.ndarray, stature_px: float, size_px: tuple[int, int]) -> CropBox:
    """A box CROP_STATURES statures wide and high around the subject, shifted to stay inside the frame."""
    side = CROP_STATURES * stature_px
    width, height = (int(min(round(side), limit)) for limit in size_px)
    x0 = int(np.clip(round(centre_px[0] - width / 2), 0, size_px[0] - width))
    y0 = int(np.clip(round(centre_px[1] - height / 2), 0, size_px[1] - height))
    return CropBox(x0, y0, width, height)


#: A candidate whose torso differs from the subject's recent median torso by
#: more than this fraction is not them (or is a collapsed misfit of them).
MAX_TORSO_CHANGE = 0.5

#: A point the user gives must lie within this many torso lengths of a
#: candidate's torso centre for that candidate to be the subject.
MAX_HINT_DISTANCE_TORSO = 1.5

#: Until the pointed-at person is found, the model looks at a square this
#: fraction of the frame's short side around the point: on the whole frame of
#: outdoor_jumps_and_walk.mp4 it reports a phantom skeleton in the sun flare
#: instead of the small, backlit man on the box; around him it finds him.
HINT_CROP_FRACTION = 0.6

#: After this long unseen, the subject may be re-acquired at any size.
REACQUIRE_AFTER_S = 1.0


class SubjectFollower:
    """Chooses the subject among candidate poses and keeps it, frame after frame.

    The subject's size is the median torso over the last accepted frames, so
    one misfit frame cannot teach the follower a wrong size. Pure numpy, so
    it is tested without the model.
    """

    def __init__(self, subject_hint_px: tuple[float, float] | None = None, size_memory_frames: int = 30):
        self.subject_hint_px = subject_hint_px
        self._last_xy: np.ndarray | None = None
        self._last_seen_s: float | None = None
        self._torso_history: deque[float] = deque(maxlen=size_memory_frames)

    def restart_near(self, point_px: tuple[float, float]) -> None:
        """Follow, from now on, the person at ``point_px`` (full-frame pixels), as if they had been
        pointed at from the start: whoever was followed is forgotten, and nobody else is taken
        while that person is still unseen."""
        self.subject_hint_px = point_px
        self._last_xy = None
        self._last_seen_s = None
        self._torso_history.clear()

    def choose(self, candidates: list[np.ndarray], time_s: float, size_px: tuple[int, int]) -> int | None:
        """Index of the subject among candidate xy arrays, or None if none is plausibly them.

        The speed and distance limits hold for both ends of the torso (the
        shoulder centre and the hip centre), not only for its middle: the model
        sometimes fits the subject upside down, and such a skeleton keeps the
        torso's middle and length while its ends trade places. In
        free_throw_side.mp4, as the arms drop after the shot (frame 68), it
        fitted the player with the shoulders at y 752 px below the hips at
        632 px; two frames after the last right fit (138 px torso) that
        skeleton's middle had moved 84 px (0.6 torso, inside the 0.8 allowed)
        and its torso was 117 px (15 % off), but its shoulders had dropped
        217 px: 1.6 torso lengths in 67 ms, 23 torso lengths per second.
        Taken, it ended the live rep search: with frames 0, 22, 45 and 55-57
        dropped, the model kept that fit for six frames and the wrist seemed
        to race at 4-5 body lengths per second. The price: a body that turns
        fast while unseen is taken back later. After his flip off the box in
        outdoor_jumps_and_walk.mp4 (frames 166-229, past where the tests look)
        the man is found in 19 fewer frames (the clip's rate drops from 0.80 to
        0.72), and lab_steps_view2.mp4 loses one misfit frame (0.99 to 0.98).
        """
        if not candidates:
            return None
        if self._last_xy is None:
            return self._first_choice(candidates, size_px)
        torso = max(float(np.median(self._torso_history)), 1.0)
        unseen_s = time_s - (self._last_seen_s if self._last_seen_s is not None else time_s)
        allowed_move = torso * min(MAX_SUBJECT_SPEED_TORSO_PER_S * unseen_s, MAX_REACQUIRE_DISTANCE_TORSO)
        any_size = unseen_s > REACQUIRE_AFTER_S
        last_ends = _torso_ends(self._last_xy)
        costs = []
        for xy in candidates:
            moved = float(np.linalg.norm(_torso_ends(xy) - last_ends, axis=1).max())
            size_change = abs(_torso_length(xy) - torso) / torso
            plausible = moved <= allowed_move and (any_size or size_change <= MAX_TORSO_CHANGE)
            costs.append(moved + size_change * torso if plausible else np.inf)
        best = int(np.argmin(costs))
        return best if np.isfinite(costs[best]) else None

    def _first_choice(self, candidates: list[np.ndarray], size_px: tuple[int, int]) -> int | None:
        centres = np.array([xy[_TORSO].mean(axis=0) for xy in candidates])
        if self.subject_hint_px is not None:
            # The person pointed at, and only them: a skeleton the model imagines elsewhere
            # (a sun flare, a poster) is not taken while the real one is still unseen.
            distances = np.linalg.norm(centres - self.subject_hint_px, axis=1)
            nearest = int(np.argmin(distances))
            return nearest if distances[nearest] <= MAX_HINT_DISTANCE_TORSO * _torso_length(candidates[nearest]) else None
        image_centre = np.array(size_px, dtype=float) / 2
        off_centre = np.linalg.norm(centres - image_centre, axis=1) / np.linalg.norm(image_centre)
        torsos = np.array([_torso_length(xy) for xy in candidates])
        return int(np.argmax(torsos / torsos.max() - 0.5 * off_centre))

    def accept(self, xy: np.ndarray, time_s: float) -> None:
        if self._last_seen_s is not None and time_s - self._last_seen_s > REACQUIRE_AFTER_S:
            self._torso_history.clear()
        self._last_xy = xy
        self._last_seen_s = time_s
        self._torso_history.append(_torso_length(xy))

    @property
    def last_xy(self) -> np.ndarray | None:
        return self._last_xy

    def crop_for(self, time_s: float, size_px: tuple[int, int]) -> CropBox:
        """Where the model should look in the frame at ``time_s``: around the subject while they are
        followed, the whole frame before they are found or once they have been gone a while."""
        if self._last_xy is None and self.subject_hint_px is not None:
            side_px = HINT_CROP_FRACTION * min(size_px)
            return subject_crop(np.asarray(self.subject_hint_px), side_px / CROP_STATURES, size_px)
        if self._last_xy is None or self._last_seen_s is None or time_s - self._last_seen_s > REACQUIRE_AFTER_S:
            return CropBox.whole(size_px)
        stature_px = float(np.median(self._torso_history)) / TORSO_FRACTION_OF_STATURE
        return subject_crop(self._last_xy[_TORSO].mean(axis=0), stature_px, size_px)


def facing_away_score(xy: np.ndarray) -> np.ndarray:
    """How much a labelled skeleton (…, landmark, 2) faces away from the camera; ≤ 0 when it faces it.

    From the image chirality: for a person facing the camera their left
    shoulder lies to the right of the hip→shoulder axis. Normalised by the
    torso length squared, so a square-on person scores about ±0.7 and a
    side view about 0.
    """
    up = (xy[..., Landmark.LEFT_SHOULDER, :] + xy[..., Landmark.RIGHT_SHOULDER, :]) / 2 - (
        xy[..., Landmark.LEFT_HIP, :] + xy[..., Landmark.RIGHT_HIP, :]
    ) / 2
    across = xy[..., Landmark.LEFT_SHOULDER, :] - xy[..., Landmark.RIGHT_SHOULDER, :]
    cross = up[..., 0] * across[..., 1] - up[..., 1] * across[..., 0]
    torso_sq = np.maximum(np.einsum("...i,...i->...", up, up), 1e-9)
    return -cross / torso_sq


def _labelling_costs(previous_xy: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(2, 2) cost of going from previous labelling p to current labelling c (0 = as given, 1 = swapped):
    the mean limb-landmark move in torso lengths."""
    torso = max(_torso_length(xy), 1.0)
    options_prev = (previous_xy[_LIMBS], previous_xy[MIRROR_ORDER][_LIMBS])
    options_now = (xy[_LIMBS], xy[MIRROR_ORDER][_LIMBS])
    return np.array(
        [[np.nanmean(np.linalg.norm(now - prev, axis=1)) / torso for now in options_now] for prev in options_prev]
    )


def _labelled_scores(score: float) -> np.ndarray:
    """(2,) facing-away score of the labelling as given and swapped (a swap mirrors the chirality)."""
    return np.array([score, -score])


def _turn_costs(previous_score: float, score: float) -> np.ndarray:
    """(2, 2) cost of going from previous labelling p to current labelling c for the turn it implies:
    nothing unless the labelled skeleton changes which way it faces, then the narrower score's width."""
    turned = np.sign(_labelled_scores(previous_score))[:, None] != np.sign(_labelled_scores(score))[None, :]
    return TURN_COST_PER_WIDTH * min(abs(previous_score), abs(score)) * turned


def _overrule_costs(score: float) -> np.ndarray:
    """(2,) cost of keeping MediaPipe's labels (nothing) and of swapping them, given what it believes."""
    per_width = OVERRULE_FACING_COST if score < 0 else OVERRULE_AWAY_COST
    return np.array([0.0, per_width * abs(score)])


class LeftRightChain:
    """The forward pass of a two-state chain over frames: labels as MediaPipe gave them, or swapped.

    Each step adds how far the limbs jump from the previous frame under every
    pair of labellings and the turn each pair implies, plus the cost of
    overruling MediaPipe's own belief, and keeps the cheapest total for each
    state. Live, the labelling in use changes once the other
    state's total is lower by more than ``LIVE_SWITCH_MARGIN``, so a wrong turn
    taken through an ambiguous frame is undone as soon as the evidence piles
    up; offline, ``best_path`` backtracks (Viterbi).
    """

    def __init__(self) -> None:
        self._totals: np.ndarray | None = None
        self._previous_raw_xy: np.ndarray | None = None
        self._previous_score = 0.0
        self._back_pointers: list[np.ndarray] = []
        self._live_swapped: bool | None = None

    def step(self, raw_xy: np.ndarray) -> bool:
        """Add one detected frame's raw landmarks; True if its labels should be swapped now."""
        score = float(facing_away_score(raw_xy))
        overrule = _overrule_costs(score)
        if self._totals is None or self._previous_raw_xy is None:
            totals, pointers = overrule, np.array([0, 1])
        else:
            moves = _labelling_costs(self._previous_raw_xy, raw_xy) + _turn_costs(self._previous_score, score)
            candidates = self._totals[:, None] + moves
            pointers = np.argmin(candidates, axis=0)
            totals = candidates[pointers, [0, 1]] + overrule
        self._totals = totals - totals.min()  # only the difference matters; keeps numbers small
        self._previous_raw_xy = raw_xy
        self._previous_score = score
        self._back_pointers.append(pointers)
        if self._live_swapped is None or self._totals[int(self._live_swapped)] > LIVE_SWITCH_MARGIN:
            self._live_swapped = bool(np.argmin(self._totals))
        return self._live_swapped

    def best_path(self) -> np.ndarray:
        """(steps,) True where the labels should be swapped, chosen for all steps at once."""
        swapped = np.zeros(len(self._back_pointers), dtype=bool)
        if self._totals is None:
            return swapped
        state = int(np.argmin(self._totals))
        for step in range(len(self._back_pointers) - 1, -1, -1):
            swapped[step] = bool(state)
            state = int(self._back_pointers[step][state])
        return swapped


def settle_left_right(raw_xy: np.ndarray) -> np.ndarray:
    """(frame,) True where the labels MediaPipe gave should be swapped, chosen for the whole clip.

    Frames with nobody detected are skipped (the chain continues across them).
    """
    frames = np.flatnonzero(np.isfinite(raw_xy[:, Landmark.LEFT_HIP, 0]))
    chain = LeftRightChain()
    for frame in frames:
        chain.step(raw_xy[frame])
    swapped = np.zeros(len(raw_xy), dtype=bool)
    swapped[frames] = chain.best_path()
    return swapped


class _NativeLogSilencer:
    """Points file descriptor 2 at /dev/null while any model is open; Python's own stderr keeps working.

    MediaPipe's C++ layers (TFLite, glog) print start-up and per-graph warnings
    straight to descriptor 2, some of them from their own threads after a call
    has returned (unaligned tensor, XNNPACK delegate, NORM_RECT projection).
    They are not for users, and the CLI promises one clear line on bad input.
    When ``sys.stderr`` is the real descriptor 2, it is re-opened on a copy of
    it first, so progress bars and error lines still reach the terminal.
    Counted, so trackers may open and close in any order.
    """

    _lock = threading.Lock()
    _holders = 0
    _saved_fd = -1
    _saved_stream: object = None

    @classmethod
    def acquire(cls) -> None:
        with cls._lock:
            cls._holders += 1
            if cls._holders > 1:
                return
            sys.stderr.flush()
            cls._saved_fd = os.dup(2)
            cls._saved_stream = sys.stderr
            if _writes_to_fd2(sys.stderr):
                sys.stderr = os.fdopen(os.dup(cls._saved_fd), "w", buffering=1, encoding="utf-8", errors="replace")
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)

    @classmethod
    def release(cls) -> None:
        with cls._lock:
            cls._holders -= 1
            if cls._holders > 0:
                return
            if sys.stderr is not cls._saved_stream:
                sys.stderr.close()
                sys.stderr = cls._saved_stream
            os.dup2(cls._saved_fd, 2)
            os.close(cls._saved_fd)


def _writes_to_fd2(stream: object) -> bool:
    try:
        return stream.fileno() == 2  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


#: Model files (path, size, modification time) this process has seen run: each is tried once.
_MODELS_SEEN_RUNNING: set[tuple[str, int, int]] = set()


def check_pose_model(model_path: Path) -> None:
    """Load ``model_path`` and run it on one blank frame; raises a one-line UserFacingError if it fails.

    A bundle whose two models are swapped or damaged loads fine and fails only on its first frame,
    with a 72-line C++ traceback; a VIDEO-mode landmarker in that state hangs when closed, so the
    trial runs in a separate IMAGE-mode one before a tracker opens the file.
    """
    stat = Path(model_path).stat()
    key = (str(Path(model_path).resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _MODELS_SEEN_RUNNING:
        return
    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model_path)),
                                           running_mode=vision.RunningMode.IMAGE)
    blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), dtype=np.uint8))
    _NativeLogSilencer.acquire()
    try:
        landmarker = vision.PoseLandmarker.create_from_options(options)
        try:
            landmarker.detect(blank)
        finally:
            _close_even_if_failed(landmarker)
    except (RuntimeError, ValueError) as error:
        raise UserFacingError(f"{model_path}: the pose model does not run ({_first_line(error)})") from None
    finally:
        _NativeLogSilencer.release()
    _MODELS_SEEN_RUNNING.add(key)


def _close_even_if_failed(landmarker: vision.PoseLandmarker) -> None:
    """Close a landmarker whose graph failed: its close() raises the failure again and keeps the
    handle, and its __del__ then calls close() once more and waits forever (mediapipe 1.x)."""
    try:
        landmarker.close()
    except RuntimeError:
        landmarker._handle = None  # noqa: SLF001 - the one way to stop __del__ from hanging


class PoseTracker:
    """One landmarker per session, fed frames in time order; use as a context manager.

    VIDEO running mode serves files and live sources alike: it tracks between
    frames (cheaper than IMAGE mode) and returns synchronously, and a live
    source already hands over only the newest frame, so MediaPipe's own
    LIVE_STREAM dropping and callback thread would add nothing but latency
    bookkeeping.
    """

    def __init__(self, model: str = "lite", subject_hint_px: tuple[float, float] | None = None):
        self.model_path = resolve_model(model)
        self.model_name = model
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=CANDIDATE_POSES,
        )
        check_pose_model(self.model_path)
        _NativeLogSilencer.acquire()
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            _NativeLogSilencer.release()
            raise UserFacingError(f"{self.model_path}: the pose model does not load ({_first_line(error)})") from None
        self._follower = SubjectFollower(subject_hint_px)
        self._last_timestamp_ms = -1
        self._left_right = LeftRightChain()

    def __enter__(self) -> PoseTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
            _NativeLogSilencer.release()

    def follow_subject_near(self, point_px: tuple[float, float]) -> None:
        """From the next frame on, follow the person at ``point_px`` (full-frame pixels) instead of
        whoever is followed now: the user's answer when the skeleton sits on someone else."""
        self._follower.restart_near(point_px)
        self._left_right = LeftRightChain()  # the labels' history was someone else's

    def detect_candidates(self, frame: Frame, crop: CropBox) -> list[tuple[np.ndarray, ...]]:
        """Every pose the model finds inside ``crop`` of ``frame``, in full-frame pixels."""
        timestamp_ms = max(int(round(frame.time_s * 1000)), self._last_timestamp_ms + 1)
        self._last_timestamp_ms = timestamp_ms
        whole_frame = crop == CropBox.whole(frame.size_px)
        pixels = frame.image_rgb if whole_frame else crop.cut(frame.image_rgb)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=pixels)
        result = self._landmarker.detect_for_video(image, timestamp_ms)
        return _candidate_arrays(result, crop)

    def process(self, frame: Frame) -> PoseFrame:
        """The subject's pose in ``frame`` (NaN when they are not in view)."""
        candidates = self.detect_candidates(frame, self._follower.crop_for(frame.time_s, frame.size_px))
        chosen = self._follower.choose([c[0] for c in candidates], frame.time_s, frame.size_px)
        if chosen is None:
            return PoseFrame.missing(frame.index, frame.time_s, frame.size_px)
        xy, visibility, presence, world_m = candidates[chosen]
        swapped = self._left_right.step(xy)
        if swapped:
            xy, visibility, presence, world_m = (a[MIRROR_ORDER] for a in (xy, visibility, presence, world_m))
        self._follower.accept(xy, frame.time_s)
        return PoseFrame(frame.index, frame.time_s, xy, visibility, presence, world_m, frame.size_px, swapped)


class Labelling(StrEnum):
    """Whose left and right a tracked sequence carries."""

    LIVE = "live"  # chosen frame by frame, as the live view shows them
    SETTLED = "settled"  # chosen for the whole clip at once (what `track` saves)
    MEDIAPIPE = "mediapipe"  # the model's own, uncorrected (a cross-check for benchmarks and tests)


class PoseSequenceBuilder:
    """Collects PoseFrames into a PoseSequence (one row per frame, in order)."""

    def __init__(self, image_size_px: tuple[int, int], source: str = ""):
        self.image_size_px = image_size_px
        self.source = source
        self.frames: list[PoseFrame] = []

    def append(self, pose: PoseFrame) -> None:
        self.frames.append(pose)

    def build(self, labels: Labelling = Labelling.LIVE) -> PoseSequence:
        """The sequence with left and right as ``labels`` says: as chosen live frame by frame,
        re-chosen for the whole clip at once (offline, which beats the live choice), or as
        MediaPipe gave them."""
        frames = self.frames
        n = len(frames)
        xy = np.array([f.xy_px for f in frames]).reshape(n, LANDMARK_COUNT, 2)
        visibility = np.array([f.visibility for f in frames]).reshape(n, LANDMARK_COUNT)
        presence = np.array([f.presence for f in frames]).reshape(n, LANDMARK_COUNT)
        world = np.array([f.world_m for f in frames]).reshape(n, LANDMARK_COUNT, 3)
        if labels is not Labelling.LIVE and n:
            live_swapped = np.array([f.labels_swapped for f in frames])
            xy, visibility, presence, world = (_swap_where(a, live_swapped) for a in (xy, visibility, presence, world))
        if labels is Labelling.SETTLED and n:
            settled = settle_left_right(xy)
            xy, visibility, presence, world = (_swap_where(a, settled) for a in (xy, visibility, presence, world))
        return PoseSequence(
            time_s=np.array([f.time_s for f in frames], dtype=float),
            xy_px=xy,
            visibility=visibility,
            presence=presence,
            world_m=world,
            image_size_px=self.image_size_px,
            source=self.source,
        )


def _swap_where(values: np.ndarray, swap: np.ndarray) -> np.ndarray:
    """Per-frame left/right label swap of (frame, landmark, ...) values where ``swap`` is True."""
    out = np.array(values, copy=True)
    out[swap] = values[swap][:, MIRROR_ORDER]
    return out


ProgressCallback = Callable[[int, int], None]


def track_video(
    path: str | Path,
    rotate_deg: int = 0,
    model: str = "lite",
    subject_hint_px: tuple[float, float] | None = None,
    progress: ProgressCallback | None = None,
    labels: Labelling = Labelling.SETTLED,
) -> PoseSequence:
    """Track the subject through a whole video file (decoding runs in its own thread)."""
    with open_video(path, rotate_deg) as video, PoseTracker(model, subject_hint_px) as tracker:
        builder = PoseSequenceBuilder(video.frame_size_px, source=str(path))
        for frame in video.frames():
            builder.append(tracker.process(frame))
            if progress:
                progress(frame.index + 1, video.frame_count)
        if not builder.frames:
            raise UserFacingError(f"{path}: the video has no decodable frames")
        sequence = builder.build(labels)
    if not sequence.detected.any():
        raise UserFacingError(f"{path}: no person found in any of its {len(sequence)} frames")
    return sequence
