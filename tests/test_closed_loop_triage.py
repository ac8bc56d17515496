"""Triage of one step's measured errors: rhythm first, then placement, then posture; small differences stay quiet."""

from __future__ import annotations

import pytest

from motor_trainer.analysis.step_errors import StepJudgement, triage
from motor_trainer.records.verdict import Severity
from motor_trainer.skills.closed_loop import ErrorThresholds, StepTier, TimingWindows

WINDOWS = TimingWindows(perfect_ms=50, good_ms=100, ok_ms=200)
THRESHOLDS = ErrorThresholds()


def judge(timing_ms: float, placement_bl: float = 0.0, posture: dict[str, float] | None = None, mirror: bool = False):
    return triage(StepJudgement(False, timing_ms, placement_bl, posture or {"left_knee": 3.0}), WINDOWS, THRESHOLDS, "bl", mirror)


@pytest.mark.parametrize(
    ("timing_ms", "tier", "severity", "channel"),
    [(30, StepTier.PERFECT, Severity.CLEAN, ""), (-80, StepTier.GOOD, Severity.CLEAN, ""),
     (150, StepTier.OK, Severity.SUBTLE, "timing"), (-260, StepTier.MISS, Severity.OBVIOUS, "timing")],
)
def test_timing_windows_set_tier_and_severity(timing_ms, tier, severity, channel) -> None:
    got_severity, got_channel, got_tier, deviations = judge(timing_ms)
    assert (got_tier, got_severity, got_channel) == (tier, severity, channel)
    timing = next(d for d in deviations if d.unit == "ms")
    assert timing.direction == ("late" if timing_ms > 0 else "early")
    assert timing.magnitude == abs(timing_ms)


def test_rhythm_outranks_a_gross_posture_error() -> None:
    severity, channel, _, deviations = judge(-250, posture={"right_knee": 70.0})
    assert (severity, channel) == (Severity.OBVIOUS, "timing")
    assert any(d.body_part == "right_knee" and d.magnitude == 70.0 for d in deviations)


def test_gross_placement_outranks_gross_posture_but_not_rhythm() -> None:
    assert judge(20, placement_bl=0.3, posture={"right_knee": 70.0})[:2] == (Severity.OBVIOUS, "placement")
    assert judge(240, placement_bl=0.3)[:2] == (Severity.OBVIOUS, "timing")


def test_small_posture_difference_is_recorded_quietly() -> None:
    severity, channel, tier, deviations = judge(10, posture={"left_elbow": 22.0})
    assert (severity, channel, tier) == (Severity.SUBTLE, "posture", StepTier.PERFECT)
    assert deviations[-1].name == "left_elbow_angle"


def test_missing_step_is_obvious() -> None:
    assert triage(StepJudgement(True, None, None, {}), WINDOWS, THRESHOLDS, "bl", False)[:3] == (Severity.OBVIOUS, "missing", StepTier.MISS)


def test_mirrored_student_hears_about_their_own_side() -> None:
    _, _, _, deviations = judge(10, posture={"left_knee": 50.0}, mirror=True)
    assert next(d for d in deviations if d.unit == "deg").body_part == "right_knee"
