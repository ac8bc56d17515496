"""The bad-input corpus (issue 18): damaged sessions, videos, models, photos and calibrations, made on
demand, each with the file a one-line error must name.

Every class here was measured to give a traceback, a wrong exit code or a silent wrong result
before, or already held and must keep holding. Nothing is taken from a real user's workspace:
each case is generated from a healthy synthetic session or video and then damaged one way.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from session_fixtures import write_tiny_video

from motor_trainer.storage.session_folder import Session

#: What a command does with a damaged session: fail naming the file, or work as before.
FAILS, WORKS = "fails", "works"


@dataclass(frozen=True)
class SessionDamage:
    """One way a session folder gets damaged, the file the error must name, and what each
    command that reads the session must then do (``show``, ``csv`` export, ``bundle`` export)."""

    name: str
    damaged_file: str
    apply: Callable[[Path], None]
    show: str = FAILS
    csv: str = FAILS
    bundle: str = FAILS


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _prepend_line(path: Path, line: bytes) -> None:
    path.write_bytes(line + b"\n" + path.read_bytes())


def _rewrite_json(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def _rewrite_npz(path: Path, **changes: object) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays.update(changes)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def _pickle_npz(path: Path) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["xy_px"] = np.array([{"not": "an array"}], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])


SESSION_DAMAGES = (
    SessionDamage("manifest is a folder", "manifest.json", lambda d: _replace_with_folder(d / "manifest.json")),
    SessionDamage("manifest not JSON", "manifest.json", lambda d: (d / "manifest.json").write_bytes(b"{not json")),
    SessionDamage("manifest from a future schema", "manifest.json",
                  lambda d: _rewrite_json(d / "manifest.json", schema_version=99)),
    SessionDamage("manifest missing a field", "manifest.json",
                  lambda d: _rewrite_json(d / "manifest.json", source="webcam")),
    SessionDamage("events file is a folder", "events.jsonl", lambda d: _replace_with_folder(d / "events.jsonl")),
    SessionDamage("events line is a JSON list", "events.jsonl", lambda d: _prepend_line(d / "events.jsonl", b"[1, 2]")),
    SessionDamage("events line is a JSON number", "events.jsonl", lambda d: _prepend_line(d / "events.jsonl", b"42")),
    SessionDamage("events line not JSON", "events.jsonl", lambda d: _prepend_line(d / "events.jsonl", b"{oops")),
    SessionDamage("events not UTF-8", "events.jsonl", lambda d: _prepend_line(d / "events.jsonl", b"\xff\xfe\xfa")),
    SessionDamage("landmarks missing", "landmarks.npz", lambda d: (d / "landmarks.npz").unlink()),
    SessionDamage("landmarks truncated", "landmarks.npz", lambda d: _truncate(d / "landmarks.npz")),
    SessionDamage("landmarks pickled", "landmarks.npz", lambda d: _pickle_npz(d / "landmarks.npz")),
    SessionDamage("landmarks image size one number", "landmarks.npz",
                  lambda d: _rewrite_npz(d / "landmarks.npz", image_size_px=np.array(640))),
    SessionDamage("landmarks arrays inconsistent", "landmarks.npz",
                  lambda d: _rewrite_npz(d / "landmarks.npz", visibility=np.zeros((3, 33)))),
    SessionDamage("landmarks fewer than the manifest says", "landmarks.npz",
                  lambda d: _rewrite_json(d / "manifest.json", frame_count=999), show=WORKS, csv=WORKS),
    SessionDamage("video random bytes", "video.mkv", lambda d: (d / "video.mkv").write_bytes(os.urandom(4096)),
                  show=WORKS, csv=WORKS),
    SessionDamage("video truncated to its header", "video.mkv",
                  lambda d: (d / "video.mkv").write_bytes((d / "video.mkv").read_bytes()[:64]), show=WORKS, csv=WORKS),
    SessionDamage("video missing", "video.mkv", lambda d: (d / "video.mkv").unlink(), show=WORKS, csv=WORKS),
)


def zip_session_folder(session: Session, bundle_path: Path) -> Path:
    """A bundle of the folder as it is on disk, damage included (what `export` now refuses to make)."""
    with zipfile.ZipFile(bundle_path, "w") as archive:
        for path in sorted(session.directory.rglob("*")):
            archive.write(path, path.relative_to(session.directory).as_posix())
    return bundle_path


# --------------------------------------------------------------------------- videos


def _write_video(path: Path, codec: str, size_px: tuple[int, int], pix_fmt: str, frame_count: int = 10) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=30)
        stream.width, stream.height = size_px
        stream.pix_fmt = pix_fmt
        for index in range(frame_count):
            image = np.full((size_px[1], size_px[0], 3), index * 20 % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def unknown_fourcc_avi(folder: Path) -> Path:
    """An AVI whose FourCC no decoder knows (MJPG renamed): FFmpeg opens it without a codec."""
    source = _write_video(folder / "mjpeg.avi", "mjpeg", (64, 48), "yuvj420p")
    target = folder / "unknown_fourcc.avi"
    target.write_bytes(source.read_bytes().replace(b"MJPG", b"ZQZQ"))
    source.unlink()
    return target


def one_pixel_video(folder: Path) -> Path:
    return _write_video(folder / "one_pixel.mkv", "mjpeg", (1, 1), "yuvj420p")


def undecodable_video(folder: Path) -> Path:
    """A valid container whose every frame's data is zeros: it opens and yields no picture."""
    path = folder / "undecodable.mkv"
    write_tiny_video(path, frame_count=30)
    data = bytearray(path.read_bytes())
    keep = len(data) // 5  # the header and track description; the rest is cluster data
    data[keep:] = bytes(len(data) - keep)
    path.write_bytes(bytes(data))
    return path


BAD_VIDEOS: dict[str, Callable[[Path], Path]] = {
    "unknown FourCC": unknown_fourcc_avi,
    "1x1 frames": one_pixel_video,
    "random bytes": lambda folder: _bytes(folder / "random.mp4", os.urandom(20000)),
    "empty file": lambda folder: _bytes(folder / "empty.mp4", b""),
    "text file": lambda folder: _bytes(folder / "notes.mp4", b"not a video\n" * 50),
    "a folder": lambda folder: _folder(folder / "folder.mp4"),
    "missing file": lambda folder: folder / "missing.mp4",
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


# --------------------------------------------------------------------------- models


def swapped_model(folder: Path, good: Path) -> Path:
    """A .task whose detector and landmark models trade places: MediaPipe loads it, then fails."""
    path = folder / "pose_landmarker_lite_swapped.task"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        target.writestr("pose_detector.tflite", source.read("pose_landmarks_detector.tflite"))
        target.writestr("pose_landmarks_detector.tflite", source.read("pose_detector.tflite"))
    return path


BAD_MODELS: dict[str, Callable[[Path, Path], Path]] = {
    "swapped members": swapped_model,
    "truncated": lambda folder, good: _bytes(folder / "pose_landmarker_lite_cut.task",
                                             good.read_bytes()[: good.stat().st_size // 2]),
    "random bytes": lambda folder, good: _bytes(folder / "pose_landmarker_lite_noise.task", os.urandom(50000)),
    "tflite in the name": lambda folder, good: Path(shutil.copyfile(good, folder / "pose_landmarker.tflite.task")),
}


# --------------------------------------------------------------------------- photos and calibrations


def png_claiming_size(path: Path, width: int, height: int) -> Path:
    """A PNG header claiming ``width`` x ``height`` pixels over a few bytes of data."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))
    return path


CALIBRATION_TOML = """kind = "camera"
camera_name = "corpus"
image_size_px = [640, 480]
camera_matrix = [[{fx}, 0.0, {cx}], [0.0, {fy}, 240.0], [0.0, 0.0, 1.0]]
distortion = [{k1}, 0.0, 0.0, 0.0, 0.0]
rms_reprojection_px = 0.3
created = 2026-01-01T00:00:00Z
board_inner_corners = [4, 7]
square_mm = 60.0
views = []
view_rms_px = []
"""

BAD_CALIBRATIONS = {
    "distortion 1e300": dict(fx=600.0, fy=600.0, cx=320.0, k1=1e300),
    "focal length 1e-300": dict(fx=1e-300, fy=1e-300, cx=320.0, k1=0.0),
    "distortion folds the image": dict(fx=600.0, fy=600.0, cx=320.0, k1=-3.0),
    "principal point off the image": dict(fx=600.0, fy=600.0, cx=5000.0, k1=0.0),
}
GOOD_CALIBRATION = dict(fx=600.0, fy=600.0, cx=320.0, k1=-0.1)
