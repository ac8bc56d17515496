"""Progress across sessions, per skill and feature: statements to read and series to plot.

The reframing-failure seed: "Celebrate intellectual progress, not just
performance outcomes" ("you got that wrong last week and this week you got it
right -- that's learning happening"). Progress here is first consistency: a
feature's variability is its sample SD within one session, and a shrinking
spread is the motor pattern settling, whatever the score did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.records.verdict import is_success
from motor_trainer.coaching.dance_progress import dance_progress
from motor_trainer.coaching.features import feature_values, feature_words, parse_feature_key
from motor_trainer.records.units import Unit
from motor_trainer.coaching.session_words import session_pair_words
from motor_trainer.feedback import messages


class ProgressTrend(StrEnum):
    STEADIER = "steadier"
    MORE_VARIED = "more-varied"
    SIMILAR = "similar"


@dataclass(frozen=True)
class ProgressSettings:
    """``similar_ratio`` 1.2: spreads within 20 % of each other are read as the same (ten reps
    estimate an SD only to about ±25 %). ``max_feature_statements`` 3: the largest changes only."""

    similar_ratio: float = 1.2
    max_feature_statements: int = 3


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class FeatureSeries:
    """One feature of one skill over sessions, oldest first: ``sd`` and ``mean`` per session (NaN where
    the session has fewer than two values, or none), ``reps`` how many reps reported it."""

    skill: str
    feature_key: str
    unit: Unit
    session_ids: tuple[str, ...]
    started_at: tuple[datetime, ...]
    sd: np.ndarray
    mean: np.ndarray
    reps: np.ndarray

    def __post_init__(self) -> None:
        count = len(self.session_ids)
        if len(self.started_at) != count or any(a.shape != (count,) for a in (self.sd, self.mean, self.reps)):
            raise ValueError("FeatureSeries arrays must have one value per session")
        for name in ("sd", "mean", "reps"):
            object.__setattr__(self, name, _readonly(np.array(getattr(self, name))))


@dataclass(frozen=True)
class SuccessSeries:
    """Successes and reps per session, oldest first (the one success rule from coaching.blocks)."""

    skill: str
    session_ids: tuple[str, ...]
    started_at: tuple[datetime, ...]
    successes: np.ndarray
    reps: np.ndarray

    def __post_init__(self) -> None:
        for name in ("successes", "reps"):
            object.__setattr__(self, name, _readonly(np.array(getattr(self, name))))

    @property
    def success_rate(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.reps > 0, self.successes / np.maximum(self.reps, 1), np.nan)


@dataclass(frozen=True)
class SkillProgress:
    skill: str
    features: Mapping[str, FeatureSeries]
    success: SuccessSeries
    statements: tuple[str, ...]
    feature_statements: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))
        object.__setattr__(self, "feature_statements", MappingProxyType(dict(self.feature_statements)))


def _sessions_of(sessions: Sequence[SessionVerdicts], skill: str) -> list[SessionVerdicts]:
    """The skill's sessions, oldest first."""
    return sorted((s for s in sessions if s.skill == skill), key=lambda s: s.started_at)


def feature_series(sessions: Sequence[SessionVerdicts], skill: str) -> dict[str, FeatureSeries]:
    """Per-session SD and mean of every feature the skill's sessions report."""
    ordered = _sessions_of(sessions, skill)
    per_session = [feature_values(s.verdicts) for s in ordered]
    keys = sorted({key for values in per_session for key in values})
    empty = np.array([])

    def per_key(key: str, statistic, minimum: int) -> np.ndarray:
        return np.array(
            [statistic(v[key]) if v.get(key, empty).size >= minimum else np.nan for v in per_session], dtype=float
        )

    return {
        key: FeatureSeries(
            skill=skill,
            feature_key=key,
            unit=parse_feature_key(key).unit,
            session_ids=tuple(s.session_id for s in ordered),
            started_at=tuple(s.started_at for s in ordered),
            sd=per_key(key, lambda values: values.std(ddof=1), minimum=2),
            mean=per_key(key, np.mean, minimum=1),
            reps=np.array([v.get(key, empty).size for v in per_session], dtype=int),
        )
        for key in keys
    }


def success_series(sessions: Sequence[SessionVerdicts], skill: str) -> SuccessSeries:
    ordered = _sessions_of(sessions, skill)
    return SuccessSeries(
        skill=skill,
        session_ids=tuple(s.session_id for s in ordered),
        started_at=tuple(s.started_at for s in ordered),
        successes=np.array([sum(is_success(v) for v in s.verdicts) for s in ordered], dtype=int),
        reps=np.array([len(s.verdicts) for s in ordered], dtype=int),
    )


def variability_trend(sd_before: float, sd_now: float, settings: ProgressSettings) -> ProgressTrend:
    if sd_now * settings.similar_ratio < sd_before:
        return ProgressTrend.STEADIER
    if sd_now > sd_before * settings.similar_ratio:
        return ProgressTrend.MORE_VARIED
    return ProgressTrend.SIMILAR


def skill_progress(
    sessions: Sequence[SessionVerdicts], skill: str, now: datetime, settings: ProgressSettings | None = None
) -> SkillProgress:
    """Series over all of the skill's sessions; statements compare the latest session with the one before."""
    settings = settings or ProgressSettings()
    features = feature_series(sessions, skill)
    success = success_series(sessions, skill)
    statements: list[str] = []
    feature_statements: dict[str, str] = {}
    if len(success.session_ids) >= 2:
        before_words, latest_words = session_pair_words(success.started_at[-2], success.started_at[-1], now)
        if success.reps[-2] > 0 and success.reps[-1] > 0:
            statements.append(
                messages.success_progress(
                    before_words,
                    int(success.successes[-2]),
                    int(success.reps[-2]),
                    latest_words,
                    int(success.successes[-1]),
                    int(success.reps[-1]),
                )
            )
        comparable = [
            series for series in features.values() if np.isfinite(series.sd[-2:]).all() and (series.sd[-2:] > 0).all()
        ]
        comparable.sort(key=lambda s: abs(math.log(s.sd[-1] / s.sd[-2])), reverse=True)
        for series in comparable:
            before_sd, now_sd = float(series.sd[-2]), float(series.sd[-1])
            feature_statements[series.feature_key] = messages.variability_progress(
                before_words,
                feature_words(series.feature_key),
                messages.format_quantity(before_sd, series.unit),
                latest_words,
                messages.format_quantity(now_sd, series.unit),
                str(variability_trend(before_sd, now_sd, settings)),
            )
        statements += list(feature_statements.values())[: settings.max_feature_statements]
    if (danced := dance_progress(sessions, skill, now)) is not None:
        statements.append(danced)
    return SkillProgress(
        skill=skill,
        features=features,
        success=success,
        statements=tuple(statements),
        feature_statements=feature_statements,
    )


def progress_by_skill(
    sessions: Sequence[SessionVerdicts], now: datetime, settings: ProgressSettings | None = None
) -> dict[str, SkillProgress]:
    return {skill: skill_progress(sessions, skill, now, settings) for skill in sorted({s.skill for s in sessions})}
