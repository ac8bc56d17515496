"""A routine played back 10 % slower or faster is the same dance: no obvious miss, no placement error above subtle.

Every closed-loop clip we have, front and side views at 24, 25 and 60 fps,
is its own reference; the attempt is the same tracked landmarks played at
another speed by repeating or skipping frames (closed_loop_attempts.played_at_speed),
as a player slowing a clip down or a webcam does, with the repeats falling
at two different places. The right answer is a perfect copy. Before the
fix, 4 of these 16 copies had an obvious miss (placement up to 0.24 body
lengths measured between the detector's segment ends, or a step lost when
a short swing or stance crossed a duration threshold).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from closed_loop_attempts import played_at_speed
from motor_trainer.analysis.routine_reference import ReferenceRoutine, build_reference
from motor_trainer.analysis.step_errors import analyse_attempt, format_step_table
from motor_trainer.coaching.blocks import summarise_block
from motor_trainer.records.verdict import is_success
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.presets import load_preset_table

pytestmark = pytest.mark.footage

#: (clip, rotation): a sideways webcam (side view, 25 fps), a front view with music (24 fps), a lab step from two views (60 fps).
CLIPS = [
    ("webcam_dance_sideways.mp4", 270),
    ("dance_musepose_front_music.mp4", 0),
    ("lab_steps_view1.mp4", 0),
    ("lab_steps_view2.mp4", 0),
]


@pytest.fixture(scope="module")
def settings() -> ClosedLoopSettings:
    return ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))


@pytest.fixture(scope="module", params=CLIPS, ids=[name.removesuffix(".mp4") for name, _ in CLIPS])
def routine(request, media_dir: Path, settings: ClosedLoopSettings) -> ReferenceRoutine:
    from footage import tracked

    name, rotate_deg = request.param
    return build_reference(tracked(name, rotate_deg), name=name, contact=settings.contact)


@pytest.mark.parametrize("phase", [0.0, 0.5])
@pytest.mark.parametrize("speed", [0.9, 1.1], ids=["slower", "faster"])
def test_a_copy_played_at_another_speed_has_no_obvious_miss(
    routine: ReferenceRoutine, settings: ClosedLoopSettings, speed: float, phase: float
) -> None:
    analysis = analyse_attempt(routine, played_at_speed(routine.sequence, speed, phase), settings)
    assert [(r.reference_index, r.verdict.channel) for r in analysis.obvious] == []
    assert all(report.attempt_step is not None for report in analysis.steps)
    placements = [report.placement_error for report in analysis.steps]
    assert max(placements) <= settings.thresholds.placement_subtle_bl
    assert analysis.tempo.tempo_ratio == pytest.approx(speed, abs=0.03)
    # The step table, the stored verdicts and the coach's block tell the same story.
    block = summarise_block(0, analysis.verdicts)
    assert "0 obvious misses" in format_step_table(analysis, routine)
    assert block.obvious_misses == 0 and block.successes == len(routine.steps)
    assert all(is_success(verdict) for verdict in analysis.verdicts)
