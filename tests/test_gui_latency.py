"""Measuring the sound delay in the app: taps on the dialog reach practice.toml for that output."""

from __future__ import annotations

import miniaudio

from motor_trainer.gui.latency_dialog import LatencyDialog
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.live.preferences import load_preferences, preferences_path
from motor_trainer.workspace import Workspace


def test_tapping_along_keeps_the_delay_for_that_output(qtbot, tmp_path):
    window = MainWindow(cameras=[], workspace=Workspace(tmp_path))
    qtbot.addWidget(window)
    dialog = LatencyDialog(window, backends=[miniaudio.Backend.NULL])  # the null output: no sound device needed
    dialog.measured.connect(window.start_panel.latency_measured)
    qtbot.addWidget(dialog)
    dialog.start_button.click()
    probe = dialog.probe
    for click_s in probe.click_s:  # taps arrive as the button would give them, 90 ms after each click
        probe.tap(probe.started_s + click_s + 0.090)
    with qtbot.waitSignal(dialog.measured, timeout=10_000) as measured:
        pass
    device, latency_ms = measured.args
    assert device.startswith("Null") and abs(latency_ms - 90.0) < 1.0
    saved, problem = load_preferences(preferences_path(tmp_path))
    assert problem == "" and saved.audio_offsets_ms == {device: 90.0}
    assert "Sound delay on" in dialog.message.text()


def test_without_a_sound_device_the_dialog_says_so_and_cannot_start(qtbot):
    dialog = LatencyDialog(backends=[miniaudio.Backend.WASAPI])  # Windows' sound layer: not on Linux
    qtbot.addWidget(dialog)
    assert not dialog.start_button.isEnabled()
    assert dialog.message.text().startswith("no sound output found")
