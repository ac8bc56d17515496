"""Settings kept between runs: the window's size (QSettings) and the practice choices (practice.toml)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.gui.preferences import PREFERENCES_NAME, load_preferences
from motor_trainer.workspace import Workspace

from gui_helpers import start_from_panel, stop_and_wait


def _window(qtbot, workspace) -> MainWindow:
    window = MainWindow(cameras=[], workspace=Workspace(workspace).ensure())
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_next_run_opens_with_the_last_choices_size_and_mirror_delay(qtbot, media_dir, tmp_path):
    first = _window(qtbot, tmp_path)
    first.resize(720, 540)  # inside the offscreen screen (800 x 600), which a restore is clamped to
    first.start_panel.performance.setChecked(True)
    first.start_panel.save_session.setChecked(False)
    screen = start_from_panel(first, qtbot, media_dir / "webcam_dance_sideways.mp4", "generic-throw", rotate_deg=270, speed=0.8)
    screen.mirror_delay.setValue(3.0)
    stop_and_wait(screen, qtbot)
    screen.findChild(QPushButton, "new-session").click()
    first.close()

    second = _window(qtbot, tmp_path)
    panel = second.start_panel
    assert (second.width(), second.height()) == (720, 540)
    assert panel.video_path.text() == str(media_dir / "webcam_dance_sideways.mp4") and panel.use_video.isChecked()
    assert panel.rotation.currentData() == 270 and panel.playback_speed.value() == 0.8
    assert panel.skill.currentData() == "generic-throw" and panel.performance.isChecked()
    assert not panel.save_session.isChecked()
    assert panel.problem.text() == ""
    screen = start_from_panel(second, qtbot, media_dir / "webcam_dance_sideways.mp4", "generic-throw", rotate_deg=270)
    assert screen.mirror_delay.value() == 3.0  # the mirror comes back as it was left
    stop_and_wait(screen, qtbot)


def test_a_broken_settings_file_is_named_the_defaults_used_and_the_file_kept_aside(qtbot, media_dir, tmp_path):
    broken_text = 'skill = "free-throw"\nrotate_deg = "sideways"\n'
    (tmp_path / PREFERENCES_NAME).write_text(broken_text)
    window = _window(qtbot, tmp_path)
    problem = window.start_panel.problem.text()
    assert str(tmp_path / PREFERENCES_NAME) in problem and "rotate_deg must be int" in problem and "\n" not in problem
    assert window.start_panel.rotation.currentData() == 0  # defaults

    screen = start_from_panel(window, qtbot, media_dir / "free_throw_side.mp4", "free-throw")
    stop_and_wait(screen, qtbot)
    assert (tmp_path / f"{PREFERENCES_NAME}.broken").read_text() == broken_text  # the person's edits are not lost
    saved, problem = load_preferences(tmp_path / PREFERENCES_NAME)
    assert problem == "" and saved.skill == "free-throw" and saved.mode is PracticeMode.PRACTICE


def test_a_rotation_that_is_no_quarter_turn_is_refused(tmp_path):
    path = tmp_path / PREFERENCES_NAME
    path.write_text("rotate_deg = 45\nspeed = 1\n")
    preferences, problem = load_preferences(path)
    assert "rotate_deg must be one of (0, 90, 180, 270), got 45" in problem and preferences.rotate_deg == 0
