"""Skill presets are data: one TOML file per skill under motor_trainer/presets/skills/.

Each file has at least ``name``, ``kind`` (open-loop | closed-loop | mixed) and
``title``; the analyser of that kind reads the rest into its own typed settings.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from typing import Any

from motor_trainer.records.verdict import SkillKind
from motor_trainer.errors import UserFacingError

_PRESET_FOLDER = files("motor_trainer") / "presets" / "skills"


def available_presets() -> list[str]:
    """Names of the shipped skill presets, e.g. ``dart-throw``."""
    return sorted(p.name.removesuffix(".toml") for p in _PRESET_FOLDER.iterdir() if p.name.endswith(".toml"))


def load_preset_table(name: str) -> dict[str, Any]:
    """The raw TOML table of a shipped preset; an unknown name is a user error naming the choices."""
    resource = _PRESET_FOLDER / f"{name}.toml"
    if not resource.is_file():
        raise UserFacingError(f"unknown skill '{name}': choose one of {', '.join(available_presets())}")
    table = tomllib.loads(resource.read_text(encoding="utf-8"))
    table["kind"] = SkillKind(table["kind"])
    return table


def preset_kind(name: str) -> SkillKind:
    return load_preset_table(name)["kind"]
