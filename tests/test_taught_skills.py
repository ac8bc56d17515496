"""Skills taught from one demonstration: the known answers of synthetic serves, then real padel and golf clips.

Synthetic (tests/swing_model.py): a serve filmed at 60 fps with contact at a
known instant teaches the skill; serves at 24 and 30 fps with contact at other
instants must be found with their contact within one frame, a left-hander's
on the left arm, and a body that only stands, walks and reaches must give none.

Footage (../shared/media/annotations.toml): padel_overhead_good_slice taught
at its contact (frame 27) finds the contact of the same player's bad slice
(42); golf_dtl_female_60fps taught at its impact (224, 60 fps) finds the
impact of another golfer filmed at 30 fps (golf_dtl_senior_30fps, 226).
"""

from __future__ import annotations

import numpy as np
import pytest
from arm_model import idle_session
from footage import tracked
from swing_model import serve

from motor_trainer.analysis.rep_errors import analyse_clip, reference_from_analyses
from motor_trainer.analysis.rep_reference import SpreadSource
from motor_trainer.cli import main
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import Side, mirror_sequence
from motor_trainer.records.verdict import Severity
from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset
from motor_trainer.skills.presets import available_presets
from motor_trainer.skills.taught import teach_skill

TOLERANCE_FRAMES = 2


@pytest.fixture(scope="module")
def taught_serve(tmp_path_factory):
    root = tmp_path_factory.mktemp("workspace")
    demo = serve(60.0, contact_s=2.0)
    taught = teach_skill(demo.sequence, name="my-serve", key_frame=120, like="tennis-serve", workspace_root=root)
    return root, taught


def test_the_taught_skill_is_listed_and_names_its_marker(taught_serve):
    root, taught = taught_serve
    assert available_presets(root)[-1] == "my-serve"
    assert taught.template.marker == "RIGHT_WRIST" and taught.template.side is Side.RIGHT
    assert (taught.path.parent / "template.npy").is_file()


@pytest.mark.parametrize(("fps", "contact_s"), [(24.0, 1.8), (30.0, 2.3), (60.0, 2.1)])
def test_a_serve_at_another_frame_rate_and_time_is_found_at_its_contact(taught_serve, fps, contact_s):
    root, _ = taught_serve
    known = serve(fps, contact_s=contact_s, seed=21)
    track, reps = find_reps(known.sequence, load_open_loop_preset("my-serve", root))
    assert track.side is Side.RIGHT
    assert len(reps) == 1
    assert abs(reps[0].release_s - known.contact_s) <= 1.0 / fps, (reps[0].release_s, known.contact_s)


def test_a_left_handed_serve_is_found_on_the_left_arm(taught_serve):
    root, _ = taught_serve
    known = serve(30.0, contact_s=2.0, seed=4)
    track, reps = find_reps(mirror_sequence(known.sequence), load_open_loop_preset("my-serve", root))
    assert track.side is Side.LEFT
    assert [abs(r.release_s - known.contact_s) <= 1 / 30 for r in reps] == [True]


def test_standing_walking_and_reaching_is_no_serve(taught_serve):
    root, _ = taught_serve
    _, reps = find_reps(idle_session(), load_open_loop_preset("my-serve", root))
    assert reps == []


def test_a_key_frame_too_near_the_end_or_a_shipped_name_is_refused_in_one_line(tmp_path):
    demo = serve(30.0).sequence
    with pytest.raises(UserFacingError, match="outside the video"):
        teach_skill(demo, name="late", key_frame=len(demo) + 5, workspace_root=tmp_path)
    with pytest.raises(UserFacingError, match="shipped skill"):
        teach_skill(demo, name="golf-swing", key_frame=60, workspace_root=tmp_path)
    assert available_presets(tmp_path) == available_presets(tmp_path / "empty")


@pytest.mark.footage
def test_padel_slice_taught_from_the_good_one_finds_the_contact_of_the_bad_one(tmp_path):
    teach_skill(tracked("padel_overhead_good_slice.mp4"), name="slice", key_frame=27, workspace_root=tmp_path)
    _, reps = find_reps(tracked("padel_overhead_bad_slice.mp4"), load_open_loop_preset("slice", tmp_path))
    assert [abs(r.release_frame - 42) <= TOLERANCE_FRAMES for r in reps] == [True], [r.release_frame for r in reps]


@pytest.mark.footage
def test_golf_taught_at_60_fps_finds_another_golfers_impact_at_30_fps(tmp_path):
    teach_skill(tracked("golf_dtl_female_60fps.mp4"), name="swing", key_frame=224, like="golf-swing", workspace_root=tmp_path)
    _, reps = find_reps(tracked("golf_dtl_senior_30fps.mp4"), load_open_loop_preset("swing", tmp_path))
    assert [abs(r.release_frame - 226) <= TOLERANCE_FRAMES for r in reps] == [True], [r.release_frame for r in reps]


@pytest.mark.footage
def test_one_good_slice_is_a_reference_that_names_what_the_bad_slice_does_differently(tmp_path):
    good, bad = tracked("padel_overhead_good_slice.mp4"), tracked("padel_overhead_bad_slice.mp4")
    teach_skill(good, name="slice", key_frame=27, workspace_root=tmp_path)
    preset = load_open_loop_preset("slice", tmp_path)
    demonstration = analyse_clip(good, preset)
    reference = reference_from_analyses(list(demonstration.analyses), preset, good.fps, "coach-slice")
    assert reference.rep_count == 1 and reference.spread_source is SpreadSource.SKILL
    assert [a.verdict.severity for a in analyse_clip(good, preset, reference).analyses] == [Severity.CLEAN]
    (judged,) = analyse_clip(bad, preset, reference).analyses
    assert judged.verdict.severity is Severity.OBVIOUS
    assert judged.verdict.channel.endswith("_path") or judged.verdict.channel in {"elbow_drift", "release_height", "release_forward"}
    assert judged.verdict.deviations[0].z_score >= preset.triage.obvious_z


@pytest.mark.footage
def test_skills_new_and_a_one_rep_reference_from_the_command_line(tmp_path, media_dir, capsys):
    workspace = str(tmp_path / "ws")
    good, bad = str(media_dir / "padel_overhead_good_slice.mp4"), str(media_dir / "padel_overhead_bad_slice.mp4")
    assert main(["--workspace", workspace, "skills", "new", "slice", "--from", good, "--key-frame", "27"]) == 0
    assert main(["--workspace", workspace, "skills", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.splitlines()[-1].split()[:2] == ["slice", "taught"]
    assert main(["--workspace", workspace, "analyze", good, "--skill", "slice", "--save-reference", "coach-slice"]) == 0
    saved = capsys.readouterr().out
    assert "saved reference coach-slice from 1 rep" in saved and "tolerances of the slice skill" in saved
    assert main(["--workspace", workspace, "analyze", bad, "--skill", "slice", "--reference", "coach-slice"]) == 0
    judged = capsys.readouterr().out
    assert "reference: coach-slice (1 rep; tolerances of the slice skill)" in judged
    row = next(line for line in judged.splitlines() if line.strip().startswith("1 "))  # reps count from 1
    assert "obvious" in row and ("_path" in row or "drift" in row), row


def test_a_damaged_taught_skill_is_one_line_naming_its_file(taught_serve, tmp_path):
    root, taught = taught_serve
    broken = tmp_path / "skills" / "broken"
    broken.mkdir(parents=True)
    (broken / "skill.toml").write_text("kind = 'open-loop'\n")
    with pytest.raises(UserFacingError, match=r"skills/broken/skill.toml: missing key 'trajectory_parts'"):
        load_open_loop_preset("broken", tmp_path)
    no_template = tmp_path / "skills" / "no-template"
    no_template.mkdir()
    (no_template / "skill.toml").write_text(taught.path.read_text())
    with pytest.raises(UserFacingError, match=r"no-template: the taught skill's template is damaged"):
        load_open_loop_preset("no-template", tmp_path)
    with pytest.raises(UserFacingError, match="unknown skill"):
        load_open_loop_preset("../skills/broken", tmp_path)


def test_live_a_taught_serve_is_reported_at_its_taught_contact_soon_after_each_serve(taught_serve):
    """Three serves at 30 fps fed frame by frame, as the camera delivers them: each is reported within
    a second of its contact, not only once the session ends, with the contact where the template puts it."""
    from motor_trainer.live.live_analysis import OpenLoopAnalyser, RepFound
    from motor_trainer.pose.tracker import PoseFrame

    root, _ = taught_serve
    serves = [serve(30.0, contact_s=2.0 + 0.1 * k, seed=30 + k) for k in range(3)]
    analyser = OpenLoopAnalyser(load_open_loop_preset("my-serve", root), fps=30.0, reference=None)
    reported, contacts_s, offset_s, index = [], [], 0.0, 0
    for known in serves:
        contacts_s.append(known.contact_s + offset_s)
        for time_s, xy_px in zip(known.sequence.time_s + offset_s, known.sequence.xy_px):
            pose = PoseFrame(index, float(time_s), xy_px, np.ones(33), np.ones(33), np.zeros((33, 3)), (1920, 1080))
            reported += [(float(time_s), e.detected.rep) for e in analyser.push(pose) if isinstance(e, RepFound)]
            index += 1
        offset_s = float(time_s) + 1 / 30
    assert len(reported) == 3, [(round(now, 2), round(rep.release_s, 2)) for now, rep in reported]
    for (reported_s, rep), contact_s in zip(reported, contacts_s):
        assert abs(rep.release_s - contact_s) <= 1 / 30 and rep.side is Side.RIGHT
        assert reported_s - contact_s <= 1.0


def test_live_a_taught_slice_gets_the_contact_its_template_gives_offline(tmp_path):
    """The same slice, live (frame by frame, reported before the clip ends) and in the saved analysis,
    has one contact: the frame the template matches (42, the annotated contact)."""
    from motor_trainer.live.live_analysis import OpenLoopAnalyser, RepFound
    from motor_trainer.pose.tracker import PoseFrame

    teach_skill(tracked("padel_overhead_good_slice.mp4"), name="slice", key_frame=27, workspace_root=tmp_path)
    preset = load_open_loop_preset("slice", tmp_path)
    sequence = tracked("padel_overhead_bad_slice.mp4")
    _, offline = find_reps(sequence, preset)
    analyser = OpenLoopAnalyser(preset, fps=sequence.fps, reference=None)
    live = []
    for row in range(len(sequence)):
        pose = PoseFrame(row, float(sequence.time_s[row]), sequence.xy_px[row], sequence.visibility[row],
                         sequence.presence[row], sequence.world_m[row], sequence.image_size_px)
        live += [event.detected.rep.release_frame for event in analyser.push(pose) if isinstance(event, RepFound)]
    assert live == [r.release_frame for r in offline] == [42]
