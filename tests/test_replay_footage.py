"""Replays of misses in real footage: a dance step danced late, a free throw with its elbow pushed back.

Both misses are made from the real tracked landmarks, so the analysers judge
them as they would a real attempt:

- Dance: the stretch of the routine around one step is played ``delay_s``
  late (a slower lead-in, a faster catch-up), landmarks *and* video frames
  resampled with the same clock, so the footage shows the late step too.
- Free throw: the clip holds a single throw, which becomes the reference;
  the attempt is the same throw with the shooting elbow pushed back in the
  landmarks around the release (the video still shows the real elbow, the
  skeleton the perturbed one).

The contact sheets are written next to the MP4s in pytest's tmp folder.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest
from closed_loop_attempts import resample_at
from conftest import MEDIA
from footage import tracked

from motor_trainer.analysis.alignment import align_sequences
from motor_trainer.analysis.rep_errors import analyse_clip, analyse_rep
from motor_trainer.analysis.rep_reference import build_reference
from motor_trainer.analysis.routine_reference import beat_grid_for
from motor_trainer.analysis.step_errors import judge_attempt
from motor_trainer.analysis.verdict import Severity
from motor_trainer.feedback.clips import Clip, clip_from_video, clip_window_s
from motor_trainer.feedback.exaggerate import slow_motion_timeline
from motor_trainer.feedback.replay import WARNING_RGB, ReplayRenderer, should_replay
from motor_trainer.feedback.replay_inputs import open_loop_replay_spec, step_replay_spec
from motor_trainer.feedback.replay_output import export_replay
from motor_trainer.pose.kinematics import body_length_px
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.skills.closed_loop import detect_steps
from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset

pytestmark = pytest.mark.footage

DANCE = "webcam_dance_sideways.mp4"
FREE_THROW = "free_throw_side.mp4"


def _decoded_frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _expected_frame_count(renderer: ReplayRenderer) -> int:
    """The output length from the clip length and the replay settings alone."""
    spec = renderer.spec
    timeline = slow_motion_timeline(
        spec.frame_count,
        renderer.timeline.peak_frame,
        spec.speed,
        round(spec.slow_window_s * spec.fps),
        round(spec.freeze_s * spec.fps),
    )
    return len(timeline)


# --- dance: a late step ------------------------------------------------------------------------


def delayed_dance(delay_s: float):
    """(reference, attempt, source frame of each attempt frame, the delayed step) for the dance clip."""
    reference = tracked(DANCE, rotate_deg=270)
    steps = detect_steps(reference)
    middle = [s for s in steps if 2.5 <= s.plant_s <= 4.5]
    step = middle[-1]
    start_s, end_s, ramp_s = step.lift_s - 0.04, step.plant_s + 0.04, 0.2
    clock_s = reference.time_s - reference.time_s[0]
    knots_attempt = [0.0, start_s - ramp_s, start_s, end_s + delay_s, end_s + delay_s + ramp_s, clock_s[-1]]
    knots_source = [0.0, start_s - ramp_s, start_s - delay_s, end_s, end_s + delay_s + ramp_s, clock_s[-1]]
    source_s = np.interp(clock_s, knots_attempt, knots_source)
    attempt = resample_at(reference, reference.time_s[0] + source_s, reference.fps)
    source_frame = np.clip(np.round(source_s * reference.fps).astype(int), 0, len(reference) - 1)
    return reference, attempt, source_frame, step


def judged_dance(delay_s: float):
    reference, attempt, source_frame, step = delayed_dance(delay_s)
    analysis = judge_attempt(
        skill="dance-footwork",
        reference=reference,
        reference_steps=detect_steps(reference),
        attempt=attempt,
        attempt_steps=detect_steps(attempt),
        alignment=align_sequences(reference, attempt),
        beat_grid=beat_grid_for(reference, None, None, MEDIA / DANCE),
    )
    return reference, attempt, source_frame, step, analysis


def attempt_clip(attempt, source_frame: np.ndarray, start_s: float, end_s: float) -> Clip:
    """The attempt's frames in [start_s, end_s], each showing the source frame its clock points at."""
    frames = np.flatnonzero((attempt.time_s >= start_s) & (attempt.time_s <= end_s))
    wanted = source_frame[frames]
    fps = attempt.fps
    source = clip_from_video(MEDIA / DANCE, wanted.min() / fps - 0.5 / fps, wanted.max() / fps + 0.5 / fps, rotate_deg=270)
    by_index = dict(zip(source.frame_index.tolist(), source.images))
    return Clip(frames, attempt.time_s[frames], [by_index[int(i)] for i in wanted])


def test_a_step_danced_300_ms_late_replays_with_the_ankle_and_a_late_beat_marker(tmp_path: Path) -> None:
    reference, attempt, source_frame, step, analysis = judged_dance(0.3)
    late = [r for r in analysis.steps if r.reference_step.plant_s == step.plant_s][0]
    assert late.verdict.is_obvious and late.verdict.channel == "timing"
    assert late.timing_error_ms == pytest.approx(300, abs=60)

    clip = attempt_clip(attempt, source_frame, *clip_window_s(late.verdict))
    renderer = ReplayRenderer(step_replay_spec(late, analysis, attempt, reference, clip))
    assert renderer.key_landmark == Landmark[f"{step.foot.upper()}_ANKLE"]
    assert "late" in renderer.caption and "ms" in renderer.caption

    export = export_replay(renderer, tmp_path / "late_step.mp4", tmp_path / "late_step.png")
    assert export.frames_written == len(renderer) == _expected_frame_count(renderer)
    assert _decoded_frame_count(export.mp4_path) == len(renderer)
    assert export.sheet_path.stat().st_size > 50_000

    last = renderer.render(len(renderer) - 1)  # after the step: the beat-strip marker is filled
    strip = last[-renderer.output_size_px[1] // 9 :]
    marker_columns = np.flatnonzero((np.abs(strip.astype(int) - WARNING_RGB).max(axis=2) <= 40).any(axis=0))
    assert marker_columns.size and marker_columns.mean() > renderer.output_size_px[0] / 2  # right of the due beat: late


def test_a_step_only_80_ms_late_is_not_dramatised() -> None:
    *_, analysis = judged_dance(0.08)
    assert not any(should_replay(verdict) for verdict in analysis.verdicts)


# --- free throw: the elbow pushed back ---------------------------------------------------------


def perturbed_free_throw(push_bl: float):
    """(sequence with the right elbow pushed back around the release, the real throw's analysis, preset)."""
    sequence = tracked(FREE_THROW)
    preset = load_open_loop_preset("free-throw")
    (real,) = analyse_clip(sequence, preset).analyses
    frames = np.arange(len(sequence))
    push_px = push_bl * body_length_px(sequence.xy_px) * np.exp(-0.5 * ((frames - real.rep.release_frame) / 4.0) ** 2)
    xy = np.array(sequence.xy_px)
    xy[:, Landmark.RIGHT_ELBOW, 0] -= push_px  # he shoots to the right: back is -x
    return sequence.replace(xy_px=xy), real, preset


def judged_free_throw(push_bl: float):
    attempt, real, preset = perturbed_free_throw(push_bl)
    one_throw = dataclasses.replace(preset.reference, min_reps=1)
    reference = build_reference(
        [real.member], reference_id="real-throw", skill=preset.name, parts=preset.trajectory_parts,
        fps=attempt.fps, settings=one_throw,
    )
    track, (rep,) = find_reps(attempt, preset)
    return attempt, analyse_rep(track, rep, preset, reference)


def test_a_free_throw_with_the_elbow_pushed_back_replays_around_the_release(tmp_path: Path) -> None:
    attempt, analysis = judged_free_throw(0.05)
    verdict = analysis.verdict
    assert verdict.is_obvious and verdict.largest_deviation().body_part == "right_elbow"

    clip = clip_from_video(MEDIA / FREE_THROW, *clip_window_s(verdict))
    renderer = ReplayRenderer(open_loop_replay_spec(analysis, attempt, clip))
    held = int(np.flatnonzero(renderer.timeline.frozen)[0])
    assert clip.frame_index[renderer.timeline.source_frame[held]] == analysis.rep.release_frame
    assert renderer.caption.startswith("right elbow")

    export = export_replay(renderer, tmp_path / "elbow.mp4", tmp_path / "elbow.png")
    assert export.frames_written == len(renderer) == _expected_frame_count(renderer)
    assert _decoded_frame_count(export.mp4_path) == len(renderer)

    at_release = renderer.render(held)
    source = renderer.timeline.source_frame[held]
    drawn = renderer.amplified_xy_px[source]
    ghost = renderer.ghost_xy_px[source, Landmark.RIGHT_ELBOW]
    person = renderer.person_xy_px[source, Landmark.RIGHT_ELBOW]
    np.testing.assert_allclose(drawn, ghost + 2.0 * (person - ghost))
    x, y = np.round(drawn).astype(int)
    assert np.abs(at_release[y, x].astype(int) - WARNING_RGB).max() <= 30  # the warning disc is where it should be


def test_an_elbow_pushed_back_by_a_hundredth_of_a_body_length_is_subtle_and_not_replayed() -> None:
    attempt, analysis = judged_free_throw(0.01)
    assert analysis.verdict.severity is Severity.SUBTLE  # measured and kept, but not shouted
    assert not should_replay(analysis.verdict)
    with pytest.raises(ValueError, match="only obvious misses"):
        clip = clip_from_video(MEDIA / FREE_THROW, *clip_window_s(analysis.verdict))
        ReplayRenderer(open_loop_replay_spec(analysis, attempt, clip))
