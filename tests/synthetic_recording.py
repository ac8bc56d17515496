"""A live recording with a known answer, run as a subprocess by the kill tests.

``python tests/synthetic_recording.py SESSIONS_DIR`` records synthetic frames
(96x64) arriving in real time at 30 fps; every coordinate of frame i's pose
equals i, so a lost or shuffled frame shows; a rep is committed every
``REP_FRAMES`` frames (rep k covers frames ``[10k, 10k + 10)``), and each
commit is printed the moment it returns. It runs until killed (at most 30 s).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np

from motor_trainer.storage.recorder import SessionRecorder
from motor_trainer.capture.sources import Frame
from motor_trainer.pose.landmarks import LANDMARK_COUNT
from motor_trainer.pose.tracker import PoseFrame
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.store import SessionStore

FPS = 30.0
SIZE_PX = (96, 64)
REP_FRAMES = 10
MAX_S = 30.0


def synthetic_pose(index: int, time_s: float) -> PoseFrame:
    """A pose whose every coordinate encodes its frame index."""
    xy = np.full((LANDMARK_COUNT, 2), float(index))
    return PoseFrame(index, time_s, xy, np.full(LANDMARK_COUNT, 0.5), np.full(LANDMARK_COUNT, 0.5),
                     np.full((LANDMARK_COUNT, 3), index / 100), SIZE_PX)


def synthetic_frame(index: int, time_s: float) -> Frame:
    """A frame with a bar whose width follows the index."""
    image = np.zeros((SIZE_PX[1], SIZE_PX[0], 3), np.uint8)
    image[:, : (index * 3) % SIZE_PX[0]] = 200
    return Frame(index, time_s, image)


def record(sessions_dir: Path) -> None:
    store = SessionStore(sessions_dir)
    session = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="synthetic",
                           skill="synthetic", image_size_px=SIZE_PX, fps=FPS)
    print(f"recording session {session.session_id}", flush=True)
    started_s = time.monotonic()
    with SessionRecorder(session, SIZE_PX, fps_hint=FPS) as recorder:
        for index in itertools.count():
            time.sleep(max(0.0, started_s + index / FPS - time.monotonic()))
            time_s = time.monotonic() - started_s
            if time_s > MAX_S:
                break
            recorder.add_frame(synthetic_frame(index, time_s), synthetic_pose(index, time_s))
            if (index + 1) % REP_FRAMES == 0:
                rep, start = (index + 1) // REP_FRAMES - 1, index + 1 - REP_FRAMES
                recorder.commit_event(EventKind.REP, {"index": rep, "start_frame": start, "end_frame": index + 1},
                                      time_s=time_s)
                print(f"committed rep {rep}: frames [{start}, {index + 1}) at {time_s:.3f} s", flush=True)


if __name__ == "__main__":
    record(Path(sys.argv[1]))
