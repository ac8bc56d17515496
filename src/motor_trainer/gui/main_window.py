"""The main window: the start panel, then one practice screen per session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from motor_trainer.gui.session_setup import SessionSetup
from motor_trainer.gui.start_panel import StartPanel

if TYPE_CHECKING:
    from motor_trainer.gui.practice_screen import PracticeScreen


class MainWindow(QMainWindow):
    """Start panel first; ``start(setup)`` opens a practice screen and its live session.

    ``sessions_dir``: where sessions are saved (the workspace's); None offers no saving.
    """

    def __init__(self, cameras: list[int], sessions_dir: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Motor Trainer")
        self.resize(1280, 800)
        self.pages = QStackedWidget()
        self.start_panel = StartPanel(cameras, sessions_dir)
        self.start_panel.start_requested.connect(self.start)
        self.pages.addWidget(self.start_panel)
        self.setCentralWidget(self.pages)
        self.screen: PracticeScreen | None = None

    def start(self, setup: SessionSetup) -> PracticeScreen:
        # The analysers (scipy, dtaidistance, PyAV) load on the first session, not before the window shows.
        from motor_trainer.gui.live_worker import LiveSession  # noqa: PLC0415
        from motor_trainer.gui.practice_screen import PracticeScreen  # noqa: PLC0415
        from motor_trainer.gui.session_factory import live_run  # noqa: PLC0415

        self._close_screen()
        session = LiveSession(live_run(setup), self)
        self.screen = PracticeScreen(setup, session)
        self.screen.closed.connect(self._on_screen_closed)
        self.pages.addWidget(self.screen)
        self.pages.setCurrentWidget(self.screen)
        session.start()
        return self.screen

    def _on_screen_closed(self) -> None:
        self._close_screen()
        self.pages.setCurrentWidget(self.start_panel)

    def _close_screen(self) -> None:
        if self.screen is None:
            return
        saved = self.screen.close_session()
        if saved is not None:
            self.start_panel.problem.setText(f"Saved the last session in {saved}")
        self.pages.removeWidget(self.screen)
        self.screen.deleteLater()
        self.screen = None

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        self._close_screen()
        super().closeEvent(event)
