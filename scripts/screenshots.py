"""Render each main view of the app in a real window on real footage and save PNG screenshots.

Run under a virtual X server (Debian: apt-get install -y xvfb):

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots.py

Without a display it falls back to Qt's offscreen platform. The views:
start panel, skill questions, free throw rep with the dartboard, the replay
of an obvious miss beside the live view, coach, open-loop plots, a skeleton
on a phantom in a sun flare and then on the man clicked instead, the dance
followed live with step tiers, the delayed mirror, closed-loop plots, coach
after the routine, dancing along (the count-in beside the live view, the next
steps under the reference, the reference mirrored, and drawn behind), the
sessions browser and progress across the sessions the run saved (``--out``
is the workspace), the free throw's session reviewed with its skeleton and
its miss replayed, and the calibration wizard's two pages (lens from the
shared checkerboard photos; floor points half clicked on a lab frame). The
dance's reference routine is tracked from the dance video first (about
15-30 s) into the workspace's references unless ``--routine FOLDER`` names a
saved one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media"

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt  # noqa: E402 — the platform is chosen first
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from motor_trainer.gui.main_window import MainWindow  # noqa: E402
from motor_trainer.gui.practice_screen import PracticeScreen  # noqa: E402
from motor_trainer.gui.calibration_wizard import CalibrationWizard  # noqa: E402
from motor_trainer.gui.session_browser import SessionBrowser  # noqa: E402
from motor_trainer.gui.start_panel import SkillQuestions  # noqa: E402
from motor_trainer.storage.manifest import now_utc  # noqa: E402
from motor_trainer.workspace import Workspace  # noqa: E402


def wait_until(app: QApplication, done: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.005)


def pause(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(app, lambda: time.monotonic() >= end, seconds + 1, "a pause")


def save(widget: QWidget, out_dir: Path, name: str) -> None:
    QApplication.processEvents()  # pending layout and paint first
    QApplication.processEvents()
    path = out_dir / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshots: could not write {path}")
    print(f"wrote {path}")


def track_routine(out_dir: Path) -> Path:
    from motor_trainer.analysis.routine_reference import build_reference, save_reference  # noqa: PLC0415
    from motor_trainer.pose.tracker import track_video  # noqa: PLC0415
    from motor_trainer.skills.closed_loop import ClosedLoopSettings  # noqa: PLC0415
    from motor_trainer.skills.presets import load_preset_table  # noqa: PLC0415

    print("tracking the dance routine for the reference…")
    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    sequence = track_video(MEDIA / "webcam_dance_sideways.mp4", rotate_deg=270)
    routine = build_reference(sequence, name="dance", contact=settings.contact)
    return save_reference(routine, out_dir / "references" / "dance-routine")


def start_practice(window: MainWindow, video: str, skill: str) -> PracticeScreen:
    """A shared clip played as the camera, judged as ``skill``."""
    panel = window.start_panel
    panel.choose_video(MEDIA / video)
    panel.choose_skill(skill)
    panel.start_button.click()
    assert window.practice_screen is not None, panel.problem.text()
    return window.practice_screen


def open_loop_views(app: QApplication, window: MainWindow, out_dir: Path) -> None:
    screen = start_practice(window, "free_throw_side.mp4", "free-throw")
    wait_until(app, lambda: screen.attempts.count() >= 1, 60, "the free throw rep")
    save(window, out_dir, "03_free_throw_rep_and_board")
    board = screen.dartboard
    landing = board.to_widget(np.array([110.0, -90.0]))  # 14 cm low-right: an obvious miss
    QTest.mouseClick(board, Qt.MouseButton.LeftButton, pos=QPoint(round(landing.x()), round(landing.y())))
    wait_until(app, lambda: screen.replay.frames_shown >= 40, 30, "the replay to reach its slow motion")
    save(window, out_dir, "04_obvious_miss_replay_beside_live")
    save(screen.replay, out_dir, "04b_replay_panel")
    wait_until(app, lambda: not screen.replay.isVisible(), 60, "the replay to close by itself")
    wait_until(app, lambda: not screen.session.is_live, 30, "the free throw video to end")
    screen.tabs.setCurrentWidget(screen.coach)
    save(window, out_dir, "05_coach")
    screen.tabs.setCurrentWidget(screen.plots)
    pause(app, 0.3)
    save(window, out_dir, "06_plots_open_loop")
    screen._on_back()  # noqa: SLF001 — the "New session" button's handler


def follow_click_views(app: QApplication, window: MainWindow, out_dir: Path) -> None:
    """The skeleton on a phantom in the sun flare, then on the man on the box once he is clicked."""
    screen = start_practice(window, "outdoor_jumps_and_walk.mp4", "generic-throw")
    label = screen.live_view.image
    wait_until(app, lambda: label.images_shown >= 3, 30, "the outdoor clip's first frames")
    save(window, out_dir, "06b_skeleton_on_someone_else")
    shown = label.shown_rect()
    assert shown is not None
    man_x, man_y = 640 / 1768, 220 / 994  # his torso, as fractions of the frame
    click = QPoint(round(shown.x() + man_x * shown.width()), round(shown.y() + man_y * shown.height()))
    QTest.mouseClick(label, Qt.MouseButton.LeftButton, pos=click)
    clicked_at = label.images_shown
    wait_until(app, lambda: label.images_shown >= clicked_at + 40, 30, "40 frames after the click")
    save(window, out_dir, "06c_person_clicked_followed")
    screen._on_back()  # noqa: SLF001 — the "New session" button's handler


def start_dance(window: MainWindow, routine: Path, speed: float = 1.0, mirror: str = "off", layout: str = "beside") -> None:
    """The dance video played as the camera against its own routine (not mirrored: the filmed dancer is the reference)."""
    panel = window.start_panel
    panel.choose_video(MEDIA / "webcam_dance_sideways.mp4", rotate_deg=270, speed=speed)
    panel.choose_skill("dance-footwork")
    panel.reference_path.setText(str(routine))
    panel.dance_speed.setValue(speed)
    panel.mirror_reference.setCurrentIndex(panel.mirror_reference.findData(mirror))
    panel.reference_layout.setCurrentIndex(panel.reference_layout.findData(layout))
    panel.start_button.click()


def dance_along_views(app: QApplication, window: MainWindow, out_dir: Path, routine: Path) -> None:
    """Dancing along at 0.75x: the count-in beside the live view, mid-routine with the next steps; mirrored; behind."""
    start_dance(window, routine, speed=0.75)
    screen = window.practice_screen
    view = screen.dance_along
    wait_until(app, lambda: view.count_label.text() == "Count-in: 3", 60, "the count-in's third beat")
    save(window, out_dir, "10_dance_along_count_in")
    wait_until(app, lambda: (len(screen.state.steps) >= 1 and (view.music_s or -1) > 5.0) or (view.music_s or -1) > 11.0, 60, "mid-routine")
    save(window, out_dir, "11_dance_along_next_steps_and_tier")
    screen._on_back()  # noqa: SLF001
    start_dance(window, routine, speed=1.0, mirror="on")
    screen = window.practice_screen
    wait_until(app, lambda: (screen.dance_along.music_s or -1) > 2.0, 60, "the mirrored routine under way")
    save(window, out_dir, "12_dance_along_mirrored_reference")
    screen._on_back()  # noqa: SLF001
    start_dance(window, routine, speed=1.0, layout="behind")
    screen = window.practice_screen
    wait_until(app, lambda: (screen.dance_along.music_s or -1) > 2.0, 60, "the routine under way, drawn behind")
    save(window, out_dir, "13_dance_along_reference_behind")
    screen._on_back()  # noqa: SLF001
    panel = window.start_panel
    panel.loop_section.setChecked(True)
    panel.loop_first.setValue(3)
    panel.loop_last.setValue(6)
    panel.loop_passes.setValue(3)
    save(window, out_dir, "14_loop_section_chosen")
    start_dance(window, routine, speed=0.75)
    screen = window.practice_screen
    view = screen.dance_along
    wait_until(app, lambda: view.play_along is not None and (view.music_s or -1) > 1.3 * view.play_along.loop_length_s, 90, "a second pass")
    save(window, out_dir, "15_dance_along_loop_second_pass")
    screen._on_back()  # noqa: SLF001
    panel.loop_section.setChecked(False)


def closed_loop_views(app: QApplication, window: MainWindow, out_dir: Path, routine: Path) -> None:
    start_dance(window, routine)
    screen = window.practice_screen
    wait_until(app, lambda: len(screen.state.steps) >= 4, 60, "four judged dance steps")
    save(window, out_dir, "07_dance_live_step_tiers")
    screen.mirror_delay.setValue(2.0)
    pause(app, 2.5)
    save(window, out_dir, "07b_delayed_mirror_two_seconds_late")
    screen.mirror_delay.setValue(0.0)
    screen.tabs.setCurrentWidget(screen.plots)
    wait_until(app, lambda: not screen.session.is_live, 60, "the dance video to end")
    pause(app, 1.2)
    save(window, out_dir, "08_plots_closed_loop")
    screen.tabs.setCurrentWidget(screen.coach)
    save(window, out_dir, "09_coach_after_the_routine")
    screen._on_back()  # noqa: SLF001


def newest_row(browser: SessionBrowser, skill: str) -> int:
    rows = [i for i, row in enumerate(browser.rows) if row.session.manifest.skill == skill]
    if not rows:
        raise SystemExit(f"screenshots: no saved {skill} session to review")
    return max(rows, key=lambda i: browser.rows[i].session.manifest.started_at)


def session_views(app: QApplication, window: MainWindow, out_dir: Path) -> None:
    browser = SessionBrowser(out_dir / "sessions", now_utc(), window, workspace_root=out_dir)
    browser.resize(1100, 700)
    browser.show()
    pause(app, 0.3)
    save(browser, out_dir, "10_sessions_browser")
    browser.tabs.setCurrentIndex(1)
    pause(app, 0.3)
    save(browser, out_dir, "11_progress_across_saved_sessions")
    review = browser.open_session(newest_row(browser, "free-throw"))
    review.resize(1400, 760)
    if review.verdicts:
        review.reps.setCurrentRow(0, QItemSelectionModel.SelectionFlag.ClearAndSelect)  # the scrubber jumps to the rep
        review.slider.setValue(review.slider.value() + round(0.5 * (len(review.sequence) / review.sequence.time_s[-1])))
        wait_until(app, lambda: review.shown_frame == review.slider.value(), 20, "the frame half a second into the rep")
    save(review, out_dir, "12_session_review_scrubbed")
    if review.replay_button.isEnabled():  # the throw was entered as an obvious miss on the board
        review.replay_button.click()
        wait_until(app, lambda: review.replay_panel.frames_shown >= 25, 120, "the reviewed rep's replay")
        save(review, out_dir, "13_session_review_replay_of_the_miss")
    else:
        print(f"review: no replay ({review.status.text()})")
    review.close()
    browser.close()


def calibration_views(app: QApplication, window: MainWindow, out_dir: Path) -> None:
    wizard = CalibrationWizard(out_dir / "calibration", cameras=[], parent=window)
    wizard.resize(1100, 820)
    wizard.show()
    lens = wizard.camera_page
    lens.import_photos(sorted((REPO.parent / "shared" / "calibration" / "checkerboard_view1").glob("*.jpg")))
    wait_until(app, lambda: not lens.busy, 60, "the board search in the photos")
    lens.calibrate()
    wait_until(app, lambda: lens.result is not None, 60, "the lens calibration")
    save(wizard, out_dir, "14_calibration_lens")
    plane = wizard.plane_page
    wizard.tabs.setCurrentWidget(plane)
    plane.choose_kind("floor", width_cm=300, depth_cm=200)
    plane.open_frame_file(MEDIA / "lab_steps_view1.mp4")
    wait_until(app, lambda: not plane.loading, 30, "the lab video's frame")
    width, height = plane.picker.image_size_px
    plane.picker.points_px.extend([(0.2 * width, 0.9 * height), (0.8 * width, 0.9 * height)])
    plane.picker.points_changed.emit()
    save(wizard, out_dir, "15_calibration_floor_points_half_clicked")
    wizard.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "screenshots")
    parser.add_argument("--routine", type=Path, help="a saved dance routine folder (else the dance is tracked first)")
    parser.add_argument("--dance-along-only", action="store_true", help="only the start panel and the dance-along views")
    args = parser.parse_args()
    (args.out / "sessions").mkdir(parents=True, exist_ok=True)
    routine = args.routine or track_routine(args.out)

    app = QApplication(sys.argv[:1])
    started = time.monotonic()
    window = MainWindow(cameras=[], workspace=Workspace(args.out).ensure())  # each run is saved, as in the app
    window.resize(1440, 900)
    window.show()
    wait_until(app, window.isVisible, 5, "the window")
    app.processEvents()
    print(f"window shown after {time.monotonic() - started:.2f} s on {app.platformName()}")
    save(window, args.out, "01_start_panel")
    questions = SkillQuestions(window)
    questions.show()
    app.processEvents()
    save(questions, args.out, "02_skill_questions")
    questions.close()

    if args.dance_along_only:
        dance_along_views(app, window, args.out, routine)
    else:
        open_loop_views(app, window, args.out)
        follow_click_views(app, window, args.out)
        closed_loop_views(app, window, args.out, routine)
        dance_along_views(app, window, args.out, routine)
        session_views(app, window, args.out)
        calibration_views(app, window, args.out)
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
