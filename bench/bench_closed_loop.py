"""Closed-loop alignment speed: the live follower per frame and the offline analysis per attempt.

Run: .venv/bin/python bench/bench_closed_loop.py [VIDEO] [--rotate 270] [--repeat 3]
Tracks the reference once (not timed), builds a 10 % slower attempt from it,
then times: the live follower's update per frame (median, p95, p99, max,
and the ratio to the 2 ms budget and to the frame period), and the offline
path per attempt: its stages (steps, one DTW, errors) and the whole
analyse_attempt (which aligns twice: once to settle left/right names).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from motor_trainer.analysis.alignment import LiveFollower, align_sequences
from motor_trainer.analysis.routine_reference import build_reference
from motor_trainer.analysis.step_errors import analyse_attempt, judge_attempt
from motor_trainer.pose.tracker import track_video
from motor_trainer.skills.closed_loop import ClosedLoopSettings, detect_steps
from motor_trainer.skills.presets import load_preset_table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from closed_loop_attempts import played_slower  # noqa: E402 — the attempt the acceptance tests use

DEFAULT_VIDEO = REPO.parent / "shared" / "media" / "webcam_dance_sideways.mp4"
LIVE_BUDGET_MS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO))
    parser.add_argument("--rotate", type=int, default=270)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    reference = track_video(args.video, rotate_deg=args.rotate)
    routine = build_reference(reference, name=Path(args.video).stem, contact=settings.contact)
    attempt = played_slower(reference, 1.1)
    frame_period_ms = 1000.0 / attempt.fps
    print(f"reference {len(reference)} frames, {len(routine.steps)} steps; attempt {len(attempt)} frames at {attempt.fps:.1f} fps")

    update_ms = []
    for _ in range(args.repeat):
        follower = LiveFollower(routine, settings.windows)
        for k in range(len(attempt)):
            started = time.perf_counter()
            follower.update(attempt.xy_px[k], float(attempt.time_s[k]))
            update_ms.append(1000.0 * (time.perf_counter() - started))
    update_ms = np.array(update_ms)
    median, p95, p99 = np.percentile(update_ms, [50, 95, 99])
    print(f"live follower per frame: median {median:.3f} ms, p95 {p95:.3f} ms, p99 {p99:.3f} ms, max {update_ms.max():.3f} ms")
    print(f"  p95 / {LIVE_BUDGET_MS:.0f} ms budget = {p95 / LIVE_BUDGET_MS:.2f};  "
          f"p95 / frame period ({frame_period_ms:.0f} ms) = {p95 / frame_period_ms:.3f}")

    stages = {"steps": [], "dtw": [], "errors": [], "analyse_attempt (with label settling)": []}
    for _ in range(args.repeat):
        started = time.perf_counter()
        attempt_steps = detect_steps(attempt, settings.contact)
        after_steps = time.perf_counter()
        alignment = align_sequences(reference, attempt, slack_s=settings.slack_s)
        after_dtw = time.perf_counter()
        judge_attempt(skill=settings.skill, reference=reference, reference_steps=routine.steps, attempt=attempt,
                      attempt_steps=attempt_steps, alignment=alignment, windows=settings.windows, thresholds=settings.thresholds)
        finished = time.perf_counter()
        stages["steps"].append(after_steps - started)
        stages["dtw"].append(after_dtw - after_steps)
        stages["errors"].append(finished - after_dtw)
        analyse_attempt(routine, attempt, settings)
        stages["analyse_attempt (with label settling)"].append(time.perf_counter() - finished)
    best = {name: 1000.0 * min(times) for name, times in stages.items()}
    total_ms = best["analyse_attempt (with label settling)"]
    print(f"offline per attempt (best of {args.repeat}): " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in best.items())
          + f"; = {total_ms / len(attempt):.3f} ms per attempt frame")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
