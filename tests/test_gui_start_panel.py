"""The start panel as a person fills it: the skill questions, a missing reference, practice or performance."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.start_panel import SkillQuestions, StartPanel


@pytest.fixture
def panel(qtbot):
    panel = StartPanel(cameras=[])
    qtbot.addWidget(panel)
    panel.show()
    return panel


@pytest.mark.parametrize(("answers", "skill"), [(["after", "dartboard"], "dart-throw"), (["after", "hoop"], "free-throw"), (["during"], "dance-footwork")])
def test_answering_the_skill_questions_ends_in_the_matching_preset(qtbot, answers, skill):
    dialog = SkillQuestions()
    qtbot.addWidget(dialog)
    for answer in answers:
        dialog.findChild(QPushButton, f"answer-{answer}").click()
    assert dialog.classification is not None and str(dialog.classification.preset) == skill


def test_a_closed_loop_skill_without_a_reference_says_what_is_missing(panel, media_dir):
    panel.choose_video(media_dir / "webcam_dance_sideways.mp4", rotate_deg=270)
    panel.choose_skill("dance-footwork")
    panel.start_button.click()
    assert "follows a reference routine" in panel.problem.text()


def test_the_panel_describes_the_session_chosen(panel, media_dir):
    panel.choose_video(media_dir / "webcam_dance_sideways.mp4", rotate_deg=270)
    panel.choose_skill("dance-footwork")
    panel.reference_path.setText("/some/routine")
    panel.performance.setChecked(True)
    setup = panel.setup()
    assert setup.video_path == media_dir / "webcam_dance_sideways.mp4" and setup.camera_index is None
    assert setup.rotate_deg == 270 and setup.reference_path == Path("/some/routine")
    assert setup.mode is PracticeMode.PERFORMANCE


def test_with_a_camera_it_is_offered_first(qtbot):
    panel = StartPanel(cameras=[0, 2])
    qtbot.addWidget(panel)
    assert panel.use_camera.isChecked() and panel.camera_box.count() == 2
    panel.choose_skill("free-throw")
    setup = panel.setup()
    assert setup.camera_index == 0 and setup.video_path is None


def test_no_display_is_one_clear_line_not_a_crash(monkeypatch, capsys):
    """On a machine without a screen, `motor-trainer` says so and points to the headless commands."""
    from motor_trainer.cli import main

    for variable in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(variable, raising=False)
    assert main([]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "no display" in error and "motor-trainer track" in error
