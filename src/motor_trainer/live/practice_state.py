"""What the practice screen shows, kept outside Qt: reps and their outcomes, step tiers, the coach.

Widgets read this state and the main window feeds it; nothing here draws.
Open-loop reps reach the coach once their outcome is entered (the coach's
success rule needs it); closed-loop steps reach it as they are judged live.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.analysis.outcomes import Outcome
from motor_trainer.analysis.rep_errors import RepAnalysis
from motor_trainer.analysis.step_errors import live_step_verdict
from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.coaching.difficulty import Difficulty
from motor_trainer.coaching.practice import CoachMessage, MessageKind, PracticeCoach, PracticeMode
from motor_trainer.feedback.messages import difficulty_carried_over
from motor_trainer.live.live_analysis import REPLAY_MEMORY_S, OpenLoopAnalyser, RepFound, StepProgress
from motor_trainer.live.open_loop_outcome import judge_with_outcome

#: Live frames whose match in the reference is kept (for a replay): the replay memory at up to 60 fps.
FOLLOWED_FRAMES_KEPT = int(REPLAY_MEMORY_S * 60)
@dataclass
class RepEntry:
    """One open-loop rep: as found (form only), and once its outcome is entered."""

    found: RepFound
    analysis: RepAnalysis
    outcome: Outcome | None = None

    @property
    def number(self) -> int:
        return self.found.detected.rep.index + 1


def step_verdict(event: StepTierEvent, skill: str) -> Verdict:
    """A live step as the coach, the attempt list and the recording see it (built by ``live_step_verdict``)."""
    return live_step_verdict(event, skill)


@dataclass
class PracticeState:
    """Everything said and measured in one live session."""

    skill: str
    kind: SkillKind
    mode: PracticeMode
    difficulty: Difficulty | None = None  # where the coach starts (None: level 0 of the default ladder)
    coach: PracticeCoach = field(init=False)
    reps: list[RepEntry] = field(default_factory=list)
    steps: list[StepTierEvent] = field(default_factory=list)
    timing_offsets: list[tuple[float, float]] = field(default_factory=list)  # (time_s, offset_ms)
    key_joint: list[tuple[float, float, float]] = field(default_factory=list)  # (time_s, you_deg, reference_deg)
    messages: list[CoachMessage] = field(default_factory=list)
    followed: deque[tuple[int, int]] = field(default_factory=lambda: deque(maxlen=FOLLOWED_FRAMES_KEPT))  # (live frame, reference frame)

    def __post_init__(self) -> None:
        self.coach = PracticeCoach(self.kind, self.mode, difficulty=self.difficulty)
        start = self.coach.difficulty
        if start.level != 0:
            windows = None if start.timing_windows_ms is None else start.timing_windows_ms.as_tuple()
            text = difficulty_carried_over(start.level, start.outcome_tolerance_mm, start.trajectory_z_threshold, windows)
            self.messages.append(CoachMessage(MessageKind.DIFFICULTY, text))

    @property
    def latest_rep(self) -> RepEntry | None:
        return self.reps[-1] if self.reps else None

    def add_rep(self, found: RepFound) -> RepEntry:
        entry = RepEntry(found, found.analysis)
        self.reps.append(entry)
        return entry

    def enter_outcome(self, outcome: Outcome, analyser: OpenLoopAnalyser) -> tuple[RepEntry, list[CoachMessage]] | None:
        """Judge the latest rep with ``outcome`` at the coach's difficulty; the coach hears each rep once."""
        entry = self.latest_rep
        if entry is None:
            return None
        first_outcome = entry.outcome is None
        entry.outcome = outcome
        difficulty = self.coach.difficulty
        entry.analysis = judge_with_outcome(
            entry.found, analyser, outcome, difficulty.outcome_tolerance_mm, difficulty.trajectory_z_threshold
        )
        said = self.coach.observe(entry.analysis.verdict) if first_outcome else []
        self.messages += said
        return entry, said

    def add_step_progress(self, progress: StepProgress) -> list[CoachMessage]:
        self.followed.append((progress.frame_index, progress.reference_frame))
        self.timing_offsets.append((progress.time_s, progress.timing_offset_ms))
        self.key_joint.append((progress.time_s, progress.key_joint_deg, progress.reference_key_joint_deg))
        said: list[CoachMessage] = []
        for event in progress.step_events:
            self.steps.append(event)
            said += self.coach.observe(step_verdict(event, self.skill))
        self.messages += said
        return said

    def finish(self) -> list[CoachMessage]:
        """Close the last block (a closed-loop run ends with the source)."""
        said = self.coach.end_block()
        self.messages += said
        return said
