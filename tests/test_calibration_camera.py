"""Camera intrinsics on the real checkerboard photos, and undistortion with a known lens."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

import motor_trainer.calibration.camera as camera
from motor_trainer.calibration.camera import (
    CameraCalibration,
    board_object_points_mm,
    calibrate_from_images,
    calibrate_from_video,
    camera_calibration_path,
    find_board_corners_px,
    find_matching_calibration,
    load_camera_calibration,
    save_camera_calibration,
    undistort_points_px,
    undistort_sequence,
)
from motor_trainer.calibration.tomlfile import now_utc
from motor_trainer.cvshim import cv2
from motor_trainer.pose.landmarks import LANDMARK_COUNT, PoseSequence

BOARD = (4, 7)
SQUARE_MM = 60.0
PHOTO_SIZE_PX = (1088, 1920)


def board_photos(shared_dir: Path, view: str) -> list[Path]:
    photos = sorted((shared_dir / "calibration" / f"checkerboard_{view}").glob("*.jpg"))
    assert len(photos) == 7, f"expected the 7 shared checkerboard photos of {view}"
    return photos


@pytest.fixture(scope="module")
def calibrations(shared_dir: Path) -> dict[str, tuple[CameraCalibration, tuple]]:
    """Both shared cameras calibrated once for the module (about a second in all)."""
    return {view: calibrate_from_images(board_photos(shared_dir, view), BOARD, SQUARE_MM) for view in ("view1", "view2")}


@pytest.mark.parametrize("view", ["view1", "view2"])
def test_real_board_calibrates_below_one_pixel_with_a_central_principal_point(calibrations, view):
    calibration, _ = calibrations[view]
    assert calibration.image_size_px == PHOTO_SIZE_PX
    assert calibration.rms_reprojection_px < 1.0
    off_x, off_y = calibration.principal_point_offset_fraction()
    assert abs(off_x) < 0.10 and abs(off_y) < 0.10
    fx, fy = calibration.focal_length_px
    assert abs(fx - fy) / fx < 0.02, "square pixels: the two focal lengths should agree"
    # Every photo fits on its own, and the per-photo errors add up to the overall one.
    assert len(calibration.view_rms_px) == len(calibration.views) and max(calibration.view_rms_px) < 1.0
    assert np.sqrt(np.mean(np.square(calibration.view_rms_px))) == pytest.approx(calibration.rms_reprojection_px, rel=1e-3)


def test_photos_without_a_board_are_listed_by_name_and_skipped(calibrations):
    calibration_1, skipped_1 = calibrations["view1"]
    calibration_2, skipped_2 = calibrations["view2"]
    # view1's cam01_02 has the board cut by the image edge: still found (second detector).
    assert skipped_1 == ()
    assert "cam01_02_int.jpg" in calibration_1.views
    # view2's cam02_06 shows a person, no board.
    assert [view.name for view in skipped_2] == ["cam02_06_int.jpg"]
    assert skipped_2[0].reason == "board not found"
    assert "cam02_06_int.jpg" not in calibration_2.views and len(calibration_2.views) == 6


def test_unreadable_file_is_skipped_with_its_reason(shared_dir, tmp_path):
    not_an_image = tmp_path / "notes.jpg"
    not_an_image.write_text("not a photo")
    photos = board_photos(shared_dir, "view2")[:4]
    calibration, skipped = calibrate_from_images([*photos, not_an_image], BOARD, SQUARE_MM, camera_name="phone")
    assert [(view.name, view.reason) for view in skipped] == [("notes.jpg", "not a readable image")]
    assert calibration.camera_name == "phone" and len(calibration.views) == 4


def test_detection_on_a_shrunk_copy_loses_no_accuracy(shared_dir, monkeypatch):
    """Corners found at ~1000 px and refined at full size match a search at full size."""
    for photo in board_photos(shared_dir, "view1")[:2]:
        gray = cv2.imread(str(photo), cv2.IMREAD_GRAYSCALE)
        fast = find_board_corners_px(gray, BOARD)
        monkeypatch.setattr(camera, "DETECTION_MAX_SIDE_PX", 10_000)
        full = find_board_corners_px(gray, BOARD)
        monkeypatch.undo()
        # The two searches may number the corners from opposite ends; compare as point sets.
        nearest_px = np.linalg.norm(fast[:, None] - full[None], axis=2).min(axis=1)
        assert nearest_px.max() < 0.05


def test_saved_calibration_reloads_and_is_found_for_its_resolution_only(calibrations, tmp_path):
    calibration, _ = calibrations["view1"]
    path = save_camera_calibration(calibration, camera_calibration_path(tmp_path, "lab cam/1"))
    assert path.name == "camera_lab_cam_1.toml"
    loaded = load_camera_calibration(path)
    np.testing.assert_array_equal(loaded.camera_matrix, calibration.camera_matrix)
    np.testing.assert_array_equal(loaded.distortion, calibration.distortion)
    assert (loaded.camera_name, loaded.image_size_px, loaded.views, loaded.view_rms_px) == (
        calibration.camera_name,
        calibration.image_size_px,
        calibration.views,
        calibration.view_rms_px,
    )
    found, warnings = find_matching_calibration(tmp_path, PHOTO_SIZE_PX)
    assert found is not None and found.camera_name == calibration.camera_name and warnings == []
    # The same camera held landscape gives other frames: the portrait calibration must not be used.
    found, warnings = find_matching_calibration(tmp_path, (1920, 1088))
    assert found is None
    assert len(warnings) == 1 and "camera_lab_cam_1.toml" in warnings[0] and "1088x1920" in warnings[0]


def test_newest_matching_calibration_wins(calibrations, tmp_path):
    older, _ = calibrations["view1"]
    newer, _ = calibrations["view2"]
    stamp = now_utc()
    save_camera_calibration(replace(older, created=stamp.replace(year=stamp.year - 1)), tmp_path / "camera_a.toml")
    save_camera_calibration(replace(newer, created=stamp), tmp_path / "camera_b.toml")
    found, _ = find_matching_calibration(tmp_path, PHOTO_SIZE_PX)
    assert found.camera_name == newer.camera_name


def test_video_of_the_board_calibrates_like_the_photos(shared_dir, tmp_path, calibrations):
    """A clip made of the view2 photos: same skipped frame, same intrinsics within a pixel or two."""
    video_path = tmp_path / "board_sweep.mp4"
    with av.open(str(video_path), "w") as container:
        stream = container.add_stream("libx264", rate=5, options={"crf": "18", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = *PHOTO_SIZE_PX, "yuv420p"
        for photo in board_photos(shared_dir, "view2"):
            rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())
    calibration, skipped = calibrate_from_video(video_path, BOARD, SQUARE_MM)
    assert calibration.camera_name == "board_sweep"
    assert [view.name for view in skipped] == ["frame 5"]
    assert calibration.rms_reprojection_px < 1.0
    from_photos, _ = calibrations["view2"]
    np.testing.assert_allclose(calibration.principal_point_px, from_photos.principal_point_px, atol=3.0)
    np.testing.assert_allclose(calibration.focal_length_px, from_photos.focal_length_px, rtol=0.01)


# --- undistortion -------------------------------------------------------------------------------

KNOWN_MATRIX = np.array([[900.0, 0.0, 640.0], [0.0, 900.0, 360.0], [0.0, 0.0, 1.0]])
#: A wide webcam's barrel distortion: straight lines near the edge bow by several pixels.
KNOWN_DISTORTION = np.array([-0.30, 0.10, 0.001, -0.001, 0.0])


@pytest.fixture
def known_lens() -> CameraCalibration:
    return CameraCalibration(
        camera_name="synthetic",
        image_size_px=(1280, 720),
        camera_matrix=KNOWN_MATRIX,
        distortion=KNOWN_DISTORTION,
        rms_reprojection_px=0.0,
        created=now_utc(),
    )


def _project(points_m: np.ndarray, distortion: np.ndarray) -> np.ndarray:
    image, _ = cv2.projectPoints(points_m, np.zeros(3), np.zeros(3), KNOWN_MATRIX, distortion)
    return image.reshape(-1, 2)


def test_undistortion_recovers_the_ideal_pinhole_position(known_lens):
    rng = np.random.default_rng(4)
    points_m = np.column_stack([rng.uniform(-1.2, 1.2, 200), rng.uniform(-0.7, 0.7, 200), np.full(200, 2.0)])
    distorted_px = _project(points_m, KNOWN_DISTORTION)
    ideal_px = _project(points_m, np.zeros(5))
    assert np.abs(distorted_px - ideal_px).max() > 20, "the synthetic lens must bend visibly near the edge"
    np.testing.assert_allclose(undistort_points_px(distorted_px, known_lens), ideal_px, atol=0.05)


def test_undistortion_keeps_shape_and_nan(known_lens):
    xy_px = np.full((3, LANDMARK_COUNT, 2), np.nan)
    xy_px[0, :5] = [[100, 100], [640, 360], [1200, 700], [10, 600], [900, 50]]
    out = undistort_points_px(xy_px, known_lens)
    assert out.shape == xy_px.shape
    assert np.isnan(out[1:]).all() and np.isnan(out[0, 5:]).all()
    assert np.isfinite(out[0, :5]).all()
    np.testing.assert_allclose(out[0, 1], [640, 360], atol=1e-6)  # the principal point does not move


def test_undistort_sequence_refuses_another_resolution(known_lens):
    sequence = PoseSequence.empty(np.arange(3) / 30.0, (1920, 1080))
    with pytest.raises(ValueError, match="1280"):
        undistort_sequence(sequence, known_lens)
    fitting = PoseSequence.empty(np.arange(3) / 30.0, (1280, 720))
    assert np.isnan(undistort_sequence(fitting, known_lens).xy_px).all()


def test_real_calibration_straightens_the_board(shared_dir, calibrations):
    """After undistortion the board's corners fit a flat-plane projection better than before."""
    calibration, _ = calibrations["view1"]
    object_mm = board_object_points_mm(BOARD, SQUARE_MM)[:, :2]
    residual_before, residual_after = [], []
    for photo in board_photos(shared_dir, "view1"):
        corners_px = find_board_corners_px(cv2.imread(str(photo), cv2.IMREAD_GRAYSCALE), BOARD)
        for corners, residuals in ((corners_px, residual_before), (undistort_points_px(corners_px, calibration), residual_after)):
            homography, _ = cv2.findHomography(object_mm, corners, method=0)
            mapped = cv2.perspectiveTransform(object_mm.reshape(-1, 1, 2).astype(float), homography).reshape(-1, 2)
            residuals.append(np.sqrt(np.mean(np.sum((mapped - corners) ** 2, axis=1))))
    assert all(after < before for before, after in zip(residual_before, residual_after))
    assert max(residual_after) < 0.5
