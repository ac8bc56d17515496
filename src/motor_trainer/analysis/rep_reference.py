"""What a good rep looks like for one person: built from reps, saved in the workspace, reused.

A reference holds, for an open-loop skill, the median path of each compared
body part around release (body-centred, in body lengths) and the typical
value and spread of every feature. Spreads are robust (1.4826 x MAD, the
standard deviation of a normal sample) with floors for measurement noise, so
one bad rep among the chosen ones barely moves them. The reference also
defines how a rep is compared with its path: dynamic time warping anchored
at release (release meets release; before and after are warped separately),
so a slow wind-up is not mistaken for a wrong path.

Files: ``references/<id>.json`` (everything small) and ``<id>.npz`` (the
mean path), never pickled.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import numpy as np
from dtaidistance import dtw_ndim

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.errors import UserFacingError
from motor_trainer.skills.open_loop import ReferenceSettings

REFERENCES_DIRNAME = "references"
SCHEMA_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
#: The robust spread of a normal sample: 1.4826 x median absolute deviation.
MAD_TO_SD = 1.4826


def references_dir(workspace_root: Path) -> Path:
    return Path(workspace_root) / REFERENCES_DIRNAME


# --------------------------------------------------------------------------- alignment


def anchored_path(window: np.ndarray, release_row: int, mean: np.ndarray, mean_release_row: int) -> tuple[np.ndarray, np.ndarray]:
    """DTW pairs ``(attempt rows, reference rows)`` with the two releases paired to each other.

    ``window`` and ``mean`` are (frame, part, 2); the parts before and after
    release are warped separately (dtaidistance's C implementation).
    """
    attempt_rows: list[np.ndarray] = []
    reference_rows: list[np.ndarray] = []
    for a_lo, a_hi, r_lo, r_hi in ((0, release_row + 1, 0, mean_release_row + 1), (release_row, len(window), mean_release_row, len(mean))):
        a = np.array(window[a_lo:a_hi].reshape(a_hi - a_lo, -1), dtype=np.float64, order="C")  # writable: the C code needs it
        r = np.array(mean[r_lo:r_hi].reshape(r_hi - r_lo, -1), dtype=np.float64, order="C")
        pairs = np.array(dtw_ndim.warping_path(a, r, use_c=True))
        attempt_rows.append(pairs[:, 0] + a_lo)
        reference_rows.append(pairs[:, 1] + r_lo)
    return np.concatenate(attempt_rows), np.concatenate(reference_rows)


def path_offsets(window: np.ndarray, mean: np.ndarray, attempt_rows: np.ndarray, reference_rows: np.ndarray) -> np.ndarray:
    """(pair, part, 2) attempt minus reference along the warping path."""
    return window[attempt_rows] - mean[reference_rows]


def path_distances(window: np.ndarray, release_row: int, mean: np.ndarray, mean_release_row: int) -> np.ndarray:
    """(part,) mean distance from the reference path along the anchored warping path, body lengths."""
    rows = anchored_path(window, release_row, mean, mean_release_row)
    return np.linalg.norm(path_offsets(window, mean, *rows), axis=-1).mean(axis=0)


# --------------------------------------------------------------------------- the reference


class SpreadSource(StrEnum):
    """Whose variability a reference's spreads (the tolerances of every z) describe."""

    OWN = "own reps"  # the reference's reps, or the person's own reps around a coach's demonstration
    SKILL = "skill"  # too few reps to tell: the skill preset's typical spreads


def _frozen_map(values: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({str(k): float(v) for k, v in values.items()})


@dataclass(frozen=True)
class ReferenceMember:
    """One rep as the reference sees it: its path window around release and its features."""

    window_bl: np.ndarray  # (row, part, 2), body-centred, one row per frame interval
    release_row: int
    features: Mapping[str, float]
    first_frame: float = 0.0  # fractional video frame of row 0


@dataclass(frozen=True)
class RepReference:
    """The typical path and feature spread of a skill for one person (or coach).

    ``parts`` are the preset's part roles ("acting_wrist", "nose"), resolved to
    the attempt's side when compared. ``path_distance_*`` describe how far the
    reference's own reps stray from ``mean_trajectory_bl``, per part.
    """

    reference_id: str
    skill: str
    parts: tuple[str, ...]
    fps: float
    release_row: int
    mean_trajectory_bl: np.ndarray  # (frame, part, 2)
    feature_centre: Mapping[str, float]
    feature_spread: Mapping[str, float]
    path_distance_centre_bl: Mapping[str, float]
    path_distance_spread_bl: Mapping[str, float]
    rep_count: int
    source: str = ""
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    spread_source: SpreadSource = SpreadSource.OWN

    def __post_init__(self) -> None:
        trajectory = np.array(self.mean_trajectory_bl, dtype=float, copy=True)
        if trajectory.ndim != 3 or trajectory.shape[1:] != (len(self.parts), 2):
            raise ValueError(f"mean_trajectory_bl has shape {trajectory.shape}, expected (frame, {len(self.parts)}, 2)")
        if not 0 <= self.release_row < len(trajectory) or not np.all(np.isfinite(trajectory)):
            raise ValueError("mean_trajectory_bl must be finite and contain the release row")
        trajectory.setflags(write=False)
        object.__setattr__(self, "mean_trajectory_bl", trajectory)
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "spread_source", SpreadSource(self.spread_source))
        for name in ("feature_centre", "feature_spread", "path_distance_centre_bl", "path_distance_spread_bl"):
            object.__setattr__(self, name, _frozen_map(getattr(self, name)))

    def save(self, folder: Path) -> Path:
        """Write ``<id>.json`` and ``<id>.npz`` into ``folder``; returns the JSON path."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserFacingError(f"{folder}: cannot create the references folder ({error.strerror or error})") from None
        meta = {
            "schema": SCHEMA_VERSION,
            "reference_id": self.reference_id,
            "skill": self.skill,
            "parts": list(self.parts),
            "fps": self.fps,
            "release_row": self.release_row,
            "feature_centre": dict(self.feature_centre),
            "feature_spread": dict(self.feature_spread),
            "path_distance_centre_bl": dict(self.path_distance_centre_bl),
            "path_distance_spread_bl": dict(self.path_distance_spread_bl),
            "rep_count": self.rep_count,
            "source": self.source,
            "created": self.created,
            "spread_source": str(self.spread_source),
        }
        arrays = io.BytesIO()
        np.savez(arrays, mean_trajectory_bl=self.mean_trajectory_bl)
        json_path = folder / f"{self.reference_id}.json"
        atomic_write_bytes(json_path.with_suffix(".npz"), arrays.getvalue())  # the path first: the JSON announces it
        atomic_write_bytes(json_path, (json.dumps(meta, indent=2, allow_nan=False) + "\n").encode())
        return json_path


def load_reference(folder: Path, reference_id: str) -> RepReference:
    """A saved reference by id; a missing or damaged one is a one-line error naming the file."""
    if not _ID.match(reference_id):
        raise UserFacingError(f"reference id '{reference_id}' is not valid: letters, digits, '.', '_' and '-' only")
    json_path = Path(folder) / f"{reference_id}.json"
    npz_path = json_path.with_suffix(".npz")
    if not json_path.is_file():
        known = sorted(p.stem for p in Path(folder).glob("*.json")) if Path(folder).is_dir() else []
        choices = f"; saved: {', '.join(known)}" if known else "; none saved yet"
        raise UserFacingError(f"{json_path}: no such reference{choices}")
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        with np.load(npz_path, allow_pickle=False) as arrays:
            trajectory = np.array(arrays["mean_trajectory_bl"], dtype=float)
        if meta.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"schema {meta.get('schema')} is not {SCHEMA_VERSION}")
        return RepReference(
            reference_id=str(meta["reference_id"]),
            skill=str(meta["skill"]),
            parts=tuple(str(p) for p in meta["parts"]),
            fps=float(meta["fps"]),
            release_row=int(meta["release_row"]),
            mean_trajectory_bl=trajectory,
            feature_centre=meta["feature_centre"],
            feature_spread=meta["feature_spread"],
            path_distance_centre_bl=meta["path_distance_centre_bl"],
            path_distance_spread_bl=meta["path_distance_spread_bl"],
            rep_count=int(meta["rep_count"]),
            source=str(meta.get("source", "")),
            created=str(meta.get("created", "")),
            spread_source=SpreadSource(meta.get("spread_source", SpreadSource.OWN)),
        )
    except FileNotFoundError:
        raise UserFacingError(f"{npz_path}: reference path file is missing") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserFacingError(f"{json_path}: damaged reference ({type(error).__name__}: {error})") from None


def robust_centre_spread(values: Sequence[float], floor: float) -> tuple[float, float]:
    """Median and max(1.4826 x MAD, floor) of the finite values."""
    data = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if data.size == 0:
        return float("nan"), floor
    centre = float(np.median(data))
    return centre, max(MAD_TO_SD * float(np.median(np.abs(data - centre))), floor)


def build_reference(
    members: Sequence[ReferenceMember],
    *,
    reference_id: str,
    skill: str,
    parts: Sequence[str],
    fps: float,
    settings: ReferenceSettings,
    source: str = "",
) -> RepReference:
    """A reference from chosen reps (the person's successful ones, hand-picked ones, or a coach's, even one).

    The windows are lined up at their release rows and cropped to the rows
    every member has; the mean path is the per-sample median. With at least
    ``settings.min_reps`` reps the spreads are the reps' own (robust, floored
    by measurement noise); with fewer they cannot be told, and the skill's
    typical spreads stand in (``spread_source`` says which).
    Raises UserFacingError without any rep.
    """
    if not members:
        raise UserFacingError(f"a {skill} reference needs at least one rep")
    own_spread = len(members) >= settings.min_reps
    if not _ID.match(reference_id):
        raise UserFacingError(f"reference id '{reference_id}' is not valid: letters, digits, '.', '_' and '-' only")
    before = min(m.release_row for m in members)
    after = min(len(m.window_bl) - m.release_row for m in members)
    stacked = np.stack([m.window_bl[m.release_row - before : m.release_row + after] for m in members])
    mean = np.nanmedian(stacked, axis=0)
    if not np.all(np.isfinite(mean)):
        raise UserFacingError(f"the {skill} reps chosen for a reference have body parts missing around release")
    complete = [w for w in stacked if np.all(np.isfinite(w))]
    distances = np.stack([path_distances(w, before, mean, before) for w in complete]).reshape(len(complete), len(parts))
    centre_spread = [robust_centre_spread(distances[:, i].tolist(), settings.spread_floor_bl) for i in range(len(parts))]
    names = sorted({k for m in members for k in m.features})
    features = {n: robust_centre_spread([m.features.get(n, np.nan) for m in members], settings.floor_for(n)) for n in names}
    if not own_spread:
        centre_spread = [(centre, settings.skill_path_spread_bl) for centre, _ in centre_spread]
        features = {n: (centre, settings.skill_spread_for(n)) for n, (centre, _) in features.items()}
    return RepReference(
        reference_id=reference_id,
        skill=skill,
        parts=tuple(parts),
        fps=float(fps),
        release_row=before,
        mean_trajectory_bl=mean,
        feature_centre={n: c for n, (c, _) in features.items()},
        feature_spread={n: s for n, (_, s) in features.items()},
        path_distance_centre_bl={p: c for p, (c, _) in zip(parts, centre_spread)},
        path_distance_spread_bl={p: s for p, (_, s) in zip(parts, centre_spread)},
        rep_count=len(members),
        source=source,
        spread_source=SpreadSource.OWN if own_spread else SpreadSource.SKILL,
    )


def with_own_spreads(demonstration: RepReference, own: RepReference) -> RepReference:
    """A demonstration's path and feature centres with the spreads of the person's own reps.

    One rep of a coach says what to aim at, not how much a person varies;
    once the person has enough reps of their own, those tell.
    """
    return replace(
        demonstration,
        feature_spread={n: own.feature_spread.get(n, s) for n, s in demonstration.feature_spread.items()},
        path_distance_spread_bl={p: own.path_distance_spread_bl.get(p, s) for p, s in demonstration.path_distance_spread_bl.items()},
        spread_source=SpreadSource.OWN,
    )
