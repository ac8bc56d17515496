"""The app as a dancer uses it: open the sideways dance video as a live camera against her own routine.

The reference routine is the same video tracked offline. The video plays in
real time and the test watches its first few steps (about 4 s), not all
12.8 s. Whether they are hits depends on how many frames a loaded machine
drops, so the test checks what the dancer sees (each judged step listed with
its tier, the newest one large and in its colour, the running offset), not
the tiers themselves; tests/test_closed_loop_live.py judges those.
"""

from __future__ import annotations

import re

import pytest

from motor_trainer.analysis.routine_reference import build_reference, save_reference
from motor_trainer.gui.live_view import TIER_COLOURS
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.pose.tracker import track_video
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.presets import load_preset_table

from gui_helpers import LIVE_TIMEOUT_MS, start_from_panel, stop_and_wait

DANCE = "webcam_dance_sideways.mp4"
UPRIGHT_DEG = 270


@pytest.fixture(scope="module")
def dance_routine(media_dir, tmp_path_factory):
    """The dance tracked offline and saved as a routine folder, as the `analyze --reference` flow saves one."""
    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    sequence = track_video(media_dir / DANCE, rotate_deg=UPRIGHT_DEG)
    routine = build_reference(sequence, name="dance", contact=settings.contact)
    return save_reference(routine, tmp_path_factory.mktemp("routine") / "dance")


def test_dancing_the_routine_live_shows_step_tiers_and_the_running_offset(qtbot, media_dir, dance_routine):
    window = MainWindow(cameras=[])
    qtbot.addWidget(window)
    window.show()
    screen = start_from_panel(window, qtbot, media_dir / DANCE, "dance-footwork", UPRIGHT_DEG, dance_routine)
    try:
        qtbot.waitUntil(lambda: len(screen.state.steps) >= 3, timeout=LIVE_TIMEOUT_MS)
    finally:
        stop_and_wait(screen, qtbot)
    lines = [screen.attempts.item(i).text() for i in range(screen.attempts.count())]
    assert all(re.fullmatch(r"Step \d+ \((left|right) foot\) · (PERFECT|GOOD|OK|MISS) · .+", line) for line in lines), lines
    last = screen.state.steps[-1]
    assert screen.live_view.tier_label.text().startswith(f"Step {last.reference_index + 1}: {last.tier.upper()}")
    assert TIER_COLOURS[last.tier] in screen.live_view.tier_label.styleSheet()
    assert screen.live_view.offset_label.text().startswith("Timing: ")
    assert screen.live_view.image.images_shown > 20  # the picture kept coming
    assert max(screen.session.tick_gaps_ms) <= 100.0
