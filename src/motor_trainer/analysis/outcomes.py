"""What a rep achieved, and how far that was from the goal.

Three kinds of outcome: a landing point on a target plane in millimetres (a
dart on the board, through the board calibration), a hit or a miss (a free
throw), or a distance (how far a throw went). They come from the API, the
GUI, or a CSV file whose rows are matched to the reps in order.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.calibration.targets import DartBoard, aim_error, score_dart, standard_dartboard
from motor_trainer.errors import UserFacingError
from motor_trainer.records.outcome_settings import OutcomeSettings, OutcomeType


@dataclass(frozen=True)
class LandingPoint:
    """Where the object landed on the target plane, mm (board: origin at the bull, +x right, +y up)."""

    x_mm: float
    y_mm: float

    @property
    def point_mm(self) -> np.ndarray:
        return np.array([self.x_mm, self.y_mm])


@dataclass(frozen=True)
class HitMiss:
    hit: bool


@dataclass(frozen=True)
class ThrowDistance:
    distance_mm: float


Outcome = LandingPoint | HitMiss | ThrowDistance

#: The CSV columns each outcome type needs.
CSV_COLUMNS: dict[OutcomeType, tuple[str, ...]] = {
    OutcomeType.LANDING_POINT: ("x_mm", "y_mm"),
    OutcomeType.HIT_MISS: ("hit",),
    OutcomeType.DISTANCE: ("distance_mm",),
}
_HIT_WORDS = {"1": True, "hit": True, "yes": True, "true": True, "0": False, "miss": False, "no": False, "false": False}


@dataclass(frozen=True)
class OutcomeJudgement:
    """An outcome against the goal: ``error_mm`` (None for hit/miss), its direction, and the verdict on it.

    ``label`` names where it landed when the target has names (a dart's "T20").
    """

    error_mm: float | None
    direction: str
    success: bool
    obvious: bool
    label: str = ""


def aim_point_mm(settings: OutcomeSettings, board: DartBoard | None = None) -> np.ndarray:
    """The aim as a plane point: a dartboard bed label through the board, or the point itself."""
    if isinstance(settings.aim, str):
        return (board or standard_dartboard()).aim_point_mm(settings.aim)
    return np.array(settings.aim, dtype=float)


def judge_outcome(
    outcome: Outcome,
    settings: OutcomeSettings,
    tolerance_mm: float | None = None,
    board: DartBoard | None = None,
) -> OutcomeJudgement:
    """Outcome error and success at the current tolerance (the coach's difficulty, else the preset's).

    Notes: a miss of a hit/miss skill is always obvious: there is no smaller
    miss to tell it from, and the learner sees it plainly. A landing point is
    scored on the dartboard when the aim is a board bed.
    """
    tolerance = settings.tolerance_mm if tolerance_mm is None else float(tolerance_mm)
    obvious_beyond = settings.obvious_multiple * tolerance
    if isinstance(outcome, HitMiss):
        return OutcomeJudgement(None, "hit" if outcome.hit else "miss", outcome.hit, not outcome.hit)
    if isinstance(outcome, ThrowDistance):
        error = outcome.distance_mm - settings.target_distance_mm
        direction = "long" if error > 0 else "short" if error < 0 else "on target"
        return OutcomeJudgement(error, direction, abs(error) <= tolerance, abs(error) > obvious_beyond)
    miss = aim_error(outcome.point_mm, aim_point_mm(settings, board))
    label = score_dart(outcome.point_mm, board).label if isinstance(settings.aim, str) else ""
    return OutcomeJudgement(
        miss.distance_mm, miss.direction, miss.distance_mm <= tolerance, miss.distance_mm > obvious_beyond, label
    )


def read_outcomes_csv(path: Path, outcome_type: OutcomeType) -> list[Outcome | None]:
    """Outcomes from a CSV with a header row, one row per rep in order; an empty row means "not entered".

    Columns: ``x_mm,y_mm`` for landing points, ``hit`` (hit/miss, 1/0,
    yes/no) for hit/miss, ``distance_mm`` for distances; other columns are
    ignored. Any defect is a one-line UserFacingError naming the file and line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserFacingError(f"{path}: outcomes file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserFacingError(f"{path}: cannot read outcomes ({type(error).__name__})") from None
    reader = csv.reader(text.splitlines())
    try:
        rows = list(reader)
    except csv.Error as error:  # e.g. a field over the csv module's 131,072-character limit
        raise UserFacingError(f"{path}:{reader.line_num}: not a valid outcomes CSV ({error})") from None
    if not rows:
        raise UserFacingError(f"{path}: outcomes file is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    needed = CSV_COLUMNS[outcome_type]
    missing = [c for c in needed if c not in header]
    if missing:
        raise UserFacingError(
            f"{path}:1: a {outcome_type} outcome needs column(s) {', '.join(needed)}; header has {', '.join(header) or 'nothing'}"
        )
    columns = [header.index(c) for c in needed]
    outcomes: list[Outcome | None] = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [row[i].strip() if i < len(row) else "" for i in columns]
        if not any(cells):
            outcomes.append(None)
            continue
        try:
            outcomes.append(_parse_outcome(outcome_type, cells))
        except ValueError as error:
            raise UserFacingError(f"{path}:{line}: {error}") from None
    return outcomes


def _parse_outcome(outcome_type: OutcomeType, cells: list[str]) -> Outcome:
    if outcome_type is OutcomeType.HIT_MISS:
        word = cells[0].lower()
        if word not in _HIT_WORDS:
            raise ValueError(f"hit must be hit/miss, yes/no or 1/0, got {cells[0]!r}")
        return HitMiss(_HIT_WORDS[word])
    values = []
    for text in cells:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        values.append(value)
    if outcome_type is OutcomeType.DISTANCE:
        if values[0] < 0:
            raise ValueError(f"a distance cannot be negative, got {cells[0]}")
        return ThrowDistance(values[0])
    return LandingPoint(values[0], values[1])
