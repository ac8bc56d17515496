"""Real footage tracked once per test run and shared by every test that needs it.

Tracking is the slow part (the pose model on every frame), so each
(video, rotation) pair is tracked at most once per pytest session.
"""

from __future__ import annotations

from functools import cache

from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.pose.tracker import track_video

from conftest import MEDIA


@cache
def tracked(name: str, rotate_deg: int = 0) -> PoseSequence:
    """The subject's landmarks in ../shared/media/<name>, as `motor-trainer track` finds them."""
    return track_video(MEDIA / name, rotate_deg=rotate_deg)
