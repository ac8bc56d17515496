"""Dart outcomes in board millimetres: CSV -> scoring on the standard board -> outcome error -> verdict.

The throws come from the parametric thrower (tests/arm_model.py), four clean
darts; their landing points are written to a CSV as a user would type them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest
from arm_model import dart_session

from motor_trainer.analysis.outcomes import HitMiss, LandingPoint, ThrowDistance, judge_outcome, read_outcomes_csv
from motor_trainer.records.outcome_settings import OutcomeType
from motor_trainer.analysis.rep_errors import analyse_clip
from motor_trainer.records.verdict import Severity
from motor_trainer.commands.analyze import rep_table, save_session
from motor_trainer.errors import UserFacingError
from motor_trainer.skills.open_loop import load_open_loop_preset
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.landmark_files import save_landmarks
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace


@pytest.fixture(scope="module")
def preset():
    return load_open_loop_preset("dart-throw")


@pytest.fixture(scope="module")
def four_clean_throws():
    return dart_session(throws=4, seed=5).sequence


def test_landing_points_are_scored_and_judged_against_the_aim(preset, four_clean_throws, tmp_path):
    csv_path = tmp_path / "darts.csv"
    # bull; 3 cm right of the bull; T20 (10 cm high, an obvious miss when aiming at the bull); no entry
    csv_path.write_text("x_mm,y_mm\n0,4\n30,0\n0,103\n,\n", encoding="utf-8")
    outcomes = read_outcomes_csv(csv_path, OutcomeType.LANDING_POINT)
    assert outcomes == [LandingPoint(0, 4), LandingPoint(30, 0), LandingPoint(0, 103), None]

    clip = analyse_clip(four_clean_throws, preset, outcomes=outcomes)
    judged = [a.outcome for a in clip.analyses]
    verdicts = [a.verdict for a in clip.analyses]
    assert [j.label for j in judged[:3]] == ["BULL", "S6", "T20"]
    assert [j.direction for j in judged[:3]] == ["high", "right", "high"]
    assert [v.outcome_error_mm for v in verdicts[:3]] == pytest.approx([4.0, 30.0, 103.0])
    assert [v.success for v in verdicts] == [True, True, False, None]
    assert verdicts[2].severity is Severity.OBVIOUS and verdicts[2].channel == "outcome"
    missed = next(d for d in verdicts[2].deviations if d.name == "outcome")  # what the coach words: "went high by 103 mm"
    assert (missed.direction, missed.magnitude, missed.unit) == ("high", pytest.approx(103.0), "mm")
    assert missed.z_score == pytest.approx(103.0 / preset.outcome.tolerance_mm)
    assert verdicts[0].severity is Severity.CLEAN and verdicts[3].outcome_error_mm is None


def test_a_tighter_difficulty_turns_a_success_into_a_subtle_miss(preset, four_clean_throws):
    outcomes = [LandingPoint(30, 0)] * 4
    easy = analyse_clip(four_clean_throws, preset, outcomes=outcomes)
    hard = analyse_clip(four_clean_throws, preset, outcomes=outcomes, tolerance_mm=20.0)
    assert [a.verdict.success for a in easy.analyses] == [True] * 4
    assert [(a.verdict.success, a.verdict.severity, a.verdict.channel) for a in hard.analyses] == [
        (False, Severity.SUBTLE, "outcome")
    ] * 4


def test_aiming_at_treble_twenty_measures_the_miss_from_it(preset, four_clean_throws):
    aiming_t20 = replace(preset, outcome=replace(preset.outcome, aim="T20"))
    clip = analyse_clip(four_clean_throws, aiming_t20, outcomes=[LandingPoint(0, 103), LandingPoint(-20, 103)])
    first, second = (a.outcome for a in clip.analyses[:2])
    assert first.error_mm == pytest.approx(0.0, abs=1e-9) and first.success
    assert second.error_mm == pytest.approx(20.0) and second.direction == "left" and second.label == "T5"


def test_outcome_csv_mistakes_name_the_file_and_line(tmp_path):
    path = tmp_path / "darts.csv"
    path.write_text("x_mm,y_mm\n0,4\n12,abc\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match=r"darts\.csv:3: 'abc' is not a number"):
        read_outcomes_csv(path, OutcomeType.LANDING_POINT)
    path.write_text("x,y\n0,4\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match=r"darts\.csv:1: a landing-point outcome needs column\(s\) x_mm, y_mm"):
        read_outcomes_csv(path, OutcomeType.LANDING_POINT)
    with pytest.raises(UserFacingError, match=r"missing\.csv: outcomes file not found"):
        read_outcomes_csv(tmp_path / "missing.csv", OutcomeType.HIT_MISS)
    path.write_text("hit\nyes\nmaybe\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match=r"darts\.csv:3: hit must be"):
        read_outcomes_csv(path, OutcomeType.HIT_MISS)
    path.write_text("shot,hit\n1,hit\n2,0\n", encoding="utf-8")
    assert read_outcomes_csv(path, OutcomeType.HIT_MISS) == [HitMiss(True), HitMiss(False)]


def test_distance_and_hit_miss_outcomes_follow_their_own_rules():
    throw = load_open_loop_preset("generic-throw").outcome  # aim 10 m, tolerance 1 m, obvious beyond 2 m
    short, long_, far = (judge_outcome(ThrowDistance(d), throw) for d in (9_500.0, 11_500.0, 12_500.0))
    assert (short.error_mm, short.direction, short.success, short.obvious) == (-500.0, "short", True, False)
    assert (long_.direction, long_.success, long_.obvious) == ("long", False, False)
    assert far.obvious
    shot = load_open_loop_preset("free-throw").outcome
    assert judge_outcome(HitMiss(True), shot).success
    missed = judge_outcome(HitMiss(False), shot)
    assert not missed.success and missed.obvious and missed.error_mm is None


def test_analyzed_darts_are_stored_as_a_session_and_tabled(preset, four_clean_throws, tmp_path):
    """The `analyze` command's storage and table, fed the synthetic throws instead of a tracked video."""
    workspace = Workspace(tmp_path / "ws")
    recording = tmp_path / "darts.landmarks.npz"  # not a video: the session keeps no copy of it
    save_landmarks(four_clean_throws, recording)
    outcomes = [LandingPoint(0, 4), LandingPoint(0, 103), LandingPoint(-150, -20), None]
    clip = analyse_clip(four_clean_throws, preset, outcomes=outcomes)
    args = argparse.Namespace(model="lite", rotate=0)
    session = save_session(workspace, recording, four_clean_throws, clip, args, preset, calibration=None)

    stored = SessionStore(workspace.sessions_dir).get(session.session_id)
    assert stored.manifest.skill == "dart-throw"
    assert stored.verdicts() == list(clip.verdicts)
    outcome_events = [e.payload for e in stored.events() if e.kind is EventKind.OUTCOME]
    assert [(e["label"], e["success"], e["obvious"]) for e in outcome_events] == [
        ("BULL", True, False), ("T20", False, True), ("S11", False, True)
    ]
    table = rep_table(clip.analyses).splitlines()
    assert len(table) == 2 + 4
    assert "T20 103 mm high" in table[3] and "obvious" in table[3]
    assert "S11 151 mm left" in table[4]
