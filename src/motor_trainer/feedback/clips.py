"""The frames a replay shows: cut from the session video, or, live, from memory.

Live, the replay must start while the camera keeps running and before any
recording file is closed, so the newest few seconds of frames are kept in an
in-memory ring buffer. Offline (the ``replay`` command, a reopened session)
the same clip is decoded from the session video.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.records.verdict import Verdict
from motor_trainer.capture.sources import open_video
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError

#: Seconds of context shown before a rep starts and after it ends.
CLIP_PADDING_S = 0.5


def clip_window_s(verdict: Verdict, padding_s: float = CLIP_PADDING_S) -> tuple[float, float]:
    """(start_s, end_s) of the replay clip: the rep with ``padding_s`` either side (start never below 0)."""
    return max(0.0, verdict.start_s - padding_s), verdict.end_s + padding_s


@dataclass(frozen=True)
class Clip:
    """Consecutive frames of one source: their indices in the source, times and images.

    ``images`` hold RGB uint8 arrays, or JPEG bytes (as uint8 arrays) when
    ``jpeg`` is set; :meth:`image` always returns the RGB image.
    ``image_size_px`` is the (width, height) of the stored images.
    """

    frame_index: np.ndarray
    time_s: np.ndarray
    images: tuple[np.ndarray, ...]
    jpeg: bool = False

    def __post_init__(self) -> None:
        for name, dtype in (("frame_index", np.int64), ("time_s", np.float64)):
            array = np.array(getattr(self, name), dtype=dtype, copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        object.__setattr__(self, "images", tuple(self.images))
        if not (len(self.frame_index) == len(self.time_s) == len(self.images)):
            raise ValueError("Clip.frame_index, time_s and images must have one entry per frame")

    def __len__(self) -> int:
        return len(self.time_s)

    def image(self, index: int) -> np.ndarray:
        stored = self.images[index]
        return decode_jpeg(stored) if self.jpeg else stored

    @property
    def image_size_px(self) -> tuple[int, int]:
        first = self.image(0)
        return (first.shape[1], first.shape[0])


class FrameRingBuffer:
    """The newest ``seconds`` of live frames, in memory, ready to be cut into a clip at once.

    Frames larger than ``max_height_px`` are shrunk on the way in (the
    replay is drawn at about that height anyway) and, with ``jpeg_quality``
    set, kept JPEG-compressed: 6 s of 720p at 30 fps is about 22 MB that way
    against about 490 MB raw. Pushing costs one resize and one encode (a few
    milliseconds at 720p); pass ``jpeg_quality=None`` to keep raw frames.
    Safe to push from the capture thread while another thread cuts clips.
    """

    def __init__(self, seconds: float, fps: float, max_height_px: int | None = 720, jpeg_quality: int | None = 90):
        if not (seconds > 0 and fps > 0):
            raise ValueError("FrameRingBuffer needs positive seconds and fps")
        self.capacity_frames = int(np.ceil(seconds * fps)) + 1
        self.max_height_px = max_height_px
        self.jpeg_quality = jpeg_quality
        self._entries: deque[tuple[int, float, np.ndarray]] = deque(maxlen=self.capacity_frames)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def stored_bytes(self) -> int:
        with self._lock:
            return sum(entry[2].nbytes for entry in self._entries)

    def push(self, index: int, time_s: float, image_rgb: np.ndarray) -> None:
        """Keep one frame; the oldest one falls out once the buffer is full."""
        height, width = image_rgb.shape[:2]
        if self.max_height_px is not None and height > self.max_height_px:
            size = (round(width * self.max_height_px / height), self.max_height_px)
            # Area averaging only pays off when shrinking more than 2x; for 1080p -> 720p it is 5x slower than linear.
            shrink_a_lot = self.max_height_px < height / 2
            image_rgb = cv2.resize(image_rgb, size, interpolation=cv2.INTER_AREA if shrink_a_lot else cv2.INTER_LINEAR)
        if self.jpeg_quality is not None:
            ok, encoded = cv2.imencode(".jpg", image_rgb, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
            if not ok:
                raise ValueError(f"frame {index} could not be JPEG-encoded")
            stored = encoded
        else:
            stored = image_rgb
        with self._lock:
            self._entries.append((int(index), float(time_s), stored))

    def clip(self, start_s: float, end_s: float) -> Clip:
        """The buffered frames with ``start_s <= time_s <= end_s``.

        Raises ValueError if none are buffered there (the window fell out of
        the buffer, or has not been filmed yet).
        """
        with self._lock:
            chosen = [entry for entry in self._entries if start_s <= entry[1] <= end_s]
        if not chosen:
            raise ValueError(f"no buffered frames between {start_s:.2f} s and {end_s:.2f} s")
        indices, times, images = zip(*chosen)
        return Clip(np.array(indices), np.array(times), images, jpeg=self.jpeg_quality is not None)

    def latest_at(self, time_s: float) -> tuple[int, float, np.ndarray] | None:
        """(index, time_s, RGB image) of the newest frame filmed at or before ``time_s``; None if none is kept.

        For the delayed mirror: the frame from N seconds ago, decoded from memory.
        """
        with self._lock:
            chosen = next((entry for entry in reversed(self._entries) if entry[1] <= time_s), None)
        if chosen is None:
            return None
        index, frame_time_s, stored = chosen
        image = decode_jpeg(stored) if self.jpeg_quality is not None else stored.copy()
        return index, frame_time_s, image


def decode_jpeg(encoded: np.ndarray) -> np.ndarray:
    """An image the ring buffer kept JPEG-encoded; OpenCV returns None for bytes it cannot read."""
    image = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError("a kept frame is not a readable JPEG")
    return np.asarray(image)


def clip_from_video(path: str | Path, start_s: float, end_s: float, rotate_deg: int = 0) -> Clip:
    """The frames of a video with ``start_s <= time_s <= end_s``, upright.

    Decodes from the start of the file (the lead's sources read sequentially),
    so cutting near the end of a long session takes as long as decoding up to
    there. Raises UserFacingError naming the file when it is unreadable or
    holds no frame in the window.
    """
    indices: list[int] = []
    times: list[float] = []
    images: list[np.ndarray] = []
    with open_video(path, rotate_deg) as source:
        for frame in source.frames():
            if frame.time_s > end_s:
                break
            if frame.time_s >= start_s:
                indices.append(frame.index)
                times.append(frame.time_s)
                images.append(frame.image_rgb)
    if not images:
        raise UserFacingError(f"{path}: no frames between {start_s:.2f} s and {end_s:.2f} s")
    return Clip(np.array(indices), np.array(times), tuple(images))
