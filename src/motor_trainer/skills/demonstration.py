"""A skill taught from one demonstration: which body part marks the key moment, and the movement around it.

A coach films one rep and names its key frame. From that single rep we learn

- the *marker*: the limb point (wrist, elbow, knee, ankle) moving fastest
  relative to the pelvis at the key frame, weighted by how visible it is (a
  hidden arm's guessed landmarks jitter fast);
- the *mark*: the extremum of one of the marker's signals (its speed, its
  height, its reach from the shoulder of its side) that lies at the key
  frame, the most prominent within ``MARK_SEARCH_S``; the key moment is that
  extremum plus a small learnt offset (a racket meets the ball at the arm's
  longest, a club at the hands' lowest);
- a *template*: the height and speed of the upper body's points (both wrists,
  elbows and shoulders, the nose), in body lengths from the pelvis, over
  ``TEMPLATE_HALF_WIDTH_S`` either side of the key frame. Heights and speeds
  do not depend on whether the camera sees the person from the left, right,
  front or behind, as image x would.

In new footage, resampled to the template's frame rate (30 and 60 fps
footage meet on one time axis), the template slides along the clip at a few
tempos (a slower or faster person) scoring normalised cross-correlation; each
well-matching stretch where the marker moves at least half as fast as in the
demonstration is a rep, and its key moment is the same extremum of the same
signal nearest where the alignment puts it.

Stored in the workspace as ``skills/<name>/skill.toml`` (an open-loop preset
with a ``[template]`` table) and ``template.npy``; nothing is pickled.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.pose.kinematics import Side
from motor_trainer.pose.landmarks import Landmark

TEMPLATE_FILENAME = "template.npy"
TEMPLATE_HALF_WIDTH_S = 0.6
#: How much slower (>1) or faster (<1) than the demonstration a rep may be.
TEMPO_FACTORS = (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4)
#: The mark must lie this close to the key frame the coach chose.
MARK_SEARCH_S = 0.1
#: In new footage the mark is searched this far either side of where the alignment puts the key moment.
SNAP_SEARCH_S = 0.2
#: An extremum's prominence is measured against the signal's range over this half-width.
PROMINENCE_WINDOW_S = 0.3
#: Mean correlation over the channels for a stretch to count as the movement (0 = unrelated, 1 = identical).
MIN_MATCH_SCORE = 0.3
#: The marker must move at least this fraction of its demonstrated peak speed in a match.
MIN_MARKER_SPEED_FRACTION = 0.5

TEMPLATE_PARTS = ("LEFT_WRIST", "RIGHT_WRIST", "LEFT_ELBOW", "RIGHT_ELBOW", "LEFT_SHOULDER", "RIGHT_SHOULDER", "NOSE")
MARKER_PARTS = ("WRIST", "ELBOW", "ANKLE", "KNEE")


class MarkSignal(StrEnum):
    """The marker's signal whose extremum marks the key moment."""

    SPEED = "speed"  # bl/s relative to the pelvis
    HEIGHT = "height"  # bl above the pelvis
    REACH = "reach"  # bl from the shoulder of the marker's side


class Extremum(StrEnum):
    MAX = "max"
    MIN = "min"


@dataclass(frozen=True)
class MovementTemplate:
    """What one demonstration taught; ``channels (row, channel)`` are the parts' heights then speeds at ``fps``."""

    fps: float
    key_row: int
    parts: tuple[str, ...]
    channels: np.ndarray
    marker: str
    signal: MarkSignal
    extremum: Extremum
    key_offset_s: float
    marker_peak_speed_bl_per_s: float
    side: Side

    def __post_init__(self) -> None:
        channels = np.array(self.channels, dtype=float, copy=True)
        if channels.ndim != 2 or channels.shape[1] != 2 * len(self.parts) or not 0 <= self.key_row < len(channels):
            raise ValueError(f"template has shape {channels.shape}: expected (row, {2 * len(self.parts)}) around row {self.key_row}")
        if not np.all(np.isfinite(channels)):
            raise ValueError("template has missing values")
        channels.setflags(write=False)
        object.__setattr__(self, "channels", channels)
        object.__setattr__(self, "signal", MarkSignal(self.signal))
        object.__setattr__(self, "extremum", Extremum(self.extremum))
        object.__setattr__(self, "side", Side(self.side))
        Landmark[self.marker]  # noqa: B018 - an unknown name raises KeyError here, not later

    def mirrored(self) -> MovementTemplate:
        """The same movement done by the other side (a left-hander, or a clip whose left and right labels are swapped)."""
        return replace(
            self,
            parts=tuple(_other_side(p) for p in self.parts),
            marker=_other_side(self.marker),
            side=Side.LEFT if self.side is Side.RIGHT else Side.RIGHT,
        )

    def table(self) -> dict[str, Any]:
        """The ``[template]`` TOML table (the channels go to ``template.npy``)."""
        return {
            "fps": self.fps,
            "key_row": self.key_row,
            "parts": list(self.parts),
            "marker": self.marker,
            "signal": str(self.signal),
            "extremum": str(self.extremum),
            "key_offset_s": self.key_offset_s,
            "marker_peak_speed_bl_per_s": self.marker_peak_speed_bl_per_s,
            "side": str(self.side),
        }

    def save_channels(self, folder: Path) -> None:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(self.channels), allow_pickle=False)
        atomic_write_bytes(Path(folder) / TEMPLATE_FILENAME, buffer.getvalue())

    @classmethod
    def load(cls, table: Mapping[str, Any], folder: Path) -> MovementTemplate:
        """From a ``[template]`` table and the ``template.npy`` beside it; raises ValueError/OSError/KeyError when damaged."""
        channels = np.load(Path(folder) / TEMPLATE_FILENAME, allow_pickle=False)
        return cls(
            fps=float(table["fps"]),
            key_row=int(table["key_row"]),
            parts=tuple(str(p) for p in table["parts"]),
            channels=channels,
            marker=str(table["marker"]),
            signal=MarkSignal(table["signal"]),
            extremum=Extremum(table["extremum"]),
            key_offset_s=float(table["key_offset_s"]),
            marker_peak_speed_bl_per_s=float(table["marker_peak_speed_bl_per_s"]),
            side=Side(table["side"]),
        )


def _other_side(name: str) -> str:
    """``LEFT_WRIST`` <-> ``RIGHT_WRIST``; a name without a side stays."""
    if name.startswith("LEFT_"):
        return "RIGHT_" + name.removeprefix("LEFT_")
    if name.startswith("RIGHT_"):
        return "LEFT_" + name.removeprefix("RIGHT_")
    return name


@dataclass(frozen=True)
class TemplateMatch:
    """One rep found by the template: rows ``[start_row, end_row)`` of the clip, its sub-frame key row and the side that did it."""

    start_row: int
    end_row: int
    key_row: float
    score: float
    marker_peak_speed_bl_per_s: float
    side: Side


# --------------------------------------------------------------------------- signals


def _speed(points: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.gradient(points, time_s, axis=0), axis=-1)


def template_channels(body_bl: np.ndarray, time_s: np.ndarray, parts: Sequence[str]) -> np.ndarray:
    """(frame, 2 x part): each part's height above the pelvis, then its speed, body lengths (per second)."""
    points = body_bl[:, [Landmark[p] for p in parts]]
    return np.concatenate([points[..., 1], _speed(points, time_s)], axis=1)


def mark_signal(body_bl: np.ndarray, time_s: np.ndarray, marker: str, signal: MarkSignal) -> np.ndarray:
    """(frame,) the marker's speed, height or reach from the shoulder of its side."""
    point = body_bl[:, Landmark[marker]]
    if signal is MarkSignal.SPEED:
        return _speed(point, time_s)
    if signal is MarkSignal.HEIGHT:
        return point[:, 1]
    shoulder = body_bl[:, Landmark[f"{marker.split('_')[0]}_SHOULDER"]]
    return np.linalg.norm(point - shoulder, axis=-1)


def _extrema(values: np.ndarray, extremum: Extremum) -> np.ndarray:
    """Rows of strict local maxima (or minima) of ``values``."""
    v = values if extremum is Extremum.MAX else -values
    inner = (v[1:-1] >= v[:-2]) & (v[1:-1] > v[2:])
    return np.flatnonzero(inner) + 1


def _prominence(values: np.ndarray, row: int, extremum: Extremum, half_rows: int) -> float:
    """How far the extremum stands out in the signal's range over ``half_rows`` either side (0-1)."""
    segment = values[max(0, row - half_rows) : row + half_rows + 1]
    span = float(np.nanmax(segment) - np.nanmin(segment))
    if not np.isfinite(span) or span <= 0:
        return 0.0
    lift = values[row] - np.nanmin(segment) if extremum is Extremum.MAX else np.nanmax(segment) - values[row]
    return float(lift / span)


def _refine(values: np.ndarray, row: int, extremum: Extremum) -> float:
    """Sub-row position of an extremum: the vertex of the parabola through it and its neighbours."""
    if row <= 0 or row >= len(values) - 1:
        return float(row)
    v = values[row - 1 : row + 2] * (1.0 if extremum is Extremum.MAX else -1.0)
    curvature = v[0] - 2 * v[1] + v[2]
    if not np.isfinite(curvature) or curvature >= 0:
        return float(row)
    return row + float(np.clip(0.5 * (v[0] - v[2]) / curvature, -0.5, 0.5))


# --------------------------------------------------------------------------- teaching


def choose_marker(body_bl: np.ndarray, time_s: np.ndarray, visibility: np.ndarray, key_row: int, side: Side | None) -> str:
    """The limb point moving fastest relative to the pelvis at the key frame, times its visibility (of ``side`` if given)."""
    sides = [side] if side is not None else list(Side)
    names = [f"{s.upper()}_{part}" for s in sides for part in MARKER_PARTS]
    points = body_bl[:, [Landmark[n] for n in names]]
    speed = _speed(points, time_s)[key_row] * visibility[key_row, [Landmark[n] for n in names]]
    if not np.isfinite(speed).any():
        raise ValueError(f"no limb is tracked at the key frame (row {key_row})")
    return names[int(np.nanargmax(speed))]


def choose_mark(body_bl: np.ndarray, time_s: np.ndarray, fps: float, marker: str, key_row: int) -> tuple[MarkSignal, Extremum, float]:
    """``(signal, extremum, key_offset_s)``: the most prominent extremum of the marker's signals within
    ``MARK_SEARCH_S`` of the key frame (the nearer one on a tie). A speed minimum is left out: a limb
    slowing down is too common to mark anything. Without any extremum the key is the marker's nearest speed peak."""
    near = max(1, int(round(MARK_SEARCH_S * fps)))
    half = max(1, int(round(PROMINENCE_WINDOW_S * fps)))
    best: tuple[tuple[float, int], MarkSignal, Extremum, int] | None = None
    for signal in MarkSignal:
        values = mark_signal(body_bl, time_s, marker, signal)
        for extremum in Extremum:
            if signal is MarkSignal.SPEED and extremum is Extremum.MIN:
                continue
            for row in _extrema(values, extremum):
                if abs(row - key_row) > near:
                    continue
                rank = (round(_prominence(values, int(row), extremum, half), 2), -abs(int(row) - key_row))
                if best is None or rank > best[0]:
                    best = (rank, signal, extremum, int(row))
    if best is None:
        return MarkSignal.SPEED, Extremum.MAX, 0.0
    _, signal, extremum, row = best
    exact = _refine(mark_signal(body_bl, time_s, marker, signal), row, extremum)
    return signal, extremum, float((key_row - exact) / fps)


def learn_template(
    body_bl: np.ndarray, time_s: np.ndarray, visibility: np.ndarray, key_row: int, side: Side | None = None
) -> MovementTemplate:
    """The template of the rep around ``key_row`` of one smoothed, body-centred clip (see the module docstring).

    Raises ValueError when the key frame is too near either end of the clip or the body is missing around it.
    """
    fps = (len(time_s) - 1) / (time_s[-1] - time_s[0])
    half = int(round(TEMPLATE_HALF_WIDTH_S * fps))
    if not 0 <= key_row < len(time_s):
        raise ValueError(f"key frame {key_row} is outside the clip (0-{len(time_s) - 1})")
    first, last = max(0, key_row - half), min(len(time_s), key_row + half + 1)
    if last - first < half:
        raise ValueError(f"key frame {key_row} leaves less than {TEMPLATE_HALF_WIDTH_S:g} s of movement around it")
    channels = template_channels(body_bl, time_s, TEMPLATE_PARTS)[first:last]
    if not np.all(np.isfinite(channels)):
        raise ValueError(f"the body is not tracked all through frames {first}-{last - 1} around the key frame")
    marker = choose_marker(body_bl, time_s, visibility, key_row, side)
    signal, extremum, offset_s = choose_mark(body_bl, time_s, fps, marker, key_row)
    marker_speed = mark_signal(body_bl, time_s, marker, MarkSignal.SPEED)[first:last]
    return MovementTemplate(
        fps=float(fps),
        key_row=key_row - first,
        parts=TEMPLATE_PARTS,
        channels=channels,
        marker=marker,
        signal=signal,
        extremum=extremum,
        key_offset_s=offset_s,
        marker_peak_speed_bl_per_s=float(np.nanmax(marker_speed)),
        side=Side(marker.split("_")[0].lower()),
    )


# --------------------------------------------------------------------------- finding reps


def _resampled(time_s: np.ndarray, values: np.ndarray, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    grid = np.arange(time_s[0], time_s[-1] + 1e-9, step_s)
    columns = [np.interp(grid, time_s, values[:, k]) for k in range(values.shape[1])]
    return grid, np.stack(columns, axis=1)


def _zscored(windows: np.ndarray) -> np.ndarray:
    """(..., row) normalised along the last axis; a flat channel becomes zeros (it correlates with nothing)."""
    centred = windows - windows.mean(axis=-1, keepdims=True)
    spread = centred.std(axis=-1, keepdims=True)
    return np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 1e-6)


def _correlation_curve(template: MovementTemplate, time_s: np.ndarray, channels: np.ndarray, tempo: float) -> tuple[np.ndarray, np.ndarray]:
    """``(key_time_s, score)`` for every placement of the template, the clip played ``tempo`` times slower."""
    rows = len(template.channels)
    grid, values = _resampled(time_s, channels, tempo / template.fps)
    if len(grid) < rows:
        return np.empty(0), np.empty(0)
    windows = _zscored(sliding_window_view(values, rows, axis=0))  # (placement, channel, row)
    reference = _zscored(np.asarray(template.channels).T)  # (channel, row)
    score = np.einsum("pcr,cr->p", windows, reference) / (rows * reference.shape[0])
    return grid[template.key_row : template.key_row + len(score)], score


def find_matches(template: MovementTemplate, body_bl: np.ndarray, time_s: np.ndarray) -> list[TemplateMatch]:
    """Every rep of the taught movement in a smoothed, body-centred clip, in order (see the module docstring).

    The template is matched as taught and mirrored: a rep done with the other
    side (or labelled so by the pose model) is found too, and says so.
    """
    if len(time_s) < 3:
        return []
    candidates: list[tuple[float, float, float, int]] = []  # (score, key time, tempo, which template)
    versions = (template, template.mirrored())
    for which, version in enumerate(versions):
        channels = template_channels(body_bl, time_s, version.parts)
        finite = np.all(np.isfinite(channels), axis=1)
        if finite.sum() < 3:
            return []
        channels = np.array([np.interp(time_s, time_s[finite], channels[finite, k]) for k in range(channels.shape[1])]).T
        for tempo in TEMPO_FACTORS:
            keys_s, scores = _correlation_curve(version, time_s, channels, tempo)
            candidates += [(float(s), float(k), tempo, which) for k, s in zip(keys_s, scores) if s >= MIN_MATCH_SCORE]
    fps = (len(time_s) - 1) / (time_s[-1] - time_s[0])
    signals = [mark_signal(body_bl, time_s, v.marker, v.signal) for v in versions]
    speeds = [mark_signal(body_bl, time_s, v.marker, MarkSignal.SPEED) for v in versions]
    matches: list[TemplateMatch] = []
    taken: list[tuple[float, float]] = []
    for score, key_s, tempo, which in sorted(candidates, reverse=True):
        speed = speeds[which]
        row_s = tempo / template.fps
        start_s, end_s = key_s - template.key_row * row_s, key_s + (len(template.channels) - 1 - template.key_row) * row_s
        if any(start_s < other_end and other_start < end_s for other_start, other_end in taken):
            continue  # a weaker placement of a rep already found
        start_row, end_row = int(np.searchsorted(time_s, start_s)), int(np.searchsorted(time_s, end_s, side="right"))
        peak = float(np.nanmax(speed[start_row:end_row])) if end_row > start_row else 0.0
        taken.append((start_s, end_s))
        if not peak >= MIN_MARKER_SPEED_FRACTION * template.marker_peak_speed_bl_per_s:
            continue
        key_row = _snap(signals[which], float(np.interp(key_s, time_s, np.arange(len(time_s)))), template, fps)
        matches.append(TemplateMatch(start_row, max(end_row, int(key_row) + 1), key_row, score, peak, versions[which].side))
    return sorted(matches, key=lambda m: m.start_row)


def _snap(signal: np.ndarray, predicted_row: float, template: MovementTemplate, fps: float) -> float:
    """The key row: the mark's extremum nearest the aligned key (within ``SNAP_SEARCH_S``), plus the learnt offset."""
    near = SNAP_SEARCH_S * fps
    rows = [r for r in _extrema(signal, template.extremum) if abs(r - (predicted_row - template.key_offset_s * fps)) <= near]
    if not rows:
        return float(np.clip(predicted_row, 0, len(signal) - 1))
    row = min(rows, key=lambda r: abs(r - (predicted_row - template.key_offset_s * fps)))
    return float(np.clip(_refine(signal, int(row), template.extremum) + template.key_offset_s * fps, 0, len(signal) - 1))
