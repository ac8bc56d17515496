"""Difficulty that keeps errors coming: one step harder above the band, one step easier well below it."""

from __future__ import annotations

from coach_streams import block_with_successes

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.blocks import summarise_block
from motor_trainer.coaching.difficulty import (
    Difficulty,
    DifficultyLadder,
    DifficultyStep,
    SuccessBand,
    TimingWindows,
    next_difficulty,
)
from motor_trainer.coaching.practice import MessageKind, PracticeCoach, PracticeMode

BAND = SuccessBand()


def _block(successes: int, kind: SkillKind = SkillKind.OPEN_LOOP):
    return summarise_block(0, block_with_successes(successes, kind=kind))


def test_open_loop_target_shrinks_after_a_block_at_90_percent():
    change = next_difficulty(Difficulty.starting(SkillKind.OPEN_LOOP), _block(9), BAND)
    assert change.step is DifficultyStep.RAISE
    assert change.after.level == 1
    assert change.after.outcome_tolerance_mm == 40.0
    assert change.after.trajectory_z_threshold == 1.8
    assert change.after.timing_windows_ms is None and change.after.tempo_factor is None
    assert "9 of 10" in change.announcement and "75 %" in change.announcement
    assert "50 → 40 mm" in change.announcement


def test_open_loop_target_grows_after_a_block_at_20_percent():
    change = next_difficulty(Difficulty.starting(SkillKind.OPEN_LOOP), _block(2), BAND)
    assert change.step is DifficultyStep.EASE
    assert change.after.level == -1
    assert change.after.outcome_tolerance_mm > 50.0
    assert "2 of 10" in change.announcement and "40 %" in change.announcement


def test_closed_loop_raise_tightens_windows_and_adds_five_percent_tempo():
    start = Difficulty.starting(SkillKind.CLOSED_LOOP)
    assert start.timing_windows_ms == TimingWindows(50, 100, 200)
    change = next_difficulty(start, _block(9, SkillKind.CLOSED_LOOP), BAND)
    assert change.after.timing_windows_ms == TimingWindows(45, 90, 180)
    assert change.after.tempo_factor == 1.05
    assert change.after.outcome_tolerance_mm is None
    assert "100 % → 105 %" in change.announcement
    assert "±50/±100/±200 → ±45/±90/±180 ms" in change.announcement


def test_mixed_skill_changes_both_sets_of_parameters():
    change = next_difficulty(Difficulty.starting(SkillKind.MIXED), _block(10, SkillKind.MIXED), BAND)
    assert change.after.outcome_tolerance_mm == 40.0 and change.after.tempo_factor == 1.05


def test_a_block_inside_the_band_keeps_the_difficulty_silently():
    start = Difficulty.starting(SkillKind.OPEN_LOOP)
    for successes in (4, 6, 7):
        change = next_difficulty(start, _block(successes), BAND)
        assert change.step is DifficultyStep.KEEP and change.after == start and change.announcement is None


def test_raising_then_easing_returns_to_the_same_setting():
    start = Difficulty.starting(SkillKind.CLOSED_LOOP)
    up = next_difficulty(start, _block(9, SkillKind.CLOSED_LOOP), BAND).after
    back = next_difficulty(up, _block(1, SkillKind.CLOSED_LOOP), BAND).after
    assert back == start


def test_the_ladder_stops_at_its_top_level_without_announcing():
    top = DifficultyLadder(max_level=2).at(SkillKind.OPEN_LOOP, 2)
    change = next_difficulty(top, _block(10), BAND)
    assert change.step is DifficultyStep.KEEP and change.after.level == 2 and change.announcement is None


def test_band_is_configurable():
    strict = SuccessBand(ease_below=0.3, raise_above=0.95)
    assert next_difficulty(Difficulty.starting(SkillKind.OPEN_LOOP), _block(9), strict).step is DifficultyStep.KEEP


def test_coach_announces_and_applies_difficulty_changes_block_by_block():
    coach = PracticeCoach(SkillKind.OPEN_LOOP)
    said = [m for v in block_with_successes(9) for m in coach.observe(v)]
    assert [m.kind for m in said].count(MessageKind.DIFFICULTY) == 1
    assert coach.difficulty.level == 1
    said = [m for v in block_with_successes(2, first_index=10) for m in coach.observe(v)]
    difficulty_texts = [m.text for m in said if m.kind is MessageKind.DIFFICULTY]
    assert len(difficulty_texts) == 1 and "easier" in difficulty_texts[0]
    assert coach.difficulty.level == 0


def test_performance_mode_keeps_the_difficulty_fixed():
    coach = PracticeCoach(SkillKind.OPEN_LOOP, PracticeMode.PERFORMANCE)
    said = [m for v in block_with_successes(10) for m in coach.observe(v)]
    assert MessageKind.DIFFICULTY not in {m.kind for m in said}
    assert coach.difficulty.level == 0
