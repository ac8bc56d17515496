"""Bad calibration files give one line naming the file and the cause; analysis goes on uncalibrated."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from motor_trainer.calibration.camera import (
    CameraCalibration,
    calibration_notes,
    find_matching_calibration,
    load_camera_calibration,
    save_camera_calibration,
    undistort_if_calibrated,
)
from motor_trainer.calibration.plane import fit_floor_rectangle, load_plane_calibration, save_plane_calibration
from motor_trainer import atomic_files
from motor_trainer.calibration.tomlfile import now_utc
from motor_trainer.cli import main
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import PoseSequence

SIZE_PX = (1280, 720)


def good_camera(name: str = "webcam") -> CameraCalibration:
    return CameraCalibration(
        camera_name=name,
        image_size_px=SIZE_PX,
        camera_matrix=np.array([[900.0, 0, 641.5], [0, 901.0, 358.2], [0, 0, 1]]),
        distortion=np.array([-0.3, 0.1, 0.001, -0.001, 0.0]),
        rms_reprojection_px=0.31,
        created=now_utc(),
    )


def edited_copy(source: Path, target: Path, edit) -> Path:
    table = tomllib.loads(source.read_text())
    edit(table)
    target.write_text(tomli_w.dumps(table))
    return target


def _drop(key):
    return lambda table: table.pop(key)


def _set(key, value):
    return lambda table: table.__setitem__(key, value)


CAMERA_DEFECTS = [
    ("missing_matrix", _drop("camera_matrix"), "missing key 'camera_matrix'"),
    ("missing_size", _drop("image_size_px"), "missing key 'image_size_px'"),
    ("nan_distortion", _set("distortion", [-0.3, float("nan"), 0.0, 0.0, 0.0]), "'distortion' contains NaN"),
    ("nan_rms", _set("rms_reprojection_px", float("nan")), "'rms_reprojection_px' is nan"),
    ("short_matrix", _set("camera_matrix", [[900.0, 0.0, 640.0], [0.0, 900.0, 360.0]]), "has shape 2x3, expected 3x3"),
    ("zero_size", _set("image_size_px", [0, 720]), "two positive whole numbers"),
    ("size_for_other_lens", _set("image_size_px", [640, 360]), "principal point (642, 358) lies outside the 640x360 image"),
    ("plane_file", _set("kind", "plane"), "'kind' is 'plane', expected 'camera'"),
    ("text_size", _set("image_size_px", "1280x720"), "two positive whole numbers"),
]


@pytest.mark.parametrize(("label", "edit", "cause"), CAMERA_DEFECTS, ids=[d[0] for d in CAMERA_DEFECTS])
def test_bad_camera_file_is_one_line_naming_file_and_cause(tmp_path, label, edit, cause):
    good = save_camera_calibration(good_camera(), tmp_path / "good.toml")
    bad = edited_copy(good, tmp_path / f"camera_{label}.toml", edit)
    with pytest.raises(UserFacingError) as raised:
        load_camera_calibration(bad)
    message = str(raised.value)
    assert message.startswith(str(bad)) and cause in message and "\n" not in message


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"camera_name = 'webcam'\nimage_size_px = [1280, 720\n", "not valid TOML"),
        (b"this is a note, not a calibration", "not valid TOML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a text file"),
        (b"", "missing key 'kind'"),
    ],
)
def test_file_that_is_not_a_calibration_is_one_line(tmp_path, content, cause):
    path = tmp_path / "camera_phone.toml"
    path.write_bytes(content)
    with pytest.raises(UserFacingError) as raised:
        load_camera_calibration(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and cause in message and "\n" not in message


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(UserFacingError, match="camera_gone.toml: file not found"):
        load_camera_calibration(tmp_path / "camera_gone.toml")


def test_analysis_skips_bad_files_and_says_why_then_uses_the_good_one(tmp_path):
    good = save_camera_calibration(good_camera(), tmp_path / "camera_webcam.toml")
    edited_copy(good, tmp_path / "camera_broken.toml", _drop("distortion"))
    (tmp_path / "camera_notes.toml").write_text("not toml at all = = =")
    found, warnings = find_matching_calibration(tmp_path, SIZE_PX)
    assert found is not None and found.camera_name == "webcam"
    assert len(warnings) == 2
    assert all("\n" not in line and line.endswith("; ignored") for line in warnings)
    assert "camera_broken.toml: missing key 'distortion'" in warnings[0]
    assert "camera_notes.toml: not valid TOML" in warnings[1]
    notes = calibration_notes(found, warnings, SIZE_PX)
    assert notes[-1] == "camera calibration 'webcam' (RMS 0.31 px) applied"


def test_wrong_resolution_means_uncalibrated_and_says_so(tmp_path):
    save_camera_calibration(good_camera(), tmp_path / "camera_webcam.toml")
    found, warnings = find_matching_calibration(tmp_path, (1920, 1080))
    assert found is None
    assert warnings == [f"{tmp_path / 'camera_webcam.toml'}: made for 1280x720 frames, the source is 1920x1080; ignored"]
    assert calibration_notes(found, warnings, (1920, 1080))[-1] == "no camera calibration for 1920x1080: analysing uncalibrated"


def test_sequence_is_undistorted_only_with_a_matching_calibration(tmp_path):
    sequence = PoseSequence.empty(np.arange(2) / 30.0, SIZE_PX)
    xy_px = np.array(sequence.xy_px)
    xy_px[:, :, :] = [1200.0, 680.0]  # near the corner, where the lens bends most
    sequence = sequence.replace(xy_px=xy_px)
    unchanged, used, notes = undistort_if_calibrated(sequence, tmp_path)
    assert unchanged is sequence and used is None and notes == ["no camera calibration for 1280x720: analysing uncalibrated"]
    saved = save_camera_calibration(good_camera(), tmp_path / "camera_webcam.toml")
    undistorted, used, notes = undistort_if_calibrated(sequence, tmp_path)
    assert used.path == saved and notes == ["camera calibration 'webcam' (RMS 0.31 px) applied"]
    assert np.linalg.norm(undistorted.xy_px[0, 0] - sequence.xy_px[0, 0]) > 10


def test_no_calibration_folder_is_not_an_error(tmp_path):
    assert find_matching_calibration(tmp_path / "nowhere", SIZE_PX) == (None, [])


PLANE_DEFECTS = [
    ("missing_homography", _drop("image_to_plane"), "missing key 'image_to_plane'"),
    ("nan_homography", _set("image_to_plane", [[1.0, 0.0, 0.0], [0.0, float("nan"), 0.0], [0.0, 0.0, 1.0]]), "NaN"),
    ("singular", _set("image_to_plane", [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), "singular"),
    ("unknown_kind", _set("plane_kind", "wall"), "'plane_kind' is 'wall'"),
    ("names_points_mismatch", _set("point_names", ["near_left", "near_right"]), "one per point name"),
]


@pytest.mark.parametrize(("label", "edit", "cause"), PLANE_DEFECTS, ids=[d[0] for d in PLANE_DEFECTS])
def test_bad_plane_file_is_one_line_naming_file_and_cause(tmp_path, label, edit, cause):
    floor = fit_floor_rectangle([(500, 1000), (1400, 1000), (1300, 600), (600, 600)], 200, 150, (1920, 1080))
    good = save_plane_calibration(floor, tmp_path / "good.toml")
    bad = edited_copy(good, tmp_path / f"plane_{label}.toml", edit)
    with pytest.raises(UserFacingError) as raised:
        load_plane_calibration(bad)
    message = str(raised.value)
    assert message.startswith(str(bad)) and cause in message and "\n" not in message


def test_saving_over_a_calibration_is_all_or_nothing(tmp_path, monkeypatch):
    """A write that fails midway is one line, leaves the old file as it was and no temporary file."""
    path = save_camera_calibration(good_camera("old"), tmp_path / "camera_webcam.toml")
    before = path.read_text()

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic_files.os, "replace", failing_replace)
    with pytest.raises(UserFacingError, match="camera_webcam.toml: could not write .*saved before is kept"):
        save_camera_calibration(good_camera("new"), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["camera_webcam.toml"]


# --- through the command line -----------------------------------------------------------------


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_cli_broken_board_file_exits_2_with_one_line(tmp_path, capsys):
    board = tmp_path / "calibration" / "dartboard_standard.toml"
    board.parent.mkdir()
    board.write_text("kind = 'dartboard'\nname = 'pub board'\n")
    assert main(["--workspace", str(tmp_path), "calibrate", "score", "0", "103"]) == 2
    line = one_error_line(capsys)
    assert str(board) in line and "missing key 'bull_radius_mm'" in line


def test_cli_unwritable_folder_exits_2_with_one_line(tmp_path, capsys):
    blocker = tmp_path / "calibration"
    blocker.write_text("a file where the folder should be")
    argv = ["calibrate", "plane", "--kind", "floor", "--image-size", "1920x1080", "--out", str(blocker)]
    assert main([*argv, "--points", "500,1000;1400,1000;1300,600;600,600", "--width-cm", "200", "--depth-cm", "150"]) == 2
    assert "plane_floor.toml: could not write" in one_error_line(capsys)


def test_cli_camera_with_missing_photo_exits_2_with_one_line(tmp_path, capsys):
    missing = tmp_path / "board_01.jpg"
    assert main(["calibrate", "camera", "--out", str(tmp_path), str(missing)]) == 2
    assert one_error_line(capsys).endswith(f"{missing}: file not found")


def test_cli_camera_without_enough_boards_exits_2_with_one_line(tmp_path, capsys):
    photos = []
    for index in range(3):
        photos.append(tmp_path / f"blank_{index}.png")
        photos[-1].write_bytes(b"not an image")
    assert main(["calibrate", "camera", "--out", str(tmp_path), *map(str, photos)]) == 2
    line = one_error_line(capsys)
    assert "found in only 0 input(s)" in line and "blank_0.png" in line
    assert not list(tmp_path.glob("camera_*.toml"))


def test_cli_floor_without_its_size_exits_2(tmp_path, capsys):
    argv = ["calibrate", "plane", "--kind", "floor", "--image-size", "1920x1080", "--out", str(tmp_path)]
    assert main([*argv, "--points", "500,1000;1400,1000;1300,600;600,600"]) == 2
    assert "--width-cm and --depth-cm" in one_error_line(capsys)
    assert main([*argv, "--points", "500,1000;1400;1300,600;600,600", "--width-cm", "2", "--depth-cm", "2"]) == 2
    assert "point '1400' not understood" in one_error_line(capsys)


def test_cli_calibrates_the_shared_camera_and_saves_a_loadable_file(shared_dir, tmp_path, capsys):
    photos = sorted((shared_dir / "calibration" / "checkerboard_view2").glob("*.jpg"))
    arguments = ["calibrate", "camera", "--board", "4x7", "--square-mm", "60", "--name", "lab2", "--out", str(tmp_path)]
    assert main([*arguments, *map(str, photos)]) == 0
    out = capsys.readouterr().out
    assert "board 4x7 found in 6 of 7:" in out and "  cam02_01_int.jpg: 0." in out
    assert "skipped cam02_06_int.jpg: board not found" in out
    assert "RMS reprojection error 0." in out
    saved = tmp_path / "camera_lab2.toml"
    assert f"saved {saved}" in out
    assert load_camera_calibration(saved).image_size_px == (1088, 1920)
