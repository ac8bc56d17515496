"""Exaggerated replay of an obvious miss: clip frames and analysis results in, annotated frames out.

The renderer makes an obvious error impossible to ignore: the reference is
drawn as a translucent ghost standing where the person stands, the faulty
body part is drawn further from the ghost than it really was (``gain`` times,
or a constant distance further) in a warning colour with its real size
written beside it, time slows around the largest error and freezes on it.
Subtle errors get no replay at all (:func:`should_replay`).

Pure: numpy images in, numpy images out (RGB uint8); no Qt, no files. Frames
are produced lazily so the first one is ready while the rest still wait.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from motor_trainer.records.verdict import Deviation, Severity, Verdict
from motor_trainer.cvshim import cv2
from motor_trainer.feedback.exaggerate import (
    ReplayTimeline,
    amplify,
    anchor_reference,
    offset_amplify,
    peak_error_frame,
    slow_motion_timeline,
)
from motor_trainer.feedback.messages import replay_caption
from motor_trainer.feedback.overlay import draw_skeleton, finite_pixel, pixel
from motor_trainer.pose.kinematics import TORSO_FRACTION_OF_STATURE, pelvis_centre, shoulder_centre
from motor_trainer.pose.landmarks import LANDMARK_COUNT, LANDMARK_NAMES, SKELETON_EDGES, Landmark

# Colours (RGB). Warning and ghost come from the Okabe–Ito palette, which people
# with the common colour-vision deficiencies still tell apart: vermillion vs sky blue.
WARNING_RGB: tuple[int, int, int] = (213, 94, 0)  # Okabe–Ito vermillion: the amplified error
GHOST_RGB: tuple[int, int, int] = (86, 180, 233)  # Okabe–Ito sky blue: the reference
PERSON_RGB: tuple[int, int, int] = (245, 245, 245)  # near-white: the person as filmed
ARROW_RGB: tuple[int, int, int] = (240, 228, 66)  # Okabe–Ito yellow: the freeze-frame arrow, outlined dark
PANEL_RGB: tuple[int, int, int] = (20, 20, 20)  # dark backing behind text, inset and beat strip
BEAT_RGB: tuple[int, int, int] = (170, 170, 170)  # beat ticks
GHOST_OPACITY = 0.6
OFFSET_BEAT_S = 0.1  # OFFSET mode: how much further off the beat a step marker is drawn

_FONT = cv2.FONT_HERSHEY_SIMPLEX
# Hershey fonts draw ASCII only; burnt-in text uses these stand-ins (the GUI shows the real caption).
_HERSHEY_STAND_INS = {"—": "-", "–": "-", "×": "x", "°": " deg", "’": "'"}


class ReplayMode(StrEnum):
    """How the error is exaggerated: multiplied (GAIN) or pushed a constant distance further (OFFSET).

    In OFFSET mode the joint moves ``ReplaySpec.offset_bl`` further, the
    landing point one tolerance radius further, and the step marker
    ``OFFSET_BEAT_S`` further off the beat.
    """

    GAIN = "gain"
    OFFSET = "offset"


def _read_only(array: object, dtype: type = np.float64) -> np.ndarray:
    out: np.ndarray = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class OutcomeInset:
    """Where the throw landed against where it was aimed, in the target plane.

    Millimetres with x to the right and y up as seen facing the target (the
    dartboard's axes); ``tolerance_mm`` is the radius that still counts as a
    hit (0: no circle drawn).
    """

    landing_mm: np.ndarray
    aim_mm: np.ndarray
    tolerance_mm: float

    def __post_init__(self) -> None:
        for name in ("landing_mm", "aim_mm"):
            value = _read_only(getattr(self, name))
            if value.shape != (2,):
                raise ValueError(f"OutcomeInset.{name} must be (2,), got {value.shape}")
            object.__setattr__(self, name, value)
        if not self.tolerance_mm >= 0:
            raise ValueError("OutcomeInset.tolerance_mm must not be negative")


@dataclass(frozen=True)
class BeatStrip:
    """A step against the beat it belonged to, all on the clip's clock (``time_s`` of the spec)."""

    step_time_s: float
    expected_time_s: float
    beat_times_s: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "beat_times_s", _read_only(self.beat_times_s).reshape(-1))


FrameSource = Sequence[np.ndarray] | Callable[[int], np.ndarray]


@dataclass(frozen=True)
class ReplaySpec:
    """Everything one replay needs.

    ``frames`` are the clip's RGB uint8 images (a sequence, or a callable
    fetching image i); ``person_xy_px`` and ``reference_xy_px`` are
    ``(frame, landmark, 2)`` per clip frame in the pixels of an image of
    ``image_size_px`` (width, height); the reference is already time-aligned
    to the clip (see ``exaggerate.resample_reference``) and, unless
    ``reference_anchored``, not yet moved onto the person; landmarks the
    reference lacks are NaN and simply not drawn. ``time_s (frame,)`` is the clip's clock. The rep occupies
    clip frames ``[rep_start_frame, rep_end_frame)``.
    """

    frames: FrameSource
    person_xy_px: np.ndarray
    reference_xy_px: np.ndarray
    time_s: np.ndarray
    image_size_px: tuple[int, int]
    verdict: Verdict
    rep_start_frame: int
    rep_end_frame: int
    gain: float = 2.0
    mode: ReplayMode = ReplayMode.GAIN
    offset_bl: float = 0.06  # OFFSET mode: push distance in body lengths
    speed: float = 0.35
    slow_window_s: float = 0.4  # half-width of the slow-motion window around the peak
    freeze_s: float = 0.8
    flash_s: float = 0.3
    rotate_ghost: bool = False
    reference_anchored: bool = False  # reference_xy_px already stands on the person (e.g. RepAlignment.ghost_xy_px)
    outcome: OutcomeInset | None = None
    beat_strip: BeatStrip | None = None
    output_height_px: int | None = 720  # draw at this height; None keeps the source (or crop) size
    crop_to_person: bool = True  # frame the person (a small figure in a wide shot is enlarged up to 2.5x)
    key_body_part: str | None = None  # joint to draw loud (e.g. a late step's ankle); default: the largest deviation's
    amplify_in_space: bool = True  # False: the key joint is highlighted where it was, the error exaggerated only in the inset/beat strip
    peak_frame: int | None = None  # overrides the computed frame of largest error

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_xy_px", _read_only(self.person_xy_px))
        object.__setattr__(self, "reference_xy_px", _read_only(self.reference_xy_px))
        object.__setattr__(self, "time_s", _read_only(self.time_s))
        object.__setattr__(self, "mode", ReplayMode(self.mode))
        n = len(self.time_s)
        if n == 0:
            raise ValueError("ReplaySpec needs at least one clip frame")
        for name in ("person_xy_px", "reference_xy_px"):
            if getattr(self, name).shape != (n, LANDMARK_COUNT, 2):
                raise ValueError(f"ReplaySpec.{name} must be ({n}, {LANDMARK_COUNT}, 2), got {getattr(self, name).shape}")
        if not callable(self.frames) and len(self.frames) != n:
            raise ValueError(f"ReplaySpec has {len(self.frames)} images for {n} clip frames")
        if not 0 <= self.rep_start_frame < self.rep_end_frame <= n:
            raise ValueError(f"rep frames [{self.rep_start_frame}, {self.rep_end_frame}) lie outside the clip's {n}")
        if not self.gain > 0:
            raise ValueError("replay gain must be positive")
        if self.key_body_part is not None and self.key_body_part not in LANDMARK_NAMES:
            raise ValueError(f"key_body_part {self.key_body_part!r} is not a landmark name")

    @property
    def frame_count(self) -> int:
        return len(self.time_s)

    @property
    def fps(self) -> float:
        if self.frame_count < 2:
            return 30.0
        return float(1.0 / np.median(np.diff(self.time_s)))

    def image(self, index: int) -> np.ndarray:
        return self.frames(index) if callable(self.frames) else self.frames[index]


def should_replay(verdict: Verdict) -> bool:
    """True exactly for obvious misses: subtle errors are not dramatised."""
    return verdict.severity is Severity.OBVIOUS


def drawn_deviation(verdict: Verdict) -> Deviation | None:
    """The deviation whose body part is drawn amplified: the largest one that names a landmark."""
    drawable = [d for d in verdict.deviations if d.body_part in LANDMARK_NAMES]
    return max(drawable, key=lambda d: abs(d.z_score)) if drawable else None


def caption_for(verdict: Verdict, mode: ReplayMode, gain: float) -> str:
    """The replay's caption: the real size of what the verdict names (its channel's deviation, else the largest)
    and how it is drawn; a step judged late is captioned late even when its placement's z is larger."""
    deviation = next((d for d in verdict.deviations if d.name == verdict.channel), verdict.largest_deviation())
    if deviation is None:
        return ""
    if deviation.body_part:
        part = deviation.body_part.replace("_", " ")
    elif deviation.name == "outcome":
        part = "landing"
    elif deviation.unit in ("ms", "s"):
        part = "step"
    else:
        part = deviation.name.replace("_", " ")
    return replay_caption(
        part, abs(deviation.magnitude), deviation.unit, deviation.direction, None if mode is ReplayMode.OFFSET else gain
    )


#: A drawn joint moving faster than this times (1 + gain) is taken for a tracking slip and its trail is
#: broken there. The free throw's elbow stays under 4 body lengths per second, its wrist peaks near 8.5.
TRAIL_BREAK_SPEED_BL_PER_S = 5.0
#: Margin around the person's bounding box when framing, as a fraction of its larger side.
CROP_MARGIN = 0.2
MAX_UPSCALE = 2.5


def person_crop_px(xy_px: np.ndarray, image_size_px: tuple[int, int], margin: float = CROP_MARGIN) -> np.ndarray:
    """(x0, y0, x1, y1) of a box with the image's aspect ratio around everything the person does in the clip.

    The box covers the person's landmarks over the clip (from the 1st to the
    99th percentile per axis, so a few frames of misplaced landmarks do not
    zoom the shot out) plus ``margin`` of the larger side of that bounding
    box (room for the ghost, the amplified joint and the caption), is
    shifted to stay inside the image, and is never larger than the image.
    No landmark at all gives the whole image.
    """
    width, height = image_size_px
    points = xy_px.reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    if not len(points):
        return np.array([0.0, 0.0, width, height])
    low, high = np.percentile(points, 1, axis=0), np.percentile(points, 99, axis=0)
    needed_width, needed_height = (high - low) + 2.0 * margin * float(max(high - low))
    aspect = width / height
    box_height = min(height, max(needed_height, needed_width / aspect))
    box_width = min(width, box_height * aspect)
    box_height = box_width / aspect
    centre = (low + high) / 2.0
    x0 = float(np.clip(centre[0] - box_width / 2.0, 0.0, width - box_width))
    y0 = float(np.clip(centre[1] - box_height / 2.0, 0.0, height - box_height))
    return np.array([x0, y0, x0 + box_width, y0 + box_height])


def _plausible_pieces(points: np.ndarray, max_step_px: float) -> list[np.ndarray]:
    """A path as int32 polylines, broken at missing points and at jumps longer than ``max_step_px``.

    A landmark misplaced for a frame or two would otherwise draw a streak
    across the body that reads as part of the movement.
    """
    finite = np.all(np.isfinite(points), axis=1)
    step = np.linalg.norm(np.diff(points, axis=0), axis=1)
    joined = finite[:-1] & finite[1:] & (step <= max_step_px)
    pieces, current = [], [0] if len(points) and finite[0] else []
    for index in range(1, len(points)):
        if joined[index - 1]:
            current.append(index)
            continue
        if len(current) >= 2:
            pieces.append(np.round(points[current]).astype(np.int32))
        current = [index] if finite[index] else []
    if len(current) >= 2:
        pieces.append(np.round(points[current]).astype(np.int32))
    return pieces


def _hershey(text: str) -> str:
    for symbol, stand_in in _HERSHEY_STAND_INS.items():
        text = text.replace(symbol, stand_in)
    return text.encode("ascii", "replace").decode("ascii")


def _even(value: float) -> int:
    return max(2, 2 * int(round(value / 2.0)))


class ReplayRenderer:
    """Turns a :class:`ReplaySpec` of an obvious miss into the exaggerated replay, one output frame at a time.

    All geometry (ghost, amplified joint, peak, timeline) is computed in the
    constructor with numpy, which takes a few milliseconds; images are
    fetched, resized and drawn only when a frame is asked for.
    """

    def __init__(self, spec: ReplaySpec) -> None:
        if not should_replay(spec.verdict):
            raise ValueError(f"rep {spec.verdict.number} is {spec.verdict.severity}, and only obvious misses are replayed")
        self.spec = spec
        width, height = spec.image_size_px
        if spec.crop_to_person:
            self.crop_px = person_crop_px(spec.person_xy_px, spec.image_size_px)
        else:
            self.crop_px = np.array([0.0, 0.0, width, height])
        crop_width, crop_height = self.crop_px[2:] - self.crop_px[:2]
        out_height = crop_height if spec.output_height_px is None else spec.output_height_px
        out_height = min(out_height, crop_height * (MAX_UPSCALE if spec.crop_to_person else 1.0))
        self.output_size_px = (_even(crop_width * out_height / crop_height), _even(out_height))
        # Output pixels = (landmark pixels - crop origin) * scale, per axis.
        self._scale = np.array(self.output_size_px, float) / np.array([crop_width, crop_height])
        self._thickness = max(2, round(self.output_size_px[1] / 240))
        self._joint_radius_px = max(8, round(self.output_size_px[1] / 50))

        if spec.reference_anchored:
            ghost = spec.reference_xy_px
        else:
            ghost = anchor_reference(spec.reference_xy_px, spec.person_xy_px, spec.rotate_ghost)
        self.person_xy_px = self._to_output(spec.person_xy_px)
        self.ghost_xy_px = self._to_output(ghost)
        drawn = drawn_deviation(spec.verdict)
        key_part = spec.key_body_part or (None if drawn is None else drawn.body_part)
        self.key_landmark = None if key_part is None else Landmark[key_part.upper()]
        self.gain = spec.gain
        torso_px = np.linalg.norm(shoulder_centre(self.person_xy_px) - pelvis_centre(self.person_xy_px), axis=-1)
        median_torso_px = float(np.nanmedian(torso_px)) if np.isfinite(torso_px).any() else self.output_size_px[1] / 4
        self._body_px = median_torso_px / TORSO_FRACTION_OF_STATURE
        drawn_gain = self.gain if spec.amplify_in_space else 1.0
        self._max_step_px = TRAIL_BREAK_SPEED_BL_PER_S * (1.0 + drawn_gain) * self._body_px / spec.fps
        self.amplified_xy_px = self._amplified_key_joint()
        self.caption = caption_for(spec.verdict, spec.mode, spec.gain)

        self._window_frames = round(spec.slow_window_s * spec.fps)
        self._flash_frames = round(spec.flash_s * spec.fps)
        self.timeline: ReplayTimeline = slow_motion_timeline(
            spec.frame_count,
            self._peak_frame(),
            spec.speed,
            window_frames=self._window_frames,
            freeze_frames=round(spec.freeze_s * spec.fps),
        )
        self._base_cache: tuple[int, np.ndarray] | None = None

    # --- geometry -----------------------------------------------------------------------------

    def _to_output(self, xy_px: np.ndarray) -> np.ndarray:
        return (xy_px - self.crop_px[:2]) * self._scale

    def _framed(self, source: np.ndarray) -> np.ndarray:
        """The source image cropped and scaled onto the output (the source may be smaller than image_size_px)."""
        to_landmark = np.array(self.spec.image_size_px, float) / np.array([source.shape[1], source.shape[0]])
        scale = self._scale * to_landmark
        shift = -self.crop_px[:2] * self._scale
        if np.allclose(scale, 1.0) and np.allclose(shift, 0.0) and (source.shape[1], source.shape[0]) == self.output_size_px:
            return source.copy()
        matrix = np.array([[scale[0], 0.0, shift[0]], [0.0, scale[1], shift[1]]])
        return cv2.warpAffine(source, matrix, self.output_size_px, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def _amplified_key_joint(self) -> np.ndarray | None:
        if self.key_landmark is None:
            return None
        person = self.person_xy_px[:, self.key_landmark]
        ghost = self.ghost_xy_px[:, self.key_landmark]
        if not self.spec.amplify_in_space:
            return person.copy()
        if self.spec.mode is ReplayMode.OFFSET:
            return offset_amplify(person, ghost, self.spec.offset_bl * self._body_px)
        return amplify(person, ghost, self.gain)

    def _peak_frame(self) -> int:
        spec = self.spec
        if spec.peak_frame is not None:
            return spec.peak_frame
        start, end = spec.rep_start_frame, spec.rep_end_frame
        if self.key_landmark is not None:
            peak = peak_error_frame(
                self.person_xy_px[start:end, self.key_landmark], self.ghost_xy_px[start:end, self.key_landmark]
            )
            if peak is not None:
                return start + peak
        if spec.beat_strip is not None:
            return int(np.argmin(np.abs(spec.time_s - spec.beat_strip.step_time_s)))
        return end - 1

    def __len__(self) -> int:
        return len(self.timeline)

    @property
    def fps(self) -> float:
        return self.spec.fps

    # --- frames -------------------------------------------------------------------------------

    def frames(self) -> Iterator[np.ndarray]:
        """Output frames in order, each drawn when asked for."""
        for output_index in range(len(self.timeline)):
            yield self.render(output_index)

    __iter__ = frames

    def render(self, output_index: int) -> np.ndarray:
        """Output frame ``output_index`` as an RGB uint8 image of ``output_size_px``."""
        source_index = int(self.timeline.source_frame[output_index])
        image = self._base(source_index).copy()
        if output_index < self._flash_frames:
            self._draw_flash(image, 1.0 - output_index / max(1, self._flash_frames))
        if self.timeline.frozen[output_index]:
            self._draw_peak_arrow(image, source_index)
            self._draw_status(image, "paused at the biggest miss")
        elif abs(source_index - self.timeline.peak_frame) <= self._window_frames and self.spec.speed < 1.0:
            self._draw_status(image, f"slow motion {self.spec.speed:g}x")
        return image

    def _base(self, source_index: int) -> np.ndarray:
        """Everything that depends only on the source frame (shared by slowed and frozen repeats)."""
        if self._base_cache is not None and self._base_cache[0] == source_index:
            return self._base_cache[1]
        source = np.asarray(self.spec.image(source_index))
        if source.ndim != 3 or source.shape[2] != 3 or source.dtype != np.uint8:
            raise ValueError(f"clip frame {source_index} must be an RGB uint8 image, got {source.shape} {source.dtype}")
        image = self._framed(source)
        self._draw_ghost(image, source_index)
        self._draw_paths(image, source_index)
        self._draw_amplified_bones(image, source_index)
        draw_skeleton(image, self.person_xy_px[source_index], PERSON_RGB, self._thickness)
        self._draw_amplified_joint(image, source_index)
        self._draw_caption(image)
        if self.spec.outcome is not None:
            self._draw_outcome_inset(image, self.spec.outcome)
        if self.spec.beat_strip is not None:
            self._draw_beat_strip(image, self.spec.beat_strip, float(self.spec.time_s[source_index]))
        self._base_cache = (source_index, image)
        return image

    # --- drawing ------------------------------------------------------------------------------

    def _draw_ghost(self, image: np.ndarray, source_index: int) -> None:
        overlay = image.copy()
        draw_skeleton(overlay, self.ghost_xy_px[source_index], GHOST_RGB, 2 * self._thickness + 2)
        cv2.addWeighted(overlay, GHOST_OPACITY, image, 1.0 - GHOST_OPACITY, 0.0, dst=image)

    def _draw_paths(self, image: np.ndarray, source_index: int) -> None:
        """The reference's path of the key joint over the rep, and the drawn joint's trail through the rep so far."""
        if self.key_landmark is None or self.amplified_xy_px is None:
            return
        start, end = self.spec.rep_start_frame, self.spec.rep_end_frame
        for path, colour, stop in (
            (self.ghost_xy_px[:, self.key_landmark], GHOST_RGB, end),
            (self.amplified_xy_px, WARNING_RGB, min(source_index + 1, end)),
        ):
            pieces = _plausible_pieces(path[start:stop], self._max_step_px)
            cv2.polylines(image, pieces, False, colour, 1 + self._thickness // 2, cv2.LINE_AA)

    def _amplified_point(self, source_index: int) -> tuple[int, int] | None:
        if self.key_landmark is None or self.amplified_xy_px is None:
            return None
        return pixel(self.amplified_xy_px[source_index])

    def _draw_amplified_bones(self, image: np.ndarray, source_index: int) -> None:
        """The faulty joint's bones to where it is drawn (under the person's skeleton, so their joints stay visible)."""
        amplified = self._amplified_point(source_index)
        if amplified is None:
            return
        person = self.person_xy_px[source_index]
        for first, second in SKELETON_EDGES:
            if self.key_landmark in (first, second):
                neighbour = pixel(person[second if first == self.key_landmark else first])
                if neighbour:
                    cv2.line(image, neighbour, amplified, WARNING_RGB, self._thickness + 2, cv2.LINE_AA)

    def _draw_amplified_joint(self, image: np.ndarray, source_index: int) -> None:
        """The faulty joint as a large warning-coloured disc, on top of everything else of the body."""
        amplified = self._amplified_point(source_index)
        if amplified is not None:
            cv2.circle(image, amplified, self._joint_radius_px, WARNING_RGB, -1, cv2.LINE_AA)
            cv2.circle(image, amplified, self._joint_radius_px, PANEL_RGB, 1, cv2.LINE_AA)

    def _text(self, image: np.ndarray, text: str, origin: tuple[int, int], scale: float, colour=PERSON_RGB) -> None:
        """Text on a dark box, legible on any background."""
        text = _hershey(text)
        thickness = max(1, round(scale * 2))
        (width, height), baseline = cv2.getTextSize(text, _FONT, scale, thickness)
        x, y = origin
        pad = max(3, round(height * 0.3))
        cv2.rectangle(image, (x - pad, y - height - pad), (x + width + pad, y + baseline + pad), PANEL_RGB, -1)
        cv2.putText(image, text, (x, y), _FONT, scale, colour, thickness, cv2.LINE_AA)

    def _font_scale(self) -> float:
        """0.9 at 720 px high, smaller on a narrow portrait frame."""
        width, height = self.output_size_px
        return 0.9 * min(height, 1.3 * width) / 720.0

    def _wrapped(self, text: str, scale: float, max_width_px: int) -> list[str]:
        """``text`` broken at spaces into lines no wider than ``max_width_px`` (a long word keeps its own line)."""
        thickness = max(1, round(scale * 2))
        lines: list[str] = []
        for word in _hershey(text).split(" "):
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and cv2.getTextSize(candidate, _FONT, scale, thickness)[0][0] <= max_width_px:
                lines[-1] = candidate
            else:
                lines.append(word)
        return lines

    def _draw_caption(self, image: np.ndarray) -> None:
        scale = self._font_scale()
        line_px = round(40 * scale / 0.9)
        x = round(line_px * 0.5)
        y = line_px
        if self.caption:
            for line in self._wrapped(self.caption, scale, self.output_size_px[0] - 2 * x):
                self._text(image, line, (x, y), scale)
                y += round(line_px * 0.9)
        legend_y = y + round(line_px * 0.2)
        self._text(image, "reference", (x, legend_y), scale * 0.7, GHOST_RGB)
        if self.key_landmark is not None:
            exaggerated = self.spec.amplify_in_space and (abs(self.gain - 1.0) > 1e-6 or self.spec.mode is ReplayMode.OFFSET)
            label = "you, exaggerated" if exaggerated else "you"
            self._text(image, label, (x, legend_y + round(line_px * 0.8)), scale * 0.7, WARNING_RGB)

    def _draw_status(self, image: np.ndarray, text: str) -> None:
        scale = self._font_scale() * 0.8
        bottom = self.output_size_px[1] - round(20 * scale / 0.72)
        if self.spec.beat_strip is not None:
            bottom -= self._beat_strip_height()
        self._text(image, text, (round(20 * scale / 0.72), bottom), scale)

    def _draw_flash(self, image: np.ndarray, strength: float) -> None:
        border = max(6, round(self.output_size_px[1] / 30))
        overlay = image.copy()
        width, height = self.output_size_px
        cv2.rectangle(overlay, (0, 0), (width - 1, height - 1), WARNING_RGB, 2 * border)
        cv2.addWeighted(overlay, strength, image, 1.0 - strength, 0.0, dst=image)

    def _draw_peak_arrow(self, image: np.ndarray, source_index: int) -> None:
        """An arrow from where the reference had the joint to where it is drawn (neither end covered)."""
        if self.key_landmark is None or self.amplified_xy_px is None:
            return
        tip, ghost = self.amplified_xy_px[source_index], self.ghost_xy_px[source_index, self.key_landmark]
        if not (np.all(np.isfinite(tip)) and np.all(np.isfinite(ghost))):
            return
        clearance_px = 2 * self._thickness + 4  # the ghost joint's drawn radius, plus a gap
        error = tip - ghost
        length = float(np.linalg.norm(error))
        shortest_px = 6 * self._joint_radius_px
        # No direction (too short): point at the joint from above-left.
        direction = np.array([1.0, 1.0]) / np.sqrt(2.0) if length < 1.0 else error / length
        # From the ghost's joint to the drawn one. Too short to see, it is lengthened and moved
        # beside that line (covering the ghost's joint would hide where the joint belonged).
        tail = tip - direction * (length - clearance_px)
        stop = tip - direction * (self._joint_radius_px + 3)
        if length - clearance_px < shortest_px:
            beside = np.array([-direction[1], direction[0]]) * (self._joint_radius_px + 2 * self._thickness + 6)
            tail, stop = tip - direction * shortest_px + beside, tip + beside
        for colour, extra in ((PANEL_RGB, 3), (ARROW_RGB, 0)):
            cv2.arrowedLine(image, finite_pixel(tail), finite_pixel(stop), colour, self._thickness + 1 + extra, cv2.LINE_AA, tipLength=0.3)

    def _draw_outcome_inset(self, image: np.ndarray, outcome: OutcomeInset) -> None:
        """A target seen face-on in the top-right corner: aim and tolerance in sky blue, landing amplified."""
        width, height = self.output_size_px
        size = round(height / 3.2)
        margin = round(height / 40)
        left, top = width - size - margin, margin
        cv2.rectangle(image, (left, top), (left + size, top + size), PANEL_RGB, -1)
        error_mm = outcome.landing_mm - outcome.aim_mm
        if self.spec.mode is ReplayMode.OFFSET:
            shown_mm = offset_amplify(outcome.landing_mm, outcome.aim_mm, outcome.tolerance_mm) - outcome.aim_mm
        else:
            shown_mm = self.gain * error_mm
        reach_mm = max(1.3 * outcome.tolerance_mm, 1.15 * float(np.linalg.norm(shown_mm)), 1.0)
        px_per_mm = (size / 2 - margin) / reach_mm
        centre = np.array([left + size / 2, top + size / 2])

        def to_px(offset_mm: np.ndarray) -> tuple[int, int]:
            return finite_pixel(centre + np.array([offset_mm[0], -offset_mm[1]]) * px_per_mm)

        radius = self._joint_radius_px
        tolerance_px = round(outcome.tolerance_mm * px_per_mm)
        if tolerance_px >= 1:
            cv2.circle(image, finite_pixel(centre), tolerance_px, GHOST_RGB, self._thickness, cv2.LINE_AA)
        cv2.drawMarker(image, finite_pixel(centre), GHOST_RGB, cv2.MARKER_CROSS, radius, self._thickness, cv2.LINE_AA)
        cv2.circle(image, to_px(error_mm), max(3, radius // 2), PERSON_RGB, 1, cv2.LINE_AA)
        cv2.circle(image, to_px(shown_mm), radius, WARNING_RGB, -1, cv2.LINE_AA)
        miss_cm = float(np.linalg.norm(error_mm)) / 10.0
        self._text(image, f"landed {miss_cm:.0f} cm off", (left + margin, top + size - margin), self._font_scale() * 0.6)

    def _beat_strip_height(self) -> int:
        return round(self.output_size_px[1] / 9)

    def _draw_beat_strip(self, image: np.ndarray, strip: BeatStrip, now_s: float) -> None:
        """Beats as ticks, the expected step in sky blue, the step early or late exaggerated in time."""
        width, height = self.output_size_px
        strip_height = self._beat_strip_height()
        top = height - strip_height
        cv2.rectangle(image, (0, top), (width - 1, height - 1), PANEL_RGB, -1)
        error_s = strip.step_time_s - strip.expected_time_s
        shown_s = error_s + np.sign(error_s) * OFFSET_BEAT_S if self.spec.mode is ReplayMode.OFFSET else self.gain * error_s
        beat_interval_s = float(np.median(np.diff(strip.beat_times_s))) if len(strip.beat_times_s) > 1 else 0.5
        half_span_s = max(2.0 * beat_interval_s, 1.3 * abs(shown_s))
        px_per_s = (width / 2 - width / 20) / half_span_s
        axis_y = top + strip_height // 2

        def to_x(time_s: float) -> int:
            return int(round(width / 2 + (time_s - strip.expected_time_s) * px_per_s))

        axis_ends = (to_x(strip.expected_time_s - half_span_s), axis_y), (to_x(strip.expected_time_s + half_span_s), axis_y)
        cv2.line(image, *axis_ends, BEAT_RGB, 1, cv2.LINE_AA)
        for beat_s in strip.beat_times_s:
            if abs(beat_s - strip.expected_time_s) <= half_span_s:
                tick_top, tick_bottom = (to_x(beat_s), axis_y - strip_height // 4), (to_x(beat_s), axis_y + strip_height // 4)
                cv2.line(image, tick_top, tick_bottom, BEAT_RGB, self._thickness, cv2.LINE_AA)
        expected_x = to_x(strip.expected_time_s)
        cv2.line(image, (expected_x, top + 4), (expected_x, height - 5), GHOST_RGB, self._thickness + 2, cv2.LINE_AA)
        marker = (to_x(strip.expected_time_s + shown_s), axis_y)
        stepped = now_s >= strip.step_time_s
        cv2.circle(image, marker, self._joint_radius_px, WARNING_RGB, -1 if stepped else self._thickness, cv2.LINE_AA)
        label = f"{abs(error_s) * 1000:.0f} ms {'late' if error_s > 0 else 'early'}"
        self._text(image, label, (marker[0] + self._joint_radius_px + 6, top + round(strip_height * 0.35)), self._font_scale() * 0.6)
