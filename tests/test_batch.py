"""Several videos at once (`track`/`analyze` with more than one video): order, failures, scheduling."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from motor_trainer.capture.sources import open_video
from motor_trainer.commands.batch import longest_first, run_per_video
from motor_trainer.errors import UserFacingError

from conftest import MEDIA

SHORT = MEDIA / "padel_overhead_bad_slice.mp4"  # 69 frames
LONG = MEDIA / "golf_dtl_senior_30fps.mp4"  # 272 frames
MIDDLE = MEDIA / "lab_steps_view1.mp4"  # 100 frames


def frame_count_job(video: Path, progress: Callable[[int, int], None]) -> int:
    """A worker's job: open the video as `track` does and report its length (module level: it is pickled)."""
    with open_video(video) as source:
        progress(source.frame_count, source.frame_count)
        return source.frame_count


def test_the_longest_video_is_started_first_and_an_unreadable_one_last(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    assert longest_first([SHORT, broken, LONG, MIDDLE]) == [2, 3, 0, 1]


def test_videos_run_side_by_side_come_back_in_the_order_given_and_a_bad_one_fails_alone(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    progress = io.StringIO()
    results = list(run_per_video([SHORT, broken, LONG], frame_count_job, workers=2, stream=progress))
    assert [video for video, _ in results] == [SHORT, broken, LONG]
    assert results[0][1] == 69 and results[2][1] == 272
    assert isinstance(results[1][1], UserFacingError) and "broken.mp4" in str(results[1][1])
    lines = progress.getvalue().splitlines()
    assert any(line.startswith(SHORT.name) and "69/69 frames" in line for line in lines)
    assert any(line == f"{broken.name} failed" for line in lines)
