"""The delayed mirror: the live image shown N seconds late, so a person can watch their last rep from where they stand."""

from __future__ import annotations

import numpy as np

from motor_trainer.gui.main_window import MainWindow

from gui_helpers import LIVE_TIMEOUT_MS, start_from_panel, stop_and_wait

DANCE = "webcam_dance_sideways.mp4"
MIRROR_DELAY_S = 2.0


def test_the_mirror_shows_the_picture_two_seconds_late_with_its_skeleton(qtbot, media_dir, tmp_path):
    window = MainWindow(cameras=[])
    qtbot.addWidget(window)
    window.show()
    screen = start_from_panel(window, qtbot, media_dir / DANCE, "generic-throw", rotate_deg=270)
    screen.mirror_delay.setValue(MIRROR_DELAY_S)
    newest = []
    screen.session.frame_ready.connect(lambda frame: newest.append(frame.time_s))
    try:
        qtbot.waitUntil(lambda: bool(newest), timeout=LIVE_TIMEOUT_MS)
        assert screen.live_view.mirror_caption.isVisible()
        assert "starts once 2 s are filmed" in screen.live_view.mirror_caption.text()
        qtbot.waitUntil(lambda: newest[-1] >= MIRROR_DELAY_S + 1.5, timeout=LIVE_TIMEOUT_MS)
        lag_s = newest[-1] - screen.live_view.shown_time_s
        _, mirrored = screen.session.run.delayed_image(newest[-1], MIRROR_DELAY_S)
        _, _, filmed = screen.session.run.frames.latest_at(newest[-1] - MIRROR_DELAY_S)
    finally:
        stop_and_wait(screen, qtbot)
    assert screen.live_view.mirror_caption.text() == "Delayed mirror: 2 s ago"
    assert MIRROR_DELAY_S - 0.01 <= lag_s <= MIRROR_DELAY_S + 0.1  # one 25 fps frame of slack, plus a dropped one
    assert np.count_nonzero(np.any(mirrored != filmed, axis=2)) > 500  # the skeleton drawn on the late picture

    screen.mirror_delay.setValue(0.0)  # off again: the caption goes
    assert not screen.live_view.mirror_caption.isVisible()
