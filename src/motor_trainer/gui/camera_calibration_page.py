"""The wizard's lens page: checkerboard photos imported or captured live, then one calibration.

Every input is searched for the board as soon as it arrives (off the GUI
thread) and listed with its corners drawn, so a person sees at once which
photos count. "Calibrate" runs the same library calls as
``motor-trainer calibrate camera`` and saves to the workspace's calibration
folder; the old file stays intact if the save fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.calibration.camera import (
    UNREADABLE_IMAGE,
    BoardView,
    CameraCalibration,
    SkippedView,
    calibrate_from_views,
    camera_calibration_path,
    describe_camera_calibration,
    detect_board_in_file,
    detect_board_in_frame,
    read_photo,
    save_camera_calibration,
    split_detections,
)
from motor_trainer.capture.sources import LiveSource, VideoAsCamera, WebcamSource
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.gui.background_job import BackgroundJob
from motor_trainer.gui.image_label import ImageLabel, to_qimage
from motor_trainer.gui.labels import problem_label
from motor_trainer.media_files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, dialog_filter

THUMBNAIL_SIDE_PX = 160
#: How often the live image is refreshed: a little faster than a 30 fps camera.
LIVE_POLL_MS = 30
PHOTO_FILTER = dialog_filter("Images", IMAGE_SUFFIXES)
VIDEO_FILTER = dialog_filter("Videos", VIDEO_SUFFIXES)
_FOUND_COLOUR = QColor(0, 140, 0)
_MISSING_COLOUR = QColor(200, 0, 0)


@dataclass(frozen=True)
class BoardInput:
    """One photo or captured frame, what the board search found in it, and its thumbnail.

    ``source`` is kept (the file, or the captured RGB frame) so the search can
    run again when the user changes the board size.
    """

    source: Path | np.ndarray
    detection: BoardView | SkippedView
    thumbnail_rgb: np.ndarray
    board_inner_corners: tuple[int, int]

    @property
    def name(self) -> str:
        return self.detection.name

    @property
    def found(self) -> bool:
        return isinstance(self.detection, BoardView)


@dataclass(frozen=True)
class CameraCalibrationResult:
    calibration: CameraCalibration
    skipped: tuple[SkippedView, ...]
    saved_path: Path


def board_thumbnail(image_rgb: np.ndarray | None, detection: BoardView | SkippedView, board_inner_corners: tuple[int, int]) -> np.ndarray:
    """A small RGB copy with the found corners drawn (OpenCV's coloured rows), or a grey tile if unreadable."""
    if image_rgb is None:
        return np.full((THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX, 3), 90, np.uint8)
    height, width = image_rgb.shape[:2]
    scale = THUMBNAIL_SIDE_PX / max(height, width)
    thumbnail = cv2.resize(image_rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    if isinstance(detection, BoardView):
        # OpenCV's own drawing is sized for full frames and buries a thumbnail; thin rows read better.
        columns, rows = board_inner_corners
        corners = np.round(detection.corners_px * scale).astype(np.int32).reshape(rows, columns, 2)
        for row, colour in zip(corners, _row_colours(rows)):
            cv2.polylines(thumbnail, [row.reshape(-1, 1, 2)], False, colour, 1, cv2.LINE_AA)
            for x, y in row:
                cv2.circle(thumbnail, (int(x), int(y)), 2, colour, -1, cv2.LINE_AA)
    return np.ascontiguousarray(thumbnail)


def _row_colours(rows: int) -> list[tuple[int, int, int]]:
    """One hue per board row, red to blue like OpenCV's, so a flipped detection is visible."""
    hues = np.linspace(0, 120, rows, dtype=np.uint8).reshape(-1, 1, 1)
    hsv = np.concatenate([hues, np.full_like(hues, 255), np.full_like(hues, 255)], axis=2)
    return [(int(rgb[0]), int(rgb[1]), int(rgb[2])) for rgb in cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).reshape(-1, 3)]


def detect_file(path: Path, board_inner_corners: tuple[int, int]) -> BoardInput:
    detection = detect_board_in_file(path, board_inner_corners)
    try:
        image_bgr = read_photo(path, cv2.IMREAD_REDUCED_COLOR_4)  # a quarter-size copy is plenty for a thumbnail
        image_rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
    except UserFacingError:  # the detection names why it was skipped
        image_rgb = None
    if image_rgb is not None and isinstance(detection, BoardView):
        detection_small = BoardView(detection.name, detection.corners_px / 4.0, detection.image_size_px)
        thumbnail = board_thumbnail(image_rgb, detection_small, board_inner_corners)
    else:
        thumbnail = board_thumbnail(image_rgb, detection, board_inner_corners)
    return BoardInput(path, detection, thumbnail, board_inner_corners)


def detect_frame(image_rgb: np.ndarray, name: str, board_inner_corners: tuple[int, int]) -> BoardInput:
    detection = detect_board_in_frame(image_rgb, name, board_inner_corners)
    return BoardInput(image_rgb, detection, board_thumbnail(image_rgb, detection, board_inner_corners), board_inner_corners)


def detect_inputs(sources: list[tuple[Path | np.ndarray, str]], board_inner_corners: tuple[int, int]) -> list[BoardInput]:
    """Search every photo (a path) or captured frame (an RGB array with its name) for the board."""
    return [
        detect_file(source, board_inner_corners) if isinstance(source, Path) else detect_frame(source, name, board_inner_corners)
        for source, name in sources
    ]


def calibrate_and_save(
    inputs: list[BoardInput], board_inner_corners: tuple[int, int], square_mm: float, camera_name: str, calibration_dir: Path
) -> CameraCalibrationResult:
    """What ``calibrate camera`` does with its inputs: calibrate from the found boards, then save atomically."""
    views, skipped = split_detections(item.detection for item in inputs)
    calibration, skipped_views = calibrate_from_views(views, skipped, board_inner_corners, square_mm, camera_name)
    saved = save_camera_calibration(calibration, camera_calibration_path(calibration_dir, calibration.camera_name))
    return CameraCalibrationResult(calibration, skipped_views, saved)


class CameraCalibrationPage(QWidget):
    """Board size, inputs (imported or captured), the list of what was found, and the calibration."""

    def __init__(self, calibration_dir: Path, cameras: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.calibration_dir = Path(calibration_dir)
        self.inputs: list[BoardInput] = []
        self.result: CameraCalibrationResult | None = None
        self._source: LiveSource | None = None
        self._live_frame: np.ndarray | None = None
        self._captures = 0
        self._detect_jobs: list[BackgroundJob] = []
        self._calibrate_job = BackgroundJob("camera-calibration", self)
        self._calibrate_job.succeeded.connect(self._on_calibrated)
        self._calibrate_job.failed.connect(self._on_calibration_failed)
        self._poll = QTimer(self)
        self._poll.setInterval(LIVE_POLL_MS)
        self._poll.timeout.connect(self._on_poll)

        self.columns = QSpinBox(minimum=2, maximum=40, value=4)
        self.rows = QSpinBox(minimum=2, maximum=40, value=7)
        self.square_mm = QDoubleSpinBox(minimum=1.0, maximum=500.0, value=60.0, decimals=1, suffix=" mm")
        self.square_mm.setMaximumWidth(120)
        self.camera_name = QLineEdit()
        self.camera_name.setPlaceholderText("e.g. living-room webcam")
        board_row = QHBoxLayout()
        for widget in (self.columns, QLabel("×"), self.rows, QLabel("inner corners")):
            board_row.addWidget(widget)
        board_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Board", board_row)
        form.addRow("Square size", self.square_mm)
        form.addRow("Camera name", self.camera_name)

        self.import_button = QPushButton("Import photos…")
        self.source_choice = QComboBox()
        for index in cameras:
            self.source_choice.addItem(f"Camera {index}", index)
        self.source_choice.addItem("Video file…", None)
        self.open_source_button = QPushButton("Open")
        self.capture_button = QPushButton("Capture")
        self.capture_button.setEnabled(False)
        self.capture_button.setToolTip("Grab the current image and look for the board in it")
        source_row = QHBoxLayout()
        source_row.addWidget(self.import_button)
        source_row.addSpacing(20)
        source_row.addWidget(QLabel("or capture from"))
        source_row.addWidget(self.source_choice)
        source_row.addWidget(self.open_source_button)
        source_row.addWidget(self.capture_button)
        source_row.addStretch(1)

        self.live_view = ImageLabel("No camera or video open.\nHold the board still at different angles and distances, then Capture.")
        self.thumbnails = QListWidget()
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX))
        self.thumbnails.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.thumbnails.setMovement(QListWidget.Movement.Static)
        self.thumbnails.setMinimumWidth(2 * THUMBNAIL_SIDE_PX + 40)
        self.thumbnails.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        views_row = QHBoxLayout()
        views_row.addWidget(self.live_view, 3)
        views_row.addWidget(self.thumbnails, 2)

        self.calibrate_button = QPushButton("Calibrate")
        self.calibrate_button.setEnabled(False)
        self.remove_button = QPushButton("Remove selected")
        self.count_label = QLabel("No photos yet: 3 or more with the whole board visible are needed.")
        calibrate_row = QHBoxLayout()
        calibrate_row.addWidget(self.count_label, 1)
        calibrate_row.addWidget(self.remove_button)
        calibrate_row.addWidget(self.calibrate_button)

        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold;")
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setMaximumHeight(130)
        self.problem = problem_label()

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(source_row)
        layout.addLayout(views_row, 1)
        layout.addLayout(calibrate_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.problem)

        self.import_button.clicked.connect(self._on_import_clicked)
        self.open_source_button.clicked.connect(self._on_open_source_clicked)
        self.capture_button.clicked.connect(self.capture)
        self.calibrate_button.clicked.connect(self.calibrate)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.columns.valueChanged.connect(self._on_board_changed)
        self.rows.valueChanged.connect(self._on_board_changed)

    # --- state a person sets -----------------------------------------------------------------------

    @property
    def board_inner_corners(self) -> tuple[int, int]:
        return self.columns.value(), self.rows.value()

    @property
    def busy(self) -> bool:
        """A board search or the calibration is still running."""
        return self._calibrate_job.busy or any(job.busy for job in self._detect_jobs)

    def import_photos(self, paths: list[Path]) -> None:
        """Add photos; each is searched for the board off the GUI thread and listed when done."""
        paths = [Path(p) for p in paths]
        if not paths:
            return
        if not self.camera_name.text().strip():
            self.camera_name.setText(paths[0].resolve().parent.name)
        self._detect([(path, path.name) for path in paths])

    def open_camera(self, index: int) -> None:
        self._open_live(lambda: WebcamSource(index), f"camera{index}")

    def open_video_as_camera(self, path: Path) -> None:
        """Play a video as if it were the camera (no webcam here, or a clip of the board filmed earlier)."""
        self._open_live(lambda: VideoAsCamera(Path(path)), Path(path).stem)

    def capture(self) -> None:
        """Grab the image on screen and search it for the board."""
        if self._live_frame is None:
            return
        self._captures += 1
        self._detect([(self._live_frame, f"capture {self._captures}")])

    def calibrate(self) -> None:
        """Calibrate from the listed inputs in a worker thread; the result and the save follow by signal."""
        name = self.camera_name.text().strip() or "camera"
        self.problem.clear()
        self.summary.setText("Calibrating…")
        self.calibrate_button.setEnabled(False)
        self._calibrate_job.start(
            calibrate_and_save, list(self.inputs), self.board_inner_corners, self.square_mm.value(), name, self.calibration_dir
        )

    def stop_source(self) -> None:
        self._poll.stop()
        if self._source is not None:
            self._source.stop()
            self._source = None

    def shutdown(self) -> None:
        """Stop the live source and wait for workers: nothing outlives the dialog."""
        self.stop_source()
        for job in (self._calibrate_job, *self._detect_jobs):
            job.wait()

    # --- internals ---------------------------------------------------------------------------------

    def _detect(self, sources: list[tuple[Path | np.ndarray, str]]) -> None:
        self.problem.clear()
        job = BackgroundJob("board-search", self)
        job.succeeded.connect(self._on_detected)
        job.failed.connect(self._on_detection_failed)
        for finished in [j for j in self._detect_jobs if not j.busy]:
            finished.deleteLater()
        self._detect_jobs = [j for j in self._detect_jobs if j.busy] + [job]
        self.calibrate_button.setEnabled(False)
        self.count_label.setText("Looking for the board…")
        job.start(detect_inputs, sources, self.board_inner_corners)

    def _open_live(self, make_source, default_name: str) -> None:
        self.stop_source()
        try:
            self._source = make_source().start()
        except UserFacingError as error:
            self.problem.setText(str(error))
            return
        self.problem.clear()
        self._live_frame = None
        if not self.camera_name.text().strip():
            self.camera_name.setText(default_name)
        self._poll.start()

    def _on_poll(self) -> None:
        frame = self._source.next_frame(timeout_s=0) if self._source is not None else None
        if frame is not None:
            self._live_frame = frame.image_rgb
            self.live_view.show_image(frame.image_rgb)
            self.capture_button.setEnabled(True)

    def _on_detected(self, found: list[BoardInput]) -> None:
        stale = [item for item in found if item.board_inner_corners != self.board_inner_corners]
        if stale:  # searched while the user changed the board size: search those again
            self._detect([(item.source, item.name) for item in stale])
        found = [item for item in found if item.board_inner_corners == self.board_inner_corners]
        self.inputs.extend(found)
        unreadable = [str(item.source) for item in found
                      if isinstance(item.detection, SkippedView) and item.detection.reason == UNREADABLE_IMAGE]
        if unreadable:
            self.problem.setText(f"{', '.join(unreadable)}: {UNREADABLE_IMAGE}, skipped")
        self._refresh_list()

    def _on_detection_failed(self, message: str) -> None:
        self.problem.setText(message)
        self._refresh_list()

    def _on_board_changed(self) -> None:
        """A new board size invalidates every search: run them again on the same inputs."""
        sources = [(item.source, item.name) for item in self.inputs]
        self.inputs = []
        self._refresh_list()
        if sources:
            self._detect(sources)

    def _on_remove_clicked(self) -> None:
        rows = sorted((self.thumbnails.row(item) for item in self.thumbnails.selectedItems()), reverse=True)
        for row in rows:
            del self.inputs[row]
        self._refresh_list()

    def _refresh_list(self) -> None:
        self.thumbnails.clear()
        for item in self.inputs:
            status = item.detection.reason if isinstance(item.detection, SkippedView) else "board found"
            entry = QListWidgetItem(QIcon(QPixmap.fromImage(to_qimage(item.thumbnail_rgb))), f"{item.name}\n{status}")
            entry.setForeground(_FOUND_COLOUR if item.found else _MISSING_COLOUR)
            entry.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(entry)
        found = sum(item.found for item in self.inputs)
        if self.inputs:
            self.count_label.setText(f"Board found in {found} of {len(self.inputs)} image(s); 3 or more are needed.")
        self.calibrate_button.setEnabled(found > 0 and not self.busy)

    def _on_calibrated(self, result: CameraCalibrationResult) -> None:
        self.result = result
        calibration = result.calibration
        off_x, off_y = calibration.principal_point_offset_fraction()
        self.summary.setText(
            f"RMS {calibration.rms_reprojection_px:.2f} px · {len(calibration.views)} board(s) used, "
            f"{len(result.skipped)} skipped · principal point {100 * off_x:+.1f} % / {100 * off_y:+.1f} % off centre"
        )
        self.details.setPlainText("\n".join([*describe_camera_calibration(calibration, result.skipped), f"saved {result.saved_path}"]))
        self.calibrate_button.setEnabled(True)

    def _on_calibration_failed(self, message: str) -> None:
        self.summary.clear()
        self.problem.setText(message)
        self.calibrate_button.setEnabled(True)

    def _on_import_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import checkerboard photos", "", PHOTO_FILTER)
        self.import_photos([Path(p) for p in paths])

    def _on_open_source_clicked(self) -> None:
        index = self.source_choice.currentData()
        if index is not None:
            self.open_camera(index)
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open a video of the board", "", VIDEO_FILTER)
        if path:
            self.open_video_as_camera(Path(path))
