"""A long live session, compressed: does memory stay flat and does the live path keep every frame?

Run: .venv/bin/python bench/bench_soak.py [VIDEO] [--frames 54000] [--skill free-throw] [--report-every-s 300]

A video is looped as a camera through the same LiveRun the desktop app runs
(lite model, the skill's live analyser, the replay memory), with session
timestamps at the video's frame rate, and as fast as the pipeline goes: the
camera hands over its next frame as soon as the last one was taken, so 54,000
frames are 30 minutes of a 30 fps session in however long the machine needs.
The events are drained as the GUI's timer drains them. Printed every
``--report-every-s`` of session time: the process's resident memory (RSS),
its growth since the first minute, frames processed ÷ captured and the
processing rate; at the end the growth after the first minute (target ≤ 50 MB).
"""

from __future__ import annotations

import argparse
import math
import queue
import time
from functools import partial
from pathlib import Path

import numpy as np

from motor_trainer.capture.sources import LiveSource, open_video
from motor_trainer.live.live_analysis import LiveFrame, LiveRun, RunEnded
from motor_trainer.live.session_factory import make_analyser, make_tracker
from motor_trainer.live.session_setup import SessionSetup

DEFAULT_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "media" / "free_throw_side.mp4"

#: Memory is compared against its size after this much session time (model, buffers and caches warm).
SETTLED_AFTER_S = 60.0
#: Frames between two memory samples while the frames flow (the model still open).
MEMORY_EVERY_FRAMES = 300


def _settled_mb(samples_mb: list[tuple[float, float]]) -> float | None:
    """The first RSS sample taken after SETTLED_AFTER_S of session time."""
    return next((mb for time_s, mb in samples_mb if time_s >= SETTLED_AFTER_S), None)


def resident_mb() -> float:
    """This process's resident set size now (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status: this benchmark needs Linux")


class LoopedVideoCamera(LiveSource):
    """The video again and again, ``frame_count`` frames in all, each handed over once the last was taken.

    Timestamps run on at the video's frame rate (session time, not wall time),
    so the analysers see a camera at that rate however fast the machine goes;
    the freshness watchdog is off, since session time and wall time part.
    """

    def __init__(self, path: Path, frame_count: int, rotate_deg: int = 0):
        super().__init__(name=f"{path.name} looped", stale_after_s=math.inf)
        self.path, self.rotate_deg, self.frame_count = path, rotate_deg, frame_count
        with open_video(path, rotate_deg) as video:
            self.fps, self.frame_size_px = video.fps, video.frame_size_px

    def _taken(self) -> bool:
        return self._newest is None or self._last_delivered_index >= self._newest.index

    def _run_capture(self) -> None:
        start_s = time.monotonic()
        published = 0
        try:
            while published < self.frame_count and not self._stop.is_set():
                with open_video(self.path, self.rotate_deg, decoder_yields=False) as video:
                    for frame in video.frames():
                        with self._condition:  # decoded while the last frame was processed; wait until it was taken
                            while not self._taken() and not self._stop.is_set():
                                self._condition.wait(0.1)
                        if self._stop.is_set() or published >= self.frame_count:
                            break
                        self._publish(frame.image_rgb, start_s + published / self.fps, start_s)
                        published += 1
        finally:
            self._finish()

    def next_frame(self, timeout_s: float | None = None):
        frame = super().next_frame(timeout_s)
        with self._condition:
            self._condition.notify_all()  # the capture thread waits for this hand-over
        return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=54_000, help="frames in the session (54,000 = 30 min at 30 fps)")
    parser.add_argument("--skill", default="free-throw")
    parser.add_argument("--rotate", type=int, default=0)
    parser.add_argument("--report-every-s", type=float, default=300.0, help="session seconds between memory lines")
    args = parser.parse_args()
    setup = SessionSetup(skill=args.skill, video_path=args.video, rotate_deg=args.rotate)
    camera = LoopedVideoCamera(args.video, args.frames, args.rotate)
    run = LiveRun(make_source=lambda: camera, make_tracker=partial(make_tracker, setup), make_analyser=partial(make_analyser, setup))
    session_min = args.frames / camera.fps / 60
    print(f"video: {args.video.name} looped, {args.frames} frames = {session_min:.1f} min at {camera.fps:.0f} fps, skill {args.skill}")
    started_s = time.monotonic()
    run.start()
    samples_mb: list[tuple[float, float]] = []  # (session time, RSS) every MEMORY_EVERY_FRAMES
    next_report_s = args.report_every_s
    block_started_s, block_frames, processing_ms = started_s, 0, []
    processed = 0
    while True:
        try:
            event = run.events.get(timeout=60)
        except queue.Empty:
            raise SystemExit("the live run stopped answering") from None
        if isinstance(event, RunEnded):
            break
        if not isinstance(event, LiveFrame):
            continue
        processed += 1
        block_frames += 1
        processing_ms.append(event.processing_ms)
        if processed % MEMORY_EVERY_FRAMES == 0:
            samples_mb.append((event.time_s, resident_mb()))
        if event.time_s >= next_report_s:
            now_s = time.monotonic()
            rss_mb = resident_mb()
            settled_mb = _settled_mb(samples_mb)
            growth = "" if settled_mb is None else f" ({rss_mb - settled_mb:+.1f} MB since minute 1)"
            print(
                f"session {event.time_s / 60:5.1f} min: RSS {rss_mb:7.1f} MB{growth}, processed/captured "
                f"{processed}/{camera.frames_captured}, {block_frames / (now_s - block_started_s):5.1f} frames/s, "
                f"processing median {np.median(processing_ms):.1f} ms p95 {np.percentile(processing_ms, 95):.1f} ms",
                flush=True,
            )
            next_report_s += args.report_every_s
            block_started_s, block_frames, processing_ms = now_s, 0, []
    run.stop()
    ratio = event.frames_processed / max(event.frames_captured, 1)
    print(f"frames processed / captured: {event.frames_processed}/{event.frames_captured} = {ratio:.3f}")
    settled_mb = _settled_mb(samples_mb)
    if settled_mb is not None:
        last_mb, peak_mb = samples_mb[-1][1], max(mb for _, mb in samples_mb)
        print(
            f"RSS after minute 1: {settled_mb:.1f} MB, last: {last_mb:.1f} MB, peak: {peak_mb:.1f} MB; "
            f"growth {last_mb - settled_mb:+.1f} MB (peak {peak_mb - settled_mb:+.1f} MB)   (target <= 50 MB)"
        )
    print(f"wall time {time.monotonic() - started_s:.0f} s for {event.frames_processed / camera.fps / 60:.1f} min of session")


if __name__ == "__main__":
    main()
