"""Session bundles: a faithful round trip, and hostile zips refused with nothing written outside."""

from __future__ import annotations

import json
import pickle
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from motor_trainer.errors import UserFacingError
from motor_trainer.storage.bundle import export_bundle, import_bundle
from motor_trainer.storage.manifest import SCHEMA_VERSION
from motor_trainer.storage.store import SessionStore
from session_fixtures import complete_session


@pytest.fixture
def coach_session(tmp_path):
    store = SessionStore(tmp_path / "coach" / "sessions")
    session = complete_session(store)
    session.derived_dir.mkdir()
    (session.derived_dir / "report.json").write_text('{"reps": 3}')
    return session


@pytest.fixture
def student_store(tmp_path):
    return SessionStore(tmp_path / "student" / "sessions")


def _snapshot(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _assert_refused(bundle: Path, store: SessionStore, match: str) -> str:
    """Import must fail with one line naming the bundle and leave the filesystem as it was."""
    watched = bundle.parent
    before = _snapshot(watched)
    with pytest.raises(UserFacingError, match=match) as caught:
        import_bundle(bundle, store)
    message = str(caught.value)
    assert "\n" not in message and str(bundle) in message
    assert _snapshot(watched) - before <= {"student", "student/sessions"}
    if store.sessions_dir.exists():
        assert list(store.sessions_dir.iterdir()) == []
    return message


def _bundle_with(path: Path, members: dict[str, bytes], base: Path | None = None) -> Path:
    """A zip holding ``base``'s members (a real bundle) with ``members`` added or replaced."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        if base is not None:
            with zipfile.ZipFile(base) as original:
                for info in original.infolist():
                    if info.filename not in members:
                        out.writestr(info.filename, original.read(info))
        for name, data in members.items():
            out.writestr(name, data)
    return path


def test_round_trip_keeps_landmarks_events_video_and_derived_files(coach_session, student_store, tmp_path):
    bundle = export_bundle(coach_session, tmp_path / "out" / "session.zip")
    imported = import_bundle(bundle, student_store)
    assert imported.session_id == coach_session.session_id
    assert imported.directory.parent == student_store.sessions_dir
    original, copy = coach_session.landmarks(), imported.landmarks()
    for name in ("time_s", "xy_px", "visibility", "presence", "world_m"):
        np.testing.assert_array_equal(getattr(copy, name), getattr(original, name))
    assert imported.events() == coach_session.events()
    assert imported.verdicts() == coach_session.verdicts() and len(imported.verdicts()) == 3
    # Everything but the source path, which names a file on the exporting machine
    exported_source = coach_session.manifest.source
    assert imported.manifest == replace(coach_session.manifest, source=replace(exported_source, path=None))
    assert imported.video_path.read_bytes() == coach_session.video_path.read_bytes()
    assert (imported.derived_dir / "report.json").read_text() == '{"reps": 3}'
    with pytest.raises(UserFacingError, match="already exists"):
        import_bundle(bundle, student_store)


def test_member_climbing_out_with_dot_dot_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    hostile = _bundle_with(tmp_path / "dotdot.zip", {"../../evil.txt": b"owned"}, base)
    _assert_refused(hostile, student_store, "outside the session folder")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_member_with_an_absolute_path_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    target = tmp_path / "absolute_evil.txt"
    hostile = _bundle_with(tmp_path / "absolute.zip", {str(target): b"owned"}, base)
    _assert_refused(hostile, student_store, "absolute path")
    assert not target.exists()


def test_member_claiming_gigabytes_is_refused_before_extraction(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    hostile = _bundle_with(tmp_path / "claims.zip", {"events.jsonl": b"{}\n"}, base)
    _patch_declared_size(hostile, "events.jsonl", 3 * 1024**3)
    _assert_refused(hostile, student_store, "claims 3,221,225,472 bytes")


def test_member_expanding_a_thousandfold_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    hostile = _bundle_with(tmp_path / "bomb.zip", {"landmarks.npz": bytes(50 * 1024**2)}, base)
    _assert_refused(hostile, student_store, "zip bomb")


def test_member_expanding_past_its_declared_size_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    hostile = _bundle_with(tmp_path / "liar.zip", {"derived/notes.txt": bytes(3 * 1024**2)}, base)
    _patch_declared_size(hostile, "derived/notes.txt", 1000)
    _assert_refused(hostile, student_store, "derived/notes.txt")


def test_manifest_with_a_newer_schema_version_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    manifest = json.loads(coach_session.manifest_path.read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    hostile = _bundle_with(tmp_path / "newer.zip", {"manifest.json": json.dumps(manifest).encode()}, base)
    _assert_refused(hostile, student_store, "newer than this Motor Trainer")


def test_truncated_manifest_json_is_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    truncated = coach_session.manifest_path.read_bytes()[:60]
    hostile = _bundle_with(tmp_path / "truncated.zip", {"manifest.json": truncated}, base)
    _assert_refused(hostile, student_store, "manifest.json: not valid JSON")


class _TouchesFileWhenUnpickled:
    """A pickle that creates ``canary`` if anyone ever unpickles it."""

    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self):
        return (Path.touch, (self.canary,))


def test_landmarks_holding_a_pickled_object_are_refused_unopened(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    canary = tmp_path / "unpickled.flag"
    payload = pickle.dumps(_TouchesFileWhenUnpickled(canary))
    hostile = _bundle_with(tmp_path / "pickle.zip", {"landmarks.npz": payload}, base)
    _assert_refused(hostile, student_store, "pickled object")
    assert not canary.exists()


def test_unknown_members_such_as_pickles_are_refused(coach_session, student_store, tmp_path):
    base = export_bundle(coach_session, tmp_path / "good.zip")
    hostile = _bundle_with(tmp_path / "extra.zip", {"derived/model.pkl": pickle.dumps([1])}, base)
    _assert_refused(hostile, student_store, "not a file a session has")


def test_a_file_that_is_not_a_zip_is_refused(student_store, tmp_path):
    fake = tmp_path / "holiday.zip"
    fake.write_text("just text")
    _assert_refused(fake, student_store, "not a zip file")


def _patch_declared_size(bundle: Path, member: str, size: int) -> None:
    """Rewrite a member's uncompressed size in both zip headers, as a forged archive would."""
    data = bytearray(bundle.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    bundle.write_bytes(bytes(data))


def test_cli_carries_a_session_from_coach_to_student_and_refuses_a_hostile_bundle(coach_session, tmp_path, capsys):
    from motor_trainer.cli import main

    coach_ws = coach_session.directory.parent.parent
    assert main(["--workspace", str(coach_ws), "export", coach_session.session_id, "--format", "bundle",
                 "--out", str(tmp_path / "usb")]) == 0
    bundle = Path(capsys.readouterr().out.strip())
    assert bundle.parent == tmp_path / "usb" and bundle.is_file()
    student_ws = tmp_path / "student_ws"
    assert main(["--workspace", str(student_ws), "sessions", "import", str(bundle)]) == 0
    assert f"imported session {coach_session.session_id}" in capsys.readouterr().out
    imported = SessionStore(student_ws / "sessions").get(coach_session.session_id)
    np.testing.assert_array_equal(imported.landmarks().xy_px, coach_session.landmarks().xy_px)
    assert imported.events() == coach_session.events()

    hostile = _bundle_with(tmp_path / "hostile.zip", {"../outside.txt": b"x"}, bundle)
    assert main(["--workspace", str(tmp_path / "other_ws"), "sessions", "import", str(hostile)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("motor-trainer: error: ") and "outside" in error
    assert not (tmp_path / "other_ws" / "outside.txt").exists()
    assert list((tmp_path / "other_ws" / "sessions").iterdir()) == []


def test_a_session_too_big_to_import_is_refused_at_export_already(coach_session, tmp_path, monkeypatch):
    from motor_trainer.storage import bundle as bundle_module

    monkeypatch.setattr(bundle_module, "MAX_TOTAL_BYTES", 10_000)  # the synthetic session is ~170 kB
    with pytest.raises(UserFacingError, match="more than a bundle may carry"):
        export_bundle(coach_session, tmp_path / "big.zip")
    assert list(tmp_path.glob("*big.zip*")) == []
