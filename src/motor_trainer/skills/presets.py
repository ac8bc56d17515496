"""Skill presets are data: one TOML file per skill under motor_trainer/presets/skills/, and skills taught
from a demonstration in the workspace's ``skills/<name>/skill.toml`` (see skills/demonstration.py).

Each file has at least ``name``, ``kind`` (open-loop | closed-loop | mixed) and
``title``; the analyser of that kind reads the rest into its own typed settings.
A taught skill's table also says which ``folder`` it was read from (its
template lies beside it). A shipped name always wins over a taught one.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from motor_trainer.errors import UserFacingError
from motor_trainer.records.verdict import SkillKind
from motor_trainer.workspace import resolve_workspace

_PRESET_FOLDER = files("motor_trainer") / "presets" / "skills"
TAUGHT_DIRNAME = "skills"
TAUGHT_FILENAME = "skill.toml"


def taught_skills_dir(workspace_root: Path | None = None) -> Path:
    """Where taught skills live: ``skills/`` in the given workspace, else in the one ``resolve_workspace`` picks."""
    root = resolve_workspace(None).root if workspace_root is None else Path(workspace_root)
    return root / TAUGHT_DIRNAME


def shipped_presets() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in _PRESET_FOLDER.iterdir() if p.name.endswith(".toml"))


def taught_presets(workspace_root: Path | None = None) -> list[str]:
    """Names of the skills taught in the workspace (folders holding a ``skill.toml``)."""
    folder = taught_skills_dir(workspace_root)
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob(f"*/{TAUGHT_FILENAME}"))


def available_presets(workspace_root: Path | None = None) -> list[str]:
    """Names of every skill: shipped presets (e.g. ``dart-throw``), then the workspace's taught ones."""
    shipped = shipped_presets()
    return shipped + [name for name in taught_presets(workspace_root) if name not in shipped]


def load_preset_table(name: str, workspace_root: Path | None = None) -> dict[str, Any]:
    """The raw TOML table of a skill; an unknown name or a damaged taught skill is a user error naming it."""
    resource = _PRESET_FOLDER / f"{name}.toml"
    if resource.is_file():
        table = tomllib.loads(resource.read_text(encoding="utf-8"))
    else:
        path = taught_skills_dir(workspace_root) / name / TAUGHT_FILENAME
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            raise UserFacingError(f"unknown skill '{name}': choose one of {', '.join(available_presets(workspace_root))}")
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise UserFacingError(f"{path}: cannot read the taught skill ({error})") from None
        table["folder"] = str(path.parent)
    try:
        table["kind"] = SkillKind(table["kind"])
    except (KeyError, ValueError):
        raise UserFacingError(f"skill '{name}': its kind is missing or not one of {', '.join(SkillKind)}") from None
    return table


def preset_kind(name: str, workspace_root: Path | None = None) -> SkillKind:
    return load_preset_table(name, workspace_root)["kind"]
