"""What the start panel decides: one practice session's source, skill, reference and mode (light: no analysis imports,
so the window opens before the analysers load)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.skills.presets import preset_kind


class MirrorChoice(StrEnum):
    """Whether the reference dancer is shown (and followed) mirrored; AUTO: when the reference faces the camera."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class ReferenceLayout(StrEnum):
    """Where the reference dancer is shown: beside the live view, or faint behind the live skeleton."""

    BESIDE = "beside"
    BEHIND = "behind"


@dataclass(frozen=True)
class LoopSection:
    """Steps ``first_step``..``last_step`` (from 1), looped until ``clean_passes_wanted`` passes are clean."""

    first_step: int
    last_step: int
    clean_passes_wanted: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.first_step <= self.last_step:
            raise ValueError(f"a loop runs from a step to the same or a later one, not {self.first_step}-{self.last_step}")
        if self.clean_passes_wanted < 1:
            raise ValueError("a loop needs at least one clean pass")

    @property
    def label(self) -> str:
        return f"steps {self.first_step}-{self.last_step}"

    def to_table(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SessionSetup:
    """One practice session as chosen on the start panel.

    Exactly one of ``video_path`` (played as a live camera at ``speed``) and
    ``camera_index``. ``reference_path``: for an open-loop skill a saved
    reference's ``<id>.json``; for a closed-loop skill a saved routine folder
    or a video of the routine (tracked first). ``outcome_on_board``: outcomes
    are entered as dartboard landing points whatever the skill's own outcome type.
    ``sessions_dir``: the workspace's sessions folder to record into (video,
    landmarks, every rep, outcome and verdict), or None not to save.
    ``coach_level``: the difficulty level the coach starts at (where the last
    session of this skill left it; 0 is the preset's own).
    Dancing along (closed-loop skills): ``dance_speed`` is the dancer's chosen
    playback speed (the coach's tempo step multiplies it), ``mirror_reference``
    and ``reference_layout`` how the reference is shown, ``audio_offsets_ms``
    each sound output's measured latency by its key, ``loop`` a section played over and over.
    """

    skill: str
    video_path: Path | None = None
    camera_index: int | None = None
    rotate_deg: int = 0
    reference_path: Path | None = None
    mode: PracticeMode = PracticeMode.PRACTICE
    outcome_on_board: bool = True
    speed: float = 1.0
    model: str = "lite"
    sessions_dir: Path | None = None  # where the session is saved; None: not saved
    coach_level: int = 0
    workspace_root: Path | None = None  # whose taught skills ``skill`` may name; None: the default workspace
    dance_speed: float = 1.0
    mirror_reference: MirrorChoice = MirrorChoice.AUTO
    reference_layout: ReferenceLayout = ReferenceLayout.BESIDE
    audio_offsets_ms: dict[str, float] = field(default_factory=dict)
    loop: LoopSection | None = None

    def __post_init__(self) -> None:
        if (self.video_path is None) == (self.camera_index is None):
            raise ValueError("a session needs exactly one of a video or a camera")

    @property
    def kind(self) -> SkillKind:
        return preset_kind(self.skill, self.workspace_root)

    @property
    def source_name(self) -> str:
        return self.video_path.name if self.video_path is not None else f"camera {self.camera_index}"
