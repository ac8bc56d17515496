"""One saved session as progress reads it: written by storage, read by coaching."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motor_trainer.records.verdict import Verdict


@dataclass(frozen=True)
class SessionVerdicts:
    """What progress needs from one saved session."""

    session_id: str
    started_at: datetime
    skill: str
    verdicts: tuple[Verdict, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # the manifest's: how it was practised (a dance's speed, loop)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdicts", tuple(self.verdicts))
