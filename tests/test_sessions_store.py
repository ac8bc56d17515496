"""Session folders: manifest, events, landmarks, chunks, listing, recovery and progress queries."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from session_fixtures import complete_session, elbow_flexion_sequence, example_verdict

from motor_trainer.errors import UserFacingError
from motor_trainer.storage.events import EventKind, EventLog, read_events
from motor_trainer.storage.landmark_files import LandmarkChunk, load_landmarks, save_landmarks, write_landmark_chunk
from motor_trainer.storage.manifest import SCHEMA_VERSION, SessionSource, SessionStatus, SourceKind, read_manifest
from motor_trainer.storage.store import SessionStore


@pytest.fixture
def store(tmp_path):
    return SessionStore(tmp_path / "sessions")


def test_landmarks_round_trip_exactly_including_missing_frames(tmp_path):
    sequence = elbow_flexion_sequence()
    save_landmarks(sequence, tmp_path / "landmarks.npz")
    loaded = load_landmarks(tmp_path / "landmarks.npz")
    for name in ("time_s", "xy_px", "visibility", "presence", "world_m"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(sequence, name))
    assert loaded.image_size_px == sequence.image_size_px
    assert loaded.fps == sequence.fps and loaded.source == sequence.source
    assert not loaded.detected[7] and loaded.detected[8]


def test_a_pickled_landmarks_file_is_refused_without_unpickling(tmp_path):
    hostile = tmp_path / "landmarks.npz"
    hostile.write_bytes(pickle.dumps({"xy_px": [1, 2, 3]}))
    with pytest.raises(UserFacingError, match="pickled") as caught:
        load_landmarks(hostile)
    assert str(hostile) in str(caught.value) and "\n" not in str(caught.value)


def test_an_npz_holding_an_object_array_is_refused(tmp_path):
    hostile = tmp_path / "landmarks.npz"
    arrays = {name: np.zeros(1) for name in ("time_s", "xy_px", "visibility", "presence", "world_m", "fps",
                                             "image_size_px")}
    np.savez(hostile, source=np.array([{"evil": 1}], dtype=object), **arrays)
    with pytest.raises(UserFacingError, match="pickled"):
        load_landmarks(hostile)


def test_created_session_is_recording_until_finalised_and_lists_oldest_first(store):
    earlier = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    first = complete_session(store, started_at=earlier)
    second = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="full", skill="dance",
                          started_at=earlier + timedelta(days=1))
    listed = list(store)
    assert [s.session_id for s in listed] == [first.session_id, second.session_id]
    assert listed[0].manifest.status is SessionStatus.COMPLETE
    assert listed[1].manifest.status is SessionStatus.RECORDING
    assert [s.session_id for s in store.unfinished()] == [second.session_id]
    manifest = json.loads(first.manifest_path.read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["skill"] == "free_throw" and manifest["model"] == "lite"
    assert manifest["frame_count"] == 60 and manifest["video"] == "video.mkv"


def test_two_sessions_started_in_the_same_second_get_distinct_folders(store):
    moment = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    source = SessionSource(SourceKind.WEBCAM, camera_index=0)
    a = store.create(source=source, model="lite", skill="darts", started_at=moment)
    b = store.create(source=source, model="lite", skill="darts", started_at=moment)
    assert a.directory != b.directory and a.directory.is_dir() and b.directory.is_dir()


def test_events_are_read_back_in_order_and_a_torn_last_line_is_dropped(tmp_path):
    path = tmp_path / "events.jsonl"
    with EventLog(path) as log:
        log.append(EventKind.REP, {"index": 0}, time_s=1.0)
        log.append(EventKind.OUTCOME, {"hit": True}, time_s=1.5)
    with open(path, "a") as handle:
        handle.write('{"seq": 2, "kind": "note", "payl')  # the process died mid-write
    events = read_events(path)
    assert [(e.seq, e.kind) for e in events] == [(0, EventKind.REP), (1, EventKind.OUTCOME)]
    with EventLog(path) as log:  # reopening continues on a clean line
        log.append(EventKind.NOTE, {"text": "after the crash"})
    assert [e.seq for e in read_events(path)] == [0, 1, 2]
    assert read_events(path)[2].payload["text"] == "after the crash"


def test_a_damaged_event_line_in_the_middle_is_refused(tmp_path):
    path = tmp_path / "events.jsonl"
    with EventLog(path) as log:
        log.append(EventKind.REP, {"index": 0})
        log.append(EventKind.REP, {"index": 1})
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\nnot json\n" + lines[1] + "\n")
    with pytest.raises(UserFacingError, match="line 2"):
        read_events(path)


def test_a_manifest_from_a_newer_version_or_truncated_is_refused_in_one_line(store):
    session = complete_session(store)
    data = json.loads(session.manifest_path.read_text())
    data["schema_version"] = SCHEMA_VERSION + 1
    session.manifest_path.write_text(json.dumps(data))
    with pytest.raises(UserFacingError, match="newer") as caught:
        read_manifest(session.manifest_path)
    assert "\n" not in str(caught.value)
    session.manifest_path.write_text(json.dumps(data)[:40])
    with pytest.raises(UserFacingError, match="not valid JSON"):
        store.get(session.session_id)
    assert store.problems() and session.session_id in store.problems()[0]
    assert list(store) == []


def test_session_ids_cannot_climb_out_of_the_sessions_folder(store, tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    for bad in ("..", "../x", "/etc", "a/b"):
        with pytest.raises(UserFacingError, match="not a session id"):
            store.get(bad)
        with pytest.raises(UserFacingError):
            store.delete(bad)
    assert (tmp_path / "manifest.json").exists()


def test_recovery_turns_chunks_and_events_into_a_complete_session(store):
    sequence = elbow_flexion_sequence(frame_count=45)
    session = store.create(source=SessionSource(SourceKind.VIDEO_AS_CAMERA, path="x.mp4"), model="lite",
                           image_size_px=sequence.image_size_px)
    session.chunks_dir.mkdir()
    for index, start in enumerate(range(0, 45, 15)):
        part = sequence.slice(start, start + 15)
        write_landmark_chunk(session.chunks_dir, LandmarkChunk(index, part.time_s, part.xy_px, part.visibility,
                                                               part.presence, part.world_m))
    (session.chunks_dir / ".chunk_000003.npz.abc.tmp").write_bytes(b"half a chunk")
    with session.open_event_log() as log:
        log.append(EventKind.VERDICT, example_verdict(0).to_dict(), time_s=0.3)

    recovered = store.recover(session.session_id)

    assert recovered.manifest.status is SessionStatus.COMPLETE
    assert recovered.manifest.recovered_at is not None and recovered.manifest.frame_count == 45
    assert recovered.manifest.ended_at - recovered.manifest.started_at == timedelta(seconds=44 / 30)
    np.testing.assert_array_equal(recovered.landmarks().xy_px, sequence.xy_px)
    assert not recovered.chunks_dir.exists()
    assert recovered.verdicts() == [example_verdict(0)]
    with pytest.raises(UserFacingError, match="already complete"):
        store.recover(session.session_id)


def test_a_sessions_progress_record_carries_its_verdicts_and_how_it_was_practised(store):
    day = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    session = complete_session(store, started_at=day, verdict_count=4)
    record = session.progress_record(session.verdicts())
    assert record.session_id == session.session_id and record.started_at == day and record.skill == "free_throw"
    assert record.verdicts[3] == example_verdict(3)
    assert record.settings == {"smoothing_hz": 6.0}


def test_delete_removes_only_that_session(store):
    keep = complete_session(store, started_at=datetime(2026, 1, 1, tzinfo=UTC))
    gone = complete_session(store, started_at=datetime(2026, 1, 2, tzinfo=UTC))
    store.delete(gone.session_id)
    assert not gone.directory.exists() and keep.directory.is_dir()
    with pytest.raises(UserFacingError, match="no such session"):
        store.get(gone.session_id)


def test_cli_lists_shows_and_deletes_sessions_and_offers_recovery(tmp_path, capsys):
    from motor_trainer.cli import main

    store = SessionStore(tmp_path / "sessions")
    done = complete_session(store, started_at=datetime(2026, 11, 1, 18, 0, tzinfo=UTC))
    interrupted = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="lite")
    workspace = ["--workspace", str(tmp_path)]

    assert main([*workspace, "sessions", "list"]) == 0
    listing = capsys.readouterr().out
    assert done.session_id in listing and interrupted.session_id in listing
    assert "1 unfinished session(s)" in listing and "sessions recover" in listing

    assert main([*workspace, "sessions", "show", done.session_id]) == 0
    shown = capsys.readouterr().out
    assert "skill      free_throw" in shown and "frames     60  at 30.00 fps, person found in 98%" in shown
    # index 1 is the second throw: people count from 1, as `replay` takes it
    assert "Throw 2 (0.33-0.58 s) stood out clearly in elbow drift: 7° out. It missed." in shown
    assert "Throw 2: found." in shown  # this rep event holds frames only
    assert "Note: keep the elbow under the ball" in shown
    assert "=" not in shown.split("WHAT HAPPENED")[1], "sentences, not field dumps"
    assert "[block-summary]" in shown, "the practice coach's block summary follows the events"

    assert main([*workspace, "sessions", "recover"]) == 0
    assert f"recovered session {interrupted.session_id}: 0 frames" in capsys.readouterr().out
    assert main([*workspace, "sessions", "delete", done.session_id]) == 0
    assert not done.directory.exists()
    assert [s.session_id for s in store] == [interrupted.session_id]


def test_an_unmeasurable_feature_is_kept_as_nan_not_a_crash(tmp_path):
    import math
    from dataclasses import replace as replaced

    verdict = replaced(example_verdict(0), features={"release_angle_deg": float("nan")})
    with EventLog(tmp_path / "events.jsonl") as log:
        log.append(EventKind.VERDICT, verdict.to_dict())
    [event] = read_events(tmp_path / "events.jsonl")
    assert math.isnan(event.payload["features"]["release_angle_deg"])


def test_a_renamed_session_folder_is_reported_not_confused_with_another(store):
    session = complete_session(store)
    moved = session.directory.rename(session.directory.with_name("my-best-throws"))
    assert list(store) == []
    assert "rename the folder back" in store.problems()[0] and str(moved) in store.problems()[0]


def test_a_write_that_fails_is_one_line_and_leaves_no_half_file(tmp_path):
    blocked = tmp_path / "landmarks.npz"
    blocked.mkdir()  # the rename onto it fails, as on a disk that refuses the write
    (blocked / "keep.txt").write_text("already here")
    with pytest.raises(UserFacingError, match="could not write") as caught:
        save_landmarks(elbow_flexion_sequence(), blocked)
    assert str(blocked) in str(caught.value) and "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landmarks.npz"], "no temporary file left behind"
    assert (blocked / "keep.txt").read_text() == "already here"
