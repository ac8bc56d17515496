"""Tap along to eight clicks to measure the sound output's delay (a thin view over LatencyProbe)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from motor_trainer.audio.output import SoundOutput
from motor_trainer.live.latency_probe import PROBE_CLICKS, LatencyProbe
from motor_trainer.live.play_along import PLAYBACK_RATE_HZ


class LatencyDialog(QDialog):
    """Start, then tap (the button or the space bar) on each click as you hear it; ``measured(device, ms)`` follows."""

    measured = Signal(str, float)

    def __init__(self, parent: QWidget | None = None, backends: list | None = None):
        super().__init__(parent)
        self.setWindowTitle("Measure the sound delay")
        self.sound, problem = SoundOutput.open(PLAYBACK_RATE_HZ, backends)
        self.probe = None if self.sound is None else LatencyProbe(self.sound)
        self.message = QLabel(problem or f"Press Start, then tap on each of the {PROBE_CLICKS} clicks as you hear it.")
        self.message.setWordWrap(True)
        self.start_button = QPushButton("Start")
        self.tap_button = QPushButton("Tap (space)")
        self.start_button.setEnabled(self.probe is not None)
        self.tap_button.setEnabled(False)
        self.start_button.clicked.connect(self._on_start)
        self.tap_button.pressed.connect(self._on_tap)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.start_button)
        layout.addWidget(self.tap_button)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._on_tick)

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt's name
        if event.key() == Qt.Key.Key_Space and self.tap_button.isEnabled() and not event.isAutoRepeat():
            self._on_tap()
            return
        super().keyPressEvent(event)

    def _on_start(self) -> None:
        assert self.probe is not None
        self.probe.start()
        self.start_button.setEnabled(False)
        self.tap_button.setEnabled(True)
        self.tap_button.setFocus()
        self.message.setText("Listening: tap on each click…")
        self._timer.start()

    def _on_tap(self) -> None:
        if self.probe is not None:
            self.probe.tap(time.monotonic())

    def _on_tick(self) -> None:
        assert self.probe is not None and self.sound is not None
        if not self.probe.finished(time.monotonic()):
            return
        self._timer.stop()
        self.tap_button.setEnabled(False)
        self.start_button.setEnabled(True)
        latency_ms = self.probe.latency_ms()
        if latency_ms is None:
            self.message.setText("Too few taps near a click: press Start and try again.")
            return
        self.message.setText(f"Sound delay on {self.sound.output.key}: {latency_ms:.0f} ms (kept for this output).")
        self.measured.emit(self.sound.output.key, latency_ms)

    def done(self, code: int) -> None:
        self._timer.stop()
        if self.sound is not None:
            self.sound.close()
            self.sound = None
        super().done(code)
