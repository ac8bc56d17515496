"""The wizard's plane page: click the board's (or the floor rectangle's) points on a frame.

The frame is a photo or a moment picked from a video with a slider. The
points are the ones ``motor-trainer calibrate plane`` uses by default, asked
for by name one at a time; "Save" fits and saves exactly as that command
does, then draws the board's rings (or the rectangle with a 50 cm grid) back
onto the frame through the new calibration, so a person sees whether it fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.calibration.camera import find_matching_calibration, read_photo
from motor_trainer.calibration.plane import (
    PlaneCalibration,
    PlaneKind,
    PlaneTarget,
    describe_plane_calibration,
    fit_plane,
    plane_calibration_path,
    plane_target,
    save_plane_calibration,
)
from motor_trainer.calibration.targets import (
    SECTOR_SPAN_DEG,
    DartBoard,
    bearing_point_mm,
    workspace_dartboard,
)
from motor_trainer.capture.sources import open_video
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.gui.background_job import BackgroundJob
from motor_trainer.gui.labels import problem_label
from motor_trainer.gui.point_picker import PointPicker
from motor_trainer.media_files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, dialog_filter

FRAME_FILTER = dialog_filter("Images or videos", (*IMAGE_SUFFIXES, *VIDEO_SUFFIXES))
#: Spacing of the check grid drawn over a calibrated floor.
FLOOR_GRID_MM = 500.0
_CIRCLE_SAMPLES = 121


@dataclass(frozen=True)
class PickedFrame:
    """A frame to click on and where it came from (a video's frame also has its time)."""

    path: Path
    image_rgb: np.ndarray
    time_s: float | None = None
    #: The camera calibration the frame was undistorted with, if one matched its size.
    undistorted_with: str | None = None

    @property
    def size_px(self) -> tuple[int, int]:
        return self.image_rgb.shape[1], self.image_rgb.shape[0]


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    duration_s: float


def in_analysis_pixels(frame: PickedFrame, calibration_dir: Path) -> PickedFrame:
    """The frame as the analysis sees landmarks: undistorted when a camera calibration for its size exists.

    The plane's pixel points must be in the same pixel space as the landmarks
    they will map (see calibration.plane), so the user clicks on the
    undistorted frame, with the same camera matrix kept (as ``undistort_points_px`` does).
    """
    calibration, _ = find_matching_calibration(calibration_dir, frame.size_px)
    if calibration is None:
        return frame
    image_rgb = cv2.undistort(frame.image_rgb, calibration.camera_matrix, calibration.distortion)
    return replace(frame, image_rgb=image_rgb, undistorted_with=calibration.camera_name)


def read_image_frame(path: Path, calibration_dir: Path) -> PickedFrame:
    image_bgr = read_photo(path, cv2.IMREAD_COLOR)
    return in_analysis_pixels(PickedFrame(path, cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)), calibration_dir)


def video_duration_s(path: Path) -> VideoInfo:
    """Opening checks the file (one-line error if it is not a video); the duration sizes the slider."""
    with open_video(path) as video:
        return VideoInfo(path, video.frame_count / video.fps if video.frame_count > 0 else 0.0)


def video_frame_at(path: Path, time_s: float, calibration_dir: Path) -> PickedFrame:
    """The first frame at or after ``time_s`` (the last one if the video is shorter), decoded in order."""
    last = None
    with open_video(path, decoder_yields=False) as video:
        for frame in video.frames():
            last = frame
            if frame.time_s >= time_s:
                break
    if last is None:
        raise UserFacingError(f"{path}: the video has no frames")
    return in_analysis_pixels(PickedFrame(path, last.image_rgb, last.time_s), calibration_dir)


def click_instruction(name: str) -> str:
    """What to click for a point name, in words a hobbyist can follow."""
    if match := re.fullmatch(r"double_outer_(\d+)_(\d+)", name):
        return f"where the outer double wire crosses the wire between {match[1]} and {match[2]}"
    if match := re.fullmatch(r"(double|treble)_outer_(\d+)", name):
        return f"the outer {match[1]} wire in the middle of {match[2]}"
    if name == "bull":
        return "the centre of the bull"
    if name in ("near_left", "near_right", "far_right", "far_left"):
        return f"the {name.replace('_', '-')} corner of the rectangle on the floor"
    return name.replace("_", " ")


def dartboard_outline_mm(board: DartBoard) -> list[np.ndarray]:
    """The board's ring wires and sector wires as polylines in board millimetres."""
    angles = np.linspace(0.0, 2 * np.pi, _CIRCLE_SAMPLES)
    circle = np.column_stack([np.sin(angles), np.cos(angles)])
    lines = [radius_mm * circle for radius_mm in board.ring_radii_mm]
    for index in range(len(board.sector_order)):
        bearing = (index + 0.5) * SECTOR_SPAN_DEG
        lines.append(np.array([bearing_point_mm(r, bearing) for r in (board.outer_bull_radius_mm, board.double_outer_radius_mm)]))
    return lines


def floor_outline_mm(target: PlaneTarget) -> list[np.ndarray]:
    """The rectangle and a grid every 50 cm inside it, in floor millimetres."""
    width_mm, depth_mm = target.known_points_mm["far_right"]
    lines = [np.array([*(target.known_points_mm[name] for name in target.point_names), target.known_points_mm[target.point_names[0]]])]
    lines += [np.array([[x, 0.0], [x, depth_mm]]) for x in np.arange(FLOOR_GRID_MM, width_mm, FLOOR_GRID_MM)]
    lines += [np.array([[0.0, y], [width_mm, y]]) for y in np.arange(FLOOR_GRID_MM, depth_mm, FLOOR_GRID_MM)]
    return lines


def mm_per_px_at(calibration: PlaneCalibration, xy_px: np.ndarray) -> float:
    """How many plane millimetres one image pixel spans around a point (mean of the two directions)."""
    xy_px = np.asarray(xy_px, dtype=float)
    mapped = calibration.image_to_plane_mm(np.array([xy_px, xy_px + (1.0, 0.0), xy_px + (0.0, 1.0)]))
    return float(np.mean(np.linalg.norm(mapped[1:] - mapped[0], axis=1)))


class PlaneCalibrationPage(QWidget):
    """Plane kind (and floor size), the frame, the clicking, and the saved calibration's check."""

    def __init__(self, calibration_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.calibration_dir = Path(calibration_dir)
        self.frame: PickedFrame | None = None
        self.video: VideoInfo | None = None
        self.target: PlaneTarget | None = None
        self.saved: PlaneCalibration | None = None
        self.saved_path: Path | None = None
        self._next_load: tuple | None = None
        self._frame_job = BackgroundJob("plane-frame", self)
        self._frame_job.succeeded.connect(self._on_frame_loaded)
        self._frame_job.failed.connect(self._on_frame_failed)

        self.kind = QComboBox()
        self.kind.addItem("Dartboard", PlaneKind.DARTBOARD)
        self.kind.addItem("Floor rectangle", PlaneKind.FLOOR)
        self.width_cm = QDoubleSpinBox(minimum=10.0, maximum=2000.0, value=200.0, decimals=1, suffix=" cm")
        self.depth_cm = QDoubleSpinBox(minimum=10.0, maximum=2000.0, value=150.0, decimals=1, suffix=" cm")
        self.name = QLineEdit()
        self.name.setPlaceholderText("dartboard")
        size_row = QHBoxLayout()
        for widget in (QLabel("width (along the near edge)"), self.width_cm, QLabel("depth (away from the camera)"), self.depth_cm):
            size_row.addWidget(widget)
        size_row.addStretch(1)
        self.size_widget = QWidget()
        self.size_widget.setLayout(size_row)
        size_row.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow("Plane", self.kind)
        form.addRow("Floor rectangle", self.size_widget)
        form.addRow("Name", self.name)

        self.open_button = QPushButton("Open image or video…")
        self.time_slider = QSlider(Qt.Orientation.Horizontal)
        self.time_slider.setTracking(False)  # load a frame when the handle is let go, not on every pixel
        self.time_slider.setEnabled(False)
        self.time_label = QLabel("")
        frame_row = QHBoxLayout()
        frame_row.addWidget(self.open_button)
        frame_row.addWidget(self.time_slider, 1)
        frame_row.addWidget(self.time_label)
        self.frame_note = QLabel()
        self.frame_note.setStyleSheet("color: gray;")

        self.instruction = QLabel("Open a frame that shows the whole board.")
        self.instruction.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.instruction.setWordWrap(True)
        self.picker = PointPicker()
        self.undo_button = QPushButton("Undo last point")
        self.undo_button.setToolTip("Also: right click, or Backspace")
        self.save_button = QPushButton("Save")
        self.save_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Left click places the next point; right click or Backspace takes it back."), 1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.problem = problem_label()

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(frame_row)
        layout.addWidget(self.frame_note)
        layout.addWidget(self.instruction)
        layout.addWidget(self.picker, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addWidget(self.problem)

        self.kind.currentIndexChanged.connect(self._on_target_changed)
        self.width_cm.valueChanged.connect(self._on_target_changed)
        self.depth_cm.valueChanged.connect(self._on_target_changed)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.time_slider.valueChanged.connect(self._on_time_chosen)
        self.undo_button.clicked.connect(self.picker.undo)
        self.save_button.clicked.connect(self.save)
        self.picker.points_changed.connect(self._on_points_changed)
        self._on_target_changed()

    # --- what a person does ------------------------------------------------------------------------

    def choose_kind(self, kind: PlaneKind, width_cm: float | None = None, depth_cm: float | None = None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(PlaneKind(kind)))
        if width_cm is not None:
            self.width_cm.setValue(width_cm)
        if depth_cm is not None:
            self.depth_cm.setValue(depth_cm)

    def open_frame_file(self, path: Path) -> None:
        """An image is shown at once; a video opens at its first frame with the time slider enabled."""
        path = Path(path)
        self.problem.clear()
        self.video = None
        self.time_slider.setEnabled(False)
        if path.suffix.lower() in VIDEO_SUFFIXES:
            self._load(video_duration_s, path)
        else:
            self._load(read_image_frame, path, self.calibration_dir)

    def show_video_time(self, time_s: float) -> None:
        """Move the slider to a time; the frame there is decoded off the GUI thread."""
        self.time_slider.setValue(round(1000 * time_s))

    @property
    def plane_kind(self) -> PlaneKind:
        return PlaneKind(self.kind.currentData())  # Qt hands the enum back as a plain str

    @property
    def loading(self) -> bool:
        """A frame (or a video's length) is being read."""
        return self._frame_job.busy

    def save(self) -> None:
        """Fit and save as ``calibrate plane`` does; the frame then shows the calibration's own drawing."""
        if self.frame is None or self.target is None or not self.picker.complete:
            return
        self.problem.clear()
        kind = self.plane_kind
        try:
            calibration = fit_plane(
                dict(zip(self.picker.point_names, self.picker.points_px)),
                self.target.known_points_mm,
                kind,
                self.frame.size_px,
                self.name.text().strip() or str(kind),
            )
            self.saved_path = save_plane_calibration(calibration, plane_calibration_path(self.calibration_dir, calibration.name))
        except UserFacingError as error:
            self.problem.setText(str(error))
            return
        self.saved = calibration
        if kind is PlaneKind.DARTBOARD:
            outline_mm = dartboard_outline_mm(workspace_dartboard(self.calibration_dir))
        else:
            outline_mm = floor_outline_mm(self.target)
        self.picker.set_overlay([calibration.plane_to_image_px(line) for line in outline_mm])
        centre_px = calibration.plane_to_image_px(np.mean(calibration.plane_points_mm, axis=0))
        where = "the bull" if kind is PlaneKind.DARTBOARD else "the middle of the rectangle"
        drawn = "board's rings and sector wires" if kind is PlaneKind.DARTBOARD else "rectangle and a 50 cm grid"
        lines = [
            f"Saved {self.saved_path}.",
            f"1 px ≈ {mm_per_px_at(calibration, centre_px):.2f} mm at {where}. The {drawn} are drawn from the "
            "calibration: they should lie on the real ones. If not, undo and click again.",
            *describe_plane_calibration(calibration),
        ]
        self.result.setText("\n".join(lines))

    def shutdown(self) -> None:
        self._frame_job.wait()

    # --- internals ---------------------------------------------------------------------------------

    def _load(self, call, *args) -> None:
        """Decode off the GUI thread; a request made while one runs waits, and only the newest is kept."""
        if self._frame_job.busy:
            self._next_load = (call, args)
            return
        self.instruction.setText("Loading…")
        self._frame_job.start(call, *args)

    def _start_next_load(self) -> bool:
        if self._next_load is None:
            return False
        call, args = self._next_load
        self._next_load = None
        self._frame_job.start(call, *args)
        return True

    def _on_frame_loaded(self, loaded: PickedFrame | VideoInfo) -> None:
        if self._start_next_load():
            return
        if isinstance(loaded, VideoInfo):
            self.video = loaded
            with QSignalBlocker(self.time_slider):
                self.time_slider.setRange(0, max(0, round(1000 * loaded.duration_s) - 1))
                self.time_slider.setValue(0)
            self.time_slider.setEnabled(True)
            self._load(video_frame_at, loaded.path, 0.0, self.calibration_dir)
            return
        self.frame = loaded
        self.frame_note.setText(
            f"Shown undistorted with the camera calibration '{loaded.undistorted_with}', as the analysis sees it."
            if loaded.undistorted_with
            else "No camera calibration for this frame size: clicking on the frame as filmed."
        )
        if loaded.time_s is not None:
            self.time_label.setText(f"{loaded.time_s:.2f} s")
        self.picker.set_image(loaded.image_rgb)
        self.saved = None
        self.result.clear()

    def _on_frame_failed(self, message: str) -> None:
        if self._start_next_load():
            return
        self.problem.setText(message)
        self._on_points_changed()

    def _on_time_chosen(self, time_ms: int) -> None:
        if self.video is not None:
            self._load(video_frame_at, self.video.path, time_ms / 1000.0, self.calibration_dir)

    def _on_target_changed(self) -> None:
        kind = self.plane_kind
        self.size_widget.setEnabled(kind is PlaneKind.FLOOR)
        self.name.setPlaceholderText(str(kind))
        try:
            self.target = plane_target(kind, self.calibration_dir, self.width_cm.value(), self.depth_cm.value())
        except UserFacingError as error:
            self.target = None
            self.problem.setText(str(error))
            return
        if self.target.point_names != self.picker.point_names:
            self.picker.set_point_names(self.target.point_names)
        self.picker.set_overlay([])
        self._on_points_changed()

    def _on_points_changed(self) -> None:
        picker = self.picker
        self.save_button.setEnabled(self.frame is not None and picker.complete)
        if self.frame is None:
            shown = "board." if self.plane_kind is PlaneKind.DARTBOARD else "rectangle."
            self.instruction.setText("Open a frame that shows the whole " + shown)
        elif picker.complete:
            self.instruction.setText("All points placed: press Save (or undo to move one).")
        else:
            step = len(picker.points_px) + 1
            name = picker.next_point_name
            assert name is not None  # not complete: a named point is still to be clicked
            self.instruction.setText(f"Click point {step} of {len(picker.point_names)}: {click_instruction(name)}")

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a frame showing the board or the floor", "", FRAME_FILTER)
        if path:
            self.open_frame_file(Path(path))

