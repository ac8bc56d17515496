"""Offline tracking speed: the whole `track` pipeline against raw MediaPipe on the same frames.

Run: .venv/bin/python bench/bench_track.py [VIDEO] [--model lite]
Prints raw model fps (detect_for_video over pre-decoded frames), pipeline fps
(decode thread + pose + subject following + gap fill + smoothing + kinematics),
their ratio, and the non-model milliseconds per frame. Both runs happen in this
one process on the same frames, so machine noise hits them alike.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from motor_trainer.capture.sources import open_video
from motor_trainer.pose.kinematics import body_length_px, joint_angles_deg, speed_bl_per_s
from motor_trainer.pose.models import resolve_model
from motor_trainer.pose.smoothing import butterworth_smooth, interpolate_gaps
from motor_trainer.pose.tracker import CANDIDATE_POSES, track_video

DEFAULT_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "media" / "outdoor_jumps_and_walk.mp4"


def raw_mediapipe_s(frames, model_path: Path) -> float:
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=CANDIDATE_POSES,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        started = time.perf_counter()
        for frame in frames:
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.image_rgb), int(frame.time_s * 1000))
        return time.perf_counter() - started


def post_processing_s(sequence) -> float:
    started = time.perf_counter()
    smoothed = butterworth_smooth(interpolate_gaps(sequence))
    joint_angles_deg(smoothed.xy_px)
    speed_bl_per_s(smoothed.xy_px, smoothed.time_s, body_length_px(smoothed.xy_px))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--model", default="lite")
    parser.add_argument("--rotate", type=int, default=0)
    args = parser.parse_args()
    model_path = resolve_model(args.model)
    with open_video(args.video, args.rotate) as video:
        frames = list(video.frames())
    n = len(frames)

    raw_s = raw_mediapipe_s(frames, model_path)
    started = time.perf_counter()
    sequence = track_video(args.video, args.rotate, args.model)
    post_s = post_processing_s(sequence)
    pipeline_s = time.perf_counter() - started
    raw_again_s = raw_mediapipe_s(frames, model_path)  # bracket the pipeline run against drift
    raw_s = min(raw_s, raw_again_s)

    raw_fps, pipeline_fps = n / raw_s, n / pipeline_s
    print(f"video: {args.video.name}  frames: {n}  model: {args.model}")
    print(f"raw MediaPipe detect_for_video: {raw_fps:6.1f} fps")
    print(f"track pipeline (decode+pose+follow+smooth+kinematics): {pipeline_fps:6.1f} fps")
    print(f"ratio pipeline/raw: {pipeline_fps / raw_fps:.3f}   (target >= 0.9)")
    print(f"non-model work after tracking: {1000 * post_s / n:.3f} ms/frame   (target <= 1 ms)")
    print(f"pipeline overhead over raw model: {1000 * (pipeline_s - raw_s) / n:+.2f} ms/frame")
    print(f"person found in {np.mean(sequence.detected):.0%} of frames")


if __name__ == "__main__":
    main()
