"""A danced section's progress told by its speed: the same steps clean at 0.75× before, today at 0.9×.

Runs at different speeds or over different sections are not the same task:
a dance session stores how it was played (speed, looped section) with it, and
only runs of the same section are compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motor_trainer.coaching.session_words import session_pair_words
from motor_trainer.feedback import messages
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.records.verdict import Severity


@dataclass(frozen=True)
class DancedRun:
    """One dance session: which section at which speed, and how many of its steps were clean."""

    session: SessionVerdicts
    section: str  # "steps 3-6", or "the whole routine"
    speed: float
    clean_steps: int
    steps: int

    @property
    def clean(self) -> bool:
        return self.steps > 0 and self.clean_steps == self.steps


def danced_run(session: SessionVerdicts) -> DancedRun | None:
    """The session as a danced run; None when it was not danced along (no playback speed stored)."""
    speed = session.settings.get("playback_speed")
    if not isinstance(speed, int | float):
        return None
    clean = sum(verdict.severity is Severity.CLEAN for verdict in session.verdicts)
    return DancedRun(session, section_words(session.settings), float(speed), clean, len(session.verdicts))


def section_words(settings: Mapping[str, Any]) -> str:
    loop = settings.get("loop_section")
    if isinstance(loop, Mapping) and {"first_step", "last_step"} <= loop.keys():
        return f"steps {loop['first_step']}-{loop['last_step']}"
    return "the whole routine"


def dance_progress(sessions: Sequence[SessionVerdicts], skill: str, now: datetime) -> str | None:
    """The latest dance session against the fastest earlier clean run of the same section; None without one."""
    runs = [run for session in sessions if session.skill == skill and (run := danced_run(session)) is not None]
    if len(runs) < 2:
        return None
    latest = runs[-1]
    earlier = [run for run in runs[:-1] if run.clean and run.section == latest.section]
    if not earlier:
        return None
    best = max(earlier, key=lambda run: (run.speed, run.session.started_at))
    before_words, latest_words = session_pair_words(best.session.started_at, latest.session.started_at, now)
    return messages.dance_progress(latest.section, before_words, best.speed, latest_words, latest.speed, latest.clean_steps, latest.steps)
