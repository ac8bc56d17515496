"""The practice coach: error-driven practice from the seeds, fed one verdict at a time.

What it does, and the seed behind each part (../shared/seeds/):

- Blocks of reps (default 10, or one run of a routine) with success rate,
  error rate and obvious misses; after each, a short reflection on what the
  misses had in common ("let errors direct your attention", step 3).
- Difficulty that keeps errors coming: above the success band one step harder,
  well below it one step easier (step 2, "above 70-80 %"), each change
  announced with its reason. See coaching/difficulty.py.
- Keep going through productive frustration, rest when form declines (step 4).
  See coaching/form.py.
- A note on each obvious miss naming the rep or step and the body part; the
  third miss alike in a block gets one line on the pattern instead, and the
  rest of that block's misses alike are left to the block's reflection.
- A brief cue to notice a success that follows a run of misses (step 5: "simply
  notice the success without rushing immediately to the next rep").
- Practice errors never count toward a score; only performance mode scores
  (reframing-failure seed: "distinguish practice from performance").

The GUI feeds live verdicts to ``PracticeCoach.observe``; the CLI calls
``summarise_session`` on a finished session. All wording is in feedback/messages.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.coaching.blocks import BlockSummary, summarise_block
from motor_trainer.records.verdict import is_success
from motor_trainer.coaching.difficulty import Difficulty, DifficultyStep, SuccessBand, next_difficulty
from motor_trainer.coaching.features import feature_words, parse_feature_key
from motor_trainer.coaching.form import FormAssessment, FormSettings, assess_form
from motor_trainer.feedback import messages


class PracticeMode(StrEnum):
    """Practice is for making errors and learning from them; performance is for showing what was learned."""

    PRACTICE = "practice"
    PERFORMANCE = "performance"


class MessageKind(StrEnum):
    BLOCK_SUMMARY = "block-summary"
    SCORE = "score"
    REFLECTION = "reflection"
    KEEP_GOING = "keep-going"
    REST = "rest"
    DIFFICULTY = "difficulty"
    REWARD = "reward"
    OBVIOUS_MISS = "obvious-miss"


@dataclass(frozen=True)
class CoachMessage:
    """One thing the coach says; ``block_index`` / ``rep_index`` (Verdict.index) tie it to what prompted it."""

    kind: MessageKind
    text: str
    block_index: int | None = None
    rep_index: int | None = None


@dataclass(frozen=True)
class PracticeSettings:
    """How the coach groups and judges practice.

    ``block_size_reps`` 10: the issue's default block (open-loop and mixed
    skills; a closed-loop block is one run of the routine). ``band``: see
    SuccessBand (seed: 70-80 %). ``reward_after_misses`` 3: a success after
    three or more misses in a row is one the seed says to pause on.
    ``similar_misses_noted`` 3: obvious misses alike (one channel) noted in a
    block, the last of them as one line on the pattern; more would repeat it.
    ``many_misses_fraction`` 0.5: a block where at least half missed is the
    "period of high errors" in which quitting is the wrong choice.
    ``min_reps_for_difficulty`` 5: a shorter block (the end of a session)
    is too small a sample to change the difficulty on.
    """

    block_size_reps: int = 10
    band: SuccessBand = field(default_factory=SuccessBand)
    form: FormSettings = field(default_factory=FormSettings)
    reward_after_misses: int = 3
    similar_misses_noted: int = 3
    many_misses_fraction: float = 0.5
    min_reps_for_difficulty: int = 5

    def __post_init__(self) -> None:
        if self.block_size_reps < 1:
            raise ValueError("a block needs at least one rep")
        if self.reward_after_misses < 1:
            raise ValueError("reward_after_misses must be at least 1")


@dataclass(frozen=True)
class PerformanceScore:
    successes: int
    reps: int


class PracticeCoach:
    """Follows one session of one skill; ``observe`` each verdict, ``end_block`` at the end of a routine run.

    Open-loop and mixed skills are practised in blocks of ``block_size_reps``.
    A closed-loop block is one run of the routine: it ends when ``end_block``
    is called or when a verdict's index does not follow the previous one's
    (the closed-loop analyser numbers steps by their place in the routine, so
    a new run starts again from its first step).
    """

    def __init__(
        self,
        kind: SkillKind,
        mode: PracticeMode = PracticeMode.PRACTICE,
        settings: PracticeSettings | None = None,
        difficulty: Difficulty | None = None,
    ) -> None:
        self._kind = kind
        self._mode = mode
        self._settings = settings or PracticeSettings()
        self._difficulty = difficulty or Difficulty.starting(kind)
        self._session: list[Verdict] = []
        self._block: list[Verdict] = []
        self._similar_misses: dict[str, list[int]] = {}  # this block's obvious misses by channel, as numbers
        self._blocks: list[BlockSummary] = []
        self._miss_streak = 0
        self._score = PerformanceScore(successes=0, reps=0)
        self._form = assess_form((), self._settings.form)

    @property
    def mode(self) -> PracticeMode:
        return self._mode

    @property
    def difficulty(self) -> Difficulty:
        return self._difficulty

    @property
    def blocks(self) -> tuple[BlockSummary, ...]:
        return tuple(self._blocks)

    @property
    def form(self) -> FormAssessment:
        """Form as of the last finished block."""
        return self._form

    @property
    def score(self) -> PerformanceScore | None:
        """None in practice mode: practice errors count toward nothing."""
        return self._score if self._mode is PracticeMode.PERFORMANCE else None

    def observe(self, verdict: Verdict) -> list[CoachMessage]:
        said: list[CoachMessage] = []
        if self._block and verdict.index <= self._block[-1].index:
            said += self.end_block()
        self._block.append(verdict)
        self._session.append(verdict)
        success = is_success(verdict)
        if self._mode is PracticeMode.PERFORMANCE:
            self._score = PerformanceScore(self._score.successes + success, self._score.reps + 1)
        said += self._rep_notes(verdict, success)
        self._miss_streak = 0 if success else self._miss_streak + 1
        if self._kind is not SkillKind.CLOSED_LOOP and len(self._block) >= self._settings.block_size_reps:
            said += self.end_block()
        return said

    def end_block(self) -> list[CoachMessage]:
        """Close the current block (if it has reps) and say what there is to say about it."""
        if not self._block:
            return []
        summary = summarise_block(len(self._blocks), self._block)
        previous = self._blocks[-1] if self._blocks else None
        self._blocks.append(summary)
        self._block = []
        self._similar_misses = {}
        self._form = assess_form(self._session, self._settings.form)
        number = summary.block_index

        said = [
            CoachMessage(
                MessageKind.BLOCK_SUMMARY,
                messages.block_summary(
                    number + 1,
                    summary.reps,
                    summary.successes,
                    summary.reps_with_error,
                    summary.obvious_misses,
                    scored=self._mode is PracticeMode.PERFORMANCE,
                ),
                block_index=number,
            )
        ]
        if self._mode is PracticeMode.PERFORMANCE:
            text = messages.performance_score(self._score.successes, self._score.reps)
            said.append(CoachMessage(MessageKind.SCORE, text, block_index=number))
        said.append(CoachMessage(MessageKind.REFLECTION, reflect(summary, previous), block_index=number))
        said += self._form_messages(summary)
        said += self._difficulty_messages(summary)
        return said

    def _rep_notes(self, verdict: Verdict, success: bool) -> list[CoachMessage]:
        if success and self._miss_streak >= self._settings.reward_after_misses:
            text = messages.success_after_misses(messages.action_noun(verdict.skill, self._kind), self._miss_streak)
            return [CoachMessage(MessageKind.REWARD, text, rep_index=verdict.index)]
        if success or not verdict.is_obvious:
            return []
        alike = self._similar_misses.setdefault(verdict.channel, [])
        alike.append(verdict.number)
        limit = self._settings.similar_misses_noted
        if len(alike) < limit:
            return [CoachMessage(MessageKind.OBVIOUS_MISS, describe_obvious_miss(verdict), rep_index=verdict.index)]
        if len(alike) == limit:
            noun = messages.action_noun(verdict.skill, verdict.kind)
            text = messages.similar_misses(noun, alike, feature_words(verdict.channel))
            return [CoachMessage(MessageKind.OBVIOUS_MISS, text, rep_index=verdict.index)]
        return []

    def _form_messages(self, summary: BlockSummary) -> list[CoachMessage]:
        if self._form.declining:
            text = messages.rest_suggestion([sign.describe() for sign in self._form.declined_signs])
            return [CoachMessage(MessageKind.REST, text, block_index=summary.block_index)]
        if self._form.steady and summary.misses >= self._settings.many_misses_fraction * summary.reps:
            text = messages.keep_going(summary.misses, summary.reps, [sign.signal for sign in self._form.signs])
            return [CoachMessage(MessageKind.KEEP_GOING, text, block_index=summary.block_index)]
        return []

    def _difficulty_messages(self, summary: BlockSummary) -> list[CoachMessage]:
        """Performance keeps its difficulty (a score is only comparable at a fixed task); so does a short block."""
        if self._mode is PracticeMode.PERFORMANCE or summary.reps < self._settings.min_reps_for_difficulty:
            return []
        change = next_difficulty(self._difficulty, summary, self._settings.band)
        if change.step is DifficultyStep.RAISE and self._form.declining:
            text = messages.difficulty_held_while_resting()
            return [CoachMessage(MessageKind.DIFFICULTY, text, block_index=summary.block_index)]
        if change.announcement is None:
            return []
        self._difficulty = change.after
        return [CoachMessage(MessageKind.DIFFICULTY, change.announcement, block_index=summary.block_index)]


def describe_obvious_miss(verdict: Verdict) -> str:
    """The curious note on an obvious miss: the channel's own deviation if it has one, else the largest."""
    noun = messages.action_noun(verdict.skill, verdict.kind)
    deviation = next((d for d in verdict.deviations if d.name == verdict.channel), verdict.largest_deviation())
    if deviation is None:
        feature = feature_words(verdict.channel) if verdict.channel else None
        return messages.obvious_miss(noun, verdict.number, verdict.channel, feature, None, None, None)
    size = messages.format_quantity(abs(deviation.magnitude), deviation.unit)
    part = deviation.body_part.replace("_", " ") if deviation.body_part else None
    return messages.obvious_miss(noun, verdict.number, verdict.channel, feature_words(deviation.name), deviation.direction, size, part)


def reflect(summary: BlockSummary, previous: BlockSummary | None) -> str:
    """What the block's misses had in common, how that compares with the last block, and one question."""
    parts: list[str] = []
    top = summary.top_miss_channel()
    if summary.misses == 0:
        parts.append(messages.reflection_no_misses())
    elif top is not None:
        channel, count = top
        parts.append(
            messages.reflection_channel(count, summary.misses, feature_words(channel), summary.top_direction(channel))
        )
    previous_top = previous.top_miss_channel() if previous else None
    if top is not None and previous is not None and previous_top is not None:
        parts.append(
            messages.reflection_previous_channel(
                feature_words(previous_top[0]), previous_top[1], previous.misses, same=previous_top[0] == top[0]
            )
        )
    if previous is not None:
        changed = most_changed_variability(summary, previous)
        if changed is not None:
            key, now_sd, before_sd = changed
            unit = parse_feature_key(key).unit
            spread_now, spread_before = messages.format_quantity(now_sd, unit), messages.format_quantity(before_sd, unit)
            parts.append(messages.reflection_variability(feature_words(key), spread_now, spread_before))
    parts.append(messages.reflection_question(summary.misses))
    return messages.reflection(parts)


def most_changed_variability(summary: BlockSummary, previous: BlockSummary) -> tuple[str, float, float] | None:
    """The feature whose spread changed most between two blocks, by ratio (unit-free), with both SDs."""
    candidates = [
        (key, sd, previous.feature_sd[key])
        for key, sd in summary.feature_sd.items()
        if key in previous.feature_sd and sd > 0 and previous.feature_sd[key] > 0
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda item: abs(math.log(item[1] / item[2])))


def summarise_session(
    verdicts: Iterable[Verdict],
    kind: SkillKind,
    mode: PracticeMode = PracticeMode.PRACTICE,
    settings: PracticeSettings | None = None,
) -> list[CoachMessage]:
    """Everything the coach would have said over a finished session, in order (what the CLI prints)."""
    coach = PracticeCoach(kind, mode, settings)
    said: list[CoachMessage] = []
    for verdict in verdicts:
        said += coach.observe(verdict)
    said += coach.end_block()
    return said
