"""Where replay frames go besides the GUI: an H.264 MP4 that plays anywhere, and a PNG contact sheet.

OpenCV's wheels cannot write H.264 on Linux and an ``mp4v`` file plays in no
browser, so the MP4 is written with PyAV (libx264, yuv420p). The file is
written under a temporary name and renamed when complete, so an interrupted
export never leaves a half-written replay under the real name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.replay import PANEL_RGB, PERSON_RGB, ReplayRenderer


def _even_crop(image: np.ndarray) -> np.ndarray:
    """yuv420p needs even width and height: drop a last odd row or column."""
    height, width = image.shape[:2]
    return image[: height - height % 2, : width - width % 2]


def write_mp4(frames: Iterable[np.ndarray], path: str | Path, fps: float, crf: int = 23) -> int:
    """Encode RGB uint8 frames to an H.264 MP4 at ``fps``; returns the number of frames written.

    Raises UserFacingError naming the file if it cannot be written, and
    ValueError if there are no frames or their sizes differ.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    rate = Fraction(fps).limit_denominator(1001)
    written = 0
    try:
        with av.open(str(partial), mode="w", format="mp4") as container:
            stream = None
            for image in frames:
                image = _even_crop(np.ascontiguousarray(image))
                if stream is None:
                    stream = container.add_stream("libx264", rate=rate)
                    stream.width, stream.height = image.shape[1], image.shape[0]
                    stream.pix_fmt = "yuv420p"
                    stream.options = {"crf": str(crf), "preset": "superfast"}  # a replay is wanted now, not small
                elif (image.shape[1], image.shape[0]) != (stream.width, stream.height):
                    raise ValueError(f"frame {written} is {image.shape[1]}x{image.shape[0]}, not {stream.width}x{stream.height}")
                # OpenCV's I420 is the same limited-range BT.601 FFmpeg assumes, and 5x faster than swscale here.
                yuv: np.ndarray = cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420)
                frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                frame.pts = written
                frame.time_base = 1 / rate
                container.mux(stream.encode(frame))
                written += 1
            if stream is None:
                raise ValueError("no frames to write")
            container.mux(stream.encode(None))
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserFacingError(f"{path}: cannot write the replay ({error.strerror or error})") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return written


def contact_sheet(frames: Sequence[np.ndarray], labels: Sequence[str] = (), columns: int = 4, tile_width_px: int = 400) -> np.ndarray:
    """Frames shrunk into a grid (row by row), each with its label in the corner; RGB uint8."""
    if not frames:
        raise ValueError("a contact sheet needs at least one frame")
    height, width = frames[0].shape[:2]
    tile_size = (tile_width_px, round(tile_width_px * height / width))
    rows = -(-len(frames) // columns)
    gap = 4
    sheet = np.full(
        (rows * (tile_size[1] + gap) + gap, columns * (tile_size[0] + gap) + gap, 3), PANEL_RGB, dtype=np.uint8
    )
    for position, image in enumerate(frames):
        tile = cv2.resize(image, tile_size, interpolation=cv2.INTER_AREA)
        if position < len(labels):
            (text_width, text_height), _ = cv2.getTextSize(labels[position], cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
            corner = (tile_size[0] - text_width - 6, tile_size[1] - 8)  # bottom-right: the replay's own status is bottom-left
            cv2.rectangle(tile, (corner[0] - 3, corner[1] - text_height - 4), (tile_size[0] - 1, tile_size[1] - 1), PANEL_RGB, -1)
            cv2.putText(tile, labels[position], corner, cv2.FONT_HERSHEY_SIMPLEX, 0.45, PERSON_RGB, 1, cv2.LINE_AA)
        row, column = divmod(position, columns)
        top, left = gap + row * (tile_size[1] + gap), gap + column * (tile_size[0] + gap)
        sheet[top : top + tile_size[1], left : left + tile_size[0]] = tile
    return sheet


def write_png(image_rgb: np.ndarray, path: str | Path) -> None:
    path = Path(path)
    if not cv2.imwrite(str(path), cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR)):
        raise UserFacingError(f"{path}: cannot write the image")


def contact_sheet_frames(renderer: ReplayRenderer, tiles: int = 12) -> list[int]:
    """Output frames worth a tile: evenly spaced, plus the first frame of the freeze on the peak."""
    count = len(renderer)
    chosen = set(np.linspace(0, count - 1, num=min(tiles, count)).round().astype(int).tolist())
    frozen = np.flatnonzero(renderer.timeline.frozen)
    if frozen.size:
        chosen.add(int(frozen[0]))
    return sorted(chosen)


@dataclass(frozen=True)
class ReplayExport:
    mp4_path: Path
    frames_written: int
    sheet_path: Path | None


def export_replay(renderer: ReplayRenderer, mp4_path: str | Path, sheet_path: str | Path | None = None) -> ReplayExport:
    """Render once, streaming every frame into the MP4 and keeping a few for the contact sheet."""
    wanted = set(contact_sheet_frames(renderer)) if sheet_path is not None else set()
    kept: list[np.ndarray] = []
    labels: list[str] = []
    fps = renderer.fps

    def frames_keeping_some() -> Iterable[np.ndarray]:
        for output_index, image in enumerate(renderer.frames()):
            if output_index in wanted:
                kept.append(image)
                source = int(renderer.timeline.source_frame[output_index])
                held = " (held)" if renderer.timeline.frozen[output_index] else ""
                labels.append(f"out {output_index} / clip {source}{held}")
            yield image

    written = write_mp4(frames_keeping_some(), mp4_path, fps)
    if sheet_path is not None:
        write_png(contact_sheet(kept, labels), sheet_path)
    return ReplayExport(Path(mp4_path), written, None if sheet_path is None else Path(sheet_path))
