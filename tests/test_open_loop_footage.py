"""Open-loop reps on real footage: what only a real throw and real arm raises show.

Answers were found by looking at the frames (extracted with cv2, viewed one by one):

- free_throw_side.mp4 (30 fps, side view): the player lifts the ball from
  frame ~27, dips at ~40, pushes up from ~44; the ball is still on the
  fingertips in frame 47 and first clear of them in frame 48. Release = 48.
  The arms then drop quickly (frames 56-70), which is no second shot.
- outdoor_jumps_and_walk.mp4 (30 fps): the man on the box raises both arms
  overhead three times: two jumping jacks (arms up at frames ~21-27 and
  ~57-63) and the raise before his flip (arms up at ~141-150); he takes off
  for the flip at frame ~160, so later arm swings are the flip, not raises
  on the box. The box top is at y ~ 450 px, his hips at y ~ 300 px; the
  woman walking across (frames ~40-190) has her hips at y ~ 700 px.
  The model's largest skeleton in the first frame is a phantom in the sun
  flare, so the clip is tracked as a user would: pointing at him
  (tests/footage.py SUBJECT_POINTS_PX), after which the tracker follows him on
  a crop around him.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from footage import tracked

from motor_trainer.cli import main
from motor_trainer.pose.kinematics import pelvis_centre
from motor_trainer.skills.open_loop import OnlineRepSegmenter, find_reps, load_open_loop_preset

pytestmark = pytest.mark.footage

FREE_THROW_RELEASE_FRAME = 48
OUTDOOR_ARM_RAISES = 3
TAKE_OFF_FRAME = 160
BOX_TOP_Y_PX = 450


def test_free_throw_is_one_rep_released_when_the_ball_leaves_the_hands():
    _, reps = find_reps(tracked("free_throw_side.mp4"), load_open_loop_preset("free-throw"))
    assert len(reps) == 1
    assert abs(reps[0].release_frame - FREE_THROW_RELEASE_FRAME) <= 3


def test_live_segmenter_reports_the_free_throw_within_150_ms_of_its_end():
    """Frame by frame, as a camera would deliver them: the same rep as offline, reported promptly."""
    sequence = tracked("free_throw_side.mp4")
    preset = load_open_loop_preset("free-throw")
    _, offline = find_reps(sequence, preset)
    live = OnlineRepSegmenter(preset, fps=sequence.fps)
    reported = []
    for frame, (time_s, xy_px) in enumerate(zip(sequence.time_s, sequence.xy_px)):
        detected = live.push(frame, float(time_s), xy_px)
        if detected is not None:
            reported.append((float(time_s), detected.rep))
    assert len(reported) == 1
    reported_s, rep = reported[0]
    assert abs(rep.release_frame - offline[0].release_frame) <= 1
    assert reported_s - offline[0].end_s <= 0.150


def test_arm_raises_on_the_box_are_counted_and_the_walker_adds_none():
    sequence = tracked("outdoor_jumps_and_walk.mp4")
    _, reps = find_reps(sequence, load_open_loop_preset("generic-throw"))
    on_the_box = [rep for rep in reps if rep.release_frame < TAKE_OFF_FRAME]
    assert len(on_the_box) == OUTDOOR_ARM_RAISES
    for rep in on_the_box:  # the walker's hips are 250 px lower: a rep of hers would sit below the box top
        hips_y = pelvis_centre(sequence.xy_px[rep.start_frame : rep.end_frame])[:, 1]
        assert np.nanmedian(hips_y) < BOX_TOP_Y_PX, f"rep {rep} is not the man on the box"


def test_analyze_command_saves_a_session_and_writes_the_free_throw_as_json(tmp_path, media_dir, capsys):
    outcomes = tmp_path / "shots.csv"
    outcomes.write_text("hit\nmiss\n", encoding="utf-8")
    out = tmp_path / "free_throw.json"
    code = main([
        "--workspace", str(tmp_path / "ws"), "analyze", str(media_dir / "free_throw_side.mp4"),
        "--skill", "free-throw", "--outcomes", str(outcomes), "--json", str(out),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert "obvious" in printed and "outcome" in printed  # the table shows the missed shot
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["reps"]) == 1
    rep = document["reps"][0]
    assert abs(rep["rep"]["release_frame"] - FREE_THROW_RELEASE_FRAME) <= 3
    assert rep["verdict"]["success"] is False and rep["verdict"]["channel"] == "outcome"
    session_dir = tmp_path / "ws" / "sessions" / document["session_id"]
    events = [json.loads(line) for line in (session_dir / "events.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events] == ["rep", "outcome", "verdict"]


def test_analysis_uses_a_matching_camera_calibration_and_survives_a_bad_one(tmp_path, media_dir, shared_dir, capsys):
    """A calibration made with the lab camera's checkerboard photos (1088x1920) is applied to that
    camera's video and recorded in the session; a broken calibration file beside it is named in one
    line and skipped. For the gym video (1920x1080) there is none: it is analysed uncalibrated, and says so."""
    workspace = tmp_path / "ws"
    photos = sorted(str(p) for p in (shared_dir / "calibration" / "checkerboard_view1").glob("*.jpg"))
    assert main(["--workspace", str(workspace), "calibrate", "camera", "--board", "4x7", "--square-mm", "60",
                 "--name", "lab", "--out", str(workspace / "calibration"), *photos]) == 0
    (workspace / "calibration" / "camera_broken.toml").write_text("this is [not toml\n")
    capsys.readouterr()

    assert main(["--workspace", str(workspace), "analyze", str(media_dir / "lab_two_people_view1.mp4"), "--skill", "generic-throw"]) == 0
    err = capsys.readouterr().err
    assert "camera_broken.toml" in err and "camera calibration 'lab'" in err and "applied" in err
    assert main(["--workspace", str(workspace), "analyze", str(media_dir / "free_throw_side.mp4"), "--skill", "free-throw"]) == 0
    assert "analysing uncalibrated" in capsys.readouterr().err
    manifests = {json.loads(p.read_text())["source"]["path"].rsplit("/", 1)[-1]: json.loads(p.read_text())
                 for p in (workspace / "sessions").glob("*/manifest.json")}
    assert manifests["lab_two_people_view1.mp4"]["calibration"].endswith("camera_lab.toml")
    assert manifests["free_throw_side.mp4"]["calibration"] is None
