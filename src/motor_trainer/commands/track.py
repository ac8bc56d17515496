"""`motor-trainer track VIDEO...`: one session per video in the workspace, with its landmarks as NPZ and tidy CSV."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from motor_trainer.capture.sources import open_video
from motor_trainer.commands.batch import add_jobs_option, run_per_video
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.overlay import draw_skeleton
from motor_trainer.feedback.replay_output import write_mp4
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.storage.export import landmarks_csv_text
from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.storage.landmark_files import save_landmarks
from motor_trainer.storage.store import save_tracked_session
from motor_trainer.workspace import resolve_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("track", help="track the body in one or more videos and save the landmarks")
    parser.add_argument("videos", nargs="+", type=Path, metavar="VIDEO")
    parser.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270), help="clockwise rotation for a sideways camera")
    parser.add_argument("--model", default="lite", help="lite (bundled), full, heavy, or a .task file")
    parser.add_argument("--out", type=Path, help="also write <video>.landmarks.npz/.csv (and overlay) to this folder")
    add_subject_option(parser)
    parser.add_argument("--overlay", action="store_true", help="also write <video>.overlay.mp4 with the skeleton drawn")
    add_jobs_option(parser)
    parser.set_defaults(run=run)


def add_subject_option(parser: argparse.ArgumentParser) -> None:
    """``--subject X,Y``: whom to follow when the largest, most central person is the wrong one."""
    parser.add_argument("--subject", type=_point, metavar="X,Y",
                        help="pixel near the person to follow when several are in view (default: largest, most central)")


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in pixels, got '{text}'") from None
    return (x, y)


def track_one(video: Path, progress: Callable[[int, int], None], args: argparse.Namespace) -> str:
    """Track one video and save its session and files; the line that reports it."""
    from motor_trainer.pose.tracker import track_video  # mediapipe loads only for this command

    started_s = time.perf_counter()
    sequence = track_video(video, args.rotate, args.model, subject_hint_px=args.subject, progress=progress)
    elapsed_s = time.perf_counter() - started_s
    session = save_tracked_session(resolve_workspace(args.workspace), video, sequence, args.model, args.rotate)
    out_dir = args.out or session.derived_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / video.stem
    save_landmarks(sequence, stem.with_suffix(".landmarks.npz"))
    atomic_write_bytes(stem.with_suffix(".landmarks.csv"), landmarks_csv_text(sequence).encode())
    if args.overlay:
        write_overlay_video(video, sequence, stem.with_suffix(".overlay.mp4"), args.rotate)
    return (
        f"{video}: {len(sequence)} frames, person found in {sequence.detection_rate:.0%}, "
        f"{len(sequence) / elapsed_s:.1f} fps -> session {session.session_id}, {stem}.landmarks.npz"
    )


def write_overlay_video(video: Path, sequence: PoseSequence, out_path: Path, rotate_deg: int) -> None:
    """The video with the tracked skeleton drawn on every frame, as H.264 MP4."""
    with open_video(video, rotate_deg) as source:
        frames = (draw_skeleton(frame.image_rgb.copy(), sequence.xy_px[frame.index]) for frame in source.frames())
        write_mp4(frames, out_path, source.fps)


def run(args: argparse.Namespace) -> int:
    failures = 0
    for _, result in run_per_video(args.videos, partial(track_one, args=args), workers=args.jobs):
        if not isinstance(result, UserFacingError):
            print(result)
        elif len(args.videos) == 1:
            raise result
        else:
            print(f"motor-trainer: skipped: {result}", file=sys.stderr)
            failures += 1
    return 2 if failures else 0
