"""Dance attempts against the tracked reference routine: tempo, a delayed stretch, a missing step, mirroring, live following.

The reference is the dance footage turned upright; every attempt is the
same tracked landmarks on another clock (see closed_loop_attempts.py), so
the right answer is known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from closed_loop_attempts import played_slower, step_left_out, stretch_delayed
from motor_trainer.analysis.alignment import LiveFollower, align_sequences, relabel_frames
from motor_trainer.analysis.routine_reference import ReferenceRoutine, build_reference
from motor_trainer.analysis.step_errors import RoutineAnalysis, analyse_attempt, format_step_table
from motor_trainer.coaching.blocks import summarise_block
from motor_trainer.records.verdict import Severity, SkillKind
from motor_trainer.pose.kinematics import body_length_px, mirror_sequence
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.closed_loop import ClosedLoopSettings, StepTier
from motor_trainer.skills.presets import load_preset_table

pytestmark = pytest.mark.footage

DANCE = "webcam_dance_sideways.mp4"
#: The four kicks (2.0–4.3 s) are danced late; the dancer stands still at 1.95 s and from 4.4 s.
STRETCH_S = (1.95, 4.4)


@pytest.fixture(scope="module")
def settings() -> ClosedLoopSettings:
    return ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))


@pytest.fixture(scope="module")
def dance(media_dir: Path) -> PoseSequence:
    from footage import tracked

    return tracked(DANCE, rotate_deg=270)


@pytest.fixture(scope="module")
def routine(dance: PoseSequence, media_dir: Path, settings: ClosedLoopSettings) -> ReferenceRoutine:
    return build_reference(dance, name="dance", audio_path=media_dir / DANCE, contact=settings.contact)


def flagged(analysis: RoutineAnalysis) -> set[int]:
    return {report.reference_index for report in analysis.steps if report.verdict.severity is not Severity.CLEAN}


def test_reference_has_steps_and_a_beat_from_its_music(routine: ReferenceRoutine) -> None:
    assert len(routine.steps) >= 8
    assert routine.beat_grid is not None
    assert 60 <= routine.beat_grid.bpm <= 200


def test_uniformly_slower_attempt_has_no_obvious_miss_and_reports_the_tempo(
    routine: ReferenceRoutine, settings: ClosedLoopSettings
) -> None:
    analysis = analyse_attempt(routine, played_slower(routine.sequence, 1.1), settings)
    assert analysis.obvious == ()
    assert all(report.attempt_step is not None for report in analysis.steps)
    assert analysis.tempo.tempo_ratio == pytest.approx(1 / 1.1, abs=0.01)
    assert analysis.to_dict()["attempt_bpm"] == pytest.approx(routine.beat_grid.bpm / 1.1, abs=1.0)


@pytest.mark.parametrize("delay_s", [0.16, 0.24])
def test_delayed_stretch_flags_exactly_its_steps_late(routine: ReferenceRoutine, settings: ClosedLoopSettings, delay_s: float) -> None:
    start_s, end_s = STRETCH_S
    # The premise: nobody's foot is in the air where the dancer holds still or catches up.
    assert not any(step.lift_s <= start_s <= step.plant_s for step in routine.steps)
    delayed = {index for index, step in enumerate(routine.steps) if start_s <= step.plant_s < end_s}
    assert len(delayed) == 4

    analysis = analyse_attempt(routine, stretch_delayed(routine.sequence, start_s, end_s, delay_s), settings)

    assert flagged(analysis) == delayed
    for index in delayed:
        report = analysis.steps[index]
        assert report.verdict.channel == "timing"
        assert report.timing_error_ms == pytest.approx(1000 * delay_s, abs=40)
        timing = next(d for d in report.verdict.deviations if d.unit == "ms")
        assert timing.direction == "late"
        assert report.verdict.severity is (Severity.OBVIOUS if delay_s * 1000 > settings.windows.ok_ms else Severity.SUBTLE)
        # What the beat strip draws: the step, when it was due, and the music's beats around it.
        assert report.rhythm is not None
        assert report.rhythm.step_s - report.rhythm.expected_s == pytest.approx(delay_s, abs=0.04)
        period_s = 60.0 / routine.beat_grid.bpm
        assert np.min(np.abs(report.rhythm.beat_s - report.rhythm.expected_s)) <= period_s / 2 + 1e-9
    assert analysis.tempo.tempo_ratio == pytest.approx(1.0, abs=0.01)


def test_step_left_out_is_reported_missing(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    body = body_length_px(routine.sequence.xy_px)
    kick_index, kick = next(
        (index, step)
        for index, step in enumerate(routine.steps)
        if step.plant_s > 2.0 and np.hypot(*np.subtract(step.plant_xy_px, step.lift_xy_px)) < 0.1 * body
    )
    analysis = analyse_attempt(routine, step_left_out(routine.sequence, kick), settings)
    report = analysis.steps[kick_index]
    assert report.attempt_step is None
    assert report.verdict.channel == "missing" and report.verdict.is_obvious
    assert {r.reference_index for r in analysis.obvious} == {kick_index}
    start, end = report.attempt_frame_range
    assert start <= kick.plant_frame < end + 2


def test_live_step_verdicts_carry_their_own_frames(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    """Live, a step landed covers its swing and a step left out the frames where it was due, in the camera's frame
    numbers (here counted from 1000), as the verdict is saved: the replay and a review find the step there."""
    from types import SimpleNamespace

    from motor_trainer.live.practice_state import step_verdict

    body = body_length_px(routine.sequence.xy_px)
    kick_index, kick = next(
        (index, step)
        for index, step in enumerate(routine.steps)
        if step.plant_s > 2.0 and np.hypot(*np.subtract(step.plant_xy_px, step.lift_xy_px)) < 0.1 * body
    )
    attempt = step_left_out(routine.sequence, kick)
    follower = LiveFollower(routine, settings.windows)
    first = 1000
    frames = [
        SimpleNamespace(index=first + k, xy_px=attempt.xy_px[k], world_m=None, time_s=float(attempt.time_s[k])) for k in range(len(attempt))
    ]
    events = [event for frame in frames for event in follower.update(frame).step_events]
    verdicts = {event.reference_index: step_verdict(event, "dance-footwork") for event in events}
    missed = verdicts[kick_index]
    assert missed.is_obvious and missed.channel == "missing"
    assert first + kick.lift_frame - 1 <= missed.start_frame < missed.end_frame <= first + kick.plant_frame + 2
    landed = [(index, verdict) for index, verdict in verdicts.items() if index != kick_index and not verdict.is_obvious]
    assert len(landed) >= 0.8 * (len(routine.steps) - 1)
    for index, verdict in landed:
        assert verdict.start_frame <= first + routine.steps[index].plant_frame < verdict.end_frame + 1


def test_verdicts_carry_what_the_replay_needs(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    attempt = stretch_delayed(routine.sequence, *STRETCH_S, 0.24)
    analysis = analyse_attempt(routine, attempt, settings)
    assert analysis.reference_frame_for_frame.shape == (len(attempt),)
    assert not analysis.reference_frame_for_frame.flags.writeable
    for report in analysis.steps:
        verdict = report.verdict
        assert verdict.kind is SkillKind.CLOSED_LOOP and verdict.skill == "dance-footwork"
        assert (verdict.start_frame, verdict.end_frame) == report.attempt_frame_range
        posture = [d for d in verdict.deviations if d.unit == "deg"]
        assert posture and all(d.body_part in {"left_knee", "right_knee", "left_hip", "right_hip", "left_ankle", "right_ankle",
                                               "left_elbow", "right_elbow", "left_shoulder", "right_shoulder"} for d in posture)
    # During the hold the ghost stands still, then it runs on: the mapping never goes back.
    finite = analysis.reference_frame_for_frame[np.isfinite(analysis.reference_frame_for_frame)]
    assert np.all(np.diff(finite) >= 0)


def test_student_facing_the_coach_is_judged_through_the_mirror(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    mirrored_attempt = mirror_sequence(routine.sequence)
    analysis = analyse_attempt(routine, mirrored_attempt, settings, mirror=True)
    assert analysis.obvious == ()
    assert all(report.tier is StepTier.PERFECT for report in analysis.steps)


@pytest.mark.parametrize("make_attempt", [lambda s: played_slower(s, 1.1), lambda s: stretch_delayed(s, *STRETCH_S, 0.24)],
                         ids=["slower", "delayed"])
def test_live_follower_ends_where_offline_alignment_ends(routine: ReferenceRoutine, make_attempt) -> None:
    attempt = make_attempt(routine.sequence)
    offline = align_sequences(routine.sequence, attempt)
    follower = LiveFollower(routine)
    live_frames = np.array([follower.update(attempt.xy_px[k], float(attempt.time_s[k])).reference_frame for k in range(len(attempt))])
    assert abs(live_frames[-1] - offline.path[-1, 0]) <= 2
    matched = np.isfinite(offline.reference_frame_for_frame)
    assert np.median(np.abs(live_frames[matched] - offline.reference_frame_for_frame[matched])) <= 2


def test_live_tiers_call_the_delayed_kicks_and_pass_the_rest(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    attempt = stretch_delayed(routine.sequence, *STRETCH_S, 0.24)
    follower = LiveFollower(routine, settings.windows)
    events = [event for k in range(len(attempt)) for event in follower.update(attempt.xy_px[k], float(attempt.time_s[k])).step_events]
    tiers = {event.reference_index: event.tier for event in events}
    delayed = {index for index, step in enumerate(routine.steps) if STRETCH_S[0] <= step.plant_s < STRETCH_S[1]}
    assert all(tiers[index] is StepTier.MISS for index in delayed)
    on_time = [tiers.get(index) for index in range(len(routine.steps)) if index not in delayed]
    assert sum(tier in (StepTier.PERFECT, StepTier.GOOD) for tier in on_time) >= 0.8 * len(on_time)


@pytest.mark.parametrize("flipped_from_s", [0.0, 6.0], ids=["whole-clip", "second-half"])
def test_left_and_right_named_the_other_way_change_nothing(
    routine: ReferenceRoutine, settings: ClosedLoopSettings, flipped_from_s: float
) -> None:
    """The pose model may name a front-facing dancer's legs the other way round than in the reference."""
    flipped = relabel_frames(routine.sequence, routine.sequence.time_s >= flipped_from_s)
    analysis = analyse_attempt(routine, flipped, settings)
    assert analysis.obvious == () and analysis.extra_steps == ()
    follower = LiveFollower(routine, settings.windows)
    tiers = [event.tier for k in range(len(flipped)) for event in follower.update(flipped.xy_px[k], float(flipped.time_s[k])).step_events]
    assert sum(tier is StepTier.PERFECT for tier in tiers) >= 0.8 * len(routine.steps)


def shifted_landing(sequence: PoseSequence, step, back_step, shift_px: float) -> PoseSequence:
    """The leg lands ``shift_px`` further along image x at ``step`` and comes back to its place at ``back_step``."""
    from closed_loop_attempts import LEG_LANDMARKS

    frames = np.arange(len(sequence))

    def ramp(swing) -> np.ndarray:
        return np.clip((frames - swing.lift_frame) / max(swing.plant_frame - swing.lift_frame, 1), 0.0, 1.0)

    xy = np.array(sequence.xy_px, copy=True)
    xy[:, list(LEG_LANDMARKS[step.foot]), 0] += shift_px * (ramp(step) - ramp(back_step))[:, None]
    return sequence.replace(xy_px=xy)


def test_foot_landing_a_fifth_of_a_body_away_is_a_placement_miss(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    """The misplaced step and the step that brings the foot back are both off by the shift; nothing else is."""
    body_px = body_length_px(routine.sequence.xy_px)
    steps = routine.steps
    index = next(i for i, step in enumerate(steps) if step.plant_s > 2.0)
    back = next(i for i in range(index + 1, len(steps)) if steps[i].foot is steps[index].foot)
    attempt = shifted_landing(routine.sequence, steps[index], steps[back], 0.2 * body_px)
    analysis = analyse_attempt(routine, attempt, settings)
    for misplaced in (index, back):
        report = analysis.steps[misplaced]
        assert report.verdict.channel == "placement" and report.verdict.is_obvious
        assert report.placement_error == pytest.approx(0.2, abs=0.04)
    assert {r.reference_index for r in analysis.obvious} == {index, back}
    # One definition of success: the coach's block counts the two misses the step table prints.
    block = summarise_block(0, analysis.verdicts)
    assert "2 obvious misses" in format_step_table(analysis, routine)
    assert (block.obvious_misses, block.successes) == (2, len(steps) - 2)


def test_placement_in_centimetres_with_a_floor_calibration(routine: ReferenceRoutine, settings: ClosedLoopSettings) -> None:
    """A floor where one pixel is 1.5 mm: the same 0.2-body-length miss, now told in cm."""
    import datetime as dt

    from motor_trainer.calibration.plane import PlaneCalibration, PlaneKind

    floor = PlaneCalibration(
        name="floor",
        kind=PlaneKind.FLOOR,
        image_size_px=routine.sequence.image_size_px,
        image_to_plane=np.diag([1.5, 1.5, 1.0]),
        point_names=("a", "b", "c", "d"),
        image_points_px=np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float),
        plane_points_mm=np.array([[0, 0], [150, 0], [150, 150], [0, 150]], dtype=float),
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    shift_px = 0.2 * body_length_px(routine.sequence.xy_px)
    steps = routine.steps
    index = next(i for i, step in enumerate(steps) if step.plant_s > 2.0)
    back = next(i for i in range(index + 1, len(steps)) if steps[i].foot is steps[index].foot)
    attempt = shifted_landing(routine.sequence, steps[index], steps[back], shift_px)
    analysis = analyse_attempt(routine, attempt, settings, reference_plane=floor, attempt_plane=floor)
    assert analysis.placement_unit == "cm"
    report = analysis.steps[index]
    assert report.placement_error == pytest.approx(shift_px * 1.5 / 10.0, rel=0.2)
    assert next(d for d in report.verdict.deviations if d.name == "placement").unit == "cm"


def test_the_music_starts_with_the_first_frame_even_before_the_dancer_is_seen(
    routine: ReferenceRoutine, settings: ClosedLoopSettings
) -> None:
    """Live, frames with nobody in view are not followed; the clock must still start at the first one.

    The attempt is the reference itself with nobody found in its first 0.4 s: every step is on time,
    so the timing errors centre on zero (they read 0.4 s early when the clock started at the first
    frame with a person in it).
    """
    from motor_trainer.live.live_analysis import ClosedLoopAnalyser
    from motor_trainer.pose.tracker import PoseFrame

    sequence = routine.sequence
    hidden = sequence.time_s - sequence.time_s[0] < 0.4
    analyser = ClosedLoopAnalyser(routine, settings)
    errors_ms = []
    for k in range(len(sequence)):
        xy_px = np.full_like(sequence.xy_px[k], np.nan) if hidden[k] else sequence.xy_px[k]
        pose = PoseFrame(k, float(sequence.time_s[k]), xy_px, sequence.visibility[k], sequence.visibility[k],
                         sequence.world_m[k], sequence.image_size_px)
        for progress in analyser.push(pose):
            errors_ms += [event.timing_error_ms for event in progress.step_events if event.timing_error_ms is not None]
    assert len(errors_ms) >= 0.6 * len(routine.steps)
    assert abs(float(np.median(errors_ms))) <= 40.0, errors_ms
