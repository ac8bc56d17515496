"""The live run's two threads (tracking, then finishing each frame): order kept, a failure ends the run in one line.

A synthetic camera hands over frames whose pose encodes their index, so what
reaches the screen can be checked frame by frame without the model.
"""

from __future__ import annotations

import queue
import threading

import numpy as np
import pytest
from synthetic_recording import SIZE_PX, synthetic_pose

from motor_trainer.capture.sources import Frame, LiveSource
from motor_trainer.errors import UserFacingError
from motor_trainer.live.live_analysis import LiveFrame, LiveRun, OpenLoopAnalyser, RunEnded
from motor_trainer.skills.open_loop import load_open_loop_preset

FRAME_COUNT = 40


class _SyntheticCamera(LiveSource):
    """FRAME_COUNT frames at 100 fps, each dark image a little different."""

    fps = 100.0
    frame_size_px = SIZE_PX

    def _run_capture(self) -> None:
        for index in range(FRAME_COUNT):
            image = np.full((SIZE_PX[1], SIZE_PX[0], 3), index, np.uint8)
            self._publish(image, index / self.fps, 0.0)
            threading.Event().wait(1 / self.fps)


class _IndexTracker:
    """The pose of a frame is its index (the model is not what these tests are about)."""

    def __enter__(self) -> _IndexTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def warm_up(self, size_px: tuple[int, int]) -> None:
        return None

    def process(self, frame: Frame):
        return synthetic_pose(frame.index, frame.time_s)


class _DiskFillsAt:
    """A recording whose disk is full from frame ``index`` on, as the session recorder reports it."""

    def __init__(self, index: int):
        self.index = index

    def add_frame(self, frame: Frame, pose) -> None:
        if frame.index >= self.index:
            raise UserFacingError("sessions/s1/video.mkv: recording failed (No space left on device)")


def _run_to_the_end(run: LiveRun) -> tuple[list[LiveFrame], RunEnded]:
    run.start()
    shown: list[LiveFrame] = []
    while True:
        try:
            event = run.events.get(timeout=20)
        except queue.Empty:
            pytest.fail("the live run stopped answering")
        if isinstance(event, LiveFrame):
            shown.append(event)
        elif isinstance(event, RunEnded):
            return shown, event


def test_every_frame_reaches_the_screen_in_order_with_its_own_image():
    run = LiveRun(make_source=lambda: _SyntheticCamera("synthetic"), make_tracker=_IndexTracker, make_analyser=lambda fps: None)
    shown, ended = _run_to_the_end(run)
    assert ended.error == ""
    indices = [frame.index for frame in shown]
    assert indices == sorted(indices) and len(indices) == ended.frames_processed
    assert ended.frames_processed >= 0.9 * ended.frames_captured
    assert all(int(frame.image_rgb[-1, -1, 0]) == frame.index for frame in shown), "each image is its own frame's"


def test_a_recording_that_fails_mid_run_ends_it_with_one_line_and_nothing_after_is_shown():
    run = LiveRun(make_source=lambda: _SyntheticCamera("synthetic"), make_tracker=_IndexTracker,
                  make_analyser=lambda fps: None, make_recorder=lambda source: _DiskFillsAt(5))
    shown, ended = _run_to_the_end(run)
    assert ended.error == "sessions/s1/video.mkv: recording failed (No space left on device)"
    assert [frame.index for frame in shown] == [0, 1, 2, 3, 4]
    assert ended.frames_processed == 5


class _PointRecordingTracker(_IndexTracker):
    """Notes the frame before which each 'follow the person here' reached the tracker."""

    def __init__(self):
        self.points: list[tuple[int, tuple[float, float]]] = []
        self._next_index = 0

    def follow_subject_near(self, point_px: tuple[float, float]) -> None:
        self.points.append((self._next_index, point_px))

    def process(self, frame: Frame):
        self._next_index = frame.index + 1
        return super().process(frame)


def test_a_person_clicked_before_the_frames_flow_is_followed_from_the_first_frame():
    tracker = _PointRecordingTracker()
    run = LiveRun(make_source=lambda: _SyntheticCamera("synthetic"), make_tracker=lambda: tracker, make_analyser=lambda fps: None)
    run.follow_subject_near((12.0, 34.0))
    _, ended = _run_to_the_end(run)
    assert ended.error == ""
    assert tracker.points == [(0, (12.0, 34.0))]


class _SwitchRecordingAnalyser(OpenLoopAnalyser):
    """Notes, in order, each frame pushed and each switch to a new subject."""

    def __init__(self):
        super().__init__(load_open_loop_preset("dart-throw"), fps=_SyntheticCamera.fps, reference=None)
        self.calls: list[str] = []

    def new_subject(self) -> None:
        self.calls.append("new subject")

    def push(self, pose) -> list:
        self.calls.append(f"frame {pose.index}")
        return []


def test_the_analysis_starts_over_at_the_first_frame_tracked_for_the_person_clicked():
    analyser = _SwitchRecordingAnalyser()
    run = LiveRun(make_source=lambda: _SyntheticCamera("synthetic"), make_tracker=_PointRecordingTracker,
                  make_analyser=lambda fps: analyser)
    run.follow_subject_near((12.0, 34.0))
    _, ended = _run_to_the_end(run)
    assert ended.error == ""
    assert analyser.calls[:3] == ["new subject", "frame 0", "frame 1"]
    assert analyser.calls.count("new subject") == 1
