"""Open-loop reps, release, features and triage on the parametric dart thrower of tests/arm_model.py.

The model throws 8 darts with known release frames (the instant of peak hand
speed), walking or reaching for a dart between throws; see its docstring.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from arm_model import FPS, dart_session, idle_session

from motor_trainer.analysis.rep_errors import analyse_clip, reference_from_analyses, triage
from motor_trainer.analysis.rep_reference import load_reference
from motor_trainer.records.verdict import Deviation, Severity, SkillKind
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import Side, mirror_sequence
from motor_trainer.skills.open_loop import (
    OnlineRepSegmenter,
    OpenLoopPreset,
    find_reps,
    joint_angle_feature,
    load_open_loop_preset,
)
from motor_trainer.skills.presets import load_preset_table


@pytest.fixture(scope="module")
def preset():
    return load_open_loop_preset("dart-throw")


@pytest.fixture(scope="module")
def clean_session():
    """8 throws, no injected error, walking after even throws and reaching after odd ones."""
    return dart_session(throws=8, seed=11)


def _overlaps(span: tuple[int, int], start: int, end: int) -> bool:
    return start < span[1] and span[0] < end


def test_every_throw_is_found_with_its_release_and_nothing_else(preset, clean_session):
    track, reps = find_reps(clean_session.sequence, preset)
    assert track.side is Side.RIGHT
    assert len(reps) == len(clean_session.release_frames)
    for rep, truth in zip(reps, clean_session.release_frames):
        assert abs(rep.release_frame - truth) <= 2, (rep, truth)
        assert rep.start_frame <= rep.cock_frame <= rep.release_frame < rep.end_frame
    for span in clean_session.distraction_spans:
        assert not any(_overlaps(span, r.start_frame, r.end_frame) for r in reps), f"false rep while walking/reaching {span}"


def test_a_left_handed_thrower_is_found_on_the_left_arm(preset, clean_session):
    track, reps = find_reps(mirror_sequence(clean_session.sequence), preset)
    assert track.side is Side.LEFT
    assert [abs(r.release_frame - t) <= 2 for r, t in zip(reps, clean_session.release_frames)] == [True] * 8


def test_live_segmenter_reports_each_throw_within_150_ms_of_its_end(preset, clean_session):
    sequence = clean_session.sequence
    _, offline = find_reps(sequence, preset)
    live = OnlineRepSegmenter(preset, fps=FPS)
    reported = []
    for frame, (time_s, xy_px) in enumerate(zip(sequence.time_s, sequence.xy_px)):
        detected = live.push(frame, float(time_s), xy_px)
        if detected is not None:
            reported.append((time_s, detected.rep))
    assert live.side is Side.RIGHT
    assert len(reported) == len(offline)
    for (reported_s, rep), reference in zip(reported, offline):
        assert reported_s - reference.end_s <= 0.150, (reported_s, reference.end_s)
        assert abs(rep.release_frame - reference.release_frame) <= 1


@pytest.mark.parametrize("drift_throw", [2, 5])
def test_an_elbow_drift_is_the_only_obvious_miss_and_the_elbow_is_blamed(preset, drift_throw):
    session = dart_session(throws=8, drift_throw=drift_throw, seed=11)
    clip = analyse_clip(session.sequence, preset)
    obvious = [a.verdict for a in clip.analyses if a.verdict.severity is Severity.OBVIOUS]
    assert [v.index for v in obvious] == [drift_throw]
    verdict = obvious[0]
    assert verdict.kind is SkillKind.OPEN_LOOP
    assert verdict.channel == "elbow_drift"
    blamed = next(d for d in verdict.deviations if d.name == verdict.channel)
    assert blamed.body_part == "right_elbow"
    assert blamed.unit == "cm" and blamed.magnitude > 5.0  # 25 deg of upper-arm rotation moves the elbow ~8 cm
    assert verdict.features["elbow_drift_bl"] > 0.03


def test_a_saved_reference_of_good_throws_judges_a_later_session(preset, clean_session, tmp_path):
    good = analyse_clip(clean_session.sequence, preset)
    reference = reference_from_analyses(list(good.analyses), preset, FPS, "darts-good", source="synthetic")
    reference.save(tmp_path)
    loaded = load_reference(tmp_path, "darts-good")
    assert loaded.feature_centre == reference.feature_centre
    np.testing.assert_array_equal(loaded.mean_trajectory_bl, reference.mean_trajectory_bl)

    later = dart_session(throws=4, drift_throw=1, seed=23)
    clip = analyse_clip(later.sequence, preset, reference=loaded)
    assert [a.verdict.severity is Severity.OBVIOUS for a in clip.analyses] == [False, True, False, False]
    ghost_miss_px = []
    for analysis in clip.analyses[:2]:
        alignment, rep = analysis.alignment, analysis.rep
        assert alignment is not None
        assert len(alignment.reference_frame_for_frame) == rep.end_frame - rep.start_frame
        at_release = alignment.reference_frame_for_frame[rep.release_frame - rep.start_frame]
        assert abs(at_release - loaded.release_row) <= 1.0  # the release frame shows the reference at release
        assert np.all(np.diff(alignment.reference_frame_for_frame) >= 0)  # time never runs backwards in the ghost
        ghost = alignment.ghost_xy_px(rep.release_frame)
        wrist = alignment.ghost_landmarks.index("right_wrist")
        actual = later.sequence.xy_px[rep.release_frame, 16]
        ghost_miss_px.append(np.linalg.norm(ghost[wrist] - actual) / alignment.body_length_px)
    # The ghost's hand sits on a clean throw's hand at release, and visibly off the drifted one's.
    assert ghost_miss_px[0] < 0.03 < 0.06 < ghost_miss_px[1]


def test_live_segmenter_copes_with_dropped_frames_and_nobody_in_view(preset, clean_session):
    """A slow consumer drops every 5th frame, and the person leaves the view during the first walk."""
    sequence = clean_session.sequence
    walk_start, walk_end = clean_session.distraction_spans[0]
    live = OnlineRepSegmenter(preset, fps=FPS)
    releases = []
    for frame, (time_s, xy_px) in enumerate(zip(sequence.time_s, sequence.xy_px)):
        if frame % 5 == 4:
            continue
        if walk_start <= frame < walk_end:
            xy_px = np.full_like(xy_px, np.nan)
        detected = live.push(frame, float(time_s), xy_px)
        if detected is not None:
            releases.append(detected.rep.release_frame)
    assert len(releases) == len(clean_session.release_frames)
    assert all(abs(r - t) <= 2 for r, t in zip(releases, clean_session.release_frames))


def test_a_preset_with_a_mistyped_key_is_a_one_line_error_naming_it():
    table = load_preset_table("dart-throw")
    table["segmentation"] = {**table["segmentation"], "enter_sped_bl_per_s": 1.0}
    with pytest.raises(UserFacingError, match=r"^skill preset dart-throw\.toml: .*enter_sped_bl_per_s"):
        OpenLoopPreset.from_table(table)


def test_an_unknown_reference_names_the_saved_ones(preset, clean_session, tmp_path):
    clip = analyse_clip(clean_session.sequence, preset)
    reference_from_analyses(list(clip.analyses), preset, FPS, "mine").save(tmp_path)
    with pytest.raises(UserFacingError, match=r"theirs\.json: no such reference; saved: mine$"):
        load_reference(tmp_path, "theirs")
    (tmp_path / "mine.npz").write_bytes(b"not an npz")
    with pytest.raises(UserFacingError, match=r"mine\.json: damaged reference"):
        load_reference(tmp_path, "mine")


def test_triage_blames_the_most_proximal_obvious_channel_and_keeps_subtle_errors_quiet():
    wrist = Deviation("release_height", 6.0, -10.0, "cm", "right_wrist", "less")
    elbow = Deviation("elbow_drift", 4.0, 8.0, "cm", "right_elbow", "more")
    tempo = Deviation("tempo", 2.5, 40.0, "ms", None, "more")
    assert triage([wrist, elbow, tempo], None, subtle_z=2.0, obvious_z=3.5) == (Severity.OBVIOUS, "elbow_drift")
    assert triage([tempo], None, subtle_z=2.0, obvious_z=3.5) == (Severity.SUBTLE, "tempo")
    assert triage([tempo], None, subtle_z=2.0, obvious_z=2.4) == (Severity.OBVIOUS, "tempo")  # the coach tightened it
    closer_path = Deviation("right_wrist_path", -5.0, 0.5, "cm", "right_wrist", "high")
    assert triage([closer_path], None, subtle_z=2.0, obvious_z=3.5) == (Severity.CLEAN, "")  # nearer than usual is fine


@pytest.mark.parametrize("skill", ["dart-throw", "free-throw", "generic-throw"])
def test_standing_walking_and_reaching_are_no_reps(skill):
    _, reps = find_reps(idle_session(), load_open_loop_preset(skill))
    assert reps == []


def test_a_preset_joint_angle_is_measured_at_release(preset, clean_session):
    """The model's upper arm points 100 +- 1.5 deg from straight down while it throws: the hip-shoulder-elbow angle."""
    with_shoulder = replace(
        preset,
        joint_angles=("acting_shoulder",),
        judged_features=(*preset.judged_features, joint_angle_feature("acting_shoulder")),
    )
    clip = analyse_clip(clean_session.sequence, with_shoulder)
    angles = [a.features["shoulder_angle_at_release_deg"] for a in clip.analyses]
    assert np.allclose(angles, 100.0, atol=5.0), angles
    shoulder = next(d for d in clip.analyses[0].verdict.deviations if d.name == "shoulder_angle_at_release")
    assert shoulder.body_part == "right_shoulder" and shoulder.unit == "deg"
