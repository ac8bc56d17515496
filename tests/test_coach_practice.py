"""The practice coach fed synthetic verdict streams: reward after misses, reflections, modes, blocks."""

from __future__ import annotations

import subprocess
import sys

from coach_streams import block_with_successes, from_pattern, make_verdict, misses_by_channel, values_with_sd

from motor_trainer.records.verdict import Severity, SkillKind
from motor_trainer.coaching.practice import (
    MessageKind,
    PracticeCoach,
    PracticeMode,
    PracticeSettings,
    summarise_session,
)


def _rewarded_reps(pattern: str, mode: PracticeMode = PracticeMode.PRACTICE) -> list[int]:
    coach = PracticeCoach(SkillKind.OPEN_LOOP, mode, PracticeSettings(block_size_reps=50))
    said = [m for v in from_pattern(pattern) for m in coach.observe(v)]
    return [m.rep_index for m in said if m.kind is MessageKind.REWARD]


def test_reward_fires_on_the_first_success_after_three_misses():
    assert _rewarded_reps("MMMS") == [3]


def test_reward_fires_only_once_per_run_of_misses():
    assert _rewarded_reps("MMMMSSS") == [4]
    assert _rewarded_reps("MMMSSMMMMS") == [3, 9]


def test_no_reward_after_fewer_than_three_misses_or_without_misses():
    assert _rewarded_reps("MMS") == []
    assert _rewarded_reps("SSSS") == []
    assert _rewarded_reps("MSMSMMS") == []


def test_reward_is_a_brief_cue_to_notice_not_a_fanfare():
    coach = PracticeCoach(SkillKind.OPEN_LOOP)
    said = [m for v in from_pattern("MMMS") for m in coach.observe(v)]
    reward = next(m for m in said if m.kind is MessageKind.REWARD)
    assert "3 misses" in reward.text and "notice" in reward.text
    assert "!" not in reward.text and len(reward.text) < 160


def test_obvious_misses_get_a_curious_note_naming_the_channel_and_direction():
    coach = PracticeCoach(SkillKind.OPEN_LOOP)
    said = coach.observe(from_pattern("M")[0])
    assert [m.kind for m in said] == [MessageKind.OBVIOUS_MISS]
    assert said[0].text.startswith("Interesting")
    assert "elbow drift went forward by 8 cm" in said[0].text
    assert said[0].text.endswith("?")


def test_reflection_names_the_channel_injected_most_often():
    verdicts = misses_by_channel([("timing", "late", 3), ("elbow_drift", "forward", 7)])
    said = summarise_session(verdicts, SkillKind.OPEN_LOOP)
    reflection = next(m for m in said if m.kind is MessageKind.REFLECTION)
    assert "Elbow drift stood out in 7 of 10 misses, mostly forward." in reflection.text
    assert "timing" not in reflection.text.lower()


def test_reflection_compares_channel_and_the_most_changed_spread_with_the_previous_block():
    steady_heights = values_with_sd(150.0, 4.0, 10, seed=1)
    wide_heights = values_with_sd(150.0, 9.0, 10, seed=2)
    speeds = values_with_sd(3.0, 0.2, 10, seed=3)
    first = misses_by_channel([("elbow_drift", "forward", 6), ("timing", "late", 4)])
    second = misses_by_channel([("timing", "late", 8), ("elbow_drift", "forward", 2)], first_index=10)
    stream = [
        make_verdict(
            v.index,
            success=False,
            severity=Severity.OBVIOUS,
            channel=v.channel,
            direction=v.deviations[0].direction,
            features={
                "release_height_cm": float((steady_heights if v.index < 10 else wide_heights)[v.index % 10]),
                "peak_wrist_speed_bl_per_s": float(speeds[v.index % 10]),
            },
        )
        for v in first + second
    ]
    reflections = [m.text for m in summarise_session(stream, SkillKind.OPEN_LOOP) if m.kind is MessageKind.REFLECTION]
    assert len(reflections) == 2
    assert "Timing stood out in 8 of 10 misses, mostly late." in reflections[1]
    assert "Last block, elbow drift stood out instead (6 of 10 misses)." in reflections[1]
    assert "Release height varied 9 cm this block, against 4 cm in the last." in reflections[1]


def test_practice_mode_never_scores():
    coach = PracticeCoach(SkillKind.OPEN_LOOP, PracticeMode.PRACTICE)
    said = [m for v in block_with_successes(3) for m in coach.observe(v)]
    assert coach.score is None
    assert MessageKind.SCORE not in {m.kind for m in said}
    summary = next(m for m in said if m.kind is MessageKind.BLOCK_SUMMARY)
    assert "none of this counts toward a score" in summary.text


def test_performance_mode_scores_every_rep():
    coach = PracticeCoach(SkillKind.OPEN_LOOP, PracticeMode.PERFORMANCE)
    said = [m for v in block_with_successes(9) + block_with_successes(5, first_index=10) for m in coach.observe(v)]
    assert (coach.score.successes, coach.score.reps) == (14, 20)
    scores = [m.text for m in said if m.kind is MessageKind.SCORE]
    assert len(scores) == 2 and "9 of 10" in scores[0] and "14 of 20" in scores[1]


def test_block_summary_reports_success_error_and_obvious_counts():
    said = summarise_session(block_with_successes(7), SkillKind.OPEN_LOOP)
    summary = next(m for m in said if m.kind is MessageKind.BLOCK_SUMMARY)
    assert summary.text.startswith("Block 1: 7 of 10 successful (70 %), errors in 3 of 10, 3 obvious misses.")


def test_session_summary_splits_blocks_of_ten_and_keeps_the_rest_as_a_last_block():
    said = summarise_session(block_with_successes(6, reps=25), SkillKind.OPEN_LOOP)
    summaries = [m.text for m in said if m.kind is MessageKind.BLOCK_SUMMARY]
    assert len(summaries) == 3 and " of 5 successful" in summaries[2]


def test_a_closed_loop_block_is_one_run_of_the_routine_however_many_steps():
    runs = [
        block_with_successes(5, reps=6, kind=SkillKind.CLOSED_LOOP),
        block_with_successes(11, reps=14, kind=SkillKind.CLOSED_LOOP),
        block_with_successes(7, reps=8, kind=SkillKind.CLOSED_LOOP),
    ]
    said = summarise_session([v for run in runs for v in run], SkillKind.CLOSED_LOOP)
    summaries = [m.text for m in said if m.kind is MessageKind.BLOCK_SUMMARY]
    assert [s.split(" successful")[0] for s in summaries] == ["Block 1: 5 of 6", "Block 2: 11 of 14", "Block 3: 7 of 8"]


def test_end_block_closes_a_routine_run_explicitly():
    coach = PracticeCoach(SkillKind.CLOSED_LOOP)
    for verdict in block_with_successes(4, reps=5, kind=SkillKind.CLOSED_LOOP):
        assert MessageKind.BLOCK_SUMMARY not in {m.kind for m in coach.observe(verdict)}
    said = coach.end_block()
    assert said[0].kind is MessageKind.BLOCK_SUMMARY and len(coach.blocks) == 1
    assert coach.end_block() == []


def test_the_coach_is_pure_logic_without_qt_mediapipe_or_opencv():
    modules = ("classify", "practice", "progress", "form", "difficulty", "blocks")
    code = (
        "import sys\n"
        + "".join(f"import motor_trainer.coaching.{m}\n" for m in modules)
        + "print(sorted(m for m in ('PySide6', 'pyqtgraph', 'mediapipe', 'cv2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
