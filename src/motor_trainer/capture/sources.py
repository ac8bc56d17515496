"""Where frames come from: a video file, a video played as a live camera, or a webcam.

Every source yields ``Frame`` objects: an upright, C-contiguous RGB image with
its timestamp. A file yields every frame with the container's presentation
time (variable frame rate kept); a live source yields the newest frame with
its capture time and drops the ones a slow consumer missed, as a webcam does.
"""

from __future__ import annotations

import contextlib
import queue
import sys
from abc import ABC, abstractmethod
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.thread_priority import lower_this_thread_priority


#: How far below the model the offline decoder runs (niceness steps).
DECODER_NICE_STEPS = 10


class Rotation(IntEnum):
    """Clockwise rotation applied to every frame, for a camera mounted sideways."""

    NONE = 0
    CW_90 = 90
    CW_180 = 180
    CW_270 = 270


_CV2_ROTATION = {
    Rotation.CW_90: cv2.ROTATE_90_CLOCKWISE,
    Rotation.CW_180: cv2.ROTATE_180,
    Rotation.CW_270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def rotate_image(image: np.ndarray, rotation: Rotation) -> np.ndarray:
    """The image turned clockwise by ``rotation``; always C-contiguous (MediaPipe misreads views)."""
    if rotation is Rotation.NONE:
        return np.ascontiguousarray(image)
    return cv2.rotate(image, _CV2_ROTATION[rotation])


def rotated_size(size_px: tuple[int, int], rotation: Rotation) -> tuple[int, int]:
    width, height = size_px
    return (height, width) if rotation in (Rotation.CW_90, Rotation.CW_270) else (width, height)


@dataclass(frozen=True)
class Frame:
    """One upright RGB frame (height, width, 3) uint8 and when it was taken."""

    index: int
    time_s: float
    image_rgb: np.ndarray

    @property
    def size_px(self) -> tuple[int, int]:
        return (self.image_rgb.shape[1], self.image_rgb.shape[0])


_END = object()


class VideoFileSource:
    """Every frame of a video file, decoded in a background thread.

    Decoding and colour conversion run beside the pose model (PyAV releases
    the GIL while decoding), so the model, not the decoder, sets the pace.
    Timestamps come from each frame's presentation time, so a variable frame
    rate is kept; frames without a timestamp get the nominal rate's.
    """

    def __init__(self, path: str | Path, rotate_deg: int = 0, prefetch_frames: int = 8, decoder_yields: bool = True):
        self.path = Path(path)
        self.rotation = Rotation(rotate_deg)
        self._prefetch_frames = prefetch_frames
        self._decoder_yields = decoder_yields
        self._container = _open_container(self.path)
        stream = self._container.streams.video[0]
        self.fps = float(stream.average_rate or stream.guessed_rate or 30)
        self.frame_count = int(stream.frames or 0)
        self.frame_size_px = rotated_size((stream.codec_context.width, stream.codec_context.height), self.rotation)
        self.has_audio = bool(self._container.streams.audio)
        self._stream = stream

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def _decode_into(self, frames: queue.Queue, stop: threading.Event) -> None:
        if self._decoder_yields:
            # The model splits parts of each frame across both cores and waits for the slower half;
            # a decoder preempting one of its workers stalls the other. Lower, it fills the gaps,
            # with the prefetch queue as slack.
            lower_this_thread_priority(DECODER_NICE_STEPS)
        time_base = self._stream.time_base or Fraction(1, 1000)
        first_pts: int | None = None
        last_time_s = -np.inf
        try:
            for index, decoded in enumerate(self._container.decode(self._stream)):
                if stop.is_set():
                    break
                if decoded.pts is None:
                    time_s = last_time_s + 1.0 / self.fps if index else 0.0
                else:
                    first_pts = decoded.pts if first_pts is None else first_pts
                    time_s = float((decoded.pts - first_pts) * time_base)
                time_s = max(time_s, last_time_s + 1e-6)  # strictly increasing, whatever the container says
                last_time_s = time_s
                image = rotate_image(decoded.to_ndarray(format="rgb24"), self.rotation)
                frames.put(Frame(index, time_s, image))
        except av.error.FFmpegError as error:
            frames.put(UserFacingError(f"{self.path}: the video is damaged after frame {last_time_s:.2f} s ({error})"))
        finally:
            frames.put(_END)

    def frames(self) -> Iterator[Frame]:
        """Every frame in order. Raises UserFacingError if the file turns out damaged midway."""
        frames: queue.Queue = queue.Queue(maxsize=self._prefetch_frames)
        stop = threading.Event()
        decoder = threading.Thread(target=self._decode_into, args=(frames, stop), name="video-decode", daemon=True)
        decoder.start()
        try:
            while (item := frames.get()) is not _END:
                if isinstance(item, UserFacingError):
                    raise item
                yield item
        finally:
            stop.set()
            while decoder.is_alive():  # unblock a decoder waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    frames.get(timeout=0.05)
            decoder.join()


#: Smallest frame side accepted: a person needs tens of pixels to be found at all.
MIN_FRAME_SIDE_PX = 32
#: FFmpeg "decodes" any text file as ANSI art through its tty demuxer.
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})


def _open_container(path: Path) -> av.container.InputContainer:
    """Open a video or raise a one-line UserFacingError naming the file and the cause."""
    if not path.exists():
        raise UserFacingError(f"{path}: no such file")
    if path.is_dir():
        raise UserFacingError(f"{path}: is a folder, not a video file")
    if path.stat().st_size == 0:
        raise UserFacingError(f"{path}: the file is empty")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
        raise UserFacingError(f"{path}: not a readable video ({_short_reason(error)})") from None
    if not container.streams.video:
        container.close()
        raise UserFacingError(f"{path}: has no video stream")
    codec = container.streams.video[0].codec_context
    problem = None
    if codec is None:  # a FourCC FFmpeg has no decoder for
        problem = "not a readable video (its video format is unknown to FFmpeg)"
    elif codec.name in _TEXT_CODECS:
        problem = "not a readable video (it is a text file)"
    elif min(codec.width, codec.height) < MIN_FRAME_SIDE_PX:
        problem = f"frames of {codec.width}x{codec.height} px are too small to find a person in"
    if problem is not None:
        container.close()
        raise UserFacingError(f"{path}: {problem}")
    return container


def _short_reason(error: Exception) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text.splitlines()[0][:120] if text else type(error).__name__


def open_video(path: str | Path, rotate_deg: int = 0, decoder_yields: bool = True) -> VideoFileSource:
    """A checked video file source; bad files raise UserFacingError.

    ``decoder_yields`` lowers the decoding thread's priority (offline: the
    model sets the pace); a video played as a camera keeps normal priority,
    because a camera does not slow down for a busy program.
    """
    try:
        rotation = Rotation(rotate_deg)
    except ValueError:
        raise UserFacingError(f"rotation must be 0, 90, 180 or 270 degrees, not {rotate_deg}") from None
    return VideoFileSource(path, rotation, decoder_yields=decoder_yields)


STALE_AFTER_S = 0.75
WATCHDOG_TICK_S = 0.1


class LiveSource(ABC):
    """Base for sources that run at their own pace: a capture thread keeps only the newest frame.

    Consumers call ``frames()``: each step yields the newest frame not yet
    seen, waiting for one if none is new; frames overwritten before they were
    taken count as dropped. ``lost`` is set when no new frame arrived for
    ``stale_after_s`` (default 0.75 s, checked every 0.1 s, so a loss is
    reported within 0.85 s: well over the 67 ms between frames of a webcam at
    15 fps in dim light, well under a second): an unplugged camera whose driver keeps
    handing back the last image is caught by freshness, not by a return code.
    """

    #: Set by each source when it opens: the nominal frame rate and the upright frame size.
    fps: float
    frame_size_px: tuple[int, int]

    def __init__(self, name: str, stale_after_s: float = STALE_AFTER_S):
        self.name = name
        self.stale_after_s = stale_after_s
        self.frames_captured = 0
        self.frames_delivered = 0
        self._newest: Frame | None = None
        self._last_delivered_index = -1
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._last_capture_monotonic_s = time.monotonic()
        self._thread: threading.Thread | None = None
        self._on_lost: list[Callable[[str], None]] = []
        self.lost = False
        #: Why the capture thread stopped early (a damaged file, a failed camera); raised by ``frames()``.
        self.error: UserFacingError | None = None
        #: The monotonic time (``time.monotonic()``) at which frames' ``time_s`` is 0: a frame was
        #: captured at ``clock_origin_s + frame.time_s`` (for measuring latency to the screen).
        self.clock_origin_s = float("nan")

    @property
    def frames_dropped(self) -> int:
        return self.frames_captured - self.frames_delivered

    def on_lost(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(message)`` when the source goes stale (from the watchdog thread)."""
        self._on_lost.append(callback)

    def start(self) -> LiveSource:
        self._last_capture_monotonic_s = time.monotonic()  # the watchdog counts from now, not from opening
        self._thread = threading.Thread(target=self._capture_reporting_errors, name=f"capture-{self.name}", daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch_freshness, name=f"watchdog-{self.name}", daemon=True).start()
        return self

    def __enter__(self) -> LiveSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _publish(self, image_rgb: np.ndarray, capture_monotonic_s: float, start_monotonic_s: float) -> None:
        """Called by the capture thread for every frame it grabs."""
        with self._condition:
            self.clock_origin_s = start_monotonic_s
            self._newest = Frame(self.frames_captured, capture_monotonic_s - start_monotonic_s, image_rgb)
            self.frames_captured += 1
            self._last_capture_monotonic_s = capture_monotonic_s
            self.lost = False
            self._condition.notify_all()

    def _finish(self) -> None:
        self._finished.set()
        with self._condition:
            self._condition.notify_all()

    def _watch_freshness(self) -> None:
        check_every_s = WATCHDOG_TICK_S
        while not self._stop.wait(check_every_s) and not self._finished.is_set():
            stale_s = time.monotonic() - self._last_capture_monotonic_s
            if stale_s > self.stale_after_s and not self.lost:
                self.lost = True
                for callback in self._on_lost:
                    callback(f"{self.name}: no new frame for {stale_s:.1f} s — camera lost, waiting for it to come back")

    def next_frame(self, timeout_s: float | None = None) -> Frame | None:
        """The newest unseen frame; None when the source ended, stopped, or nothing came within the timeout."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._condition:
            while self._newest is None or self._newest.index <= self._last_delivered_index:
                if self._finished.is_set() or self._stop.is_set():
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._condition.wait(0.25 if remaining is None else min(remaining, 0.25))
            self._last_delivered_index = self._newest.index
            self.frames_delivered += 1
            return self._newest

    def frames(self) -> Iterator[Frame]:
        """Frames until the source ends; raises the capture thread's error once its frames are taken."""
        while (frame := self.next_frame()) is not None:
            yield frame
        if self.error is not None:
            raise self.error

    def _capture_reporting_errors(self) -> None:
        """The thread boundary: a failure becomes ``error`` (one line) instead of a thread traceback."""
        try:
            self._run_capture()
        except UserFacingError as error:
            self.error = error
        except Exception as error:  # noqa: BLE001 - handed to the consumer, which reports it in one line
            cause = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            self.error = UserFacingError(f"{self.name}: capture failed ({cause})")
        finally:
            self._finish()

    @abstractmethod
    def _run_capture(self) -> None:
        """Grab frames until stopped, calling ``_publish`` for each (the caller calls ``_finish``)."""


class VideoAsCamera(LiveSource):
    """A video file played in real time at its own frame rate, handed over like a webcam's frames.

    Without a webcam this is the camera: the live path (tracker, live
    analysis, recorder, GUI) runs exactly as it would on one. Frames are
    released on the file's own timestamps against a monotonic clock, so a
    consumer slower than the file drops frames rather than slowing time.
    ``lead_in_s``: the first frame is held that long first, at the file's
    frame rate (a dancer standing still through a count-in).
    """

    def __init__(self, path: str | Path, rotate_deg: int = 0, speed: float = 1.0, stale_after_s: float = STALE_AFTER_S):
        self._video = open_video(path, rotate_deg, decoder_yields=False)
        super().__init__(name=str(path), stale_after_s=stale_after_s)
        self.fps = self._video.fps
        self.frame_size_px = self._video.frame_size_px
        self.speed = speed
        self.lead_in_s = 0.0

    def _run_capture(self) -> None:
        start_s = time.monotonic()
        try:
            for index, frame in enumerate(self._video.frames()):
                if index == 0 and not self._hold(frame.image_rgb, start_s):
                    break
                if self._stop.is_set():
                    break
                due_s = start_s + self.lead_in_s + frame.time_s / self.speed
                delay_s = due_s - time.monotonic()
                if delay_s > 0 and self._stop.wait(delay_s):
                    break
                self._publish(frame.image_rgb, time.monotonic(), start_s)
        finally:
            self._video.close()

    def _hold(self, image_rgb: np.ndarray, start_s: float) -> bool:
        """Publish ``image_rgb`` at the frame rate until the lead-in is over; False when stopped meanwhile."""
        for held in range(int(self.lead_in_s * self.fps)):
            if self._stop.wait(max(0.0, start_s + held / self.fps - time.monotonic())):
                return False
            self._publish(image_rgb, time.monotonic(), start_s)
        return True


def camera_backends(platform: str = sys.platform) -> tuple[int, ...]:
    """OpenCV's capture backends to try, in order: each platform's own camera API first, then OpenCV's choice.

    Windows: Media Foundation, then DirectShow (older cameras and capture cards); macOS: AVFoundation; Linux: V4L2 only.
    """
    if platform.startswith("win"):
        return (cv2.CAP_MSMF, cv2.CAP_DSHOW, cv2.CAP_ANY)
    if platform == "darwin":
        return (cv2.CAP_AVFOUNDATION, cv2.CAP_ANY)
    if platform.startswith("linux"):
        return (cv2.CAP_V4L2,)  # what OpenCV's own choice comes to there, without probing GStreamer for every index
    return (cv2.CAP_ANY,)


def open_camera(index: int, platform: str = sys.platform) -> Any | None:
    """An opened cv2.VideoCapture for camera ``index`` through the first backend that opens it; None if none does."""
    for backend in camera_backends(platform):
        capture = cv2.VideoCapture(index, backend)
        if capture.isOpened():
            return capture
        capture.release()
    return None


def camera_unavailable_line(index: int, platform: str = sys.platform) -> str:
    """Why camera ``index`` gave nothing, in one line; on macOS the likely cause is a refused camera permission."""
    if platform == "darwin":
        return (f"camera {index}: no picture; macOS may have refused camera access: allow it for this terminal (or app) "
                "in System Settings > Privacy & Security > Camera and start again (or the camera is missing or in use)")
    return f"camera {index}: not available (no camera at that index, or it is in use)"


class WebcamSource(LiveSource):
    """A camera by index through the platform's camera API (see camera_backends), reconnecting after a loss."""

    def __init__(self, index: int = 0, rotate_deg: int = 0, stale_after_s: float = STALE_AFTER_S, reconnect_every_s: float = 1.0):
        super().__init__(name=f"camera {index}", stale_after_s=stale_after_s)
        self.index = index
        self.rotation = Rotation(rotate_deg)
        self.reconnect_every_s = reconnect_every_s
        capture = open_camera(index)
        if capture is None:
            raise UserFacingError(camera_unavailable_line(index))
        if sys.platform == "darwin" and not capture.read()[0]:  # refused access opens, then delivers nothing
            capture.release()
            raise UserFacingError(camera_unavailable_line(index))
        self.fps = float(capture.get(cv2.CAP_PROP_FPS) or 30.0)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.frame_size_px = rotated_size((width, height), self.rotation)
        self._capture = capture

    def _run_capture(self) -> None:
        start_s = time.monotonic()
        last_image: np.ndarray | None = None
        try:
            while not self._stop.is_set():
                ok, image_bgr = self._capture.read()
                if not ok or (last_image is not None and np.array_equal(image_bgr[::16, ::16], last_image)):
                    # No frame, or the driver repeating a stale one: let the watchdog see it, try to reconnect.
                    if self._stop.wait(self.reconnect_every_s) or not self.lost:
                        continue
                    self._capture.release()
                    self._capture = open_camera(self.index) or cv2.VideoCapture()
                    continue
                last_image = image_bgr[::16, ::16].copy()
                rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
                self._publish(rotate_image(rgb, self.rotation), time.monotonic(), start_s)
        finally:
            self._capture.release()


def list_cameras(max_index: int = 4) -> list[int]:
    """Indices of cameras that open; empty on a machine without one.

    OpenCV logs every index that does not open (about 20 lines each on
    Linux); probing is not an error, so its log is silenced meanwhile.
    """
    found = []
    previous_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        for index in range(max_index):
            capture = open_camera(index)
            if capture is not None:
                found.append(index)
                capture.release()
    finally:
        cv2.utils.logging.setLogLevel(previous_level)
    return found
