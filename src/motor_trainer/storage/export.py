"""Session data in formats other tools open: tidy CSV, OpenSim/Sports2D .trc and .mot, DeepLabCut CSV.

Each format has a pure function that returns the file's text from a
PoseSequence (or events), and ``export_session`` writes the files of one
session. Conventions taken from the tools that read them:

- ``.trc`` follows Sports2D's writer for pixel data: the five header lines as
  Sports2D writes them (no blank line before the data, which Kinovea's
  importer relies on), marker names in Sports2D's BlazePose naming
  (``LShoulder``, ``RBigToe``...), and coordinates ``x_px / 1000``,
  ``-y_px / 1000``, ``0`` with units ``m``, so Kinovea multiplies them back
  onto the video and OpenSim sees a y-up plane. Missing values are ``NaN``.
- ``.mot`` is OpenSim's storage format with ``inDegrees=yes``: the image-plane
  joint angles of ``pose.kinematics.JOINT_ANGLES``, as Sports2D exports angles.
- The DeepLabCut CSV has DLC's three header rows (scorer, bodyparts, coords)
  with x, y in pixels and the landmark visibility as likelihood.
- Tidy CSVs have one observation per row; a missing value is an empty field.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import numpy as np

from motor_trainer.records.verdict import Verdict
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import joint_angles_deg
from motor_trainer.pose.landmarks import LANDMARK_NAMES, Landmark, PoseSequence
from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.storage.events import Event, EventKind
from motor_trainer.storage.manifest import SessionStatus
from motor_trainer.storage.session_folder import Session

DLC_SCORER = "MotorTrainer_BlazePose"


class ExportFormat(StrEnum):
    CSV = "csv"
    TRC = "trc"
    DLC = "dlc"
    BUNDLE = "bundle"


def sports2d_marker_name(landmark: Landmark) -> str:
    """BlazePose landmark as Sports2D/Pose2Sim name it: LEFT_EYE_INNER -> LEyeInner, LEFT_FOOT_INDEX -> LBigToe."""
    words = landmark.name.split("_")
    if words[0] == "MOUTH":  # MOUTH_LEFT: the side comes last
        words = [words[1], words[0]]
    side = {"LEFT": "L", "RIGHT": "R"}.get(words[0], "")
    rest = words[1:] if side else words
    if rest == ["FOOT", "INDEX"]:
        rest = ["BIG", "TOE"]
    return side + "".join(word.capitalize() for word in rest)


TRC_MARKER_NAMES: tuple[str, ...] = tuple(sports2d_marker_name(lm) for lm in Landmark)


def _number(value: float) -> str:
    return "NaN" if not math.isfinite(value) else f"{value:.6f}"


def _csv_number(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else repr(float(value))


def _rate(sequence: PoseSequence) -> float:
    if not math.isfinite(sequence.fps):
        raise UserFacingError(f"{sequence.source or 'landmarks'}: frame rate unknown (fewer than two frames)")
    return sequence.fps


def trc_text(sequence: PoseSequence, file_name: str) -> str:
    """Landmark positions as a Sports2D-style .trc (see the module docstring for the convention)."""
    rate = _rate(sequence)
    frame_count, marker_count = len(sequence), len(TRC_MARKER_NAMES)
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        "\t".join(map(str, [round(rate, 6), round(rate, 6), frame_count, marker_count, "m", round(rate, 6), 0,
                            frame_count])),
        "Frame#\tTime\t" + "\t\t\t".join(TRC_MARKER_NAMES) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, marker_count + 1)),
    ]
    xyz = np.zeros((frame_count, marker_count, 3))
    xyz[..., 0] = sequence.xy_px[..., 0] / 1000.0
    xyz[..., 1] = -sequence.xy_px[..., 1] / 1000.0
    xyz[..., 2] = np.where(np.isfinite(sequence.xy_px[..., 0]), 0.0, np.nan)
    for frame in range(frame_count):
        values = "\t".join(_number(v) for v in xyz[frame].ravel())
        lines.append(f"{frame}\t{_number(sequence.time_s[frame])}\t{values}")
    return "\n".join(lines) + "\n"


def mot_text(sequence: PoseSequence) -> str:
    """Image-plane joint angles in degrees as an OpenSim .mot (Sports2D's angle export)."""
    angles = joint_angles_deg(sequence.xy_px)
    names = list(angles)
    header = [
        "Coordinates",
        "version=1",
        f"nRows={len(sequence)}",
        f"nColumns={len(names) + 1}",
        "inDegrees=yes",
        "",
        "Units are S.I. units (second, meters, Newtons, ...)",
        "If the header above contains a line with 'inDegrees', this indicates whether rotational values are in "
        "degrees (yes) or radians (no).",
        "",
        "endheader",
        "time\t" + "\t".join(names),
    ]
    rows = [
        "\t".join([_number(sequence.time_s[frame]), *(_number(angles[name][frame]) for name in names)])
        for frame in range(len(sequence))
    ]
    return "\n".join(header + rows) + "\n"


def _csv_text(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def dlc_csv_text(sequence: PoseSequence, scorer: str = DLC_SCORER) -> str:
    """DeepLabCut's CSV layout: scorer / bodyparts / coords header rows, then one row per frame."""
    header: list[list[object]] = [
        ["scorer", *([scorer] * 3 * len(LANDMARK_NAMES))],
        ["bodyparts", *(name for name in LANDMARK_NAMES for _ in range(3))],
        ["coords", *(["x", "y", "likelihood"] * len(LANDMARK_NAMES))],
    ]
    rows = []
    for frame in range(len(sequence)):
        values = np.column_stack([sequence.xy_px[frame], sequence.visibility[frame]]).ravel()
        rows.append([frame, *(_csv_number(v) for v in values)])
    return _csv_text(header + rows)


def landmarks_csv_text(sequence: PoseSequence) -> str:
    """One row per frame and landmark (tidy), pixels and world metres side by side."""
    header: list[object] = ["frame", "time_s", "landmark", "x_px", "y_px", "visibility", "presence",
              "world_x_m", "world_y_m", "world_z_m"]
    rows: list[list[object]] = [header]
    for frame in range(len(sequence)):
        time_s = _csv_number(sequence.time_s[frame])
        for landmark, name in enumerate(LANDMARK_NAMES):
            rows.append([
                frame, time_s, name,
                *(_csv_number(v) for v in sequence.xy_px[frame, landmark]),
                _csv_number(sequence.visibility[frame, landmark]),
                _csv_number(sequence.presence[frame, landmark]),
                *(_csv_number(v) for v in sequence.world_m[frame, landmark]),
            ])
    return _csv_text(rows)


_VERDICT_COLUMNS = ("skill", "kind", "start_frame", "end_frame", "start_s", "end_s", "severity", "channel",
                    "success", "outcome_error_mm", "largest_deviation", "largest_deviation_z")


def _verdict_columns(verdict: Verdict) -> dict[str, object]:
    largest = verdict.largest_deviation()
    return {
        "skill": verdict.skill, "kind": str(verdict.kind), "start_frame": verdict.start_frame,
        "end_frame": verdict.end_frame, "start_s": verdict.start_s, "end_s": verdict.end_s,
        "severity": str(verdict.severity), "channel": verdict.channel, "success": verdict.success,
        "outcome_error_mm": verdict.outcome_error_mm,
        "largest_deviation": None if largest is None else largest.name,
        "largest_deviation_z": None if largest is None else largest.z_score,
        **dict(verdict.features),
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _csv_number(value)
    return str(value)


def reps_csv_text(session_id: str, rep_events: Iterable[Event], verdicts: Iterable[Verdict]) -> str:
    """One row per rep, numbered from 1 in the ``rep`` column (``index`` counts from 0): what the live
    segmenter saved (release, peak speed) joined by rep index with the verdict (frames, severity, outcome,
    largest deviation, features). A rep recorded live without analysis still gets its row; a verdict
    without a live rep event too."""
    rows: dict[int, dict[str, object]] = {}
    for event in rep_events:
        payload = {k: v for k, v in event.payload.items() if not isinstance(v, (dict, list))}
        rows.setdefault(int(payload.get("index", len(rows))), {}).update(payload)
    for verdict in verdicts:
        rows.setdefault(verdict.index, {}).update(_verdict_columns(verdict))
    present = {key for row in rows.values() for key in row} - {"index"}
    columns = [c for c in _VERDICT_COLUMNS if c in present] + sorted(present - set(_VERDICT_COLUMNS))
    table: list[list[object]] = [["session_id", "rep", *columns]]
    table += [[session_id, index + 1, *(_cell(rows[index].get(c)) for c in columns)] for index in sorted(rows)]
    return _csv_text(table)


def events_csv_text(events: Iterable[Event]) -> str:
    """Every event, its payload kept as JSON in the last column."""
    rows: list[list[object]] = [["seq", "kind", "time_s", "wall_time", "payload_json"]]
    rows += [[e.seq, e.kind, _csv_number(e.time_s), e.wall_time.isoformat(), json.dumps(dict(e.payload),
                                                                                       sort_keys=True)]
             for e in events]
    return _csv_text(rows)


def export_session(session: Session, export_format: ExportFormat, out_dir: Path | None = None) -> list[Path]:
    """Write one session in ``export_format`` to ``out_dir`` (default: the session's ``derived/``)."""
    if session.manifest.status is not SessionStatus.COMPLETE:
        raise UserFacingError(f"{session.directory}: session is unfinished; run `motor-trainer sessions recover` first")
    out_dir = Path(out_dir) if out_dir is not None else session.derived_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise UserFacingError(f"{out_dir}: is a file; --out names the folder to write to")
    stem = session.session_id
    if export_format is ExportFormat.BUNDLE:
        from motor_trainer.storage.bundle import BUNDLE_SUFFIX, export_bundle

        return [export_bundle(session, out_dir / f"{stem}{BUNDLE_SUFFIX}")]
    sequence = session.landmarks()
    if export_format is ExportFormat.CSV:
        events = session.events()
        texts = {
            f"{stem}_landmarks.csv": landmarks_csv_text(sequence),
            f"{stem}_reps.csv": reps_csv_text(stem, [e for e in events if e.kind is EventKind.REP],
                                              session.verdicts()),
            f"{stem}_events.csv": events_csv_text(events),
        }
    elif export_format is ExportFormat.TRC:
        texts = {f"{stem}.trc": trc_text(sequence, f"{stem}.trc"), f"{stem}_angles.mot": mot_text(sequence)}
    else:
        texts = {f"{stem}_dlc.csv": dlc_csv_text(sequence)}
    try:  # only once everything read: a damaged session leaves no empty folder behind
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserFacingError(f"{out_dir}: cannot create the folder ({error.strerror or error})") from error
    written = []
    for name, text in texts.items():
        atomic_write_bytes(out_dir / name, text.encode("utf-8"))
        written.append(out_dir / name)
    return written
