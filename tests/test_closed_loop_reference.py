"""Reference routines on disk and the `analyze` path for a closed-loop skill."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from closed_loop_attempts import stretch_delayed
from motor_trainer.analysis.routine_reference import ROUTINE_FILE, build_reference, load_reference, save_reference
from motor_trainer.errors import UserFacingError
from motor_trainer.commands.analyze import analyze_command
from motor_trainer.skills.closed_loop import BeatGrid
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.store import SessionStore

pytestmark = pytest.mark.footage

DANCE = "webcam_dance_sideways.mp4"


@pytest.fixture(scope="module")
def routine(media_dir: Path):
    from footage import tracked

    return build_reference(tracked(DANCE, rotate_deg=270), name="dance", bpm=120.0, first_beat_s=0.25)


def analyze_args(reference: str, **changes) -> SimpleNamespace:
    values = dict(reference=reference, bpm=None, first_beat=None, mirror=False, json=None, rotate=270, model="lite", workspace=None,
                  save_reference=None)
    values.update(changes)
    return SimpleNamespace(**values)


def test_user_tempo_makes_the_beat_grid(routine) -> None:
    grid = routine.beat_grid
    assert grid.bpm == 120.0
    assert np.allclose(np.diff(grid.beat_s), 0.5)
    assert 0.25 in np.round(grid.beat_s, 6)
    assert grid.beat_s[0] >= routine.sequence.time_s[0] and grid.beat_s[-1] <= routine.sequence.time_s[-1]


def test_routine_round_trips_through_its_folder(routine, tmp_path: Path) -> None:
    folder = save_reference(routine, tmp_path / "dance-ref")
    loaded = load_reference(folder)
    assert loaded.steps == routine.steps
    assert loaded.beat_grid.bpm == routine.beat_grid.bpm
    assert np.array_equal(loaded.beat_grid.beat_s, routine.beat_grid.beat_s)
    assert np.array_equal(loaded.sequence.xy_px, routine.sequence.xy_px, equal_nan=True)
    assert loaded.contact == routine.contact


def test_damaged_routine_file_is_a_one_line_error_naming_it(routine, tmp_path: Path) -> None:
    folder = save_reference(routine, tmp_path / "dance-ref")
    data = json.loads((folder / ROUTINE_FILE).read_text())
    data["steps"][0]["foot"] = "middle"
    (folder / ROUTINE_FILE).write_text(json.dumps(data))
    with pytest.raises(UserFacingError, match=ROUTINE_FILE) as error:
        load_reference(folder)
    assert "\n" not in str(error.value)


def test_analyze_prints_the_step_table_and_writes_json(routine, tmp_path: Path, capsys) -> None:
    folder = save_reference(routine, tmp_path / "dance-ref")
    attempt = stretch_delayed(routine.sequence, 1.95, 4.4, 0.24)
    json_path = tmp_path / "analysis.json"
    code = analyze_command(analyze_args(str(folder), json=str(json_path)), attempt, load_preset_table("dance-footwork"))
    assert code == 0
    table = capsys.readouterr().out
    assert table.count("obvious: timing") == 4
    assert "same tempo" in table
    report = json.loads(json_path.read_text())
    late = [step for step in report["steps"] if step["verdict"]["channel"] == "timing"]
    assert len(late) == 4 and all(abs(step["timing_error_ms"] - 240) <= 40 for step in late)
    assert report["reference_bpm"] == 120.0
    assert len(report["reference_frame_for_frame"]) == len(attempt)


def test_user_tempo_overrides_a_saved_grid(routine, tmp_path: Path) -> None:
    folder = save_reference(routine, tmp_path / "dance-ref")
    json_path = tmp_path / "analysis.json"
    arguments = analyze_args(str(folder), bpm=96.0, first_beat=0.1, json=str(json_path))
    analyze_command(arguments, routine.sequence, load_preset_table("dance-footwork"))
    assert json.loads(json_path.read_text())["reference_bpm"] == 96.0


def test_reference_by_session_id(routine, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions")
    session = store.create(source=SessionSource(kind=SourceKind.VIDEO_FILE, path=DANCE, rotate_deg=270), model="lite",
                           skill="dance-footwork")
    session.save_landmarks(routine.sequence)
    (tmp_path / "calibration").mkdir()
    json_path = tmp_path / "analysis.json"
    code = analyze_command(
        analyze_args(session.session_id, bpm=120.0, json=str(json_path), workspace=str(tmp_path)),
        routine.sequence,
        load_preset_table("dance-footwork"),
    )
    assert code == 0
    assert all(step["tier"] == "perfect" for step in json.loads(json_path.read_text())["steps"])


def test_closed_loop_skill_without_reference_is_a_user_error(routine) -> None:
    with pytest.raises(UserFacingError, match="--reference"):
        analyze_command(analyze_args(""), routine.sequence, load_preset_table("dance-footwork"))


def test_beats_near_a_step_are_the_closest_in_time_order() -> None:
    grid = BeatGrid.from_tempo(120.0, 0.1, 0.0, 10.0)
    assert np.allclose(grid.beats_near(3.3, count=3), [2.6, 3.1, 3.6])


def test_a_good_run_saved_as_reference_is_danced_against_by_id(routine, tmp_path: Path, capsys) -> None:
    """--save-reference keeps the slower run with the music's beats on its own clock; --reference ID finds it."""
    from closed_loop_attempts import played_slower

    (tmp_path / "sessions").mkdir()
    (tmp_path / "calibration").mkdir()
    folder = save_reference(routine, tmp_path / "coach")
    slower = played_slower(routine.sequence, 1.1)
    arguments = analyze_args(str(folder), save_reference="my-best", workspace=str(tmp_path))
    analyze_command(arguments, slower, load_preset_table("dance-footwork"))
    saved = load_reference(tmp_path / "references" / "my-best")
    assert saved.beat_grid.bpm == pytest.approx(120.0 / 1.1, abs=1.0)
    json_path = tmp_path / "again.json"
    analyze_command(analyze_args("my-best", json=str(json_path), workspace=str(tmp_path)), slower, load_preset_table("dance-footwork"))
    report = json.loads(json_path.read_text())
    assert report["tempo_ratio"] == pytest.approx(1.0, abs=0.01)
    assert all(step["tier"] == "perfect" for step in report["steps"])


def test_reference_id_cannot_point_outside_the_workspace(routine, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="not valid"):
        analyze_command(analyze_args(str(save_reference(routine, tmp_path / "coach")), save_reference="../escape", workspace=str(tmp_path)),
                        routine.sequence, load_preset_table("dance-footwork"))


def test_cli_analyze_dance_against_a_saved_routine(routine, media_dir: Path, tmp_path: Path, capsys) -> None:
    """The command a user types; the attempt is the reference footage itself, so every step is on time."""
    from motor_trainer.cli import main

    folder = save_reference(routine, tmp_path / "coach")
    json_path = tmp_path / "out.json"
    code = main(["--workspace", str(tmp_path / "ws"), "analyze", str(media_dir / DANCE), "--skill", "dance-footwork", "--rotate", "270",
                 "--reference", str(folder), "--json", str(json_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert f"{len(routine.steps)} reference steps" in out and "0 obvious misses" in out
    assert len(json.loads(json_path.read_text())["steps"]) == len(routine.steps)


def test_cli_unknown_reference_exits_2_with_one_line(media_dir: Path, tmp_path: Path, capsys) -> None:
    from motor_trainer.cli import main

    (tmp_path / "sessions").mkdir()
    (tmp_path / "calibration").mkdir()
    code = main(["--workspace", str(tmp_path), "analyze", str(media_dir / "lab_steps_view1.mp4"), "--skill", "dance-footwork",
                 "--reference", "no-such-routine"])
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error[-1].startswith("motor-trainer: error:") and "no-such-routine" in error[-1]


@pytest.mark.footage
def test_analyze_command_stores_the_steps_as_a_session_and_coaches(tmp_path, media_dir, capsys):
    """`motor-trainer analyze` on a closed-loop skill: the per-step table, a saved session holding one
    verdict per reference step, and the coach's block summary."""
    from motor_trainer.cli import main
    from motor_trainer.storage.store import SessionStore

    workspace = tmp_path / "ws"
    code = main([
        "--workspace", str(workspace), "analyze", str(media_dir / "lab_steps_view1.mp4"),
        "--skill", "dance-footwork", "--reference", str(media_dir / "lab_steps_view2.mp4"),
    ])
    printed = capsys.readouterr().out
    assert code == 0
    assert "[block-summary]" in printed
    (session,) = list(SessionStore(workspace / "sessions"))
    assert session.manifest.skill == "dance-footwork"
    assert len(session.verdicts()) >= 1 and all(v.kind == "closed-loop" for v in session.verdicts())
