"""Teach a skill from one demonstration and keep it in the workspace beside the shipped presets.

The taught skill is an open-loop preset: a copy of a shipped one it moves
like (its features, windows, tolerances and outcome), renamed, with the
acting side it learnt and a ``[template]`` table (skills/demonstration.py)
that finds its reps and key moments instead of the shipped one's rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import Side
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.records.verdict import SkillKind
from motor_trainer.skills.demonstration import MovementTemplate, learn_template
from motor_trainer.skills.open_loop import OpenLoopPreset, prepare_arm_track
from motor_trainer.skills.presets import TAUGHT_FILENAME, load_preset_table, shipped_presets, taught_skills_dir

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFAULT_LIKE = "overhand-throw"


@dataclass(frozen=True)
class TaughtSkill:
    name: str
    path: Path
    template: MovementTemplate


def teach_skill(
    sequence: PoseSequence,
    *,
    name: str,
    key_frame: int,
    side: Side | None = None,
    like: str = DEFAULT_LIKE,
    workspace_root: Path | None = None,
) -> TaughtSkill:
    """Learn the movement around ``key_frame`` of ``sequence`` and save it as skill ``name``.

    A bad name, a key frame without enough movement around it, or a base
    skill that is not open-loop is a one-line user error.
    """
    check_skill_name(name)
    base = load_preset_table(like, workspace_root)
    if base["kind"] is not SkillKind.OPEN_LOOP or "template" in base:
        raise UserFacingError(f"--like {like}: a taught skill copies a shipped open-loop skill")
    preset = OpenLoopPreset.from_table(base)
    source = sequence.source or "the demonstration"
    if not 0 <= key_frame < len(sequence):
        raise UserFacingError(f"{source}: key frame {key_frame} is outside the video (frames 0-{len(sequence) - 1})")
    try:
        track = prepare_arm_track(sequence.xy_px, sequence.time_s, preset, side or Side.RIGHT)
        template = learn_template(track.body_bl, track.time_s, sequence.visibility, key_frame, side)
    except ValueError as error:
        raise UserFacingError(f"{source}: {error}") from None
    table = _skill_table(base, name, template, source, key_frame)
    folder = taught_skills_dir(workspace_root) / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        template.save_channels(folder)
        atomic_write_bytes(folder / TAUGHT_FILENAME, tomli_w.dumps(table).encode())
    except OSError as error:
        raise UserFacingError(f"{folder}: cannot save the taught skill ({error.strerror or error})") from None
    return TaughtSkill(name, folder / TAUGHT_FILENAME, template)


def check_skill_name(name: str) -> None:
    """A new skill's name is a folder name that no shipped skill has; else a one-line user error."""
    if not _NAME.match(name):
        raise UserFacingError(f"skill name '{name}' is not valid: lower-case letters, digits, '-' and '_' (up to 64)")
    if name in shipped_presets():
        raise UserFacingError(f"'{name}' is a shipped skill: choose another name")


def _skill_table(base: dict[str, Any], name: str, template: MovementTemplate, source: str, key_frame: int) -> dict[str, Any]:
    """The base preset's table, renamed, on the learnt side, with the template's table."""
    table = {k: v for k, v in base.items() if k != "folder"}
    table["kind"] = str(base["kind"])
    table["name"] = name
    table["title"] = f"{name} (taught from {Path(source).name}, frame {key_frame}, like {base['name']})"
    table["acting_side"] = str(template.side)
    table["template"] = template.table() | {"source": source, "key_frame": key_frame, "like": str(base["name"])}
    return table
