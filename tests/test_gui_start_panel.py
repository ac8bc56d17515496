"""The start panel as a person fills it: the skill questions, a missing reference, practice or performance,
and the ways out to the sessions browser and the calibration wizard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.start_panel import SkillQuestions, StartPanel
from motor_trainer.workspace import Workspace


@pytest.fixture
def panel(qtbot):
    panel = StartPanel(cameras=[])
    qtbot.addWidget(panel)
    panel.show()
    return panel


@pytest.mark.parametrize(
    ("answers", "skill"),
    [(["after", "dartboard"], "dart-throw"), (["after", "hoop"], "free-throw"), (["during"], "dance-footwork")],
)
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


def _dialog_opened_by(qtbot, button: QPushButton) -> str:
    """Click ``button``; the modal dialog it opens is named and closed again (as a person would close it)."""
    opened: list[str] = []

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        opened.append(dialog.windowTitle() if dialog is not None else "")
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(300, close_it)
    button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=5_000)
    return opened[0]


def test_with_a_workspace_the_sessions_browser_and_the_calibration_wizard_open_from_the_panel(qtbot, tmp_path):
    panel = StartPanel(cameras=[], workspace=Workspace(tmp_path).ensure())
    qtbot.addWidget(panel)
    panel.show()
    assert _dialog_opened_by(qtbot, panel.sessions_button) == "Sessions"
    assert "alibrat" in _dialog_opened_by(qtbot, panel.calibrate_button)


def test_without_a_workspace_nothing_is_offered_that_would_need_one(panel):
    assert not panel.sessions_button.isEnabled() and not panel.calibrate_button.isEnabled()
    assert not panel.save_session.isEnabled()


def test_a_skill_taught_in_the_workspace_is_offered_with_the_presets_and_set_up_as_open_loop(qtbot, tmp_path, media_dir):
    from swing_model import serve

    from motor_trainer.records.verdict import SkillKind
    from motor_trainer.skills.taught import teach_skill

    workspace = Workspace(tmp_path).ensure()
    teach_skill(serve(30.0).sequence, name="club-serve", key_frame=60, like="tennis-serve", workspace_root=workspace.root)
    panel = StartPanel(cameras=[], workspace=workspace)
    qtbot.addWidget(panel)
    offered = [panel.skill.itemData(i) for i in range(panel.skill.count())]
    assert "club-serve" in offered and "tennis-serve" in offered
    panel.choose_video(media_dir / "free_throw_side.mp4")
    panel.choose_skill("club-serve")
    panel.save_session.setChecked(False)  # not saving still uses the workspace's skills
    setup = panel.setup()
    assert setup.skill == "club-serve" and setup.kind is SkillKind.OPEN_LOOP


def test_each_skill_keeps_its_own_reference_and_the_next_run_opens_with_them(panel, media_dir, tmp_path):
    """A dance routine chosen for the dance is no reference for a free throw: after dancing along, choosing
    the free throw empties the field (before, the routine folder stayed and the free throw's run ended on
    "dance-routine.json: no such reference"); going back brings the routine back, and so does a restart."""
    from motor_trainer.live.preferences import PracticePreferences, load_preferences, save_preferences

    panel.choose_video(media_dir / "free_throw_side.mp4")
    panel.choose_skill("dance-footwork")
    panel.reference_path.setText("/some/routine")
    panel.choose_skill("free-throw")
    assert panel.reference_path.text() == "" and panel.setup().reference_path is None
    panel.reference_path.setText("/refs/my-throws.json")
    panel.choose_skill("dance-footwork")
    assert panel.reference_path.text() == "/some/routine"
    save_preferences(panel.preferences(PracticePreferences()), tmp_path / "practice.toml")

    restarted = StartPanel(cameras=[])
    restarted.apply_preferences(load_preferences(tmp_path / "practice.toml")[0])
    assert restarted.skill.currentData() == "dance-footwork" and restarted.reference_path.text() == "/some/routine"
    restarted.choose_skill("free-throw")
    assert restarted.reference_path.text() == "/refs/my-throws.json"


def test_a_settings_file_from_before_references_per_skill_gives_its_reference_to_its_skill(tmp_path):
    from motor_trainer.live.preferences import load_preferences

    (tmp_path / "practice.toml").write_text('skill = "dance-footwork"\nreference_path = "/some/routine"\n')
    preferences, problem = load_preferences(tmp_path / "practice.toml")
    assert problem == "" and preferences.references == {"dance-footwork": "/some/routine"}


def test_a_routine_remembered_for_a_free_throw_by_an_older_version_is_not_offered_to_it(qtbot, tmp_path):
    """The older single field could be saved holding the dance routine while the free throw was chosen."""
    (tmp_path / "practice.toml").write_text('skill = "free-throw"\nreference_path = "/ws/references/dance-routine"\n')
    from motor_trainer.live.preferences import load_preferences

    panel = StartPanel(cameras=[])
    qtbot.addWidget(panel)
    panel.apply_preferences(load_preferences(tmp_path / "practice.toml")[0])
    assert panel.skill.currentData() == "free-throw" and panel.reference_path.text() == ""
