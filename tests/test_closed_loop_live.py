"""The live path end to end: the dance video played as a camera, tracked live, followed against its own routine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motor_trainer.analysis.alignment import LiveFollower, follow_live
from motor_trainer.analysis.routine_reference import build_reference
from motor_trainer.capture.sources import VideoAsCamera
from motor_trainer.pose.tracker import PoseTracker
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.presets import load_preset_table

pytestmark = pytest.mark.footage


def test_dancing_along_the_reference_itself_stays_in_step(media_dir: Path) -> None:
    """Played as a camera, frame i of the video is reference frame i: the follower must say so.

    The capture clock runs as fast as the machine can decode (a loaded
    machine plays slower and drops frames), so only the position is
    asserted, not the timing against the music.
    """
    from footage import tracked

    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    routine = build_reference(tracked("webcam_dance_sideways.mp4", rotate_deg=270), name="dance", contact=settings.contact)
    follower = LiveFollower(routine, settings.windows)
    video_frame, reference_frame = [], []
    with VideoAsCamera(media_dir / "webcam_dance_sideways.mp4", rotate_deg=270) as camera, PoseTracker("lite") as tracker:
        for pose, state in follow_live(follower, camera, tracker):
            video_frame.append(pose.index)
            reference_frame.append(state.reference_frame)
    assert len(video_frame) >= 0.3 * len(routine.sequence)
    assert reference_frame[-1] >= len(routine.sequence) - 1 - round(0.5 * routine.sequence.fps)
    assert np.median(np.abs(np.subtract(reference_frame, video_frame))) <= 2
