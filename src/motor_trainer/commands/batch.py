"""Several videos at once: one worker process per core, each loading its own pose model.

The pose model keeps about one core busy per video, so a folder of videos is
tracked side by side. Each video has its own progress line, redrawn in place
on a terminal (elsewhere each video's last line is printed once it ends).
A video that fails with a UserFacingError yields that error, so the caller
skips it alone. Work and results cross to the workers by multiprocessing's
own channel between this program's processes; nothing is read from a file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from motor_trainer.capture.sources import open_video
from motor_trainer.errors import UserFacingError

#: A job run for one video in a worker: ``job(video, progress)`` with ``progress(done, total)``.
VideoJob = Callable[[Path, Callable[[int, int], None]], Any]

#: Frames between two progress reports (and between two redraws of a line).
PROGRESS_EVERY_FRAMES = 10


def progress_line(label: str, done: int, total: int, elapsed_s: float) -> str:
    """``label [#####.....] done/total frames  fps``: one video's progress."""
    fraction = min(done / total, 1.0) if total else 0.0
    filled = int(30 * fraction)
    fps = done / max(elapsed_s, 1e-9)
    return f"{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total or '?'} frames {fps:5.1f} fps"


def progress_bar(label: str, stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` that redraws one line in place (one video in this process)."""
    started_s = time.perf_counter()

    def show(done: int, total: int) -> None:
        if done % PROGRESS_EVERY_FRAMES and done != total:
            return
        out = stream or sys.stderr
        out.write("\r" + progress_line(label, done, total, time.perf_counter() - started_s))
        out.flush()

    return show


class ProgressBoard:
    """One progress line per video, all on screen at once."""

    def __init__(self, labels: Sequence[str], stream: TextIO):
        self._labels = list(labels)
        self._stream = stream
        self._in_place = stream.isatty()
        self._started_s: list[float | None] = [None] * len(labels)
        self._lines = [f"{label} waiting" for label in labels]
        if self._in_place:
            stream.write("\n".join(self._lines) + "\n")
            stream.flush()

    def update(self, slot: int, done: int, total: int) -> None:
        now_s = time.perf_counter()
        started_s = self._started_s[slot]
        if started_s is None:
            started_s = self._started_s[slot] = now_s
        self._lines[slot] = progress_line(self._labels[slot], done, total, now_s - started_s)
        if self._in_place:
            self._redraw(slot)

    def finish(self, slot: int, note: str = "") -> None:
        """The video is done (``note``: what to show instead of its bar, e.g. that it failed)."""
        if note:
            self._lines[slot] = f"{self._labels[slot]} {note}"
        if self._in_place:
            self._redraw(slot)
        else:
            self._stream.write(self._lines[slot] + "\n")
            self._stream.flush()

    def _redraw(self, slot: int) -> None:
        up = len(self._lines) - slot
        self._stream.write(f"\x1b[{up}A\r{self._lines[slot]}\x1b[K\x1b[{up}B\r")
        self._stream.flush()


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", type=_job_count, default=0, metavar="N",
        help="videos tracked at once, one process each (default: one per core; 1: one after another)",
    )


def _job_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of videos at once (0: one per core)")
    return count


def worker_count(video_count: int) -> int:
    """Workers for ``video_count`` videos: one per core this process may use, never more than videos."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, video_count))


def frames_in(video: Path) -> int:
    """Frames ``video`` holds by its header; 0 when unreadable (it then fails in its worker, on its own line)."""
    try:
        with open_video(video) as source:
            return source.frame_count
    except UserFacingError:
        return 0


def longest_first(videos: Sequence[Path]) -> list[int]:
    """Slots of ``videos``, the most frames first: the pool hands the next video to whichever worker
    is free, so the long ones start first and the short ones fill in around them. Submitted in the
    order given, the benchmark's four videos kept one of two workers idle for a third of the run
    (167 % CPU of 200 %): the 272-frame golf swing came third."""
    frame_counts = [frames_in(video) for video in videos]
    return sorted(range(len(videos)), key=lambda slot: -frame_counts[slot])


_progress_queue: Any = None


def _start_worker(progress_queue: Any) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _run_job(job: VideoJob, slot: int, video: Path) -> Any:
    """In a worker: the job's result, or the UserFacingError that stopped it (returned, to skip the video)."""

    def report(done: int, total: int) -> None:
        if done % PROGRESS_EVERY_FRAMES == 0 or done == total:
            _progress_queue.put((slot, done, total))

    _progress_queue.put((slot, 0, 0))  # started: its frame rate counts from now
    try:
        return job(video, report)
    except UserFacingError as error:
        return error


def run_per_video(
    videos: Sequence[Path], job: VideoJob, workers: int = 0, stream: TextIO | None = None
) -> Iterator[tuple[Path, Any]]:
    """``(video, job's result or UserFacingError)`` for every video, in the order given.

    With one video or one worker, each runs here, in this process, and is
    yielded as soon as it is done. Otherwise they run in a process pool of
    ``workers`` (0: one per core; ``job`` must be picklable: a module-level
    function or a partial of one) and are yielded once all are done. Workers
    are started fresh (spawn), so no model or thread is inherited.
    """
    stream = stream or sys.stderr
    workers = workers or worker_count(len(videos))
    if len(videos) == 1 or workers == 1:
        for video in videos:
            try:
                result = job(video, progress_bar(video.name, stream))
            except UserFacingError as error:
                result = error
            finally:
                stream.write("\n")  # end the progress line, so what follows starts on its own
            yield video, result
        return
    context = multiprocessing.get_context("spawn")
    progress_queue = context.Queue()
    board = ProgressBoard([video.name for video in videos], stream)
    board_lock = threading.Lock()
    stop = threading.Event()

    def draw() -> None:
        while not stop.is_set():
            try:
                slot, done, total = progress_queue.get(timeout=0.1)
            except queue.Empty:
                continue
            with board_lock:
                board.update(slot, done, total)

    drawer = threading.Thread(target=draw, name="batch-progress", daemon=True)
    drawer.start()
    pool = ProcessPoolExecutor(min(workers, len(videos)), context, initializer=_start_worker, initargs=(progress_queue,))
    try:
        futures: dict[int, Future] = {slot: pool.submit(_run_job, job, slot, videos[slot]) for slot in longest_first(videos)}
        results = []
        for slot in range(len(videos)):
            results.append(futures[slot].result())
            with board_lock:
                board.finish(slot, "failed" if isinstance(results[-1], UserFacingError) else "")
    finally:
        pool.shutdown(cancel_futures=True)  # interrupted: the videos not started are not started
        stop.set()
        drawer.join()
    yield from zip(videos, results)  # after the board: lines printed under it would shift it
