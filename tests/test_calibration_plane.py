"""Board and floor homographies recovered from synthetic clicks with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.calibration.plane import (
    FLOOR_CORNER_NAMES,
    PlaneKind,
    find_plane_calibration,
    fit_floor_rectangle,
    fit_plane,
    load_plane_calibration,
    plane_calibration_path,
    save_plane_calibration,
)
from motor_trainer.calibration.targets import standard_dartboard
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError

FRAME_SIZE_PX = (1920, 1080)


def camera_homography(rotation_deg: tuple[float, float, float], distance_mm: float, focal_px: float) -> np.ndarray:
    """Plane mm -> image px for a camera looking at the plane from ``distance_mm`` with a tilt.

    The plane's +y is up on the board while image y grows downward, hence the flip.
    """
    rotation, _ = cv2.Rodrigues(np.radians(rotation_deg))
    camera_matrix = np.array([[focal_px, 0, FRAME_SIZE_PX[0] / 2], [0, focal_px, FRAME_SIZE_PX[1] / 2], [0, 0, 1]])
    flip_y = np.diag([1.0, -1.0, 1.0])
    extrinsic = np.column_stack([rotation[:, 0], rotation[:, 1], [0.0, 0.0, distance_mm]])
    return camera_matrix @ extrinsic @ flip_y


def project(homography: np.ndarray, points: np.ndarray) -> np.ndarray:
    homogeneous = np.column_stack([points, np.ones(len(points))]) @ homography.T
    return homogeneous[:, :2] / homogeneous[:, 2:]


def board_grid_mm() -> np.ndarray:
    """Points all over the scoring area, where darts land."""
    radius, bearing = np.meshgrid(np.linspace(0, 170, 18), np.radians(np.arange(0, 360, 9)))
    return np.column_stack([(radius * np.sin(bearing)).ravel(), (radius * np.cos(bearing)).ravel()])


def recovery_rms_mm(click_names: list[str], seed: int, noise_px: float = 0.5) -> float:
    """Fit from noisy clicks of a board seen from 1 m, up to 25/30 degrees off axis, and return the
    RMS error of the fitted mapping over the whole scoring area.

    At 1 m a 1400 px focal length images the board at 1.4 px/mm (about 480 px across); the error
    scales with ``noise_px`` divided by that, so a camera at the throw line (0.6 px/mm) needs
    zoomed, sub-pixel clicks for the same accuracy.
    """
    rng = np.random.default_rng(seed)
    board = standard_dartboard()
    tilt_deg = (rng.uniform(-25, 25), rng.uniform(-30, 30), rng.uniform(-5, 5))
    true_homography = camera_homography(tilt_deg, 1000.0, 1400.0)
    plane_mm = np.array([board.click_points_mm[name] for name in click_names])
    clicks_px = project(true_homography, plane_mm) + rng.normal(0, noise_px, plane_mm.shape)
    calibration = fit_plane(dict(zip(click_names, clicks_px)), board.click_points_mm, PlaneKind.DARTBOARD, FRAME_SIZE_PX)
    grid_mm = board_grid_mm()
    recovered_mm = calibration.image_to_plane_mm(project(true_homography, grid_mm))
    return float(np.sqrt(np.mean(np.sum((recovered_mm - grid_mm) ** 2, axis=1))))


def test_board_homography_from_noisy_clicks_maps_back_within_half_a_millimetre():
    """All preset click points, 0.5 px click noise: every one of 20 random views within 0.5 mm RMS."""
    names = list(standard_dartboard().click_points_mm)
    errors_mm = [recovery_rms_mm(names, seed) for seed in range(20)]
    assert max(errors_mm) < 0.5


def test_four_default_clicks_are_typically_within_half_a_millimetre():
    names = list(standard_dartboard().default_click_points)
    errors_mm = [recovery_rms_mm(names, seed) for seed in range(20)]
    assert np.median(errors_mm) < 0.5 and max(errors_mm) < 1.0
    assert recovery_rms_mm(names, seed=0, noise_px=0.0) < 1e-3


def test_four_default_clicks_fit_exactly_and_map_the_bull():
    board = standard_dartboard()
    true_homography = camera_homography((10.0, -20.0, 3.0), 2400.0, 1400.0)
    names = board.default_click_points
    clicks_px = project(true_homography, np.array([board.click_points_mm[name] for name in names]))
    calibration = fit_plane(dict(zip(names, clicks_px)), board.click_points_mm, PlaneKind.DARTBOARD, FRAME_SIZE_PX)
    assert calibration.rms_residual_mm < 1e-3
    bull_px = project(true_homography, np.zeros((1, 2)))
    np.testing.assert_allclose(calibration.image_to_plane_mm(bull_px), [[0.0, 0.0]], atol=1e-3)
    np.testing.assert_allclose(calibration.plane_to_image_px(np.zeros(2)), bull_px[0], atol=1e-3)


def test_mapping_keeps_array_shape_and_nan():
    calibration = fit_floor_rectangle([(500, 1000), (1400, 1000), (1300, 600), (600, 600)], 200, 150, FRAME_SIZE_PX)
    xy_px = np.full((4, 33, 2), np.nan)
    xy_px[0, 0] = (950, 800)
    mapped = calibration.image_to_plane_mm(xy_px)
    assert mapped.shape == (4, 33, 2)
    assert np.isfinite(mapped[0, 0]).all() and np.isnan(mapped[1:]).all()


def test_floor_rectangle_puts_feet_in_centimetres():
    """A 200 x 150 cm rectangle seen obliquely; the rectangle's centre maps to (100, 75) cm."""
    floor_to_image = camera_homography((-60.0, 0.0, 0.0), 3000.0, 1000.0)
    corners_mm = np.array([[0, 0], [2000, 0], [2000, 1500], [0, 1500]], dtype=float) - [1000, 750]
    corners_px = project(floor_to_image, corners_mm)
    calibration = fit_floor_rectangle(corners_px.tolist(), width_cm=200, depth_cm=150, image_size_px=FRAME_SIZE_PX)
    assert calibration.kind is PlaneKind.FLOOR and calibration.point_names == FLOOR_CORNER_NAMES
    centre_px = project(floor_to_image, np.zeros((1, 2)))
    np.testing.assert_allclose(calibration.image_to_plane_mm(centre_px)[0] / 10.0, [100.0, 75.0], atol=1e-6)
    # Perspective: the centre is NOT the midpoint of the corners in the image.
    assert np.linalg.norm(centre_px[0] - corners_px.mean(axis=0)) > 5


def test_degenerate_or_wrong_points_are_refused_in_one_line():
    board = standard_dartboard()
    with pytest.raises(UserFacingError, match="at least 4"):
        three_points = {"bull": (1, 1), "double_outer_20": (1, 50), "double_outer_6": (60, 1)}
        fit_plane(three_points, board.click_points_mm, "dartboard", FRAME_SIZE_PX)
    with pytest.raises(UserFacingError, match="unknown dartboard point name.*treble_20"):
        fit_plane(
            {"bull": (1, 1), "double_outer_20": (1, 50), "double_outer_6": (60, 1), "treble_20": (5, 5)},
            board.click_points_mm,
            "dartboard",
            FRAME_SIZE_PX,
        )
    with pytest.raises(UserFacingError, match="in a line"):
        fit_floor_rectangle([(0, 0), (100, 0), (200, 0), (300, 0)], 100, 100, FRAME_SIZE_PX)
    with pytest.raises(UserFacingError, match="positive width"):
        fit_floor_rectangle([(0, 0), (100, 0), (100, 100), (0, 100)], -1, 100, FRAME_SIZE_PX)


def test_saved_plane_reloads_and_is_found_by_kind_and_size(tmp_path):
    floor = fit_floor_rectangle([(500, 1000), (1400, 1000), (1300, 600), (600, 600)], 200, 150, FRAME_SIZE_PX, name="studio")
    path = save_plane_calibration(floor, plane_calibration_path(tmp_path, "studio"))
    loaded = load_plane_calibration(path)
    np.testing.assert_allclose(loaded.image_to_plane, floor.image_to_plane)
    assert (loaded.kind, loaded.name, loaded.point_names) == (PlaneKind.FLOOR, "studio", FLOOR_CORNER_NAMES)
    found, warnings = find_plane_calibration(tmp_path, PlaneKind.FLOOR, FRAME_SIZE_PX)
    assert found is not None and found.name == "studio" and warnings == []
    assert find_plane_calibration(tmp_path, PlaneKind.DARTBOARD, FRAME_SIZE_PX) == (None, [])
    found, warnings = find_plane_calibration(tmp_path, PlaneKind.FLOOR, (1280, 720))
    assert found is None and len(warnings) == 1 and "plane_studio.toml" in warnings[0]
