"""Replays of misses in real footage (see replay_footage_cases): a dance step danced late, a free throw
with its elbow pushed back. The contact sheets are written next to the MP4s in pytest's tmp folder."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from conftest import MEDIA
from replay_footage_cases import FREE_THROW, attempt_clip, judged_dance, judged_free_throw

from motor_trainer.records.verdict import Severity
from motor_trainer.feedback.clips import clip_from_video, clip_window_s
from motor_trainer.feedback.replay import WARNING_RGB, ReplayRenderer, should_replay
from motor_trainer.feedback.replay_inputs import open_loop_replay_spec, step_replay_spec
from motor_trainer.feedback.replay_output import export_replay
from motor_trainer.pose.landmarks import Landmark

pytestmark = pytest.mark.footage


def _decoded_frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _expected_frame_count(renderer: ReplayRenderer) -> float:
    """Clip frames at 1x, those within the slow window around the peak at ``speed``, plus the freeze."""
    spec = renderer.spec
    window = round(spec.slow_window_s * spec.fps)
    peak = renderer.timeline.peak_frame
    slowed = min(peak + window, spec.frame_count - 1) - max(peak - window, 0) + 1
    return spec.frame_count - slowed + slowed / spec.speed + round(spec.freeze_s * spec.fps)


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
    assert export.frames_written == len(renderer) == pytest.approx(_expected_frame_count(renderer), abs=2)
    assert _decoded_frame_count(export.mp4_path) == len(renderer)
    assert export.sheet_path.stat().st_size > 50_000

    last = renderer.render(len(renderer) - 1)  # after the step: the beat-strip marker is filled
    strip = last[-renderer.output_size_px[1] // 9 :]
    marker_columns = np.flatnonzero((np.abs(strip.astype(int) - WARNING_RGB).max(axis=2) <= 40).any(axis=0))
    assert marker_columns.size and marker_columns.mean() > renderer.output_size_px[0] / 2  # right of the due beat: late


def test_a_step_only_80_ms_late_is_not_dramatised() -> None:
    *_, analysis = judged_dance(0.08)
    assert not any(should_replay(verdict) for verdict in analysis.verdicts)


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
    assert export.frames_written == len(renderer) == pytest.approx(_expected_frame_count(renderer), abs=2)
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
