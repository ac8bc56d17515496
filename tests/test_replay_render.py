"""The replay as a user gets it: only for obvious misses, with inset and beat strip, as MP4 and contact sheet."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest
from replay_fixtures import elbow_verdict, synthetic_elbow_rep, synthetic_spec

from motor_trainer.analysis.outcomes import HitMiss, LandingPoint
from motor_trainer.records.outcome_settings import OutcomeSettings, OutcomeType
from motor_trainer.records.verdict import Deviation, Severity, SkillKind, Verdict
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.clips import FrameRingBuffer, clip_window_s
from motor_trainer.feedback.exaggerate import faded_gain
from motor_trainer.feedback.replay import (
    GHOST_RGB,
    PERSON_RGB,
    WARNING_RGB,
    BeatStrip,
    OutcomeInset,
    ReplayRenderer,
    should_replay,
)
from motor_trainer.feedback.replay_inputs import outcome_inset, recent_success_rate
from motor_trainer.feedback.replay_output import export_replay, write_mp4
from motor_trainer.pose.landmarks import Landmark


def _decoded_frame_count(path: Path) -> tuple[int, tuple[int, int]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
        return len(frames), (frames[0].width, frames[0].height)


def _blob_centres(image: np.ndarray, colour: tuple[int, int, int], min_area_px: int) -> list[np.ndarray]:
    mask = (np.abs(image.astype(int) - colour).max(axis=2) <= 40).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask)
    return [centroids[i] for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= min_area_px]


@pytest.mark.parametrize("severity", [Severity.CLEAN, Severity.SUBTLE])
def test_subtle_and_clean_reps_get_no_replay(severity: Severity) -> None:
    verdict = elbow_verdict(severity)
    assert not should_replay(verdict)
    with pytest.raises(ValueError, match="only obvious misses"):
        ReplayRenderer(synthetic_spec(verdict=verdict))


def test_an_obvious_miss_always_gets_a_replay_longer_than_the_clip() -> None:
    spec = synthetic_spec()
    assert should_replay(spec.verdict)
    renderer = ReplayRenderer(spec)
    frames = list(renderer.frames())
    assert len(frames) == len(renderer) > spec.frame_count  # slowed and frozen, never cut short
    assert frames[0].shape == (480, 640, 3) and frames[0].dtype == np.uint8
    flash_pixel, later_pixel = frames[0][2, 320], frames[-1][2, 320]
    assert np.abs(flash_pixel.astype(int) - WARNING_RGB).max() <= 20  # the border flashes at the start
    assert np.abs(later_pixel.astype(int) - WARNING_RGB).max() > 100  # and only at the start


def test_an_obvious_outcome_miss_without_a_body_part_still_replays_with_the_landing_amplified() -> None:
    verdict = dataclasses.replace(
        elbow_verdict(),
        channel="outcome",
        deviations=(Deviation("outcome", 4.0, 18.0, "cm", direction="right and high"),),
        outcome_error_mm=180.0,
    )
    inset = OutcomeInset(landing_mm=np.array([120.0, 90.0]), aim_mm=np.array([0.0, 0.0]), tolerance_mm=60.0)
    image = ReplayRenderer(synthetic_spec(verdict=verdict, outcome=inset)).render(40)
    inset_region = image[:160, 640 - 170 :]  # top-right corner
    landing = _blob_centres(inset_region, WARNING_RGB, min_area_px=60)
    aim = _blob_centres(inset_region, GHOST_RGB, min_area_px=20)
    assert len(landing) == 1 and aim
    aim_centre = min(aim, key=lambda c: np.linalg.norm(c - np.array([85.0, 87.0])))
    offset = landing[0] - aim_centre
    assert offset[0] > 0 and offset[1] < 0  # drawn right and up, as it landed
    assert offset[1] / offset[0] == pytest.approx(-90.0 / 120.0, abs=0.1)


def _beat_marker_offset_px(gain: float) -> float:
    verdict = Verdict(
        index=5, skill="dance", kind=SkillKind.CLOSED_LOOP, start_frame=8, end_frame=32, start_s=0.27, end_s=1.07,
        severity=Severity.OBVIOUS, channel="timing", success=False,
        deviations=(Deviation("step_timing", 3.1, 120.0, "ms", body_part="left_ankle", direction="late"),),
    )
    strip = BeatStrip(step_time_s=0.92, expected_time_s=0.8, beat_times_s=np.arange(0.0, 2.0, 0.4))
    renderer = ReplayRenderer(synthetic_spec(verdict=verdict, beat_strip=strip, gain=gain))
    image = renderer.render(len(renderer) - 1)  # after the step: its marker is filled
    strip_region = image[480 - 53 :]
    marker = _blob_centres(strip_region, WARNING_RGB, min_area_px=100)
    expected_line = _blob_centres(strip_region, GHOST_RGB, min_area_px=100)
    assert len(marker) == 1 and len(expected_line) == 1
    return float(marker[0][0] - expected_line[0][0])


def test_a_late_step_is_drawn_late_on_the_beat_strip_and_exaggerated_in_time() -> None:
    true_size = _beat_marker_offset_px(1.0)
    doubled = _beat_marker_offset_px(2.0)
    assert true_size > 10  # to the right of the expected beat: late
    assert doubled == pytest.approx(2 * true_size, abs=2.0)


def test_replay_exports_an_h264_mp4_with_every_frame_and_a_contact_sheet(tmp_path: Path) -> None:
    renderer = ReplayRenderer(synthetic_spec())
    export = export_replay(renderer, tmp_path / "rep3.mp4", tmp_path / "rep3.png")
    assert export.frames_written == len(renderer)
    count, size = _decoded_frame_count(tmp_path / "rep3.mp4")
    assert count == len(renderer) and size == renderer.output_size_px
    with av.open(str(tmp_path / "rep3.mp4")) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    sheet = cv2.imread(str(tmp_path / "rep3.png"))
    assert sheet is not None and sheet.shape[0] > 300 and sheet.shape[1] > 1000
    assert not list(tmp_path.glob("*.part"))


def test_an_interrupted_export_leaves_no_file_under_the_real_name(tmp_path: Path) -> None:
    def frames_then_crash():
        yield np.zeros((64, 64, 3), np.uint8)
        raise RuntimeError("camera thread died")

    with pytest.raises(RuntimeError):
        write_mp4(frames_then_crash(), tmp_path / "replay.mp4", 30.0)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_replay_path_is_a_one_line_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="missing-folder"):
        write_mp4([np.zeros((64, 64, 3), np.uint8)], tmp_path / "missing-folder" / "replay.mp4", 30.0)


def test_ring_buffer_cuts_the_rep_with_half_a_second_either_side_without_any_file() -> None:
    buffer = FrameRingBuffer(seconds=3.0, fps=30.0, max_height_px=120)
    for index in range(200):  # 6.7 s pushed: only the newest 3 s stay
        image = np.full((240, 320, 3), index, dtype=np.uint8)
        buffer.push(index, index / 30.0, image)
    assert len(buffer) == 91
    verdict = dataclasses.replace(elbow_verdict(), start_s=5.0, end_s=5.8)
    start_s, end_s = clip_window_s(verdict)
    clip = buffer.clip(start_s, end_s)
    assert clip.time_s[0] == pytest.approx(4.5) and clip.time_s[-1] == pytest.approx(6.3)
    np.testing.assert_array_equal(clip.frame_index, np.arange(135, 190))
    assert clip.image_size_px == (160, 120)
    assert abs(int(clip.image(10).mean()) - 145) <= 2  # frame 145 comes back (JPEG, shrunk)
    with pytest.raises(ValueError, match="no buffered frames"):
        buffer.clip(0.0, 2.0)  # fell out of the buffer long ago


@pytest.mark.parametrize("stored_fraction", [1.0, 0.5])
def test_framing_a_small_person_keeps_image_and_skeleton_registered(stored_fraction: float) -> None:
    """A small figure in a wide 1280x720 shot is cropped and enlarged; a marker painted into the
    footage must land where the same point's landmark coordinates say (also from a shrunk ring-buffer frame)."""
    rep = synthetic_elbow_rep(size_px=(1280, 720))
    person = rep.person_xy_px * 0.4 + np.array([700.0, 300.0])  # small, off-centre
    marker_px = np.array([760.0, 460.0])  # a point beside the figure, in landmark pixels
    footage = np.full((720, 1280, 3), 40, np.uint8)
    cv2.circle(footage, tuple(int(v) for v in marker_px), 6, (255, 0, 255), -1)
    stored = cv2.resize(footage, None, fx=stored_fraction, fy=stored_fraction, interpolation=cv2.INTER_AREA)
    renderer = ReplayRenderer(synthetic_spec(rep, frames=(stored,) * len(rep.time_s), person_xy_px=person, crop_to_person=True))
    image = renderer.render(20)
    zoom = renderer.output_size_px[1] / (renderer.crop_px[3] - renderer.crop_px[1])
    assert zoom > 1.5  # the figure is enlarged, not left small in a wide frame
    centres = _blob_centres(image, (255, 0, 255), min_area_px=50)
    assert len(centres) == 1
    expected = (marker_px - renderer.crop_px[:2]) * zoom
    np.testing.assert_allclose(centres[0], expected, atol=2.0)
    knee = renderer.person_xy_px[20, Landmark.LEFT_KNEE]  # in output pixels
    assert np.abs(image[int(round(knee[1])), int(round(knee[0]))].astype(int) - PERSON_RGB).max() <= 12


def test_recent_success_rate_fades_the_gain_only_from_earlier_reps() -> None:
    outcomes = [True, False, None, None, True, True]  # rep 2 obvious miss, rep 3 subtle: no outcome entered
    severities = [Severity.CLEAN, Severity.OBVIOUS, Severity.OBVIOUS, Severity.SUBTLE, Severity.CLEAN, Severity.CLEAN]
    verdicts = [
        dataclasses.replace(elbow_verdict(severity), index=i, success=success)
        for i, (success, severity) in enumerate(zip(outcomes, severities))
    ]
    assert recent_success_rate(verdicts, before_index=4) == pytest.approx(2 / 4)  # reps 0 and 3 succeeded
    assert recent_success_rate(verdicts, before_index=6, window=3) == pytest.approx(3 / 3)
    assert np.isnan(recent_success_rate(verdicts, before_index=0))
    assert faded_gain(2.0, recent_success_rate(verdicts, before_index=4)) == pytest.approx(1.6)


def test_a_dart_landing_becomes_an_inset_against_the_aimed_bed_and_a_hit_or_miss_does_not() -> None:
    settings = OutcomeSettings(OutcomeType.LANDING_POINT, tolerance_mm=40.0, aim="T20")
    inset = outcome_inset(LandingPoint(30.0, 60.0), settings, tolerance_mm=25.0)
    assert inset is not None and inset.tolerance_mm == 25.0
    assert inset.aim_mm[0] == pytest.approx(0.0, abs=1e-6) and 95.0 < inset.aim_mm[1] < 107.0  # treble 20: straight up
    np.testing.assert_allclose(inset.landing_mm, [30.0, 60.0])
    assert outcome_inset(HitMiss(False), OutcomeSettings(OutcomeType.HIT_MISS)) is None
