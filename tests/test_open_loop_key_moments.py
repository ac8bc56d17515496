"""Key moments defined by the movement, on synthetic serves and golf swings with known answers
(tests/swing_model.py), filmed at 24, 30 and 60 fps: the answer is in seconds, not frames."""

from __future__ import annotations

import numpy as np
import pytest
from swing_model import golf_swing, serve

from motor_trainer.pose.kinematics import Side, mirror_sequence
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.skills.open_loop import OnlineRepSegmenter, find_reps, load_open_loop_preset

FRAME_RATES = (24.0, 30.0, 60.0)


@pytest.mark.parametrize("fps", FRAME_RATES)
def test_serve_contact_is_the_hitting_arm_at_full_stretch_not_the_toss(fps):
    known = serve(fps)
    xy = known.sequence.xy_px
    assert np.nanmin(xy[:, Landmark.LEFT_WRIST, 1]) < np.nanmin(xy[:, Landmark.RIGHT_WRIST, 1]), "the toss must reach higher"
    track, reps = find_reps(known.sequence, load_open_loop_preset("tennis-serve"))
    assert track.side is Side.RIGHT
    assert len(reps) == 1
    assert abs(reps[0].release_s - known.contact_s) <= 1.0 / fps, (reps[0].release_s, known.contact_s)


@pytest.mark.parametrize("fps", FRAME_RATES)
def test_a_left_handed_server_hits_with_the_left_arm(fps):
    known = serve(fps, contact_s=1.8)
    track, reps = find_reps(mirror_sequence(known.sequence), load_open_loop_preset("tennis-serve"))
    assert track.side is Side.LEFT
    assert [abs(r.release_s - known.contact_s) <= 1.0 / fps for r in reps] == [True]


@pytest.mark.parametrize("fps", FRAME_RATES)
def test_overhand_throw_releases_at_the_same_instant(fps):
    known = serve(fps, contact_s=2.2, seed=8)
    track, reps = find_reps(known.sequence, load_open_loop_preset("overhand-throw"))
    assert track.side is Side.RIGHT
    assert [abs(r.release_s - known.contact_s) <= 1.0 / fps for r in reps] == [True]


@pytest.mark.parametrize("fps", FRAME_RATES)
def test_golf_swing_is_one_rep_with_impact_at_the_bottom_of_the_downswing(fps):
    known = golf_swing(fps)
    track, reps = find_reps(known.sequence, load_open_loop_preset("golf-swing"))
    assert len(reps) == 1, [(r.start_s, r.end_s) for r in reps]  # backswing and downswing are one rep, the waggle none
    rep = reps[0]
    assert abs(rep.release_s - known.impact_s) <= 1.0 / fps, (rep.release_s, known.impact_s)
    assert rep.start_s < known.impact_s - 1.0, "the rep starts with the backswing"
    assert rep.start_s > known.waggle_span_s[1]


def test_golf_lead_arm_is_the_side_the_hands_finish_over():
    known = golf_swing(30.0)
    preset = load_open_loop_preset("golf-swing")
    track, _ = find_reps(known.sequence, preset)
    mirrored, _ = find_reps(mirror_sequence(known.sequence), preset)
    # the hands swing back toward image right and finish image left, over the LEFT shoulder (a right-hander)
    assert (track.side, mirrored.side) == (Side.LEFT, Side.RIGHT)


@pytest.mark.parametrize("fps", FRAME_RATES)
def test_live_the_serve_is_reported_once_on_the_hitting_arm(fps):
    known = serve(fps)
    segmenter = OnlineRepSegmenter(load_open_loop_preset("tennis-serve"), fps=fps)
    s = known.sequence
    found = [d for i in range(len(s)) if (d := segmenter.push(i, float(s.time_s[i]), s.xy_px[i])) is not None]
    assert [d.rep.side for d in found] == [Side.RIGHT]
    assert abs(found[0].rep.release_s - known.contact_s) <= 1.0 / fps


def test_live_the_golf_swing_is_reported_once_at_impact():
    known = golf_swing(30.0)
    segmenter = OnlineRepSegmenter(load_open_loop_preset("golf-swing"), fps=30.0)
    s = known.sequence
    found = [d for i in range(len(s)) if (d := segmenter.push(i, float(s.time_s[i]), s.xy_px[i])) is not None]
    assert len(found) == 1 and abs(found[0].rep.release_s - known.impact_s) <= 1 / 30
