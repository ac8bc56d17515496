"""Form quality over a session: productive frustration or burnout?

The framework seed (step 4) separates "productive frustration (many errors but
sustained engagement)" from "burnout (declining focus and form)": the first
is the plasticity window and the learner should keep going; the second needs
rest. Errors alone cannot tell them apart, so form is followed on four signs,
each comparing the latest reps with the session's first reps:

- movement speed: the mean of the speed features (``*speed*`` keys) has dropped;
- rep rhythm: the time between rep starts has become uneven (robust
  coefficient of variation, MAD/median, so one pause does not count); only
  for open-loop and mixed skills, since a routine's choreography sets the
  time between its steps (their timing against the beat is a feature, and
  so part of the path sign);
- path variability: the other features spread more (median over features of
  the SD ratio, latest against first);
- error size: the largest |z| per rep has grown.

Declining form is at least ``signs_needed`` (default 2) of the four signs
past their thresholds: a single sign over ten reps is too noisy to send
someone away from practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.coaching.features import feature_means, feature_sds, is_speed_feature
from motor_trainer.feedback import messages

#: MAD of a normal sample times this is its SD.
_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class FormSettings:
    """Thresholds for "declining form"; the defaults are our judgement, stated with the reason.

    ``window_reps`` 10: one default block, the seed's unit of reflection.
    ``speed_drop_fraction`` 0.15: slower by more than a sixth is more than
    rep-to-rep noise of a peak speed. ``rhythm_spread_rise`` 0.15: the time
    between reps varying 15 points more than at the start. ``path_spread_ratio``
    and ``error_size_ratio`` 1.5: half as much spread or error again.
    ``error_size_floor_z`` 1.0: error sizes below one reference SD are normal
    variation, so a clean start does not make any error look like growth.
    """

    window_reps: int = 10
    speed_drop_fraction: float = 0.15
    rhythm_spread_rise: float = 0.15
    path_spread_ratio: float = 1.5
    error_size_ratio: float = 1.5
    error_size_floor_z: float = 1.0
    signs_needed: int = 2

    def __post_init__(self) -> None:
        if self.window_reps < 3:
            raise ValueError("form needs at least 3 reps per window to have a spread")
        if not 1 <= self.signs_needed <= len(FormSignal):
            raise ValueError(f"signs_needed must be between 1 and {len(FormSignal)}")


class FormSignal(StrEnum):
    SPEED = "speed"
    RHYTHM = "rhythm"
    PATH = "path"
    ERROR_SIZE = "error-size"


@dataclass(frozen=True)
class FormSign:
    """One sign: its value over the first reps and the latest reps, and whether it crossed its threshold."""

    signal: FormSignal
    start_value: float
    recent_value: float
    declined: bool

    def describe(self) -> str:
        if self.signal is FormSignal.SPEED:
            return messages.form_sign_slower(100 * (1 - self.recent_value / self.start_value))
        if self.signal is FormSignal.RHYTHM:
            return messages.form_sign_uneven_rhythm(100 * self.start_value, 100 * self.recent_value)
        if self.signal is FormSignal.PATH:
            return messages.form_sign_path_variability(self.recent_value / self.start_value)
        return messages.form_sign_larger_errors(self.recent_value / self.start_value)


@dataclass(frozen=True)
class FormAssessment:
    """``assessed`` is False until there are two non-overlapping windows of reps to compare."""

    reps_seen: int
    assessed: bool
    signs: tuple[FormSign, ...]
    signs_needed: int

    @property
    def declined_signs(self) -> tuple[FormSign, ...]:
        return tuple(sign for sign in self.signs if sign.declined)

    @property
    def declining(self) -> bool:
        return self.assessed and len(self.declined_signs) >= self.signs_needed

    @property
    def steady(self) -> bool:
        return self.assessed and not self.declining


def assess_form(verdicts: Sequence[Verdict], settings: FormSettings) -> FormAssessment:
    """Compare the session's first ``window_reps`` reps with its latest ones."""
    window = settings.window_reps
    if len(verdicts) < 2 * window:
        return FormAssessment(reps_seen=len(verdicts), assessed=False, signs=(), signs_needed=settings.signs_needed)
    start, recent = verdicts[:window], verdicts[-window:]
    signs = [
        sign
        for sign in (
            _speed_sign(start, recent, settings),
            _rhythm_sign(start, recent, settings),
            _path_sign(start, recent, settings),
            _error_size_sign(start, recent, settings),
        )
        if sign is not None
    ]
    return FormAssessment(
        reps_seen=len(verdicts), assessed=True, signs=tuple(signs), signs_needed=settings.signs_needed
    )


def _ratios(start: dict[str, float], recent: dict[str, float], speed: bool) -> np.ndarray:
    """Recent over start for every feature (speed ones or the others) present with a positive start value."""
    keys = sorted(key for key in start.keys() & recent.keys() if is_speed_feature(key) == speed and start[key] > 0)
    return np.array([recent[key] / start[key] for key in keys], dtype=float)


def _speed_sign(start: Sequence[Verdict], recent: Sequence[Verdict], settings: FormSettings) -> FormSign | None:
    ratios = _ratios(feature_means(start), feature_means(recent), speed=True)
    if ratios.size == 0:
        return None
    # Speeds of different landmarks are combined as ratios so a fast wrist does not outweigh a slow hip.
    ratio = float(ratios.mean())
    return FormSign(
        signal=FormSignal.SPEED,
        start_value=1.0,
        recent_value=ratio,
        declined=ratio < 1 - settings.speed_drop_fraction,
    )


def _robust_spread(intervals_s: np.ndarray) -> float:
    median = float(np.median(intervals_s))
    return _MAD_TO_SD * float(np.median(np.abs(intervals_s - median))) / median


def _rhythm_sign(start: Sequence[Verdict], recent: Sequence[Verdict], settings: FormSettings) -> FormSign | None:
    if any(v.kind is SkillKind.CLOSED_LOOP for v in (*start, *recent)):
        return None
    start_intervals = np.diff([v.start_s for v in start])
    recent_intervals = np.diff([v.start_s for v in recent])
    if np.median(start_intervals) <= 0 or np.median(recent_intervals) <= 0:
        return None
    start_spread, recent_spread = _robust_spread(start_intervals), _robust_spread(recent_intervals)
    return FormSign(
        signal=FormSignal.RHYTHM,
        start_value=start_spread,
        recent_value=recent_spread,
        declined=recent_spread - start_spread > settings.rhythm_spread_rise,
    )


def _path_sign(start: Sequence[Verdict], recent: Sequence[Verdict], settings: FormSettings) -> FormSign | None:
    ratios = _ratios(feature_sds(start), feature_sds(recent), speed=False)
    if ratios.size == 0:
        return None
    ratio = float(np.median(ratios))
    return FormSign(
        signal=FormSignal.PATH,
        start_value=1.0,
        recent_value=ratio,
        declined=ratio > settings.path_spread_ratio,
    )


def _error_size(verdict: Verdict) -> float:
    return max((abs(d.z_score) for d in verdict.deviations), default=0.0)


def _error_size_sign(start: Sequence[Verdict], recent: Sequence[Verdict], settings: FormSettings) -> FormSign:
    start_size = max(float(np.mean([_error_size(v) for v in start])), settings.error_size_floor_z)
    recent_size = float(np.mean([_error_size(v) for v in recent]))
    return FormSign(
        signal=FormSignal.ERROR_SIZE,
        start_value=start_size,
        recent_value=recent_size,
        declined=recent_size > settings.error_size_ratio * start_size,
    )
