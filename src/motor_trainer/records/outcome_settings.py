"""What counts as a rep's result and how close is a success: set by a skill preset, read by analysis and the app."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutcomeType(StrEnum):
    LANDING_POINT = "landing-point"
    HIT_MISS = "hit-miss"
    DISTANCE = "distance"


@dataclass(frozen=True)
class OutcomeSettings:
    """What the result of a rep is and how close counts as a success.

    ``aim`` is a dartboard bed label (``"T20"``, ``"bull"``) or an (x, y) point
    in mm on the target plane; ``target_distance_mm`` is the goal of a
    distance outcome. Beyond ``obvious_multiple`` tolerances a miss is obvious.
    """

    type: OutcomeType
    tolerance_mm: float = 0.0
    obvious_multiple: float = 2.0
    aim: str | tuple[float, float] = (0.0, 0.0)
    target_distance_mm: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", OutcomeType(self.type))
        if not isinstance(self.aim, str):
            object.__setattr__(self, "aim", (float(self.aim[0]), float(self.aim[1])))
        if self.tolerance_mm < 0 or self.obvious_multiple < 1:
            raise ValueError("tolerance_mm must be >= 0 and obvious_multiple >= 1")
