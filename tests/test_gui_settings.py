"""Settings kept between runs: the window's size (QSettings), the practice choices and the coach's level (practice.toml)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from motor_trainer.analysis.routine_reference import build_reference, save_reference
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.live.preferences import PREFERENCES_NAME, load_preferences
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.workspace import Workspace

from gui_helpers import LIVE_TIMEOUT_MS, start_from_panel, stop_and_wait

DANCE = "webcam_dance_sideways.mp4"


def _window(qtbot, workspace) -> MainWindow:
    window = MainWindow(cameras=[], workspace=Workspace(workspace).ensure())
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_next_run_opens_with_the_last_choices_size_mirror_delay_and_sound_cue(qtbot, media_dir, tmp_path):
    first = _window(qtbot, tmp_path)
    first.start_panel.performance.setChecked(True)
    first.start_panel.save_session.setChecked(False)
    screen = start_from_panel(first, qtbot, media_dir / "webcam_dance_sideways.mp4", "generic-throw", rotate_deg=270, speed=0.8)
    screen.mirror_delay.setValue(3.0)
    screen.sound_cue.setChecked(True)
    stop_and_wait(screen, qtbot)
    screen.findChild(QPushButton, "new-session").click()
    first.resize(700, 520)  # inside the offscreen screen (800 x 600), which a restore is clamped to
    first.close()

    second = _window(qtbot, tmp_path)
    panel = second.start_panel
    assert (second.width(), second.height()) == (700, 520)
    assert panel.video_path.text() == str(media_dir / "webcam_dance_sideways.mp4") and panel.use_video.isChecked()
    assert panel.rotation.currentData() == 270 and panel.playback_speed.value() == 0.8
    assert panel.skill.currentData() == "generic-throw" and panel.performance.isChecked()
    assert not panel.save_session.isChecked()
    assert panel.problem.text() == ""
    screen = start_from_panel(second, qtbot, media_dir / "webcam_dance_sideways.mp4", "generic-throw", rotate_deg=270)
    assert screen.mirror_delay.value() == 3.0 and screen.sound_cue.isChecked()  # as they were left
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


def test_the_coach_starts_where_the_last_session_of_the_skill_left_off(qtbot, media_dir, tmp_path):
    """Level 1 for the dance: the preset's ±50/100/200 ms windows tightened 10 %, live and in the coach's words."""
    from footage import tracked

    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    routine = save_reference(build_reference(tracked(DANCE, rotate_deg=270), name="dance", contact=settings.contact), tmp_path / "routine")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / PREFERENCES_NAME).write_text('[coach_levels]\n"dance-footwork" = 1\n"free-throw" = -2\n')
    window = _window(qtbot, workspace)
    screen = start_from_panel(window, qtbot, media_dir / DANCE, "dance-footwork", rotate_deg=270, reference=routine)
    try:
        qtbot.waitUntil(lambda: screen.session.is_running, timeout=LIVE_TIMEOUT_MS)
        assert screen.session.run.analyser.ok_window_s == 0.18  # the steps are judged in the tightened windows
    finally:
        stop_and_wait(screen, qtbot)
    assert screen.state.coach.difficulty.level == 1
    opening = screen.coach.list.item(0).text()
    assert opening.startswith("Difficulty: Starting at level 1") and "±45/±90/±180 ms" in opening
    screen.findChild(QPushButton, "new-session").click()
    saved, _ = load_preferences(workspace / PREFERENCES_NAME)
    assert saved.coach_levels == {"dance-footwork": 1, "free-throw": -2}  # the other skill's level is kept too
