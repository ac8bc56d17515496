"""Switching to someone else mid-session (the user clicks them): the new person's reps are found as if
the session had started with them.

Synthetic, known answer: 12 s of a person twice the size standing, walking and reaching (no throw,
arm_model.idle_session), then a person half the size elsewhere in the picture throwing three darts.
"""

from __future__ import annotations

import types

import numpy as np

from arm_model import dart_session, idle_session
from motor_trainer.live.live_analysis import OpenLoopAnalyser, RepFound
from motor_trainer.skills.open_loop import load_open_loop_preset


def poses(sequence, scale: float, offset_px: tuple[float, float], first_index: int, first_s: float):
    for k in range(len(sequence)):
        yield types.SimpleNamespace(index=first_index + k, time_s=first_s + float(sequence.time_s[k]),
                                    xy_px=sequence.xy_px[k] * scale + np.array(offset_px), detected=True)


def release_frames(analyser: OpenLoopAnalyser, frames, switch_at: int | None = None) -> list[int]:
    events = []
    for pose in frames:
        if pose.index == switch_at:
            analyser.new_subject()
        events += analyser.push(pose)
    events += analyser.flush()
    return [event.detected.rep.release_frame for event in events if isinstance(event, RepFound)]


def test_the_first_throw_after_switching_to_someone_else_is_found():
    preset = load_open_loop_preset("dart-throw")
    before, thrower = idle_session(), dart_session(throws=3).sequence
    switch_at = len(before)
    alone = release_frames(OpenLoopAnalyser(preset, fps=30.0, reference=None), poses(thrower, 0.5, (200, 300), switch_at, 0.0))
    after_switch = release_frames(
        OpenLoopAnalyser(preset, fps=30.0, reference=None),
        [*poses(before, 2.0, (0, -500), 0, 0.0), *poses(thrower, 0.5, (200, 300), switch_at, switch_at / 30)],
        switch_at=switch_at,
    )
    assert len(alone) == 3
    assert after_switch == alone
