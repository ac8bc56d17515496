"""The reference dancer's picture at a music position, decoded ahead in a thread at display size (no Qt).

A routine can run for minutes: its frames are decoded as the music goes,
a few ahead, never all held at once. Asked for music position ``t``, it
gives the last frame filmed at or before ``t`` (so the picture is never
more than a frame behind the music, and never ahead of it).
"""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import numpy as np

from motor_trainer.capture.sources import Rotation, open_video, rotated_size
from motor_trainer.errors import UserFacingError
from motor_trainer.live.live_analysis import shrink

#: Height the reference is decoded to for the screen.
REFERENCE_HEIGHT_PX = 480
#: Frames decoded ahead of the music.
LOOKAHEAD_FRAMES = 12
_END = object()


def reference_rotation(video_size_px: tuple[int, int], upright_size_px: tuple[int, int], preferred_deg: int) -> int:
    """The rotation that turns the video upright as it was tracked: the session's own when it fits, else the first that does."""
    for rotate_deg in (preferred_deg, 0, 90, 180, 270):
        if rotated_size(video_size_px, Rotation(rotate_deg)) == tuple(upright_size_px):
            return rotate_deg
    return preferred_deg


class ReferenceVideo:
    """The routine's video from its start, one frame per call of ``frame_at`` as the music moves on.

    ``loop_s``: a section [start, end) of the video played over and over;
    its frames (a few seconds) are kept once decoded, so every pass after the first reads them from memory.
    """

    def __init__(
        self, path: str | Path, upright_size_px: tuple[int, int], preferred_rotate_deg: int = 0, loop_s: tuple[float, float] | None = None
    ):
        probe = open_video(path)
        raw_size = probe.frame_size_px
        probe.close()
        self.rotate_deg = reference_rotation(raw_size, upright_size_px, preferred_rotate_deg)
        self._video = open_video(path, self.rotate_deg, decoder_yields=False)  # the picture the dancer follows must not starve
        self.fps = self._video.fps
        self.path = Path(path)
        self._frames: queue.Queue = queue.Queue(maxsize=LOOKAHEAD_FRAMES)
        self._stop = threading.Event()
        self._current: tuple[float, np.ndarray] | None = None
        self._pending: tuple[float, np.ndarray] | None = None
        self._ended = False
        self.problem = ""
        self.loop_s = loop_s
        self._section: list[tuple[float, np.ndarray]] = []  # the looped section's frames, appended by the decoder
        self._thread = threading.Thread(target=self._decode, name="reference-video", daemon=True)
        self._thread.start()

    def _decode(self) -> None:
        try:
            scale = min(1.0, REFERENCE_HEIGHT_PX / self._video.frame_size_px[1])
            for frame in self._video.frames():
                if self.loop_s is not None:
                    if frame.time_s >= self.loop_s[1] or self._stop.is_set():
                        break
                    if frame.time_s >= self.loop_s[0] - 1e-6:
                        self._section.append((frame.time_s, shrink(frame.image_rgb, scale)))
                elif not self._put((frame.time_s, shrink(frame.image_rgb, scale))):
                    break
        except UserFacingError as problem:
            self.problem = str(problem)
        finally:
            self._video.close()
            self._put(_END)

    def _put(self, item: object) -> bool:
        """Queue ``item`` once there is room; False when closed meanwhile."""
        while not self._stop.is_set():
            try:
                self._frames.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def frame_at(self, video_s: float, wait_s: float = 0.05) -> tuple[float, np.ndarray] | None:
        """(time_s, image) of the last frame at or before ``video_s``; the first frame before the music starts.

        Waits up to ``wait_s`` for the decoder when it is behind; None only before the first frame is decoded.
        A looped video takes ``video_s`` within its section.
        """
        if self.loop_s is not None:
            deadline_s = time.monotonic() + wait_s
            while self._thread.is_alive() and time.monotonic() < deadline_s and not (self._section and self._section[-1][0] >= video_s):
                time.sleep(0.01)
            section = list(self._section)
            times = [time_s for time_s, _ in section]
            index = int(np.searchsorted(times, video_s + 1e-6, side="right")) - 1
            return section[max(index, 0)] if section else None
        while not self._ended:
            if self._pending is None:
                try:
                    item = self._frames.get(timeout=wait_s)
                except queue.Empty:
                    break
                if item is _END:
                    self._ended = True
                    break
                self._pending = item
            if self._current is not None and self._pending[0] > video_s + 1e-6:
                break
            self._current, self._pending = self._pending, None
        return self._current

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
