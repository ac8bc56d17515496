"""The calibration wizard used as a person would: import or capture board photos, calibrate, click a plane."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from motor_trainer.calibration.camera import (
    CameraCalibration,
    camera_calibration_path,
    load_camera_calibration,
    save_camera_calibration,
    undistort_points_px,
)
from motor_trainer.calibration.plane import (
    load_plane_calibration,
    plane_calibration_path,
)
from motor_trainer.calibration.targets import standard_dartboard
from motor_trainer.calibration.tomlfile import now_utc
from motor_trainer.cli import main
from motor_trainer.cvshim import cv2
from motor_trainer.gui.calibration_wizard import CalibrationWizard
from motor_trainer.gui.plane_calibration_page import dartboard_outline_mm

BOARD_WAIT_MS = 20_000


def board_photos(shared_dir: Path) -> list[Path]:
    photos = sorted((shared_dir / "calibration" / "checkerboard_view1").glob("*.jpg"))
    assert len(photos) == 7, "expected the 7 shared checkerboard photos of view1"
    return photos


@pytest.fixture
def wizard(qtbot, tmp_path) -> CalibrationWizard:
    dialog = CalibrationWizard(tmp_path / "calibration", cameras=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


def wait_for_searches(qtbot, wizard: CalibrationWizard, count: int) -> None:
    page = wizard.camera_page
    qtbot.waitUntil(lambda: len(page.inputs) == count and not page.busy, timeout=BOARD_WAIT_MS)


def listed(wizard: CalibrationWizard) -> list[str]:
    """The thumbnail captions as shown: "name\\nstatus"."""
    thumbnails = wizard.camera_page.thumbnails
    return [thumbnails.item(row).text() for row in range(thumbnails.count())]


# --- lens ----------------------------------------------------------------------------------------


def test_imported_photos_calibrate_below_half_a_pixel_and_save_a_loadable_file(qtbot, wizard, shared_dir, tmp_path):
    page = wizard.camera_page
    page.import_photos(board_photos(shared_dir))
    wait_for_searches(qtbot, wizard, 7)
    assert all(caption.endswith("board found") for caption in listed(wizard)) and len(listed(wizard)) == 7
    assert page.camera_name.text() == "checkerboard_view1"
    page.camera_name.setText("garage phone")
    assert page.calibrate_button.isEnabled()
    page.calibrate_button.click()
    qtbot.waitUntil(lambda: page.result is not None, timeout=BOARD_WAIT_MS)
    calibration = page.result.calibration
    assert calibration.rms_reprojection_px < 0.5
    assert len(calibration.views) == 7 and page.result.skipped == ()
    assert "7 board(s) used, 0 skipped" in page.summary.text() and f"RMS {calibration.rms_reprojection_px:.2f} px" in page.summary.text()
    assert "principal point" in page.summary.text() and page.problem.text() == ""
    saved = camera_calibration_path(tmp_path / "calibration", "garage phone")
    assert page.result.saved_path == saved and f"saved {saved}" in page.details.toPlainText()
    loaded = load_camera_calibration(saved)
    assert loaded.camera_name == "garage phone" and loaded.views == calibration.views
    np.testing.assert_allclose(loaded.camera_matrix, calibration.camera_matrix)


def test_a_broken_photo_is_one_line_and_too_few_boards_keep_the_old_file(qtbot, wizard, shared_dir, tmp_path):
    page = wizard.camera_page
    broken = tmp_path / "board_08.jpg"
    broken.write_bytes(b"\xff\xd8 truncated jpeg")
    old_file = camera_calibration_path(tmp_path / "calibration", "phone")
    old_file.parent.mkdir(parents=True)
    old_file.write_text("# an earlier calibration the user keeps\n")
    page.camera_name.setText("phone")
    page.import_photos([*board_photos(shared_dir)[:2], broken])
    wait_for_searches(qtbot, wizard, 3)
    assert page.problem.text() == f"{broken}: not a readable image, skipped"
    assert listed(wizard)[-1] == "board_08.jpg\nnot a readable image"
    page.calibrate_button.click()
    qtbot.waitUntil(lambda: page.problem.text() != "", timeout=BOARD_WAIT_MS)
    qtbot.waitUntil(lambda: "need 3" in page.problem.text(), timeout=BOARD_WAIT_MS)
    assert "\n" not in page.problem.text() and "found in only 2 input(s)" in page.problem.text() and "board_08.jpg" in page.problem.text()
    assert page.result is None
    assert old_file.read_text() == "# an earlier calibration the user keeps\n"
    page.thumbnails.item(2).setSelected(True)
    page.remove_button.click()
    assert [caption.split("\n")[0] for caption in listed(wizard)] == ["cam01_01_int.jpg", "cam01_02_int.jpg"]


def test_changing_the_board_size_searches_again(qtbot, wizard, shared_dir):
    page = wizard.camera_page
    page.import_photos(board_photos(shared_dir)[:2])
    wait_for_searches(qtbot, wizard, 2)
    page.rows.setValue(6)  # the real board has 4x7 inner corners
    wait_for_searches(qtbot, wizard, 2)
    assert listed(wizard)[0] == "cam01_01_int.jpg\nboard not found"
    assert all(item.detection.corners_px.shape == (24, 2) for item in page.inputs if item.found)
    page.rows.setValue(7)
    wait_for_searches(qtbot, wizard, 2)
    assert [item.detection.corners_px.shape for item in page.inputs] == [(28, 2), (28, 2)]


@pytest.fixture
def board_clip(shared_dir, tmp_path) -> Path:
    """Three of the board photos, downscaled to 272x480, each held for 1 s of a 10 fps clip."""
    path = tmp_path / "board_clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"crf": "18", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 272, 480, "yuv420p"
        for photo in board_photos(shared_dir)[:3]:
            rgb = cv2.cvtColor(cv2.resize(cv2.imread(str(photo)), (272, 480), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
            for _ in range(10):
                container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())
    return path


def test_capture_from_a_video_played_as_the_camera_finds_the_board(qtbot, wizard, board_clip):
    page = wizard.camera_page
    page.open_video_as_camera(board_clip)
    qtbot.waitUntil(page.capture_button.isEnabled, timeout=BOARD_WAIT_MS)
    assert page.live_view.images_shown >= 1 and page.camera_name.text() == "board_clip"
    page.capture_button.click()
    wait_for_searches(qtbot, wizard, 1)
    assert listed(wizard) == ["capture 1\nboard found"]
    assert page.inputs[0].detection.image_size_px == (272, 480)
    page.stop_source()


def test_a_video_that_will_not_open_is_one_line(qtbot, wizard, tmp_path):
    fake = tmp_path / "board.mp4"
    fake.write_text("this is not a video\n")
    wizard.camera_page.open_video_as_camera(fake)
    problem = wizard.camera_page.problem.text()
    assert problem.startswith(f"{fake}: ") and "\n" not in problem
    assert not wizard.camera_page.capture_button.isEnabled()


# --- plane ---------------------------------------------------------------------------------------

#: A known view of the board: board millimetres (+y up) to pixels of a 960x720 frame, seen from
#: below and to the left, so the board appears as a tilted ellipse.
FRAME_SIZE_PX = (960, 720)
BOARD_TO_IMAGE = np.array([[1.05, 0.18, 470.0], [0.05, -0.95, 350.0], [0.0002, 0.0004, 1.0]])


def project(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    homogeneous = np.asarray(xy, dtype=float) @ matrix[:, :2].T + matrix[:, 2]
    return homogeneous[..., :2] / homogeneous[..., 2:3]


@pytest.fixture
def dartboard_frame(tmp_path) -> Path:
    """A synthetic photo of the standard board's wires drawn through ``BOARD_TO_IMAGE``."""
    image = np.full((FRAME_SIZE_PX[1], FRAME_SIZE_PX[0], 3), 40, np.uint8)
    for line_mm in dartboard_outline_mm(standard_dartboard()):
        points = np.round(project(BOARD_TO_IMAGE, line_mm)).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(image, [points], False, (230, 230, 230), 2, cv2.LINE_AA)
    path = tmp_path / "board_photo.png"
    cv2.imwrite(str(path), image)
    return path


def click_image_point(qtbot, picker, xy_px, button=Qt.MouseButton.LeftButton) -> None:
    position = picker.image_to_widget(tuple(xy_px))
    qtbot.mouseClick(picker, button, pos=QPoint(round(position.x()), round(position.y())))


def test_clicked_board_points_save_what_calibrate_plane_saves(qtbot, wizard, dartboard_frame, tmp_path):
    wizard.tabs.setCurrentWidget(wizard.plane_page)
    page = wizard.plane_page
    picker = page.picker
    page.open_frame_file(dartboard_frame)
    qtbot.waitUntil(lambda: page.frame is not None, timeout=BOARD_WAIT_MS)
    assert picker.image_size_px == FRAME_SIZE_PX
    board = standard_dartboard()
    assert picker.point_names == board.default_click_points
    assert "between 5 and 20" in page.instruction.text() and "point 1 of 4" in page.instruction.text()
    true_px = {name: project(BOARD_TO_IMAGE, board.click_points_mm[name]) for name in picker.point_names}
    click_image_point(qtbot, picker, true_px[picker.point_names[0]])
    click_image_point(qtbot, picker, (100, 100))  # a slip of the hand...
    assert "point 3 of 4" in page.instruction.text()
    click_image_point(qtbot, picker, (100, 100), Qt.MouseButton.RightButton)  # ...taken back with a right click
    click_image_point(qtbot, picker, (50, 600))
    qtbot.keyClick(picker, Qt.Key.Key_Backspace)  # ...or with Backspace
    assert len(picker.points_px) == 1 and not page.save_button.isEnabled()
    for name in picker.point_names[1:]:
        click_image_point(qtbot, picker, true_px[name])
    assert page.save_button.isEnabled() and "press Save" in page.instruction.text()
    page.save_button.click()
    assert page.problem.text() == ""

    saved = load_plane_calibration(plane_calibration_path(tmp_path / "calibration", "dartboard"))
    clicks = ";".join(f"{x!r},{y!r}" for x, y in picker.points_px)
    cli_dir = tmp_path / "cli"
    argv = ["calibrate", "plane", "--kind", "dartboard", "--points", clicks, "--image-size", "960x720", "--out", str(cli_dir)]
    assert main(argv) == 0
    from_cli = load_plane_calibration(plane_calibration_path(cli_dir, "dartboard"))
    np.testing.assert_allclose(saved.image_to_plane, from_cli.image_to_plane, rtol=1e-9)
    assert saved.point_names == from_cli.point_names and saved.image_size_px == (960, 720)
    # Clicks land on whole widget pixels (~1.3 image px here), yet the bull maps within a few mm of the centre.
    bull_px = project(BOARD_TO_IMAGE, np.zeros(2))
    assert np.linalg.norm(saved.image_to_plane_mm(bull_px)) < 3.0
    assert "mm at the bull" in page.result.text() and "Saved " in page.result.text()


def test_floor_corners_from_a_video_frame_picked_with_the_slider(qtbot, wizard, media_dir, tmp_path):
    page = wizard.plane_page
    page.choose_kind("floor", width_cm=300, depth_cm=200)
    page.name.setText("lab floor")
    page.open_frame_file(media_dir / "lab_steps_view1.mp4")
    qtbot.waitUntil(lambda: page.frame is not None and not page.loading, timeout=BOARD_WAIT_MS)
    assert page.time_slider.isEnabled() and page.frame.time_s == pytest.approx(0.0)
    page.show_video_time(1.5)
    qtbot.waitUntil(lambda: not page.loading and page.frame.time_s >= 1.5, timeout=BOARD_WAIT_MS)
    assert page.frame.time_s < 1.6 and page.time_label.text() == f"{page.frame.time_s:.2f} s"
    width_px, height_px = page.frame.size_px
    assert "near-left corner" in page.instruction.text()
    corners_px = [(0.2 * width_px, 0.9 * height_px), (0.8 * width_px, 0.9 * height_px),
                  (0.7 * width_px, 0.6 * height_px), (0.3 * width_px, 0.6 * height_px)]
    for corner in corners_px:
        click_image_point(qtbot, page.picker, corner)
    page.save_button.click()
    saved = load_plane_calibration(plane_calibration_path(tmp_path / "calibration", "lab floor"))
    far_right_mm = saved.image_to_plane_mm(np.array(page.picker.points_px[2]))
    np.testing.assert_allclose(far_right_mm, (3000.0, 2000.0), atol=1e-6)
    assert "mm at the middle of the rectangle" in page.result.text()


def test_a_broken_frame_file_is_one_line(qtbot, wizard, tmp_path):
    page = wizard.plane_page
    broken = tmp_path / "board.jpg"
    broken.write_bytes(b"not a jpeg")
    page.open_frame_file(broken)
    qtbot.waitUntil(lambda: page.problem.text() != "", timeout=BOARD_WAIT_MS)
    assert page.problem.text() == f"{broken}: not a readable image"
    assert page.frame is None and not page.save_button.isEnabled()


def test_with_a_camera_calibration_the_frame_is_clicked_in_undistorted_pixels(qtbot, wizard, tmp_path):
    """A dot filmed near the corner of a barrel-distorted lens appears where undistort_points_px puts its landmarks."""
    lens = CameraCalibration(
        camera_name="bench cam",
        image_size_px=FRAME_SIZE_PX,
        camera_matrix=np.array([[700.0, 0.0, 480.0], [0.0, 700.0, 360.0], [0.0, 0.0, 1.0]]),
        distortion=np.array([-0.3, 0.1, 0.0, 0.0, 0.0]),
        rms_reprojection_px=0.2,
        created=now_utc(),
    )
    save_camera_calibration(lens, camera_calibration_path(tmp_path / "calibration", lens.camera_name))
    dot_px = np.array([860.0, 620.0])
    image = np.zeros((FRAME_SIZE_PX[1], FRAME_SIZE_PX[0], 3), np.uint8)
    cv2.circle(image, (int(dot_px[0]), int(dot_px[1])), 4, (255, 255, 255), -1)
    path = tmp_path / "dot.png"
    cv2.imwrite(str(path), image)
    page = wizard.plane_page
    page.open_frame_file(path)
    qtbot.waitUntil(lambda: page.frame is not None, timeout=BOARD_WAIT_MS)
    assert page.frame.undistorted_with == "bench cam" and "'bench cam'" in page.frame_note.text()
    brightness = page.frame.image_rgb[..., 0].astype(float)
    rows, columns = np.nonzero(brightness > 60)
    shown_px = np.average(np.column_stack([columns, rows]), axis=0, weights=brightness[rows, columns])
    expected_px = undistort_points_px(dot_px, lens)
    assert np.linalg.norm(expected_px - dot_px) > 20, "the test lens must move the dot visibly"
    np.testing.assert_allclose(shown_px, expected_px, atol=1.5)


def test_a_failed_save_is_one_line_and_leaves_what_was_there(qtbot, wizard, dartboard_frame, tmp_path):
    blocker = tmp_path / "calibration"
    blocker.write_text("a file where the calibration folder should be\n")
    page = wizard.plane_page
    page.open_frame_file(dartboard_frame)
    qtbot.waitUntil(lambda: page.frame is not None, timeout=BOARD_WAIT_MS)
    board = standard_dartboard()
    for name in page.picker.point_names:
        click_image_point(qtbot, page.picker, project(BOARD_TO_IMAGE, board.click_points_mm[name]))
    page.save_button.click()
    assert "plane_dartboard.toml: could not write" in page.problem.text() and "\n" not in page.problem.text()
    assert page.saved is None and page.result.text() == ""
    assert blocker.read_text() == "a file where the calibration folder should be\n"


def test_a_board_size_changed_during_a_search_applies_to_every_photo(qtbot, wizard, shared_dir):
    page = wizard.camera_page
    page.rows.setValue(6)
    page.import_photos(board_photos(shared_dir)[:3])
    page.rows.setValue(7)  # while the 4x6 search runs
    wait_for_searches(qtbot, wizard, 3)
    assert [item.detection.corners_px.shape for item in page.inputs] == [(28, 2)] * 3
