"""Misses made from real footage, shared by the replay's footage tests and its benchmark.

Both misses are made from the real tracked landmarks, so the analysers judge
them as they would a real attempt:

- Dance: the stretch of the routine around one step is played ``delay_s``
  late (a slower lead-in, a faster catch-up), landmarks *and* video frames
  resampled with the same clock, so the footage shows the late step too.
- Free throw: the clip holds a single throw, which becomes the reference;
  the attempt is the same throw with the shooting elbow pushed back in the
  landmarks around the release (the video still shows the real elbow, the
  skeleton the perturbed one).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from closed_loop_attempts import resample_at
from conftest import MEDIA
from footage import tracked

from motor_trainer.analysis.alignment import align_sequences
from motor_trainer.analysis.rep_errors import analyse_clip, analyse_rep
from motor_trainer.analysis.rep_reference import build_reference
from motor_trainer.analysis.routine_reference import beat_grid_for
from motor_trainer.analysis.step_errors import judge_attempt
from motor_trainer.feedback.clips import Clip, clip_from_video
from motor_trainer.pose.kinematics import body_length_px
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.skills.closed_loop import detect_steps
from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset

DANCE = "webcam_dance_sideways.mp4"
FREE_THROW = "free_throw_side.mp4"


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
