"""The dartboard as a target: its geometry (from TOML data), scoring, and the miss from an aim point.

Board coordinates are millimetres with the origin at the centre of the bull,
+x to the thrower's right (toward 6) and +y up (toward 20). Angles are
bearings in degrees clockwise from straight up, like a clock face.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from motor_trainer.calibration.tomlfile import TableReader, read_toml
from motor_trainer.errors import UserFacingError

SECTOR_COUNT = 20
SECTOR_SPAN_DEG = 360.0 / SECTOR_COUNT
#: Closer than this to the aim point counts as on target (a dart's tip is about 2 mm wide).
ON_TARGET_MM = 1.0
_COMPASS_WORDS = ("high", "high-right", "right", "low-right", "low", "low-left", "left", "high-left")


class Ring(StrEnum):
    BULL = "bull"
    OUTER_BULL = "outer_bull"
    INNER_SINGLE = "inner_single"
    TREBLE = "treble"
    OUTER_SINGLE = "outer_single"
    DOUBLE = "double"
    MISS = "miss"


_MULTIPLIER = {Ring.INNER_SINGLE: 1, Ring.TREBLE: 3, Ring.OUTER_SINGLE: 1, Ring.DOUBLE: 2, Ring.MISS: 0}
_PREFIX = {Ring.INNER_SINGLE: "S", Ring.TREBLE: "T", Ring.OUTER_SINGLE: "S", Ring.DOUBLE: "D"}


@dataclass(frozen=True)
class DartScore:
    """Where a dart scored. ``sector`` is the number whose wedge holds the point (None in the bulls,
    kept for a miss so feedback can say "wide of 20"); ``label`` reads like a scoreboard: T20, D16, S5,
    BULL, 25, MISS."""

    sector: int | None
    ring: Ring
    score: int
    label: str


@dataclass(frozen=True)
class AimError:
    """How far and which way a dart landed from where it was aimed.

    ``angle_deg`` is the bearing of the landing point from the aim point,
    clockwise from straight up (0 = high, 90 = right); ``direction`` says the
    same in words ("low-left") and ``clock_hour`` as a clock face (1–12).
    """

    distance_mm: float
    angle_deg: float
    direction: str
    clock_hour: int

    @property
    def on_target(self) -> bool:
        return self.distance_mm < ON_TARGET_MM


def bearing_point_mm(radius_mm: float, bearing_deg: float) -> np.ndarray:
    """The board point at a radius and a bearing clockwise from straight up."""
    theta = math.radians(bearing_deg)
    return np.array([radius_mm * math.sin(theta), radius_mm * math.cos(theta)])


def bearing_deg(vector_mm: np.ndarray) -> float:
    """Bearing of a board vector, clockwise from straight up, in [0, 360)."""
    return math.degrees(math.atan2(float(vector_mm[0]), float(vector_mm[1]))) % 360.0


@dataclass(frozen=True)
class DartBoard:
    """Ring radii (to the inside of the wires), sector order and where the board hangs."""

    bull_radius_mm: float
    outer_bull_radius_mm: float
    treble_inner_radius_mm: float
    treble_outer_radius_mm: float
    double_inner_radius_mm: float
    double_outer_radius_mm: float
    sector_order: tuple[int, ...]
    centre_height_m: float
    throw_line_m: float
    click_points_mm: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    default_click_points: tuple[str, ...] = ()
    name: str = "standard"

    def __post_init__(self) -> None:
        radii = self.ring_radii_mm
        if not all(np.isfinite(radii)) or radii[0] <= 0 or any(b <= a for a, b in zip(radii, radii[1:])):
            raise ValueError(f"ring radii must be positive and increase from bull to double, got {radii}")
        if sorted(self.sector_order) != list(range(1, SECTOR_COUNT + 1)):
            raise ValueError("sector_order must list each number 1–20 exactly once")
        missing = [name for name in self.default_click_points if name not in self.click_points_mm]
        if missing:
            raise ValueError(f"default_click_points {', '.join(missing)} have no entry in click_points_mm")
        object.__setattr__(self, "sector_order", tuple(int(s) for s in self.sector_order))
        object.__setattr__(self, "default_click_points", tuple(self.default_click_points))
        # A read-only copy so a caller cannot change the board under another caller (cached preset).
        points = {name: (float(x), float(y)) for name, (x, y) in self.click_points_mm.items()}
        object.__setattr__(self, "click_points_mm", MappingProxyType(points))

    @property
    def ring_radii_mm(self) -> tuple[float, ...]:
        return (
            self.bull_radius_mm,
            self.outer_bull_radius_mm,
            self.treble_inner_radius_mm,
            self.treble_outer_radius_mm,
            self.double_inner_radius_mm,
            self.double_outer_radius_mm,
        )

    def sector_at(self, point_mm: np.ndarray) -> int:
        """The number whose wedge holds the point's bearing."""
        index = int(((bearing_deg(point_mm) + SECTOR_SPAN_DEG / 2) % 360.0) // SECTOR_SPAN_DEG)
        return self.sector_order[index]

    def sector_centre_deg(self, sector: int) -> float:
        if sector not in self.sector_order:
            raise UserFacingError(f"there is no sector {sector} on a dartboard (1–20)")
        return self.sector_order.index(sector) * SECTOR_SPAN_DEG

    def ring_at(self, radius_mm: float) -> Ring:
        """The ring at a distance from the centre; a point exactly on a wire counts for the ring outside it."""
        # Ring lists the beds from the centre out, in the same order as ring_radii_mm.
        for ring, outer_radius_mm in zip(Ring, self.ring_radii_mm):
            if radius_mm < outer_radius_mm:
                return ring
        return Ring.MISS

    def score(self, point_mm: np.ndarray) -> DartScore:
        point_mm = np.asarray(point_mm, dtype=float)
        if point_mm.shape != (2,) or not np.all(np.isfinite(point_mm)):
            raise ValueError(f"a landing point is one finite (x, y) in mm, got {point_mm!r}")
        ring = self.ring_at(float(np.hypot(*point_mm)))
        if ring is Ring.BULL:
            return DartScore(None, ring, 50, "BULL")
        if ring is Ring.OUTER_BULL:
            return DartScore(None, ring, 25, "25")
        sector = self.sector_at(point_mm)
        if ring is Ring.MISS:
            return DartScore(sector, ring, 0, "MISS")
        return DartScore(sector, ring, sector * _MULTIPLIER[ring], f"{_PREFIX[ring]}{sector}")

    def aim_point_mm(self, label: str) -> np.ndarray:
        """The middle of the named bed: "T20", "D16", "S5" (outer single), "bull"."""
        text = label.strip().upper()
        if text in ("BULL", "50", "DB"):
            return np.zeros(2)
        rings = {
            "T": (self.treble_inner_radius_mm, self.treble_outer_radius_mm),
            "D": (self.double_inner_radius_mm, self.double_outer_radius_mm),
            "S": (self.treble_outer_radius_mm, self.double_inner_radius_mm),
        }
        if len(text) < 2 or text[0] not in rings or not text[1:].isdigit():
            raise UserFacingError(f"aim '{label}' not understood: use T20, D16, S5, bull, or x,y in mm")
        inner_mm, outer_mm = rings[text[0]]
        return bearing_point_mm((inner_mm + outer_mm) / 2, self.sector_centre_deg(int(text[1:])))


def load_dartboard(path: Path) -> DartBoard:
    """Read and validate a dartboard geometry file; any defect is a one-line UserFacingError."""
    reader = TableReader(path, read_toml(path))
    reader.kind("dartboard")
    points_table = reader.table.get("click_points_mm", {})
    if not isinstance(points_table, dict):
        raise reader.fail("'click_points_mm' must be a table of name = [x, y]")
    points = TableReader(path, points_table)
    click_points = {name: tuple(points.array(name, (2,))) for name in points_table}
    try:
        return DartBoard(
            name=reader.text("name"),
            bull_radius_mm=reader.number("bull_radius_mm"),
            outer_bull_radius_mm=reader.number("outer_bull_radius_mm"),
            treble_inner_radius_mm=reader.number("treble_inner_radius_mm"),
            treble_outer_radius_mm=reader.number("treble_outer_radius_mm"),
            double_inner_radius_mm=reader.number("double_inner_radius_mm"),
            double_outer_radius_mm=reader.number("double_outer_radius_mm"),
            sector_order=tuple(int(s) for s in reader.array("sector_order", (SECTOR_COUNT,))),
            centre_height_m=reader.number("centre_height_m", minimum=0),
            throw_line_m=reader.number("throw_line_m", minimum=0),
            click_points_mm=click_points,
            default_click_points=reader.strings("default_click_points"),
        )
    except ValueError as error:
        raise reader.fail(str(error)) from None


def standard_dartboard_path() -> Path:
    """The canonical preset inside the package (the workspace keeps an editable copy)."""
    return Path(str(resources.files("motor_trainer") / "presets" / "dartboard_standard.toml"))


@cache
def standard_dartboard() -> DartBoard:
    return load_dartboard(standard_dartboard_path())


def score_dart(point_mm: np.ndarray, board: DartBoard | None = None) -> DartScore:
    """Sector, ring and score of a landing point in board millimetres (standard board by default)."""
    return (board or standard_dartboard()).score(point_mm)


def aim_error(point_mm: np.ndarray, aim_mm: np.ndarray) -> AimError:
    """Distance and direction from the aim point to where the dart landed."""
    offset_mm = np.asarray(point_mm, dtype=float) - np.asarray(aim_mm, dtype=float)
    distance_mm = float(np.hypot(*offset_mm))
    if distance_mm < ON_TARGET_MM:
        return AimError(distance_mm, 0.0, "on target", 12)
    angle_deg = bearing_deg(offset_mm)
    direction = _COMPASS_WORDS[int(((angle_deg + 22.5) % 360.0) // 45.0)]
    clock_hour = int(round(angle_deg / 30.0)) % 12 or 12
    return AimError(distance_mm, angle_deg, direction, clock_hour)


def workspace_dartboard(calibration_dir: Path) -> DartBoard:
    """The workspace's copy of the board (the user may have edited it), else the shipped standard board."""
    copy = Path(calibration_dir) / standard_dartboard_path().name
    return load_dartboard(copy) if copy.is_file() else standard_dartboard()
