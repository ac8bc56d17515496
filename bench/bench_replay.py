"""Exaggerated replay speed: verdict to first frame, and whole-clip rendering against real time.

Run: .venv/bin/python bench/bench_replay.py [--repeat 5]
Tracks the free throw and the dance clip once (not timed) and makes the
same misses the footage tests use (an elbow pushed back, a step 300 ms late).

Live path (free throw): every frame of the video goes through the in-memory
FrameRingBuffer (720p JPEG) as a camera loop would push it; timed is the
push per frame, then, from the moment the verdict exists, cutting the clip
from the buffer, building the ReplaySpec and renderer, and drawing the
first frame (target <= 100 ms).

Whole clip (both misses): rendering every output frame, then rendering plus
H.264 encoding, as output frames per second against the clip's frame rate
(> 1x means faster than real time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from motor_trainer.capture.sources import open_video
from motor_trainer.feedback.clips import FrameRingBuffer, clip_window_s
from motor_trainer.feedback.replay import ReplayRenderer
from motor_trainer.feedback.replay_inputs import open_loop_replay_spec, step_replay_spec
from motor_trainer.feedback.replay_output import write_mp4

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import MEDIA  # noqa: E402
from replay_footage_cases import DANCE, FREE_THROW, attempt_clip, judged_dance, judged_free_throw  # noqa: E402

FIRST_FRAME_TARGET_MS = 100.0


def _ms(seconds: float) -> float:
    return 1000.0 * seconds


def live_first_frame(repeat: int) -> None:
    attempt, analysis = judged_free_throw(0.05)
    buffer = FrameRingBuffer(seconds=6.0, fps=attempt.fps)
    push_s = []
    with open_video(MEDIA / FREE_THROW) as video:
        for frame in video.frames():
            started = time.perf_counter()
            buffer.push(frame.index, frame.time_s, frame.image_rgb)
            push_s.append(time.perf_counter() - started)
    print(
        f"ring buffer push (1920x1080 -> 720p JPEG): median {_ms(np.median(push_s)):.1f} ms, "
        f"p95 {_ms(np.percentile(push_s, 95)):.1f} ms; {len(buffer)} frames held in {buffer.stored_bytes / 1e6:.1f} MB"
    )
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        clip = buffer.clip(*clip_window_s(analysis.verdict))
        renderer = ReplayRenderer(open_loop_replay_spec(analysis, attempt, clip))
        renderer.render(0)
        latencies.append(time.perf_counter() - started)
    print(
        f"verdict -> first replay frame (live, ring buffer): median {_ms(np.median(latencies)):.0f} ms, "
        f"max {_ms(max(latencies)):.0f} ms (target {FIRST_FRAME_TARGET_MS:.0f} ms, "
        f"median is {_ms(np.median(latencies)) / FIRST_FRAME_TARGET_MS:.2f}x the target)"
    )
    whole_clip("free throw, elbow (live clip)", renderer)


def whole_clip(name: str, renderer: ReplayRenderer) -> None:
    fps = renderer.fps
    started = time.perf_counter()
    count = sum(1 for _ in renderer.frames())
    render_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_mp4(renderer.frames(), Path(folder) / "replay.mp4", fps)
        encode_s = time.perf_counter() - started
    print(
        f"{name}: {count} output frames at {renderer.output_size_px[0]}x{renderer.output_size_px[1]} "
        f"({renderer.spec.frame_count} clip frames, {count / fps:.2f} s of replay at {fps:.0f} fps)\n"
        f"    render only: {count / render_s:.0f} fps = {count / render_s / fps:.1f}x real time\n"
        f"    render + H.264: {count / encode_s:.0f} fps = {count / encode_s / fps:.1f}x real time"
    )


def dance_clip() -> None:
    reference, attempt, source_frame, step, analysis = judged_dance(0.3)
    late = next(r for r in analysis.steps if r.reference_step.plant_s == step.plant_s)
    clip = attempt_clip(attempt, source_frame, *clip_window_s(late.verdict))
    started = time.perf_counter()
    renderer = ReplayRenderer(step_replay_spec(late, analysis, attempt, reference, clip))
    renderer.render(0)
    print(f"dance, late step (clip already decoded): spec -> first frame {_ms(time.perf_counter() - started):.0f} ms")
    whole_clip(f"dance ({DANCE}), late step", renderer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    live_first_frame(args.repeat)
    dance_clip()
    return 0


if __name__ == "__main__":
    sys.exit(main())
