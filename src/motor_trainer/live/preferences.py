"""The practice settings kept between runs, in ``practice.toml`` in the workspace (no Qt: plain TOML).

The start panel opens with the last session's choices (source, rotation,
speed, skill, mode, and each skill's own reference), the practice screen with the last mirror
delay and sound cue, and the coach at the difficulty level the last session of the same
skill reached (error-driven practice keeps the success rate in its band
from one session to the next, not only within one). The file is the user's to edit: a key of the wrong type
is one line naming the file and the key, and the defaults are used. A broken
file is never silently overwritten: it is kept beside the new one as
``practice.toml.broken``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motor_trainer.atomic_files import write_error
from motor_trainer.calibration.tomlfile import read_toml, write_toml
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.errors import UserFacingError
from motor_trainer.live.session_setup import MirrorChoice, ReferenceLayout

PREFERENCES_NAME = "practice.toml"
BROKEN_SUFFIX = ".broken"
ROTATIONS_DEG = (0, 90, 180, 270)


@dataclass(frozen=True)
class PracticePreferences:
    """The choices a person makes before and during practice; empty strings mean "not chosen yet"."""

    skill: str = ""
    use_video: bool = False
    video_path: str = ""
    camera_index: int = 0
    rotate_deg: int = 0
    speed: float = 1.0
    references: dict[str, str] = field(default_factory=dict)  # skill -> its reference: a rep reference .json or a routine
    mode: PracticeMode = PracticeMode.PRACTICE
    outcome_on_board: bool = True
    save_session: bool = True
    mirror_delay_s: float = 0.0
    sound_cue: bool = False
    coach_levels: dict[str, int] = field(default_factory=dict)  # skill -> the coach's difficulty level
    dance_speed: float = 1.0
    mirror_reference: str = str(MirrorChoice.AUTO)
    reference_layout: str = str(ReferenceLayout.BESIDE)
    audio_offsets_ms: dict[str, float] = field(default_factory=dict)  # sound output's key -> its measured latency

    def to_table(self) -> dict[str, Any]:
        return {name: str(value) if isinstance(value, PracticeMode) else value for name, value in dataclasses.asdict(self).items()}

    @classmethod
    def from_table(cls, table: dict[str, Any], source: Path) -> PracticePreferences:
        """Known keys checked one by one (unknown ones, from a newer version, are ignored)."""
        values: dict[str, Any] = {}
        defaults = cls()
        for spec in dataclasses.fields(cls):
            if spec.name not in table:
                continue
            value = table[spec.name]
            default = getattr(defaults, spec.name)
            if isinstance(default, PracticeMode):
                if value not in {str(mode) for mode in PracticeMode}:
                    raise UserFacingError(f"{source}: {spec.name} must be one of {', '.join(map(str, PracticeMode))}, got {value!r}")
                value = PracticeMode(value)
            elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not type(default):
                raise UserFacingError(f"{source}: {spec.name} must be {type(default).__name__}, got {value!r}")
            if spec.name == "references" and not all(isinstance(path, str) for path in value.values()):
                raise UserFacingError(f"{source}: {spec.name} must give a file or folder path per skill, got {value!r}")
            if spec.name == "coach_levels" and not all(type(level) is int for level in value.values()):
                raise UserFacingError(f"{source}: {spec.name} must give a whole-number level per skill, got {value!r}")
            if spec.name == "audio_offsets_ms":
                if not all(isinstance(offset, int | float) and not isinstance(offset, bool) for offset in value.values()):
                    raise UserFacingError(f"{source}: {spec.name} must give milliseconds per sound output, got {value!r}")
                value = {device: float(offset) for device, offset in value.items()}
            values[spec.name] = value
        legacy = table.get("reference_path")  # before references were kept per skill: the saved skill's
        if isinstance(legacy, str) and legacy and "references" not in values and isinstance(values.get("skill"), str):
            values["references"] = {values["skill"]: legacy}
        if values.get("rotate_deg", 0) not in ROTATIONS_DEG:
            raise UserFacingError(f"{source}: rotate_deg must be one of {ROTATIONS_DEG}, got {values['rotate_deg']}")
        for name, choices in (("mirror_reference", MirrorChoice), ("reference_layout", ReferenceLayout)):
            if name in values and values[name] not in {str(choice) for choice in choices}:
                raise UserFacingError(f"{source}: {name} must be one of {', '.join(map(str, choices))}, got {values[name]!r}")
        return cls(**values)


def preferences_path(folder: Path) -> Path:
    return Path(folder) / PREFERENCES_NAME


def load_preferences(path: Path) -> tuple[PracticePreferences, str]:
    """The saved preferences and "" ; the defaults and a one-line problem when the file is unreadable.

    A missing file is no problem: the first run has none.
    """
    if not path.exists():
        return PracticePreferences(), ""
    try:
        return PracticePreferences.from_table(read_toml(path), path), ""
    except UserFacingError as problem:
        moved = f"it is moved to {path.name}{BROKEN_SUFFIX} when settings are next saved"
        return PracticePreferences(), f"{problem} (using the defaults; {moved})"


def save_preferences(preferences: PracticePreferences, path: Path) -> None:
    """Write atomically; a file that does not read as preferences is moved aside first, not lost."""
    if path.exists() and load_preferences(path)[1]:
        try:
            os.replace(path, path.with_name(path.name + BROKEN_SUFFIX))
        except OSError as error:
            raise write_error(path, error) from None
    write_toml(path, preferences.to_table(), header="Motor Trainer practice settings, saved by the app; edit with care.")
