"""Where user data lives: one folder holding ``calibration/`` and ``sessions/``.

A checkout ships both folders at its top level, so running from the checkout
keeps data beside the code; an installed program uses the user's data folder.
``--workspace DIR`` and ``MOTOR_TRAINER_WORKSPACE`` override both, so a coach
can keep one workspace per student or per club on a USB stick.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

from motor_trainer.errors import UserFacingError

ENV_VAR = "MOTOR_TRAINER_WORKSPACE"
APP_NAME = "motor-trainer"
CALIBRATION_DIRNAME = "calibration"
SESSIONS_DIRNAME = "sessions"


@dataclass(frozen=True)
class Workspace:
    """A workspace root and the two folders under it."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).expanduser().resolve())

    @property
    def calibration_dir(self) -> Path:
        return self.root / CALIBRATION_DIRNAME

    @property
    def sessions_dir(self) -> Path:
        return self.root / SESSIONS_DIRNAME

    def ensure(self) -> Workspace:
        """Create the folders and copy shipped calibration presets that are missing.

        A preset already in ``calibration/`` is left alone: the user may have edited it.
        """
        try:
            self.calibration_dir.mkdir(parents=True, exist_ok=True)
            self.sessions_dir.mkdir(parents=True, exist_ok=True)
            for preset in _shipped_presets():
                target = self.calibration_dir / preset.name
                if not target.exists():
                    with resources.as_file(preset) as source:
                        shutil.copyfile(source, target)
        except OSError as error:
            raise UserFacingError(f"{self.root}: cannot create the workspace ({error.strerror or error})") from error
        return self


def _shipped_presets() -> list[Traversable]:
    presets = resources.files("motor_trainer").joinpath("presets")
    if not presets.is_dir():
        return []
    return sorted((item for item in presets.iterdir() if item.name.endswith(".toml") and item.is_file()),
                  key=lambda item: item.name)


def _is_workspace(folder: Path) -> bool:
    return (folder / CALIBRATION_DIRNAME).is_dir() and (folder / SESSIONS_DIRNAME).is_dir()


def resolve_workspace(
    cli_value: str | os.PathLike[str] | None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Workspace:
    """Pick the workspace: ``--workspace``, then the environment variable, then the
    current folder when it holds both ``calibration/`` and ``sessions/``, else the
    user's data folder. Nothing is created here; call ``ensure()`` before writing.
    """
    environ = os.environ if environ is None else environ
    if cli_value:
        return Workspace(Path(cli_value))
    if environ.get(ENV_VAR):
        return Workspace(Path(environ[ENV_VAR]))
    here = Path.cwd() if cwd is None else cwd
    if _is_workspace(here):
        return Workspace(here)
    return Workspace(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
