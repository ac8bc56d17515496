"""Key moments of serves, golf swings and overheads on real footage, against ../shared/media/annotations.toml.

The annotations were counted by eye from single frames; the program must put
each key moment within 2 frames of them and count each clip's one rep once.
Which arm the tracker calls left or right is pose/tracker.py's business (and
bench/bench_accuracy.py's measurement); here the chosen arm is checked by
what it does: the serving arm is the one up at contact.
"""

from __future__ import annotations

import tomllib

import pytest
from footage import tracked

from conftest import MEDIA
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset

pytestmark = pytest.mark.footage

TOLERANCE_FRAMES = 2
ANNOTATIONS = tomllib.loads((MEDIA / "annotations.toml").read_text(encoding="utf-8"))
CASES = (
    ("tennis_serve_djokovic_behind", "tennis-serve", "contact_frames"),
    ("golf_dtl_female_60fps", "golf-swing", "impact_frames"),
    ("golf_dtl_senior_30fps", "golf-swing", "impact_frames"),
    ("padel_overhead_good_slice", "overhand-throw", "contact_frames"),
    ("padel_overhead_bad_slice", "overhand-throw", "contact_frames"),
    ("free_throw_side", "free-throw", "release_frames"),
)


@pytest.mark.parametrize(("clip", "skill", "key"), CASES)
def test_one_rep_with_its_key_moment_within_two_frames(clip, skill, key):
    truth = ANNOTATIONS[clip][key]
    _, reps = find_reps(tracked(f"{clip}.mp4"), load_open_loop_preset(skill))
    assert len(reps) == len(truth)
    assert [abs(rep.release_frame - frame) <= TOLERANCE_FRAMES for rep, frame in zip(reps, truth)] == [True] * len(truth), (
        [rep.release_frame for rep in reps], truth)


def test_the_serving_arm_is_the_one_up_at_contact_not_the_tossing_arm():
    sequence = tracked("tennis_serve_djokovic_behind.mp4")
    track, reps = find_reps(sequence, load_open_loop_preset("tennis-serve"))
    contact = reps[0].release_frame
    other = "LEFT" if track.side == "right" else "RIGHT"
    chosen_wrist_y = sequence.xy_px[contact, Landmark[f"{track.side.upper()}_WRIST"], 1]
    other_wrist_y = sequence.xy_px[contact, Landmark[f"{other}_WRIST"], 1]
    chosen_shoulder_y = sequence.xy_px[contact, Landmark[f"{track.side.upper()}_SHOULDER"], 1]
    assert chosen_wrist_y < chosen_shoulder_y, "the chosen wrist is above its shoulder at contact"
    assert chosen_wrist_y < other_wrist_y, "and above the tossing arm's, which has dropped by then"
