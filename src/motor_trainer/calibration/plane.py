"""Homographies from image pixels to a known flat surface: the dartboard face or the floor.

Four or more points whose positions on the plane are known (the double ring
at 20, 6, 3 and 11; the corners of a taped rectangle on the floor) fix the
mapping between the image and the plane, so a dart's landing point is in
board millimetres and a dancer's foot in floor millimetres instead of pixels.

The pixel points must be in the same pixel space as the landmarks they will
map: if landmarks are undistorted with a camera calibration, click on (or
undistort) the same undistorted image.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from motor_trainer.calibration.targets import workspace_dartboard
from motor_trainer.calibration.tomlfile import (
    TableReader,
    frozen_array,
    newest_for_size,
    now_utc,
    read_toml,
    safe_stem,
    write_toml,
)
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError

PLANE_FILE_PREFIX = "plane_"
MIN_POINTS = 4

#: Floor rectangle corners in the order the user clicks them; the origin is the near-left corner,
#: +x runs along the near edge to the right, +y away from the camera.
FLOOR_CORNER_NAMES: tuple[str, ...] = ("near_left", "near_right", "far_right", "far_left")


class PlaneKind(StrEnum):
    DARTBOARD = "dartboard"
    FLOOR = "floor"


def _apply_homography(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Map (..., 2) points through a 3x3 homography; NaN in, NaN out."""
    xy = np.asarray(xy, dtype=float)
    if xy.shape[-1:] != (2,):
        raise ValueError(f"points must end in an axis of 2, got shape {xy.shape}")
    homogeneous = xy @ matrix[:, :2].T + matrix[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        return homogeneous[..., :2] / homogeneous[..., 2:3]


@dataclass(frozen=True)
class PlaneCalibration:
    """A fitted image-to-plane homography plus the points it was fitted from.

    ``image_to_plane`` maps (x_px, y_px, 1) to plane millimetres. Points are
    ``(point, 2)`` arrays in the order of ``point_names``.
    """

    name: str
    kind: PlaneKind
    image_size_px: tuple[int, int]
    image_to_plane: np.ndarray
    point_names: tuple[str, ...]
    image_points_px: np.ndarray
    plane_points_mm: np.ndarray
    created: dt.datetime

    def __post_init__(self) -> None:
        matrix = frozen_array(self.image_to_plane)
        image_points = frozen_array(self.image_points_px)
        plane_points = frozen_array(self.plane_points_mm)
        count = len(self.point_names)
        if matrix.shape != (3, 3) or not np.all(np.isfinite(matrix)):
            raise ValueError("image_to_plane must be a finite 3x3 matrix")
        if abs(np.linalg.det(matrix)) < 1e-12:
            raise ValueError("image_to_plane is singular (points collinear?)")
        for label, points in (("image_points_px", image_points), ("plane_points_mm", plane_points)):
            if points.shape != (count, 2) or not np.all(np.isfinite(points)):
                raise ValueError(f"{label} must be {count} finite (x, y) pairs, one per point name")
        object.__setattr__(self, "kind", PlaneKind(self.kind))
        object.__setattr__(self, "image_to_plane", matrix)
        object.__setattr__(self, "image_points_px", image_points)
        object.__setattr__(self, "plane_points_mm", plane_points)
        object.__setattr__(self, "point_names", tuple(self.point_names))
        object.__setattr__(self, "image_size_px", (int(self.image_size_px[0]), int(self.image_size_px[1])))

    def image_to_plane_mm(self, xy_px: np.ndarray) -> np.ndarray:
        """(..., 2) pixel points to plane millimetres."""
        return _apply_homography(self.image_to_plane, xy_px)

    def plane_to_image_px(self, xy_mm: np.ndarray) -> np.ndarray:
        """(..., 2) plane millimetres to pixels, e.g. to draw the board's rings over the video."""
        return _apply_homography(np.linalg.inv(self.image_to_plane), xy_mm)

    @property
    def residual_mm(self) -> np.ndarray:
        """(point,) distance between each fitted point's mapped pixel and its known plane position."""
        return np.linalg.norm(self.image_to_plane_mm(self.image_points_px) - self.plane_points_mm, axis=1)

    @property
    def rms_residual_mm(self) -> float:
        """0 for exactly four points; with more it shows how consistent the clicks were."""
        return float(np.sqrt(np.mean(self.residual_mm**2)))


def fit_plane(
    image_points_px: Mapping[str, Sequence[float]],
    plane_points_mm: Mapping[str, Sequence[float]],
    kind: PlaneKind,
    image_size_px: tuple[int, int],
    name: str | None = None,
) -> PlaneCalibration:
    """Fit the homography from named clicked points to their known plane positions.

    ``image_points_px`` maps a point name to its pixel (x, y); every name must
    be known in ``plane_points_mm``. Uses all points (least squares), no
    outlier rejection: with a handful of deliberate clicks a bad one should
    show up in ``residual_mm``, not be silently dropped.
    """
    kind = PlaneKind(kind)
    unknown = [point for point in image_points_px if point not in plane_points_mm]
    if unknown:
        raise UserFacingError(
            f"unknown {kind} point name(s) {', '.join(unknown)}; known: {', '.join(plane_points_mm)}"
        )
    names = tuple(image_points_px)
    if len(names) < MIN_POINTS:
        raise UserFacingError(f"{kind} calibration needs at least {MIN_POINTS} points, got {len(names)}")
    image_points = np.array([image_points_px[point] for point in names], dtype=float)
    plane_points = np.array([plane_points_mm[point] for point in names], dtype=float)
    if image_points.shape != (len(names), 2) or not np.all(np.isfinite(image_points)):
        raise UserFacingError(f"{kind} calibration points must be finite (x, y) pixel pairs")
    matrix, _ = cv2.findHomography(image_points, plane_points, method=0)
    try:
        if matrix is None:
            raise ValueError("no homography fits these points")
        return PlaneCalibration(
            name=name or str(kind),
            kind=kind,
            image_size_px=image_size_px,
            image_to_plane=matrix,
            point_names=names,
            image_points_px=image_points,
            plane_points_mm=plane_points,
            created=now_utc(),
        )
    except ValueError as error:
        raise UserFacingError(f"{kind} calibration failed: {error}; are three of the points in a line?") from None


def floor_rectangle_points_mm(width_cm: float, depth_cm: float) -> dict[str, tuple[float, float]]:
    """Plane positions of the corners of a floor rectangle ``width_cm`` across and ``depth_cm`` deep."""
    if not (width_cm > 0 and depth_cm > 0 and np.isfinite(width_cm) and np.isfinite(depth_cm)):
        raise UserFacingError(f"floor rectangle must have a positive width and depth, got {width_cm} x {depth_cm} cm")
    width_mm, depth_mm = 10.0 * width_cm, 10.0 * depth_cm
    corners = ((0.0, 0.0), (width_mm, 0.0), (width_mm, depth_mm), (0.0, depth_mm))
    return dict(zip(FLOOR_CORNER_NAMES, corners))


def fit_floor_rectangle(
    corners_px: Sequence[Sequence[float]],
    width_cm: float,
    depth_cm: float,
    image_size_px: tuple[int, int],
    name: str = "floor",
) -> PlaneCalibration:
    """Floor calibration from the 4 corners clicked in the order near-left, near-right, far-right, far-left."""
    if len(corners_px) != len(FLOOR_CORNER_NAMES):
        raise UserFacingError(f"floor rectangle needs its 4 corners ({', '.join(FLOOR_CORNER_NAMES)}), got {len(corners_px)}")
    clicked = dict(zip(FLOOR_CORNER_NAMES, corners_px))
    return fit_plane(clicked, floor_rectangle_points_mm(width_cm, depth_cm), PlaneKind.FLOOR, image_size_px, name)


@dataclass(frozen=True)
class PlaneTarget:
    """What the user clicks for one plane: the point names in click order and where each lies on the plane."""

    kind: PlaneKind
    point_names: tuple[str, ...]
    known_points_mm: Mapping[str, tuple[float, float]]


def plane_target(
    kind: PlaneKind, calibration_dir: Path, width_cm: float | None = None, depth_cm: float | None = None
) -> PlaneTarget:
    """The points to click for a plane: the workspace board's default click points, or the floor
    rectangle's corners (which need the rectangle's size)."""
    kind = PlaneKind(kind)
    if kind is PlaneKind.FLOOR:
        if width_cm is None or depth_cm is None:
            raise UserFacingError("a floor calibration needs the width and depth of the rectangle in cm")
        return PlaneTarget(kind, FLOOR_CORNER_NAMES, floor_rectangle_points_mm(width_cm, depth_cm))
    board = workspace_dartboard(calibration_dir)
    return PlaneTarget(kind, board.default_click_points, dict(board.click_points_mm))


def describe_plane_calibration(calibration: PlaneCalibration) -> list[str]:
    """Per-point residuals when there are more than four points (four always fit exactly)."""
    if len(calibration.point_names) <= MIN_POINTS:
        return []
    lines = [
        f"{name}: off by {residual_mm:.1f} mm" for name, residual_mm in zip(calibration.point_names, calibration.residual_mm)
    ]
    lines.append(f"RMS residual {calibration.rms_residual_mm:.2f} mm over {len(calibration.point_names)} points")
    return lines


# --- files -------------------------------------------------------------------------------------


def plane_calibration_path(calibration_dir: Path, name: str) -> Path:
    return Path(calibration_dir) / f"{PLANE_FILE_PREFIX}{safe_stem(name)}.toml"


def save_plane_calibration(calibration: PlaneCalibration, path: Path) -> Path:
    table = {
        "kind": "plane",
        "plane_kind": str(calibration.kind),
        "name": calibration.name,
        "created": calibration.created,
        "image_size_px": list(calibration.image_size_px),
        "image_to_plane": calibration.image_to_plane.tolist(),
        "point_names": list(calibration.point_names),
        "image_points_px": calibration.image_points_px.tolist(),
        "plane_points_mm": calibration.plane_points_mm.tolist(),
        "rms_residual_mm": calibration.rms_residual_mm,
    }
    return write_toml(path, table,
                      header="Motor Trainer plane calibration (image px -> plane mm); written by `motor-trainer calibrate plane`")


def load_plane_calibration(path: Path) -> PlaneCalibration:
    """Read and fully validate a plane calibration; any defect is a one-line UserFacingError."""
    reader = TableReader(path, read_toml(path))
    reader.kind("plane")
    plane_kind = reader.text("plane_kind")
    if plane_kind not in set(PlaneKind):
        raise reader.fail(f"'plane_kind' is {plane_kind!r}, expected one of {', '.join(PlaneKind)}")
    try:
        return PlaneCalibration(
            name=reader.text("name"),
            kind=PlaneKind(plane_kind),
            image_size_px=reader.whole_pair("image_size_px"),
            image_to_plane=reader.array("image_to_plane", (3, 3)),
            point_names=reader.strings("point_names"),
            image_points_px=reader.array("image_points_px", (None, 2)),
            plane_points_mm=reader.array("plane_points_mm", (None, 2)),
            created=reader.timestamp("created"),
        )
    except ValueError as error:
        raise reader.fail(str(error)) from None


def find_plane_calibration(
    calibration_dir: Path, kind: PlaneKind, image_size_px: tuple[int, int]
) -> tuple[PlaneCalibration | None, list[str]]:
    """The newest plane calibration of this kind for this frame size, and one line per file passed over."""
    kind = PlaneKind(kind)
    return newest_for_size(
        calibration_dir,
        f"{PLANE_FILE_PREFIX}*.toml",
        load_plane_calibration,
        image_size_px,
        wanted=lambda calibration: calibration.kind == kind,
    )
