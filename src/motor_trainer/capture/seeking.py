"""One frame of a video at a given time, by seeking: what scrubbing a long session needs.

Decoding a whole session to scrub it would take as long as the session; a
seek jumps to the keyframe before the wanted time and decodes only from
there. Frames decoded on the way are kept (shrunk) in a small cache, so
moving the slider back and forth over a few frames, or stepping forward,
decodes nothing new. Not thread-safe: one reader per thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from motor_trainer.capture.sources import Frame, Rotation, _open_container, rotate_image
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError

#: Frames kept decoded; at 720p about 2.8 MB each (about 66 MB in all).
CACHE_FRAMES = 24
#: Cached and returned frames are shrunk to this height (the review shows them smaller anyway).
MAX_HEIGHT_PX = 720
#: Frames before the wanted one that are converted and cached on the way (scrubbing back is then free).
KEEP_BEFORE_FRAMES = 12
#: Decoding forward beats seeking when the wanted frame is at most this far ahead.
FORWARD_DECODE_S = 1.0


class FrameSeeker:
    """Frames of one video file by time since its first frame (as ``VideoFileSource`` stamps them), upright."""

    def __init__(self, path: str | Path, rotate_deg: int = 0, max_height_px: int | None = MAX_HEIGHT_PX,
                 cache_frames: int = CACHE_FRAMES):
        self.path = Path(path)
        self.rotation = Rotation(rotate_deg)
        self.max_height_px = max_height_px
        self._container = _open_container(self.path)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self._time_base = self._stream.time_base or Fraction(1, 1000)
        self.fps = float(self._stream.average_rate or self._stream.guessed_rate or 30)
        self._first_pts = self._stream.start_time if self._stream.start_time is not None else 0
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()  # pts -> image
        self._cache_frames = cache_frames
        self._decoder: Iterator[av.VideoFrame] | None = None  # the running decode generator, positioned after _last_pts
        self._last_pts: int | None = None
        self.seeks = 0
        self.frames_decoded = 0

    def close(self) -> None:
        self._decoder = None
        self._container.close()

    def __enter__(self) -> FrameSeeker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _half_frame_pts(self) -> float:
        return 0.5 / self.fps / float(self._time_base)

    def frame_at(self, time_s: float) -> Frame:
        """The frame shown at ``time_s`` (the one whose timestamp is nearest); the last one past the end.

        Raises UserFacingError naming the file when it cannot be decoded there.
        """
        target_pts = self._first_pts + max(0.0, time_s) / float(self._time_base)
        cached = self._cached_near(target_pts)
        if cached is not None:
            return self._frame(*cached)
        ahead_pts = FORWARD_DECODE_S / float(self._time_base)
        decoder = self._decoder
        if decoder is None or self._last_pts is None or not 0 <= target_pts - self._last_pts <= ahead_pts:
            decoder = self._seek(target_pts)
        found: tuple[int, np.ndarray] | None = None
        keep_from_pts = KEEP_BEFORE_FRAMES * 2 * self._half_frame_pts
        try:
            for decoded in decoder:
                pts = decoded.pts if decoded.pts is not None else (self._last_pts or 0) + 1
                self._last_pts = pts
                if target_pts - pts > keep_from_pts:
                    continue  # far before the wanted frame: decoding is cheap, converting is not
                image = self._keep(pts, decoded)
                if found is None or abs(pts - target_pts) < abs(found[0] - target_pts):
                    found = (pts, image)
                if pts >= target_pts - self._half_frame_pts:
                    break
            else:
                self._decoder = None  # the end: the next request seeks again
        except av.error.FFmpegError as error:
            self._decoder = None
            raise UserFacingError(f"{self.path}: cannot decode near {time_s:.2f} s ({error})") from None
        if found is None:
            found = self._cached_near(target_pts, anywhere=True)
        if found is None:
            raise UserFacingError(f"{self.path}: no frame near {time_s:.2f} s")
        return self._frame(*found)

    def _seek(self, target_pts: float) -> Iterator[av.VideoFrame]:
        """Restart decoding at the keyframe before ``target_pts``; returns the new decoder."""
        self._container.seek(int(target_pts), stream=self._stream, backward=True, any_frame=False)
        self._decoder = self._container.decode(self._stream)
        self._last_pts = None
        self.seeks += 1
        return self._decoder

    def _keep(self, pts: int, decoded: av.VideoFrame) -> np.ndarray:
        image: np.ndarray = decoded.to_ndarray(format="rgb24")
        height, width = image.shape[:2]
        upright_height = width if self.rotation in (Rotation.CW_90, Rotation.CW_270) else height
        if self.max_height_px is not None and upright_height > self.max_height_px:
            scale = self.max_height_px / upright_height
            image = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        image = rotate_image(image, self.rotation)
        image.setflags(write=False)
        self._cache[pts] = image
        self._cache.move_to_end(pts)
        while len(self._cache) > self._cache_frames:
            self._cache.popitem(last=False)
        self.frames_decoded += 1
        return image

    def _cached_near(self, target_pts: float, anywhere: bool = False) -> tuple[int, np.ndarray] | None:
        if not self._cache:
            return None
        pts = min(self._cache, key=lambda p: abs(p - target_pts))
        if anywhere or abs(pts - target_pts) <= self._half_frame_pts:
            self._cache.move_to_end(pts)
            return pts, self._cache[pts]
        return None

    def _frame(self, pts: int, image: np.ndarray) -> Frame:
        time_s = float((pts - self._first_pts) * self._time_base)
        return Frame(round(time_s * self.fps), time_s, image)
