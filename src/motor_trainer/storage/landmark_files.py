"""Landmarks on disk: one NPZ per complete session, chunk NPZs appended while recording.

Plain arrays only: every load uses ``allow_pickle=False``.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import LANDMARK_COUNT, PoseSequence
from motor_trainer.storage.json_files import first_line

_CHUNK_NAME = re.compile(r"^chunk_(\d{6})\.npz$")
_SEQUENCE_ARRAYS = ("time_s", "xy_px", "visibility", "presence", "world_m")

def _npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
        # numpy >= 2.1 types **kwds as if a name could fill its allow_pickle flag; ours are array names only.
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        buffer.seek(0)
        return buffer.read()


def save_landmarks(sequence: PoseSequence, path: Path) -> None:
    """The whole sequence as one NPZ (plain arrays only), written atomically."""
    arrays = {name: np.asarray(getattr(sequence, name)) for name in _SEQUENCE_ARRAYS}
    arrays["image_size_px"] = np.asarray(sequence.image_size_px, dtype=np.int64)
    arrays["fps"] = np.asarray(sequence.fps, dtype=np.float64)
    arrays["source"] = np.asarray(sequence.source, dtype=np.str_)
    atomic_write_bytes(path, _npz_bytes(arrays))


def _load_npz_arrays(path: Path, names: Iterable[str]) -> dict[str, np.ndarray]:
    """Named arrays from an NPZ, refusing pickles and anything that is not an NPZ."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in names}
    except FileNotFoundError as error:
        raise UserFacingError(f"{path}: file not found") from error
    except KeyError as error:
        raise UserFacingError(f"{path}: landmarks file lacks the array {error}") from error
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise UserFacingError(f"{path}: holds a pickled object; refused (landmarks must be plain arrays)") from error
        raise UserFacingError(f"{path}: not a landmarks NPZ file ({first_line(error)})") from error
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise UserFacingError(f"{path}: not a readable landmarks NPZ file ({first_line(error)})") from error


def load_landmarks(path: Path) -> PoseSequence:
    arrays = _load_npz_arrays(path, (*_SEQUENCE_ARRAYS, "image_size_px", "fps", "source"))
    try:
        for name, shape in (("image_size_px", (2,)), ("fps", ()), ("source", ())):
            if arrays[name].shape != shape:
                raise ValueError(f"{name} has shape {arrays[name].shape}, expected {shape}")
        return PoseSequence(
            **{name: arrays[name] for name in _SEQUENCE_ARRAYS},
            image_size_px=(int(arrays["image_size_px"][0]), int(arrays["image_size_px"][1])),
            source=str(arrays["source"]),
            fps=float(arrays["fps"]),
        )
    except (ValueError, TypeError) as error:
        raise UserFacingError(f"{path}: landmarks arrays are inconsistent ({first_line(error)})") from error


@dataclass(frozen=True)
class LandmarkChunk:
    """A block of consecutive frames appended while recording; ``index`` orders the blocks."""

    index: int
    time_s: np.ndarray
    xy_px: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world_m: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.time_s)
        shapes = {"time_s": (n,), "xy_px": (n, LANDMARK_COUNT, 2), "visibility": (n, LANDMARK_COUNT),
                  "presence": (n, LANDMARK_COUNT), "world_m": (n, LANDMARK_COUNT, 3)}
        for name, shape in shapes.items():
            value = np.array(getattr(self, name), dtype=np.float64, copy=True)
            if value.shape != shape:
                raise ValueError(f"LandmarkChunk.{name} has shape {value.shape}, expected {shape}")
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.time_s)


def chunk_path(chunks_dir: Path, index: int) -> Path:
    return Path(chunks_dir) / f"chunk_{index:06d}.npz"


def write_landmark_chunk(chunks_dir: Path, chunk: LandmarkChunk) -> Path:
    path = chunk_path(chunks_dir, chunk.index)
    atomic_write_bytes(path, _npz_bytes({name: getattr(chunk, name) for name in _SEQUENCE_ARRAYS}))
    return path


def read_landmark_chunks(chunks_dir: Path, damaged: list[str] | None = None) -> list[LandmarkChunk]:
    """Every complete chunk in index order (temporary files of an interrupted write are ignored).

    A chunk that does not read is refused, or, when ``damaged`` is given, skipped with its one-line
    problem appended there: recovery keeps every good chunk of a recording with one bad one.
    """
    chunks_dir = Path(chunks_dir)
    if not chunks_dir.is_dir():
        return []
    indexed = sorted((int(m.group(1)), p) for p in chunks_dir.iterdir() if (m := _CHUNK_NAME.match(p.name)))
    chunks = []
    for index, path in indexed:
        try:
            chunks.append(_read_chunk(index, path))
        except UserFacingError as error:
            if damaged is None:
                raise
            damaged.append(str(error))
    return chunks


def _read_chunk(index: int, path: Path) -> LandmarkChunk:
    arrays = _load_npz_arrays(path, _SEQUENCE_ARRAYS)
    try:
        return LandmarkChunk(index=index, **arrays)
    except ValueError as error:
        raise UserFacingError(f"{path}: landmark chunk is inconsistent ({first_line(error)})") from error


def sequence_from_chunks(chunks: list[LandmarkChunk], image_size_px: tuple[int, int], source: str) -> PoseSequence:
    if not chunks:
        return PoseSequence.empty(np.zeros(0), image_size_px, source)
    return PoseSequence(
        time_s=np.concatenate([c.time_s for c in chunks]),
        xy_px=np.concatenate([c.xy_px for c in chunks]),
        visibility=np.concatenate([c.visibility for c in chunks]),
        presence=np.concatenate([c.presence for c in chunks]),
        world_m=np.concatenate([c.world_m for c in chunks]),
        image_size_px=image_size_px,
        source=source,
    )
