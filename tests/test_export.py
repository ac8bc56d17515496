"""Exports other tools open: .trc/.mot (OpenSim, Sports2D, Kinovea), DeepLabCut CSV, tidy CSVs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from session_fixtures import complete_session, elbow_flexion_sequence, right_elbow_angle_deg

from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import LANDMARK_COUNT, LANDMARK_NAMES, Landmark
from motor_trainer.storage.export import (
    ExportFormat,
    dlc_csv_text,
    export_session,
    landmarks_csv_text,
    mot_text,
    trc_text,
)
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.store import SessionStore


@dataclass
class TrcFile:
    header: dict[str, str]
    markers: list[str]
    frame: np.ndarray
    time_s: np.ndarray
    xyz: np.ndarray  # (frame, marker, 3)


def read_trc(text: str) -> TrcFile:
    """A reader written from the TRC description (OpenSim "Marker (.trc) Files"), not from our writer.

    Line 1: PathFileType, 4, (X/Y/Z), file name. Line 2: header keys; line 3: their
    values. Line 4: Frame#, Time, then each marker name followed by two empty cells.
    Line 5: two empty cells, then X1 Y1 Z1 X2 ... Then (after an optional blank line)
    one row per frame: frame number, time, three numbers per marker.
    """
    lines = text.split("\n")
    first = lines[0].split("\t")
    assert first[:3] == ["PathFileType", "4", "(X/Y/Z)"]
    header = dict(zip(lines[1].split("\t"), lines[2].split("\t"), strict=True))
    names = lines[3].split("\t")
    assert names[:2] == ["Frame#", "Time"]
    markers = [name for name in names[2:] if name]
    coordinates = lines[4].split("\t")
    assert coordinates[:2] == ["", ""]
    assert coordinates[2:] == [f"{axis}{i}" for i in range(1, len(markers) + 1) for axis in "XYZ"]
    rows = [line.split("\t") for line in lines[5:] if line.strip()]
    assert all(len(row) == 2 + 3 * len(markers) for row in rows), "every data row has Frame#, Time and 3 per marker"
    values = np.array([[float(v) for v in row] for row in rows])
    return TrcFile(header, markers, values[:, 0].astype(int), values[:, 1],
                   values[:, 2:].reshape(len(rows), len(markers), 3))


def test_trc_header_and_positions_follow_sports2d_convention():
    sequence = elbow_flexion_sequence(frame_count=40)
    trc = read_trc(trc_text(sequence, "drill.trc"))
    assert trc.header["NumFrames"] == "40" and trc.header["NumMarkers"] == str(LANDMARK_COUNT)
    assert trc.header["Units"] == "m" and float(trc.header["DataRate"]) == pytest.approx(30.0)
    assert trc.header["OrigNumFrames"] == "40"
    assert len(trc.markers) == 33 and trc.markers[Landmark.LEFT_SHOULDER] == "LShoulder"
    assert trc.markers[Landmark.RIGHT_FOOT_INDEX] == "RBigToe" and trc.markers[Landmark.MOUTH_LEFT] == "LMouth"
    np.testing.assert_allclose(trc.time_s, sequence.time_s, atol=1e-6)
    wrist = trc.xyz[:, Landmark.RIGHT_WRIST]
    present = sequence.detected
    np.testing.assert_allclose(wrist[present, 0] * 1000, sequence.xy_px[present, Landmark.RIGHT_WRIST, 0], atol=1e-3)
    np.testing.assert_allclose(-wrist[present, 1] * 1000, sequence.xy_px[present, Landmark.RIGHT_WRIST, 1], atol=1e-3)
    assert np.all(np.isnan(trc.xyz[7])), "a frame with nobody found stays missing, not zero"


def test_mot_holds_the_known_elbow_angle():
    sequence = elbow_flexion_sequence(frame_count=40)
    lines = mot_text(sequence).split("\n")
    end = lines.index("endheader")
    assert "inDegrees=yes" in lines[:end] and "nRows=40" in lines[:end]
    columns = lines[end + 1].split("\t")
    assert columns[0] == "time" and "right_elbow" in columns
    assert f"nColumns={len(columns)}" in lines[:end]
    table = np.array([[float(v) for v in line.split("\t")] for line in lines[end + 2:] if line])
    elbow = table[:, columns.index("right_elbow")]
    expected = right_elbow_angle_deg(sequence.time_s)
    expected[7] = np.nan
    np.testing.assert_allclose(elbow, expected, atol=1e-4)


def test_dlc_csv_has_scorer_bodyparts_coords_rows():
    sequence = elbow_flexion_sequence(frame_count=12)
    rows = list(csv.reader(io.StringIO(dlc_csv_text(sequence))))
    assert [row[0] for row in rows[:3]] == ["scorer", "bodyparts", "coords"]
    assert len(set(rows[0][1:])) == 1
    assert rows[1][1:4] == ["nose"] * 3 and rows[1][1::3] == list(LANDMARK_NAMES)
    assert rows[2][1:7] == ["x", "y", "likelihood", "x", "y", "likelihood"]
    assert len(rows) == 3 + 12
    column = 1 + 3 * Landmark.RIGHT_WRIST
    assert float(rows[3 + 2][column]) == pytest.approx(sequence.xy_px[2, Landmark.RIGHT_WRIST, 0])
    assert float(rows[3 + 2][column + 2]) == pytest.approx(0.9)
    assert rows[3 + 7][column] == "", "missing landmarks are empty cells, as DeepLabCut leaves them"


def test_tidy_landmark_csv_has_one_row_per_frame_and_landmark():
    sequence = elbow_flexion_sequence(frame_count=10)
    rows = list(csv.DictReader(io.StringIO(landmarks_csv_text(sequence))))
    assert len(rows) == 10 * 33
    wrist = [r for r in rows if r["landmark"] == "right_wrist"]
    assert [int(r["frame"]) for r in wrist] == list(range(10))
    assert float(wrist[3]["y_px"]) == pytest.approx(sequence.xy_px[3, Landmark.RIGHT_WRIST, 1])
    assert wrist[7]["x_px"] == "" and float(wrist[3]["world_z_m"]) == 0.0


def test_export_session_writes_every_format_and_reps_table(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    session = complete_session(store, verdict_count=3)
    written = {fmt: export_session(session, fmt, tmp_path / "out") for fmt in ExportFormat}
    names = {fmt: sorted(p.name for p in paths) for fmt, paths in written.items()}
    sid = session.session_id
    assert names[ExportFormat.CSV] == sorted([f"{sid}_landmarks.csv", f"{sid}_reps.csv", f"{sid}_events.csv"])
    assert names[ExportFormat.TRC] == sorted([f"{sid}.trc", f"{sid}_angles.mot"])
    assert names[ExportFormat.DLC] == [f"{sid}_dlc.csv"]
    assert names[ExportFormat.BUNDLE] == [f"{sid}.mtbundle.zip"]
    reps = list(csv.DictReader((tmp_path / "out" / f"{sid}_reps.csv").read_text().splitlines()))
    assert [r["rep"] for r in reps] == ["1", "2", "3"]  # counted from 1, as people read them
    assert reps[1]["severity"] == "obvious" and reps[1]["largest_deviation"] == "elbow_drift"
    assert float(reps[2]["release_angle_deg"]) == 52.0 and reps[0]["success"] == "true"
    events = list(csv.DictReader((tmp_path / "out" / f"{sid}_events.csv").read_text().splitlines()))
    assert [e["kind"] for e in events] == ["rep", "verdict"] * 3 + ["note"]
    assert read_trc((tmp_path / "out" / f"{sid}.trc").read_text()).header["NumFrames"] == "60"


def test_unfinished_session_is_not_exported(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    session = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="lite")
    with pytest.raises(UserFacingError, match="recover"):
        export_session(session, ExportFormat.TRC, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any(Path(tmp_path / "out").iterdir())


@pytest.mark.footage
def test_trc_of_tracked_lab_steps_parses_upright(tmp_path, media_dir):
    from footage import tracked

    from motor_trainer.storage.store import save_tracked_session
    from motor_trainer.workspace import Workspace

    video = media_dir / "lab_steps_view1.mp4"
    session = save_tracked_session(Workspace(tmp_path / "ws"), video, tracked("lab_steps_view1.mp4"), "lite")
    assert session.video_path.read_bytes() == video.read_bytes()
    [trc_path, mot_path] = export_session(session, ExportFormat.TRC)
    assert trc_path.parent == session.derived_dir
    trc = read_trc(trc_path.read_text())
    assert trc.header["NumFrames"] == "100" and len(trc.frame) == 100
    assert trc.header["NumMarkers"] == "33" and len(trc.markers) == 33 and trc.header["Units"] == "m"
    assert float(trc.header["DataRate"]) == pytest.approx(60.0, abs=0.5)
    assert np.all(np.diff(trc.time_s) > 0)
    nose_y = trc.xyz[:, Landmark.NOSE, 1]
    ankle_y = trc.xyz[:, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 1].mean(axis=1)
    seen = np.isfinite(nose_y) & np.isfinite(ankle_y)
    assert seen.mean() > 0.9
    assert np.all(nose_y[seen] > ankle_y[seen]), "y points up, as OpenSim expects: the head is above the feet"
    body_height_px = np.median(nose_y[seen] - ankle_y[seen]) * 1000
    assert 0.2 * 1920 < body_height_px < 1920, "nose to ankles spans a fair part of the portrait frame"
    assert mot_path.read_text().count("\n") == 10 + 1 + 100


def test_reps_recorded_live_without_analysis_still_get_rows():
    from datetime import UTC, datetime

    from motor_trainer.storage.export import reps_csv_text
    from motor_trainer.storage.events import Event, EventKind

    live = [Event(seq=i, kind=EventKind.REP, wall_time=datetime.now(UTC), time_s=1.0 + i,
                  payload={"index": i, "side": "left", "start_frame": 10 * i, "end_frame": 10 * i + 9,
                           "release_s": 0.8 + i, "peak_speed_bl_per_s": 1.5})
            for i in range(2)]
    rows = list(csv.DictReader(io.StringIO(reps_csv_text("s1", live, []))))
    assert [(r["rep"], r["start_frame"], r["end_frame"], r["side"]) for r in rows] == [
        ("1", "0", "9", "left"), ("2", "10", "19", "left")]
    assert float(rows[1]["release_s"]) == 1.8 and "severity" not in rows[0]
