"""Offline tracking speed against what a user gets from MediaPipe alone (one pose, same video).

Run: .venv/bin/python bench/bench_track.py [VIDEO...] [--model lite] [--rounds 3]

The yardstick is plain MediaPipe: decode the video and run the pose
landmarker with ONE pose in VIDEO mode. Two ratios per video, each the median
over alternating runs (plain, ours, plain, ours, ...) so that the noise of a
shared machine hits both alike:

- whole process: a fresh interpreter running ``motor-trainer track VIDEO``
  (imports, model load, decode, pose, subject following, saving the session)
  against a fresh interpreter running the plain MediaPipe script below;
- pipeline alone: ``track_video`` against the plain loop, in this process,
  on the same frames (the decoder and model load are inside both timings).

Ratio = plain time ÷ our time: 1.0 is as fast as MediaPipe alone (target ≥ 0.9).

With ``--batch``, instead: ``motor-trainer track`` on the four batch videos at
once (one worker per core) against the same command with ``--jobs 1`` (one
after another in one process), alternating; speed-up = one after another ÷ at
once (target ≥ 1.7 on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

from motor_trainer.capture.sources import open_video
from motor_trainer.commands.batch import worker_count
from motor_trainer.pose.models import resolve_model
from motor_trainer.pose.tracker import track_video

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
DEFAULT_VIDEOS = [MEDIA / "outdoor_jumps_and_walk.mp4", MEDIA / "free_throw_side.mp4"]
BATCH_VIDEOS = [
    MEDIA / name
    for name in ("lab_steps_view1.mp4", "padel_overhead_bad_slice.mp4", "golf_dtl_senior_30fps.mp4", "tennis_serve_djokovic_behind.mp4")
]

#: What a user writes with MediaPipe alone: OpenCV decodes, one-pose landmarker in VIDEO mode.
PLAIN_MEDIAPIPE_SCRIPT = """
import sys
import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

video, model = sys.argv[1], sys.argv[2]
options = vision.PoseLandmarkerOptions(
    base_options=BaseOptions(model_asset_path=model), running_mode=vision.RunningMode.VIDEO, num_poses=1
)
capture = cv2.VideoCapture(video)
fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
with vision.PoseLandmarker.create_from_options(options) as landmarker:
    index = 0
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        landmarker.detect_for_video(image, int(index * 1000 / fps))
        index += 1
"""


def timed_s(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def plain_one_pose_landmarker(model_path: Path) -> vision.PoseLandmarker:
    """What a user gets from MediaPipe alone: the one-pose landmarker in VIDEO mode (the yardstick of every ratio)."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)), running_mode=vision.RunningMode.VIDEO, num_poses=1
    )
    return vision.PoseLandmarker.create_from_options(options)


def plain_mediapipe_in_process_s(video: Path, model_path: Path) -> float:
    """Decode (the project's decoder, so only the pose work differs) and one pose per frame."""
    started = time.perf_counter()
    with open_video(video) as source, plain_one_pose_landmarker(model_path) as landmarker:
        last_ms = -1
        for frame in source.frames():
            last_ms = max(int(round(frame.time_s * 1000)), last_ms + 1)
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.image_rgb), last_ms)
    return time.perf_counter() - started


def pipeline_in_process_s(video: Path, model: str) -> tuple[float, float]:
    """Seconds for track_video, and the share of frames with the person found."""
    started = time.perf_counter()
    sequence = track_video(video, model=model)
    return time.perf_counter() - started, sequence.detection_rate


def alternate(rounds: int, plain, ours) -> tuple[list[float], list[float]]:
    plain_s, ours_s = [], []
    for _ in range(rounds):
        plain_s.append(plain())
        ours_s.append(ours())
    return plain_s, ours_s


def report(label: str, plain_s: list[float], ours_s: list[float], frames: int) -> None:
    plain_median, ours_median = statistics.median(plain_s), statistics.median(ours_s)
    print(
        f"  {label:15s} plain {plain_median:6.2f} s ({frames / plain_median:5.1f} fps)  "
        f"ours {ours_median:6.2f} s ({frames / ours_median:5.1f} fps)  "
        f"ratio {plain_median / ours_median:.2f}   (target >= 0.9; runs plain {_runs(plain_s)}, ours {_runs(ours_s)})"
    )


def _runs(seconds: list[float]) -> str:
    return "/".join(f"{s:.2f}" for s in seconds)


def batch_speed_up(videos: list[Path], model: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as workspace:
        command = [sys.executable, "-m", "motor_trainer", "--workspace", workspace, "track", *map(str, videos), "--model", model]
        one_by_one_s, at_once_s = alternate(rounds, lambda: timed_s([*command, "--jobs", "1"]), lambda: timed_s(command))
    print(f"{len(videos)} videos ({', '.join(video.name for video in videos)}) on {worker_count(len(videos))} workers")
    print(f"  one after another {statistics.median(one_by_one_s):6.2f} s (runs {_runs(one_by_one_s)})")
    print(f"  at once           {statistics.median(at_once_s):6.2f} s (runs {_runs(at_once_s)})")
    print(f"  speed-up {statistics.median(one_by_one_s) / statistics.median(at_once_s):.2f}x   (target >= 1.7 on 2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--model", default="lite")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each (medians reported)")
    parser.add_argument("--batch", action="store_true", help="time several videos at once against one after another")
    args = parser.parse_args()
    model_path = resolve_model(args.model)
    if args.batch:
        batch_speed_up(args.videos or BATCH_VIDEOS, args.model, args.rounds)
        return
    with tempfile.TemporaryDirectory() as workspace:
        for video in args.videos or DEFAULT_VIDEOS:
            compare(video, args.model, model_path, args.rounds, workspace)


def compare(video: Path, model: str, model_path: Path, rounds: int, workspace: str) -> None:
    """Both ratios for one video: the whole process, then the pipeline alone."""
    with open_video(video) as source:
        frames = sum(1 for _ in source.frames())
    print(f"{video.name}: {frames} frames, model {model}")
    plain_command = [sys.executable, "-c", PLAIN_MEDIAPIPE_SCRIPT, str(video), str(model_path)]
    track_command = [sys.executable, "-m", "motor_trainer", "--workspace", workspace, "track", str(video), "--model", model]
    plain_s, ours_s = alternate(rounds, lambda: timed_s(plain_command), lambda: timed_s(track_command))
    report("whole process", plain_s, ours_s, frames)
    found = []

    def ours() -> float:
        seconds, rate = pipeline_in_process_s(video, model)
        found.append(rate)
        return seconds

    plain_s, ours_s = alternate(rounds, lambda: plain_mediapipe_in_process_s(video, model_path), ours)
    report("pipeline alone", plain_s, ours_s, frames)
    print(f"  person found in {statistics.median(found):.0%} of frames")


if __name__ == "__main__":
    main()
