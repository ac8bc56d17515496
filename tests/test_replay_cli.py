"""`motor-trainer replay SESSION REP` on saved sessions made from real footage (see replay_footage_cases)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import MEDIA
from replay_footage_cases import DANCE, FREE_THROW, delayed_dance, perturbed_free_throw

from motor_trainer.analysis.rep_reference import build_reference as build_rep_reference
from motor_trainer.analysis.rep_reference import references_dir
from motor_trainer.analysis.routine_reference import build_reference as build_routine
from motor_trainer.analysis.routine_reference import save_reference as save_routine
from motor_trainer.capture.sources import open_video
from motor_trainer.cli import main
from motor_trainer.cvshim import cv2
from motor_trainer.feedback.replay_output import write_mp4
from motor_trainer.storage.store import save_tracked_session
from motor_trainer.workspace import Workspace

pytestmark = pytest.mark.footage


def _frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def free_throw_session(workspace: Workspace, push_bl: float) -> str:
    """A saved session of the free throw with the elbow pushed back, and the real throw saved as reference 'real-throw'."""
    attempt, real, preset = perturbed_free_throw(push_bl)
    reference = build_rep_reference(
        [real.member], reference_id="real-throw", skill=preset.name, parts=preset.trajectory_parts,
        fps=attempt.fps, settings=dataclasses.replace(preset.reference, min_reps=1),
    )
    reference.save(references_dir(workspace.ensure().root))
    return save_tracked_session(workspace, MEDIA / FREE_THROW, attempt, "lite", skill=preset.name).session_id


def test_replay_command_writes_the_mp4_and_contact_sheet_of_an_obvious_miss(tmp_path: Path, capsys) -> None:
    workspace = Workspace(tmp_path / "ws")
    session_id = free_throw_session(workspace, 0.05)
    code = main(["--workspace", str(workspace.root), "replay", session_id, "1", "--reference", "real-throw", "--no-fade"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    mp4 = workspace.sessions_dir / session_id / "derived" / "replay_rep001.mp4"
    assert _frame_count(mp4) > 60  # 71 clip frames at 30 fps, slowed and held: longer than the clip itself
    assert mp4.with_suffix(".png").stat().st_size > 50_000
    assert "right elbow" in printed and "drawn 2× larger" in printed


def test_replay_command_refuses_a_subtle_rep_and_an_unknown_rep_in_one_line(tmp_path: Path, capsys) -> None:
    workspace = Workspace(tmp_path / "ws")
    session_id = free_throw_session(workspace, 0.01)
    base = ["--workspace", str(workspace.root), "replay", session_id]
    assert main([*base, "1", "--reference", "real-throw"]) == 2
    error = capsys.readouterr().err.strip()
    assert "subtle" in error and "only obvious misses are replayed" in error and "\n" not in error
    assert main([*base, "5", "--reference", "real-throw"]) == 2
    assert "has no rep 5 (reps: 1)" in capsys.readouterr().err
    assert not (workspace.sessions_dir / session_id / "derived" / "replay_rep001.mp4").exists()


def _attempt_video_frames(source_frame: np.ndarray, size_px: tuple[int, int]) -> Iterator[np.ndarray]:
    """The dance footage on the attempt's clock (source frames repeat or skip), shrunk to ``size_px``."""
    with open_video(MEDIA / DANCE, rotate_deg=270) as video:
        frames = video.frames()
        current = next(frames)
        for wanted in source_frame:
            while current.index < wanted:
                current = next(frames)
            yield cv2.resize(current.image_rgb, size_px, interpolation=cv2.INTER_AREA)


def test_replay_command_draws_a_late_dance_step_from_a_session_and_a_saved_routine(tmp_path: Path, capsys) -> None:
    reference, attempt, source_frame, step = delayed_dance(0.3)
    video = tmp_path / "late_dance.mp4"
    # Half size: the replay scales the landmarks (1080x1920 pixels) to whatever the footage is.
    write_mp4(_attempt_video_frames(source_frame, (540, 960)), video, attempt.fps)
    workspace = Workspace(tmp_path / "ws")
    session_id = save_tracked_session(workspace, video, attempt, "lite", skill="dance-footwork").session_id
    routine_folder = save_routine(build_routine(reference, name="dance", audio_path=MEDIA / DANCE), tmp_path / "routine")

    base = ["--workspace", str(workspace.root), "replay", session_id]
    step_index = [s.plant_s for s in build_routine(reference, name="dance").steps].index(step.plant_s)
    code = main([*base, str(step_index + 1), "--reference", str(routine_folder), "--no-fade"])  # steps count from 1
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "ms late" in printed.out
    mp4 = workspace.sessions_dir / session_id / "derived" / f"replay_rep{step_index + 1:03d}.mp4"
    assert _frame_count(mp4) > 38
