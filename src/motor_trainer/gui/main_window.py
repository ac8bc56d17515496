"""The main window: the start panel, then one practice screen per session.

Kept between runs, in the workspace's root: the window's
geometry (QSettings, ``window.ini``) and the practice choices (TOML,
``practice.toml``, see gui/preferences.py).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from motor_trainer.errors import UserFacingError
from motor_trainer.live.preferences import PracticePreferences, load_preferences, preferences_path, save_preferences
from motor_trainer.live.session_setup import SessionSetup
from motor_trainer.workspace import Workspace
from motor_trainer.gui.start_panel import StartPanel

if TYPE_CHECKING:
    from motor_trainer.gui.practice_screen import PracticeScreen


WINDOW_SETTINGS_NAME = "window.ini"


class MainWindow(QMainWindow):
    """Start panel first; ``start(setup)`` opens a practice screen and its live session.

    ``workspace``: where sessions, references, calibrations and settings are kept; None keeps nothing.
    """

    def __init__(
        self, cameras: list[int], workspace: Workspace | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Motor Trainer")
        self.resize(1280, 800)
        self.preferences_file = None if workspace is None else preferences_path(workspace.root)
        self.window_settings = (None if workspace is None
                                else QSettings(str(workspace.root / WINDOW_SETTINGS_NAME), QSettings.Format.IniFormat))
        if self.window_settings is not None and self.window_settings.value("geometry") is not None:
            self.restoreGeometry(self.window_settings.value("geometry"))
        self.pages = QStackedWidget()
        self.start_panel = StartPanel(cameras, workspace)
        self.start_panel.start_requested.connect(self.start)
        self.start_panel.latency_measured.connect(self._on_latency_measured)
        self.pages.addWidget(self.start_panel)
        self.setCentralWidget(self.pages)
        self.practice_screen: PracticeScreen | None = None
        self.preferences, problem = ((PracticePreferences(), "") if self.preferences_file is None
                                     else load_preferences(self.preferences_file))
        self.start_panel.apply_preferences(self.preferences)
        self.start_panel.problem.setText(problem)

    def _remember(self, preferences: PracticePreferences) -> None:
        """Keep the choices for the next run; a failed write is said on the start panel, never raised."""
        self.preferences = preferences
        if self.preferences_file is None:
            return
        try:
            save_preferences(preferences, self.preferences_file)
        except UserFacingError as problem:
            self.start_panel.problem.setText(str(problem))

    def start(self, setup: SessionSetup) -> PracticeScreen:
        # The analysers (scipy, dtaidistance, PyAV) load on the first session, not before the window shows.
        from motor_trainer.gui.live_worker import LiveSession  # noqa: PLC0415
        from motor_trainer.gui.practice_screen import PracticeScreen  # noqa: PLC0415
        from motor_trainer.live.session_factory import live_run  # noqa: PLC0415

        self._close_screen()
        self._remember(self.start_panel.preferences(self.preferences))
        setup = dataclasses.replace(
            setup, coach_level=self.preferences.coach_levels.get(setup.skill, 0), audio_offsets_ms=dict(self.preferences.audio_offsets_ms)
        )
        session = LiveSession(live_run(setup), self)
        self.practice_screen = PracticeScreen(setup, session, self.preferences.mirror_delay_s, self.preferences.sound_cue)
        self.practice_screen.closed.connect(self._on_screen_closed)
        self.pages.addWidget(self.practice_screen)
        self.pages.setCurrentWidget(self.practice_screen)
        session.start()
        return self.practice_screen

    def _on_latency_measured(self, device: str, latency_ms: float) -> None:
        """Keep the sound output's delay: every later dance run on it counts the music as heard."""
        offsets_ms = {**self.preferences.audio_offsets_ms, device: round(latency_ms, 1)}
        self._remember(dataclasses.replace(self.preferences, audio_offsets_ms=offsets_ms))

    def _on_screen_closed(self) -> None:
        self._close_screen()
        self.pages.setCurrentWidget(self.start_panel)

    def _close_screen(self) -> None:
        if self.practice_screen is None:
            return
        saved = self.practice_screen.close_session()
        reached = {**self.preferences.coach_levels, self.practice_screen.setup.skill: self.practice_screen.state.coach.difficulty.level}
        self._remember(
            dataclasses.replace(
                self.preferences,
                mirror_delay_s=self.practice_screen.mirror_delay.value(),
                sound_cue=self.practice_screen.sound_cue.isChecked(),
                coach_levels=reached,
            )
        )
        if saved is not None:
            self.start_panel.problem.setText(f"Saved the last session in {saved}")
        self.pages.removeWidget(self.practice_screen)
        self.practice_screen.deleteLater()
        self.practice_screen = None

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        self._close_screen()
        if self.window_settings is not None:
            self.window_settings.setValue("geometry", self.saveGeometry())
            self.window_settings.sync()
        super().closeEvent(event)
