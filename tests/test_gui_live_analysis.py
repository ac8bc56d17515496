"""The Qt-free parts of the live loop: skipped frames bridged for the rep segmenter, joints out of shape ringed."""

from __future__ import annotations

import numpy as np

from motor_trainer.feedback.replay import WARNING_RGB
from motor_trainer.live.live_analysis import MAX_BRIDGED_FRAMES, bridge_dropped_frames, mark_joints
from motor_trainer.pose.landmarks import Landmark


def _row(index: int, time_s: float, x_px: float) -> tuple[int, float, np.ndarray]:
    xy = np.full((33, 2), x_px)
    xy[0] = np.nan  # a landmark nobody saw stays unseen
    return index, time_s, xy


def test_skipped_frames_are_filled_on_a_straight_line_in_time():
    """A wrist moving at a constant 300 px/s from frame 10 to frame 13 (frames 11 and 12 skipped)."""
    rows = bridge_dropped_frames(_row(10, 1.0, 100.0), _row(13, 1.1, 130.0))
    assert [index for index, _, _ in rows] == [11, 12]
    assert np.allclose([time_s for _, time_s, _ in rows], [1.0 + 0.1 / 3, 1.0 + 0.2 / 3])
    assert np.allclose([xy[5, 0] for _, _, xy in rows], [110.0, 120.0])
    assert all(np.isnan(xy[0]).all() for _, _, xy in rows)


def test_consecutive_frames_and_long_gaps_are_left_alone():
    assert bridge_dropped_frames(_row(10, 1.0, 100.0), _row(11, 1.033, 101.0)) == []
    assert bridge_dropped_frames(None, _row(0, 0.0, 100.0)) == []
    long_gap = MAX_BRIDGED_FRAMES + 2
    assert bridge_dropped_frames(_row(10, 1.0, 100.0), _row(10 + long_gap, 1.5, 150.0)) == []


def test_joints_out_of_shape_are_ringed_in_the_warning_colour():
    """A knee 40 px right of the image centre is ringed in vermillion; the rest of the image stays black."""
    image = np.zeros((200, 200, 3), dtype=np.uint8)
    xy = np.full((33, 2), np.nan)
    xy[Landmark.LEFT_KNEE] = (140.0, 100.0)
    mark_joints(image, xy, ("left_knee",))
    vermillion = np.all(image == WARNING_RGB, axis=-1)
    ys, xs = np.nonzero(vermillion)
    assert vermillion.any()
    assert abs(xs.mean() - 140) < 1.5 and abs(ys.mean() - 100) < 1.5  # centred on the knee
    assert not vermillion[:, :100].any()
