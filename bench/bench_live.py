"""Live path: does the analysis keep up with a camera, and how long until the window is up?

Run: .venv/bin/python bench/bench_live.py [VIDEO] [--skill free-throw] [--rotate DEG]

A video is played as a camera at its own frame rate (exactly what a webcam
would hand over) through the same LiveRun the desktop app runs, with the lite
model; printed: frames processed ÷ frames captured (target ≥ 0.98 at 30 fps),
per-frame processing time (median, p95) against the frame period, and the time
from starting a fresh interpreter to a shown main window (target ≤ 2 s,
offscreen Qt). The raw model's own speed on the same frames is printed too, so
the ratio says whether the pipeline or the model sets the limit.
"""

from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from motor_trainer.capture.sources import open_video
from motor_trainer.live.live_analysis import LiveFrame, RunEnded
from motor_trainer.live.session_factory import live_run
from motor_trainer.live.session_setup import SessionSetup
from motor_trainer.pose.tracker import CropBox, PoseTracker

DEFAULT_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "media" / "free_throw_side.mp4"

WINDOW_PROBE = """
import time, os, tempfile
started = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.workspace import Workspace
app = QApplication([])
window = MainWindow(cameras=[], workspace=Workspace(tempfile.mkdtemp()).ensure())  # settings read, as the app does
window.show()
app.processEvents()
print(time.perf_counter() - started)
"""


def run_live(video: Path, skill: str, rotate_deg: int) -> tuple[int, int, list[float]]:
    run = live_run(SessionSetup(skill=skill, video_path=video, rotate_deg=rotate_deg))
    run.start()
    processing_ms: list[float] = []
    while True:
        try:
            event = run.events.get(timeout=30)
        except queue.Empty:
            raise SystemExit("the live run stopped answering") from None
        if isinstance(event, LiveFrame):
            processing_ms.append(event.processing_ms)
        elif isinstance(event, RunEnded):
            if event.error:
                raise SystemExit(event.error)
            return event.frames_captured, event.frames_processed, processing_ms


def raw_model_ms(video: Path, rotate_deg: int) -> float:
    with open_video(video, rotate_deg) as source:
        frames = list(source.frames())
    with PoseTracker() as tracker:
        started = time.perf_counter()
        for frame in frames:
            tracker.detect_candidates(frame, CropBox.whole(frame.size_px))
        return 1000 * (time.perf_counter() - started) / len(frames)


def window_open_s() -> float:
    result = subprocess.run([sys.executable, "-c", WINDOW_PROBE], capture_output=True, text=True,
                            env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--skill", default="free-throw")
    parser.add_argument("--rotate", type=int, default=0)
    args = parser.parse_args()
    with open_video(args.video, args.rotate) as source:
        fps = source.fps
    captured, processed, processing_ms = run_live(args.video, args.skill, args.rotate)
    model_ms = raw_model_ms(args.video, args.rotate)
    print(f"video: {args.video.name} at {fps:.0f} fps (frame period {1000 / fps:.1f} ms), skill {args.skill}, lite model")
    print(f"frames processed / captured: {processed}/{captured} = {processed / captured:.3f}   (target >= 0.98)")
    print(f"per-frame live processing: median {np.median(processing_ms):.1f} ms, p95 {np.percentile(processing_ms, 95):.1f} ms")
    print(f"raw model on the whole frame: {model_ms:.1f} ms per frame")
    print(f"window shown {window_open_s():.2f} s after the interpreter started   (target <= 2 s)")


if __name__ == "__main__":
    main()
