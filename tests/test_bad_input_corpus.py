"""Every command survives a damaged workspace and hostile input (issue 18).

For each case of the corpus (tests/bad_inputs.py) and each command that reads it, the CLI runs
in-process: a refusal is exit 2 with one line on stderr naming the damaged file, never a traceback;
nothing saved changes, and nothing is written anywhere else. A healthy session beside the damaged
one keeps working.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import (
    BAD_CALIBRATIONS,
    BAD_MODELS,
    BAD_VIDEOS,
    CALIBRATION_TOML,
    FAILS,
    GOOD_CALIBRATION,
    SESSION_DAMAGES,
    SessionDamage,
    png_claiming_size,
    undecodable_video,
    zip_session_folder,
)
from session_fixtures import complete_session, elbow_flexion_sequence, write_tiny_video

from motor_trainer.calibration.camera import find_matching_calibration, load_camera_calibration
from motor_trainer.capture.sources import LiveSource
from motor_trainer.cli import main
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.models import MODELS_FOLDER_VARIABLE, bundled_lite_model
from motor_trainer.storage.landmark_files import LandmarkChunk, write_landmark_chunk
from motor_trainer.storage.manifest import SessionSource, SessionStatus, SourceKind
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a hash of its bytes: what 'nothing changed' compares."""
    entries = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        entries[relative] = "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused_in_one_line(code: int, out: str, err: str, named: Path | str) -> None:
    """Exit 2 and one error line naming the file, last on stderr (a progress line such as
    "tracking FILE ..." may come before it), with no traceback anywhere."""
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith("motor-trainer: error: ")]
    assert code == 2, f"exit {code}, stderr {err!r}"
    assert len(errors) == 1 and lines[-1] == errors[0], f"not one error line: {err!r}"
    assert "Traceback" not in out + err
    assert str(named) in errors[0], f"{named} not named in {errors[0]!r}"


@pytest.fixture
def damaged_workspace(tmp_path: Path, request: pytest.FixtureRequest):
    """A workspace with a healthy session (the bystander) and a session damaged as the case says."""
    damage: SessionDamage = request.param
    workspace = Workspace(tmp_path / "workspace").ensure().root
    store = SessionStore(workspace / "sessions")
    bystander = complete_session(store, skill="bystander")
    victim = complete_session(store, skill="victim")
    damage.apply(victim.directory)
    return damage, workspace, bystander, victim


@pytest.mark.parametrize("damaged_workspace", SESSION_DAMAGES, ids=[d.name for d in SESSION_DAMAGES], indirect=True)
def test_a_damaged_session_is_named_in_one_line_and_never_stops_other_commands(damaged_workspace, tmp_path, capsys):
    damage, workspace, bystander, victim = damaged_workspace
    ws = ("--workspace", str(workspace))
    damaged_file = victim.directory / damage.damaged_file
    before = snapshot(tmp_path)

    code, out, err = run_cli(capsys, *ws, "sessions", "list")
    assert code == 0 and bystander.session_id in out and "Traceback" not in out + err
    if damage.name.startswith("manifest") or damage.name == "landmarks missing":
        [line] = [line for line in out.splitlines() if str(victim.directory) in line]
        assert line.startswith("damaged: ") and str(damaged_file) in line
    code, out, err = run_cli(capsys, *ws, "models", "list")  # any command scans the sessions at start
    assert code == 0 and "Traceback" not in out + err

    reads = {"show": ("sessions", "show", victim.session_id),
             "csv": ("export", victim.session_id, "--format", "csv", "--out", str(tmp_path / "out")),
             "bundle": ("export", victim.session_id, "--format", "bundle", "--out", str(tmp_path / "out"))}
    for command, argv in reads.items():
        code, out, err = run_cli(capsys, *ws, *argv)
        if getattr(damage, command) == FAILS:
            assert_refused_in_one_line(code, out, err, damaged_file)
            assert snapshot(tmp_path) == before, f"{command} wrote or changed something"
        else:
            assert code == 0 and "Traceback" not in out + err
            before = snapshot(tmp_path)
    assert not list((tmp_path / "out").glob("*.zip")), "a bundle of a damaged session was written"

    bundle = zip_session_folder(victim, tmp_path / "damaged.mtbundle.zip")
    before_import = snapshot(workspace)
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "elsewhere"), "sessions", "import", str(bundle))
    assert_refused_in_one_line(code, out, err, bundle)
    assert not list((tmp_path / "elsewhere" / "sessions").iterdir()), "a refused import left something behind"
    assert snapshot(workspace) == before_import

    code, out, err = run_cli(capsys, *ws, "export", bystander.session_id, "--format", "csv", "--out", str(tmp_path / "ok"))
    assert code == 0 and len(list((tmp_path / "ok").glob("*.csv"))) == 3


def test_export_out_naming_a_file_is_refused(tmp_path, capsys):
    session = complete_session(SessionStore(tmp_path / "ws" / "sessions"))
    existing = tmp_path / "report.txt"
    existing.write_text("kept")
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "export", session.session_id,
                             "--format", "csv", "--out", str(existing))
    assert_refused_in_one_line(code, out, err, existing)
    assert existing.read_text() == "kept"


def test_an_imported_bundle_cannot_point_replay_at_a_file_of_this_machine(tmp_path, capsys):
    session = complete_session(SessionStore(tmp_path / "a" / "sessions"))
    session.update_manifest(source=SessionSource(SourceKind.VIDEO_FILE, path="/etc/passwd"))
    code, out, _ = run_cli(capsys, "--workspace", str(tmp_path / "a"), "export", session.session_id,
                           "--format", "bundle", "--out", str(tmp_path))
    assert code == 0
    code, _, _ = run_cli(capsys, "--workspace", str(tmp_path / "b"), "sessions", "import", out.strip())
    assert code == 0
    [imported] = SessionStore(tmp_path / "b" / "sessions")
    assert imported.manifest.source.path is None and imported.manifest.source.kind is SourceKind.VIDEO_FILE


# --------------------------------------------------------------------------- videos

VIDEO_COMMANDS = {
    "track": ("track", "{video}"),
    "analyze": ("analyze", "{video}", "--skill", "free-throw"),
    "record": ("record", "--video-as-camera", "{video}"),
    "calibrate": ("calibrate", "camera", "{video}"),
}


@pytest.mark.parametrize("video_case", sorted(BAD_VIDEOS))
def test_a_bad_video_is_refused_in_one_line_by_every_command(video_case, tmp_path, capsys):
    video = BAD_VIDEOS[video_case](tmp_path)
    workspace = Workspace(tmp_path / "workspace").ensure().root
    complete_session(SessionStore(workspace / "sessions"))
    before = snapshot(tmp_path)
    for command, template in VIDEO_COMMANDS.items():
        argv = [part.format(video=video) for part in template]
        code, out, err = run_cli(capsys, "--workspace", str(workspace), *argv)
        assert_refused_in_one_line(code, out, err, video)
        assert snapshot(tmp_path) == before, f"{command} left something behind"


def test_record_refuses_to_save_a_video_without_one_decodable_frame(tmp_path, capsys):
    video = undecodable_video(tmp_path)
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "record", "--video-as-camera", str(video))
    assert_refused_in_one_line(code, out, err, video)
    assert list(SessionStore(tmp_path / "ws" / "sessions")) == [], "an empty session was saved"


def test_record_warns_when_nobody_is_in_view_and_rejects_a_negative_length(tmp_path, capsys):
    video = tmp_path / "empty_room.mkv"
    write_tiny_video(video, frame_count=15, size_px=(160, 120))
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "record", "--video-as-camera", str(video))
    assert code == 0 and f"warning: {video}: no person found in any of the" in err
    [session] = SessionStore(tmp_path / "ws" / "sessions")
    assert session.manifest.status is SessionStatus.COMPLETE and session.manifest.frame_count > 0
    with pytest.raises(SystemExit) as exit_info:
        main(["--workspace", str(tmp_path / "ws"), "record", "--video-as-camera", str(video), "--seconds", "-1"])
    assert exit_info.value.code == 2 and "must be a positive number of seconds" in capsys.readouterr().err


class _CameraThatFails(LiveSource):
    """Hands over three frames, then its driver raises: as a file damaged part-way or an unplugged camera."""

    fps = 30.0
    frame_size_px = (64, 48)

    def _run_capture(self) -> None:
        start_s = 0.0
        for index in range(3):
            self._publish(np.zeros((48, 64, 3), np.uint8), start_s + index / 30, start_s)
            threading.Event().wait(0.01)
        raise RuntimeError("driver lost the device")


def test_a_capture_thread_failure_reaches_the_consumer_as_one_line_not_a_thread_traceback(monkeypatch):
    thread_errors = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    source = _CameraThatFails("camera 7").start()
    taken = []
    with pytest.raises(UserFacingError, match=r"^camera 7: capture failed \(driver lost the device\)$"):
        taken.extend(source.frames())
    source.stop()
    assert len(taken) >= 1 and thread_errors == []


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("model_case", sorted(BAD_MODELS))
def test_a_bad_model_is_refused_before_it_is_installed_or_used(model_case, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(MODELS_FOLDER_VARIABLE, str(tmp_path / "models"))
    model = BAD_MODELS[model_case](tmp_path, bundled_lite_model())
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "models", "import", str(model))
    assert_refused_in_one_line(code, out, err, model)
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir()), "installed anyway"
    if model_case == "swapped members":  # a zip that looks right: refused when a command tries to use it
        video = tmp_path / "clip.mkv"
        write_tiny_video(video, frame_count=5, size_px=(160, 120))
        code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "track", str(video), "--model", str(model))
        assert_refused_in_one_line(code, out, err, model)


# --------------------------------------------------------------------------- photos, calibrations, CSV


def test_photos_claiming_sixty_thousand_pixels_square_are_skipped_before_decoding(tmp_path, capsys):
    photos = [png_claiming_size(tmp_path / f"board_{i}.png", 60000, 60000) for i in range(3)]
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "calibrate", "camera", *map(str, photos))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert "found in only 0 input(s)" in err and "board_0.png" in err


@pytest.mark.parametrize("calibration_case", sorted(BAD_CALIBRATIONS))
def test_an_implausible_camera_calibration_is_refused_named_and_passed_over(calibration_case, tmp_path):
    bad = tmp_path / "camera_corpus.toml"
    bad.write_text(CALIBRATION_TOML.format(**BAD_CALIBRATIONS[calibration_case]))
    with pytest.raises(UserFacingError) as refused:
        load_camera_calibration(bad)
    assert str(refused.value).startswith(f"{bad}: ") and "\n" not in str(refused.value)
    calibration, warnings = find_matching_calibration(tmp_path, (640, 480))
    assert calibration is None and len(warnings) == 1 and str(bad) in warnings[0]


def test_a_plausible_calibration_still_loads(tmp_path):
    good = tmp_path / "camera_corpus.toml"
    good.write_text(CALIBRATION_TOML.format(**GOOD_CALIBRATION))
    assert load_camera_calibration(good).focal_length_px == (600.0, 600.0)


def test_an_outcomes_csv_with_a_huge_field_is_one_line_naming_it(tmp_path):
    from motor_trainer.analysis.outcomes import OutcomeType, read_outcomes_csv

    path = tmp_path / "outcomes.csv"
    path.write_text("hit\n" + "x" * 200_000 + "\n")
    with pytest.raises(UserFacingError, match=rf"^{path}:2: not a valid outcomes CSV"):
        read_outcomes_csv(path, OutcomeType.HIT_MISS)


# --------------------------------------------------------------------------- recovery


def test_recovery_keeps_every_good_chunk_of_a_recording_with_one_damaged_chunk(tmp_path, capsys):
    sequence = elbow_flexion_sequence(frame_count=90)
    store = SessionStore(tmp_path / "ws" / "sessions")
    session = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="lite",
                           image_size_px=sequence.image_size_px, fps=30.0)
    session.chunks_dir.mkdir()
    for index in range(3):
        rows = slice(30 * index, 30 * (index + 1))
        write_landmark_chunk(session.chunks_dir, LandmarkChunk(
            index=index, time_s=sequence.time_s[rows], xy_px=sequence.xy_px[rows], visibility=sequence.visibility[rows],
            presence=sequence.presence[rows], world_m=sequence.world_m[rows]))
    damaged_chunk = session.chunks_dir / "chunk_000001.npz"
    damaged_chunk.write_bytes(damaged_chunk.read_bytes()[:300])
    damaged_bytes = damaged_chunk.read_bytes()

    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "sessions", "recover", session.session_id)
    assert code == 0 and "Traceback" not in out + err
    assert f"warning: skipped {damaged_chunk}" in out
    recovered = store.get(session.session_id)
    assert recovered.manifest.status is SessionStatus.COMPLETE and recovered.manifest.frame_count == 60
    np.testing.assert_array_equal(recovered.landmarks().time_s, np.concatenate([sequence.time_s[:30], sequence.time_s[60:]]))
    assert damaged_chunk.read_bytes() == damaged_bytes, "the damaged chunk is kept as it was"


def test_the_calibration_pages_refuse_a_photo_claiming_sixty_thousand_pixels_square_without_decoding_it(tmp_path, monkeypatch):
    """The wizard's photo pages: the camera page lists the photo as skipped with the reason under a
    plain grey tile, the dartboard/floor page says why in one line; neither asks OpenCV for the pixels."""
    from motor_trainer.cvshim import cv2
    from motor_trainer.gui.camera_calibration_page import detect_file
    from motor_trainer.gui.plane_calibration_page import read_image_frame

    photo = png_claiming_size(tmp_path / "board.png", 60000, 60000)
    decoded = []
    real_imread = cv2.imread
    monkeypatch.setattr(cv2, "imread", lambda *args: decoded.append(args) or real_imread(*args))
    listed = detect_file(photo, (4, 7))
    assert "claims more than the 200,000,000 pixels a photo may have" in listed.detection.reason
    assert np.all(listed.thumbnail_rgb == listed.thumbnail_rgb[0, 0])  # the tile an unreadable photo gets
    with pytest.raises(UserFacingError, match=r"board\.png: claims more than the 200,000,000 pixels") as refused:
        read_image_frame(photo, tmp_path)
    assert "\n" not in str(refused.value)
    assert decoded == []
