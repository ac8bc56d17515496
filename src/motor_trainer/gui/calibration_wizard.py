"""The calibration wizard: the lens (checkerboard) and the plane (dartboard or floor) in one dialog.

It does in the GUI what ``motor-trainer calibrate camera`` and
``motor-trainer calibrate plane`` do, with the same library calls and the
same files in the workspace's calibration folder, so either way of
calibrating gives the same result.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.gui.camera_calibration_page import CameraCalibrationPage
from motor_trainer.gui.plane_calibration_page import PlaneCalibrationPage


class CalibrationWizard(QDialog):
    """Two tabs: "Camera lens" and "Board or floor". Files go to ``calibration_dir``.

    ``cameras`` are the indices offered for live capture (``capture.sources.list_cameras()``);
    with none, a video of the board can be played as the camera.
    """

    def __init__(self, calibration_dir: Path, cameras: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Calibrate")
        self.resize(1100, 820)
        self.camera_page = CameraCalibrationPage(Path(calibration_dir), cameras)
        self.plane_page = PlaneCalibrationPage(Path(calibration_dir))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.camera_page, "1 · Camera lens (checkerboard)")
        self.tabs.addTab(self.plane_page, "2 · Board or floor (click points)")
        where = QLabel(f"Calibrations are saved in {calibration_dir}")
        where.setStyleSheet("color: gray;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def done(self, result: int) -> None:
        """However the dialog closes, the live source stops and no worker outlives it."""
        self.camera_page.shutdown()
        self.plane_page.shutdown()
        super().done(result)
