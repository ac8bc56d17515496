"""One saved session as progress reads it: written by storage, read by coaching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motor_trainer.records.verdict import Verdict


@dataclass(frozen=True)
class SessionVerdicts:
    """What progress needs from one saved session."""

    session_id: str
    started_at: datetime
    skill: str
    verdicts: tuple[Verdict, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdicts", tuple(self.verdicts))
