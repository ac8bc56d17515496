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

import numpy as np
import pytest

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.analysis.routine_reference import build_reference, load_reference, save_reference
from motor_trainer.capture.sources import open_video
from motor_trainer.feedback.clips import FrameRingBuffer
from motor_trainer.feedback.replay import WARNING_RGB
from motor_trainer.live.live_analysis import REPLAY_MEMORY_S, PoseHistory, display_scale, shrink
from motor_trainer.live.practice_state import step_verdict
from motor_trainer.live.session_setup import MirrorChoice
from motor_trainer.live.step_replay import step_replay
from motor_trainer.gui.live_view import TIER_COLOURS
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.pose.tracker import track_video
from motor_trainer.skills.closed_loop import ClosedLoopSettings, StepTier
from motor_trainer.skills.presets import load_preset_table

from gui_helpers import FREEZE_MS, LIVE_TIMEOUT_MS, longest_tick_gap, start_from_panel, stop_and_wait

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
    # The filmed dancer is the reference itself, not a student copying it as in a mirror.
    window.start_panel.mirror_reference.setCurrentIndex(window.start_panel.mirror_reference.findData(str(MirrorChoice.OFF)))
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
    gap_ms, where = longest_tick_gap(screen)
    assert gap_ms <= FREEZE_MS, where


def test_a_step_missed_live_replays_the_reference_step_with_the_foot_drawn_loud(media_dir, dance_routine):
    """The replay glue on the real dance: frames and poses as the live run keeps them, step 3 called a MISS."""
    routine = load_reference(dance_routine)
    sequence = routine.sequence
    frames = FrameRingBuffer(REPLAY_MEMORY_S + 2, sequence.fps, max_height_px=None)
    poses = PoseHistory(len(sequence))
    with open_video(media_dir / DANCE, UPRIGHT_DEG) as video:
        for frame in video.frames():
            frames.push(frame.index, frame.time_s, shrink(frame.image_rgb, display_scale(frame.size_px)))
            poses.append(frame.index, frame.time_s, sequence.xy_px[frame.index])
    step = routine.steps[2]
    ok_window_s = 0.2
    event = StepTierEvent(2, step.foot, StepTier.MISS, None, step.plant_s + ok_window_s, step.frame_range)
    followed = [(index, index) for index in range(len(sequence))]  # danced exactly on the reference's clock

    verdict = step_verdict(event, "dance-footwork")
    renderer = step_replay(event, verdict, routine, followed, frames, poses, sequence.image_size_px, ok_window_s)

    assert renderer is not None
    assert renderer.key_landmark is Landmark[f"{step.foot.upper()}_ANKLE"]
    assert len(renderer) > renderer.spec.frame_count  # slowed down and frozen at the step
    frozen = int(np.flatnonzero(renderer.timeline.frozen)[0])
    image = renderer.render(frozen)
    ankle = renderer.amplified_xy_px[int(renderer.timeline.source_frame[frozen])]
    x, y = np.round(ankle).astype(int)
    patch = image[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3)
    assert np.any(np.all(np.abs(patch.astype(int) - WARNING_RGB) <= 30, axis=1))  # the foot drawn in vermillion
