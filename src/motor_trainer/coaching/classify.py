"""Classify the skill: a short question flow, kept as data, ending in a skill kind and a preset.

The framework seed's first step: "Determine whether you are learning an
open-loop skill (perform action, get feedback after) or a closed-loop skill
(continuous feedback during performance) ... Many skills contain both
elements." The kind decides how errors are found (after a rep, or against a
rhythm while moving); the preset names the shipped skill settings
(motor_trainer/presets/skills/<preset>.toml).

The GUI shows ``FLOW[question_id]`` one question at a time; the CLI can pass
the answer ids in one go to ``classify``. All wording is in feedback/messages.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from motor_trainer.records.verdict import SkillKind
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback import messages


class SkillPreset(StrEnum):
    """Preset names the flow can end in; each is a shipped preset file's name."""

    DART_THROW = "dart-throw"
    FREE_THROW = "free-throw"
    GENERIC_THROW = "generic-throw"
    DANCE_FOOTWORK = "dance-footwork"


@dataclass(frozen=True)
class Classification:
    kind: SkillKind
    preset: SkillPreset

    @property
    def explanation(self) -> str:
        return messages.classification_result(messages.SKILL_KIND_EXPLANATIONS[self.kind], self.preset)


@dataclass(frozen=True)
class Answer:
    """One choice: it leads either to another question (``next_question``) or to a ``result``."""

    answer_id: str
    text: str
    examples: tuple[str, ...]
    next_question: str | None = None
    result: Classification | None = None

    def __post_init__(self) -> None:
        if (self.next_question is None) == (self.result is None):
            raise ValueError(f"answer '{self.answer_id}' must lead to exactly one of a question or a result")


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str
    answers: tuple[Answer, ...]

    def answer(self, answer_id: str) -> Answer:
        for answer in self.answers:
            if answer.answer_id == answer_id:
                return answer
        choices = ", ".join(a.answer_id for a in self.answers)
        raise UserFacingError(f"'{answer_id}' is not an answer to '{self.text}': choose one of {choices}")


FIRST_QUESTION = "feedback-timing"

FLOW: Mapping[str, Question] = MappingProxyType(
    {
        question.question_id: question
        for question in (
            Question(
                question_id="feedback-timing",
                text=messages.QUESTION_FEEDBACK_TIMING,
                answers=(
                    Answer(
                        "after", messages.ANSWER_FEEDBACK_AFTER, messages.EXAMPLES_FEEDBACK_AFTER, next_question="target"
                    ),
                    Answer(
                        "during",
                        messages.ANSWER_FEEDBACK_DURING,
                        messages.EXAMPLES_FEEDBACK_DURING,
                        result=Classification(SkillKind.CLOSED_LOOP, SkillPreset.DANCE_FOOTWORK),
                    ),
                    Answer(
                        "both",
                        messages.ANSWER_FEEDBACK_BOTH,
                        messages.EXAMPLES_FEEDBACK_BOTH,
                        next_question="mixed-focus",
                    ),
                ),
            ),
            Question(
                question_id="target",
                text=messages.QUESTION_TARGET,
                answers=(
                    Answer(
                        "dartboard",
                        messages.ANSWER_TARGET_DARTBOARD,
                        messages.EXAMPLES_TARGET_DARTBOARD,
                        result=Classification(SkillKind.OPEN_LOOP, SkillPreset.DART_THROW),
                    ),
                    Answer(
                        "hoop",
                        messages.ANSWER_TARGET_HOOP,
                        messages.EXAMPLES_TARGET_HOOP,
                        result=Classification(SkillKind.OPEN_LOOP, SkillPreset.FREE_THROW),
                    ),
                    Answer(
                        "other",
                        messages.ANSWER_TARGET_OTHER,
                        messages.EXAMPLES_TARGET_OTHER,
                        result=Classification(SkillKind.OPEN_LOOP, SkillPreset.GENERIC_THROW),
                    ),
                ),
            ),
            Question(
                question_id="mixed-focus",
                text=messages.QUESTION_MIXED_FOCUS,
                answers=(
                    Answer(
                        "release",
                        messages.ANSWER_FOCUS_RELEASE,
                        messages.EXAMPLES_FOCUS_RELEASE,
                        result=Classification(SkillKind.MIXED, SkillPreset.GENERIC_THROW),
                    ),
                    Answer(
                        "movement",
                        messages.ANSWER_FOCUS_MOVEMENT,
                        messages.EXAMPLES_FOCUS_MOVEMENT,
                        result=Classification(SkillKind.MIXED, SkillPreset.DANCE_FOOTWORK),
                    ),
                ),
            ),
        )
    }
)


def next_step(answer_ids: Sequence[str]) -> Question | Classification:
    """The question to ask after these answers, or the classification once the flow has ended."""
    question = FLOW[FIRST_QUESTION]
    for position, answer_id in enumerate(answer_ids):
        answer = question.answer(answer_id)
        if answer.result is not None:
            if position != len(answer_ids) - 1:
                raise UserFacingError(f"too many answers: the flow ended at '{answer_id}'")
            return answer.result
        assert answer.next_question is not None  # Answer.__post_init__: no result means a next question
        question = FLOW[answer.next_question]
    return question


def classify(answer_ids: Sequence[str]) -> Classification:
    """The classification for a complete list of answer ids, e.g. ``["after", "dartboard"]``."""
    step = next_step(answer_ids)
    if isinstance(step, Question):
        raise UserFacingError(f"the skill question flow is not finished: still to answer '{step.text}'")
    return step
