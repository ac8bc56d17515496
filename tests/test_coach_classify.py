"""Classify the skill: the question flow ends in a kind and a preset for every path."""

from __future__ import annotations

import pytest

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.classify import (
    FIRST_QUESTION,
    FLOW,
    Classification,
    Question,
    SkillPreset,
    classify,
    next_step,
)
from motor_trainer.errors import UserFacingError


@pytest.mark.parametrize(
    ("answers", "kind", "preset"),
    [
        (["after", "dartboard"], SkillKind.OPEN_LOOP, SkillPreset.DART_THROW),
        (["after", "hoop"], SkillKind.OPEN_LOOP, SkillPreset.FREE_THROW),
        (["after", "other"], SkillKind.OPEN_LOOP, SkillPreset.GENERIC_THROW),
        (["during"], SkillKind.CLOSED_LOOP, SkillPreset.DANCE_FOOTWORK),
        (["both", "release"], SkillKind.MIXED, SkillPreset.GENERIC_THROW),
        (["both", "movement"], SkillKind.MIXED, SkillPreset.DANCE_FOOTWORK),
    ],
)
def test_each_path_gives_a_kind_and_preset(answers, kind, preset):
    result = classify(answers)
    assert (result.kind, result.preset) == (kind, preset)
    assert str(preset) in result.explanation


def test_flow_asks_about_feedback_timing_first_and_offers_examples():
    first = next_step([])
    assert isinstance(first, Question) and first.question_id == FIRST_QUESTION
    assert "find out" in first.text
    assert all(answer.examples for question in FLOW.values() for answer in question.answers)


def test_every_answer_leads_somewhere_that_exists():
    for question in FLOW.values():
        for answer in question.answers:
            assert answer.next_question in FLOW or isinstance(answer.result, Classification)


def test_open_loop_examples_name_darts_and_free_throws():
    after = FLOW[FIRST_QUESTION].answer("after")
    assert "throwing a dart" in after.examples and "shooting a free throw" in after.examples


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (["sometimes"], "'sometimes' is not an answer"),
        (["after"], "not finished"),
        (["during", "dartboard"], "too many answers"),
    ],
)
def test_bad_answers_are_one_line_user_errors(answers, message):
    with pytest.raises(UserFacingError, match=message) as error:
        classify(answers)
    assert "\n" not in str(error.value)
