"""Which folder holds the user's calibration and sessions, and what a new workspace contains."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from motor_trainer.errors import UserFacingError
from motor_trainer.workspace import ENV_VAR, Workspace, _shipped_presets, resolve_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_cli_value_beats_environment_and_current_folder(tmp_path):
    (tmp_path / "here" / "calibration").mkdir(parents=True)
    (tmp_path / "here" / "sessions").mkdir()
    chosen = resolve_workspace(str(tmp_path / "cli"), cwd=tmp_path / "here", environ={ENV_VAR: str(tmp_path / "env")})
    assert chosen.root == (tmp_path / "cli").resolve()
    assert chosen.sessions_dir == (tmp_path / "cli" / "sessions").resolve()


def test_environment_beats_current_folder(tmp_path):
    (tmp_path / "here" / "calibration").mkdir(parents=True)
    (tmp_path / "here" / "sessions").mkdir()
    chosen = resolve_workspace(None, cwd=tmp_path / "here", environ={ENV_VAR: str(tmp_path / "env")})
    assert chosen.root == (tmp_path / "env").resolve()


def test_current_folder_needs_both_subfolders_else_user_data_folder(tmp_path):
    (tmp_path / "calibration").mkdir()
    fallback = resolve_workspace(None, cwd=tmp_path, environ={})
    assert fallback.root == Path(platformdirs.user_data_dir("motor-trainer", appauthor=False)).resolve()
    (tmp_path / "sessions").mkdir()
    assert resolve_workspace(None, cwd=tmp_path, environ={}).root == tmp_path.resolve()


def test_the_checkout_is_its_own_default_workspace():
    assert resolve_workspace(None, cwd=REPO_ROOT, environ={}).root == REPO_ROOT
    assert (REPO_ROOT / "sessions" / "README.md").is_file()


def test_ensure_creates_folders_and_copies_presets_without_overwriting_edits(tmp_path):
    workspace = Workspace(tmp_path / "ws").ensure()
    assert workspace.calibration_dir.is_dir() and workspace.sessions_dir.is_dir()
    presets = _shipped_presets()
    copied = sorted(p.name for p in workspace.calibration_dir.glob("*.toml"))
    assert copied == sorted(p.name for p in presets)
    if presets:
        edited = workspace.calibration_dir / presets[0].name
        edited.write_text("# my own board\n")
        workspace.ensure()
        assert edited.read_text() == "# my own board\n"


def test_a_workspace_that_cannot_be_created_is_one_line_naming_it(tmp_path):
    blocker = tmp_path / "usb-stick"
    blocker.write_text("a file where the workspace should be")
    with pytest.raises(UserFacingError, match="cannot create the workspace") as caught:
        Workspace(blocker).ensure()
    assert str(blocker) in str(caught.value) and "\n" not in str(caught.value)
