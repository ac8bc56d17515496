"""Entry point of the desktop app: ``motor-trainer`` with no command opens the window."""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtWidgets import QApplication

from motor_trainer.capture.sources import list_cameras
from motor_trainer.errors import UserFacingError
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.workspace import resolve_workspace


def check_display() -> None:
    """A machine without a screen gets one clear line instead of Qt aborting the process."""
    if sys.platform.startswith("linux") and not any(
        os.environ.get(variable) for variable in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        raise UserFacingError(
            "no display to open the window on (DISPLAY is not set): run it on a desktop, "
            "or use a headless command such as 'motor-trainer track VIDEO' (see motor-trainer --help)"
        )


def run_app(args: argparse.Namespace) -> int:
    """Create the application and the main window (sessions saved in ``--workspace``), and run until it closes."""
    check_display()
    workspace = resolve_workspace(getattr(args, "workspace", None)).ensure()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Motor Trainer")
    window = MainWindow(cameras=list_cameras(), workspace=workspace)
    window.show()
    return int(app.exec())
