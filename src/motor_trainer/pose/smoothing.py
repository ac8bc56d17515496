"""Gap filling and smoothing of landmark tracks.

Analysis uses a zero-phase Butterworth filter (no lag, so release frames and
step times stay where they were); the live overlay uses a One Euro filter,
which is causal but blunts range of motion, so it never feeds analysis.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

import numpy as np

from motor_trainer.pose.landmarks import PoseSequence


def _finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open [start, end) runs where ``mask`` is True."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def interpolate_track(values: np.ndarray, time_s: np.ndarray, max_gap_frames: int) -> np.ndarray:
    """Linearly fill NaN gaps of at most ``max_gap_frames`` in (frame, ...) ``values``.

    Notes: gaps at the start or end, and longer gaps, stay NaN (nothing is
    invented where the person was out of view). Each trailing column is
    filled on its own.
    """
    filled = np.array(values, dtype=float, order="C")  # C order: the reshape below must be a view
    flat = filled.reshape(len(filled), -1)
    for column in range(flat.shape[1]):
        track = flat[:, column]
        missing = ~np.isfinite(track)
        if not missing.any() or missing.all():
            continue
        for start, end in _finite_runs(missing):
            if start == 0 or end == len(track) or end - start > max_gap_frames:
                continue
            track[start:end] = np.interp(time_s[start:end], time_s[[start - 1, end]], track[[start - 1, end]])
    return filled


def interpolate_gaps(sequence: PoseSequence, max_gap_frames: int = 10) -> PoseSequence:
    """Fill short dropouts (default 10 frames, a third of a second at 30 fps) in every track."""
    t = sequence.time_s
    return sequence.replace(
        xy_px=interpolate_track(sequence.xy_px, t, max_gap_frames),
        world_m=interpolate_track(sequence.world_m, t, max_gap_frames),
    )


def load_filters() -> ModuleType:
    """scipy.signal, imported on first use: its 0.6 s import was most of every command's start
    (``--help`` took 1.3 s, now 0.5 s) and ``track`` never filters. The live run calls this before
    its frames flow, so the first rep's analysis does not wait for it."""
    return importlib.import_module("scipy.signal")


@lru_cache(maxsize=32)
def _butterworth_coefficients(order: int, normalised_cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """Filter design costs more than filtering a short live window: designed once per rate."""
    return load_filters().butter(order, normalised_cutoff)


def butterworth_track(values: np.ndarray, fps: float, cutoff_hz: float = 6.0, order: int = 4) -> np.ndarray:
    """Zero-phase low-pass of (frame, ...) ``values``, run separately over each NaN-free stretch.

    Notes: ``filtfilt`` doubles the effective order; stretches too short for
    its padding (3 × filter length) are left as they are rather than ringing.
    A cutoff at or above Nyquist returns the input unchanged.
    """
    out = np.array(values, dtype=float, order="C")  # C order: the reshape below must be a view
    nyquist = fps / 2.0
    if not np.isfinite(fps) or cutoff_hz >= nyquist:
        return out
    b, a = _butterworth_coefficients(order, round(cutoff_hz / nyquist, 4))
    filtfilt = load_filters().filtfilt
    min_length = 3 * max(len(a), len(b)) + 1
    flat = out.reshape(len(out), -1)
    finite_rows = np.isfinite(flat).all(axis=1)
    for start, end in _finite_runs(finite_rows):
        if end - start >= min_length:
            flat[start:end] = filtfilt(b, a, flat[start:end], axis=0)
    return out


def butterworth_smooth(sequence: PoseSequence, cutoff_hz: float = 6.0, order: int = 4) -> PoseSequence:
    """The sequence low-passed at ``cutoff_hz`` (6 Hz keeps a throw's peak speed, drops jitter)."""
    return sequence.replace(
        xy_px=butterworth_track(sequence.xy_px, sequence.fps, cutoff_hz, order),
        world_m=butterworth_track(sequence.world_m, sequence.fps, cutoff_hz, order),
    )


class OneEuroFilter:
    """Vectorised One Euro filter (Casiez et al. 2012) for the live overlay.

    Filters an array of any shape per element: little smoothing when a point
    moves fast (low lag), strong smoothing when it is still (no jitter).
    NaN input resets that element.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.05, derivative_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.derivative_cutoff_hz = derivative_cutoff_hz
        self._value: np.ndarray | None = None
        self._derivative: np.ndarray | None = None
        self._time_s: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray:
        tau = 1.0 / (2 * np.pi * np.asarray(cutoff_hz))
        return 1.0 / (1.0 + tau / dt_s)

    def __call__(self, value: np.ndarray, time_s: float) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        if self._value is None or self._derivative is None or self._time_s is None or time_s <= self._time_s:
            self._value = value.copy()
            self._derivative = np.zeros_like(value)
            self._time_s = time_s
            return value.copy()
        dt_s = time_s - self._time_s
        self._time_s = time_s
        previous = np.where(np.isfinite(self._value), self._value, value)
        raw_derivative = (value - previous) / dt_s
        derivative = self._derivative + self._alpha(self.derivative_cutoff_hz, dt_s) * (raw_derivative - self._derivative)
        derivative = np.where(np.isfinite(derivative), derivative, 0.0)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(derivative)
        smoothed = previous + self._alpha(cutoff, dt_s) * (value - previous)
        self._value = np.where(np.isfinite(value), smoothed, np.nan)
        self._derivative = derivative
        return self._value.copy()
