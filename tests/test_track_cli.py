"""`motor-trainer track` as a user runs it: good footage in, files out; bad input, one clear line."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.cli import main
from motor_trainer.feedback.replay_output import write_mp4
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.storage.landmark_files import load_landmarks
from motor_trainer.storage.store import SessionStore


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.footage
def test_track_writes_landmarks_and_overlay(media_dir, tmp_path, capsys):
    workspace = tmp_path / "workspace"
    code, out, _ = run_cli(
        capsys, "--workspace", str(workspace), "track", str(media_dir / "lab_steps_view1.mp4"), "--out", str(tmp_path), "--overlay"
    )
    assert code == 0
    assert len(list((workspace / "sessions").iterdir())) == 1
    assert "100 frames" in out and "person found in" in out
    sequence = load_landmarks(tmp_path / "lab_steps_view1.landmarks.npz")
    assert len(sequence) == 100 and sequence.detection_rate >= 0.95
    csv_lines = (tmp_path / "lab_steps_view1.landmarks.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 100 * 33
    import av

    with av.open(str(tmp_path / "lab_steps_view1.overlay.mp4")) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == 100


def _empty(path):
    path.write_bytes(b"")


def _random_bytes(path):
    path.write_bytes(np.random.default_rng(0).bytes(50_000))


def _text(path):
    path.write_text("these are my practice notes, not a video\n" * 20)


def _nobody(path):
    """Two seconds of a plain grey wall: a valid video with nobody in it."""
    write_mp4((np.full((240, 320, 3), 128, np.uint8) for _ in range(20)), path, fps=10)


@pytest.mark.parametrize(
    ("name", "make", "cause"),
    [
        ("empty.mp4", _empty, "the file is empty"),
        ("noise.mp4", _random_bytes, "not a readable video"),
        ("notes.txt", _text, "not a readable video"),
        ("missing.mp4", None, "no such file"),
        ("wall.mp4", _nobody, "no person found"),
    ],
)
def test_bad_input_gives_exit_2_and_one_line(tmp_path, capsys, name, make, cause):
    path = tmp_path / name
    if make:
        make(path)
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "track", str(path))
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("\r")]
    error_lines = [line for line in lines if line.startswith("motor-trainer: error:")]
    assert code == 2
    assert len(error_lines) == 1 and str(path) in error_lines[0] and cause in error_lines[0]
    assert "Traceback" not in err


def test_bad_file_in_a_batch_is_skipped(tmp_path, capsys):
    bad = tmp_path / "bad.mp4"
    _random_bytes(bad)
    wall = tmp_path / "wall.mp4"
    _nobody(wall)
    code, out, err = run_cli(capsys, "--workspace", str(tmp_path / "ws"), "track", str(bad), str(wall))
    assert code == 2
    assert err.count("motor-trainer: skipped:") == 2
    assert not list((tmp_path / "ws" / "sessions").glob("*/manifest.json"))


@pytest.mark.footage
def test_analyze_follows_the_person_pointed_at(media_dir, tmp_path, capsys):
    """outdoor_jumps_and_walk.mp4: unpointed, the model's first choice is a phantom skeleton in the sun
    flare; with --subject on the man on the box, the session's landmarks are his (torso centre at
    x 630-815, y 170-258 px while he is on the box, frames 0-160)."""
    workspace = tmp_path / "workspace"
    code, out, _ = run_cli(capsys, "--workspace", str(workspace), "analyze", str(media_dir / "outdoor_jumps_and_walk.mp4"),
                           "--skill", "generic-throw", "--subject", "640,220")
    assert code == 0, out
    (session,) = SessionStore(workspace / "sessions")
    xy = session.landmarks().xy_px[:160]
    torso = xy[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=1)
    seen = np.isfinite(torso[:, 0])
    assert seen.mean() >= 0.9
    assert np.all((torso[seen, 0] > 600) & (torso[seen, 0] < 850) & (torso[seen, 1] < 300))
