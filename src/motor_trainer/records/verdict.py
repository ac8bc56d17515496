"""What every analysed repetition (open-loop rep or closed-loop step/routine run) comes down to.

Open-loop and closed-loop analysers both emit Verdicts; the replay renderer,
the practice coach, the session store and the GUI consume them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Severity(StrEnum):
    """How loud an error is: only OBVIOUS errors are replayed and shouted."""

    CLEAN = "clean"
    SUBTLE = "subtle"
    OBVIOUS = "obvious"


class SkillKind(StrEnum):
    OPEN_LOOP = "open-loop"
    CLOSED_LOOP = "closed-loop"
    MIXED = "mixed"


class Channel(StrEnum):
    """What a verdict blames when it is not one of the skill's own form features (those keep their feature name).

    ``NONE`` (the empty string, falsy) is a clean verdict's channel.
    """

    NONE = ""
    OUTCOME = "outcome"
    TIMING = "timing"
    PLACEMENT = "placement"
    POSTURE = "posture"
    MISSING = "missing"


def parse_channel(text: str) -> Channel | str:
    """A saved channel read back: one of the Channel members, else the form feature it names."""
    try:
        return Channel(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class Deviation:
    """One measured difference from the reference.

    ``z_score`` is in units of the reference's own spread (signed where a
    direction exists); ``magnitude`` is the real size in ``unit`` (cm, deg,
    ms, mm, bl = body lengths). ``body_part`` names a landmark (lower-case
    Landmark name) when the deviation belongs to one, for drawing.
    """

    name: str
    z_score: float
    magnitude: float
    unit: str
    body_part: str | None = None
    direction: str | None = None  # e.g. "forward", "late", "up-left"


@dataclass(frozen=True)
class Verdict:
    """The verdict on one repetition.

    ``channel`` names what is responsible: a Channel (outcome, timing,
    placement, posture, missing; NONE when clean) or a form feature ("elbow_drift").
    ``success`` is None when no outcome was entered. ``features`` carries the
    rep's raw feature values (units in the keys) so the coach can follow form
    quality without re-analysing. Frame range is half-open ``[start_frame, end_frame)``.
    """

    index: int
    skill: str
    kind: SkillKind
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    severity: Severity
    channel: Channel | str
    success: bool | None
    deviations: tuple[Deviation, ...] = ()
    outcome_error_mm: float | None = None
    features: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.end_frame < self.start_frame:
            raise ValueError("Verdict.end_frame must not precede start_frame")
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))
        object.__setattr__(self, "deviations", tuple(self.deviations))

    @property
    def number(self) -> int:
        """The rep's or step's number as people read and type it, counted from 1 (``index`` counts from 0)."""
        return self.index + 1

    @property
    def is_obvious(self) -> bool:
        return self.severity is Severity.OBVIOUS

    def largest_deviation(self) -> Deviation | None:
        if not self.deviations:
            return None
        return max(self.deviations, key=lambda d: abs(d.z_score))

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "number": self.number,
            "skill": self.skill,
            "kind": str(self.kind),
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "severity": str(self.severity),
            "channel": str(self.channel),
            "success": self.success,
            "outcome_error_mm": self.outcome_error_mm,
            "deviations": [vars(d).copy() for d in self.deviations],
            "features": dict(self.features),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Verdict:
        return cls(
            index=int(data["index"]),
            skill=str(data["skill"]),
            kind=SkillKind(data["kind"]),
            start_frame=int(data["start_frame"]),
            end_frame=int(data["end_frame"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            severity=Severity(data["severity"]),
            channel=parse_channel(str(data["channel"])),
            success=None if data.get("success") is None else bool(data["success"]),
            deviations=tuple(Deviation(**d) for d in data.get("deviations", ())),
            outcome_error_mm=None if data.get("outcome_error_mm") is None else float(data["outcome_error_mm"]),
            features={str(k): float(v) for k, v in dict(data.get("features", {})).items()},
        )


def is_success(verdict: Verdict) -> bool:
    """The one success rule: the entered outcome when there is one, else anything short of an obvious error."""
    if verdict.success is not None:
        return verdict.success
    return verdict.severity is not Severity.OBVIOUS
