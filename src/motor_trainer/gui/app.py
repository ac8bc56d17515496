"""Entry point of the desktop app: ``motor-trainer`` with no command opens the window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication

from motor_trainer.capture.sources import list_cameras
from motor_trainer.gui.main_window import MainWindow


def run_app(args: argparse.Namespace) -> int:  # noqa: ARG001 — the CLI's global options are not used yet
    """Create the application and the main window, and run until the window closes."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Motor Trainer")
    window = MainWindow(cameras=list_cameras())
    window.show()
    return int(app.exec())
