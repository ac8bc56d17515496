"""`motor-trainer skills list | new NAME --from VIDEO --key-frame N`: the skills, and teaching one from a demonstration."""

from __future__ import annotations

import argparse
from pathlib import Path

from motor_trainer.commands.track import add_subject_option
from motor_trainer.pose.kinematics import Side
from motor_trainer.skills.presets import load_preset_table, shipped_presets, taught_presets
from motor_trainer.skills.taught import DEFAULT_LIKE, check_skill_name, teach_skill
from motor_trainer.workspace import resolve_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("skills", help="list the skills, or teach one from a single demonstration")
    actions = parser.add_subparsers(dest="skills_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="shipped and taught skills").set_defaults(run=run_list)
    new = actions.add_parser("new", help="teach a skill from one demonstration video and its key frame")
    new.add_argument("name", help="the new skill's name (lower-case letters, digits, '-', '_')")
    new.add_argument("--from", dest="video", type=Path, required=True, metavar="VIDEO", help="the demonstration")
    new.add_argument("--key-frame", type=int, required=True, metavar="N",
                     help="the key moment (contact, impact, release), 0-based in decode order")
    new.add_argument("--side", choices=[str(s) for s in Side], help="the acting side (default: the limb moving fastest then)")
    new.add_argument("--like", default=DEFAULT_LIKE, help=f"shipped skill whose features and tolerances it takes (default {DEFAULT_LIKE})")
    new.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270), help="clockwise rotation for a sideways camera")
    new.add_argument("--model", default="lite", help="pose model: lite (bundled), full, heavy, or a .task file")
    add_subject_option(new)  # the demonstrator, when others are in view
    new.set_defaults(run=run_new)


def run_list(args: argparse.Namespace) -> int:
    root = resolve_workspace(args.workspace).root
    for name in shipped_presets():
        table = load_preset_table(name)
        print(f"{name:<22} {table['kind']:<12} {table.get('title', name)}")
    for name in taught_presets(root):
        table = load_preset_table(name, root)
        print(f"{name:<22} {'taught':<12} {table.get('title', name)}")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from motor_trainer.commands.analyze import track_with_calibration  # noqa: PLC0415 - mediapipe loads only here

    check_skill_name(args.name)  # before the video is tracked
    workspace = resolve_workspace(args.workspace)
    sequence, _ = track_with_calibration(args.video, args, workspace)
    taught = teach_skill(
        sequence,
        name=args.name,
        key_frame=args.key_frame,
        side=Side(args.side) if args.side else None,
        like=args.like,
        workspace_root=workspace.root,
    )
    t = taught.template
    print(
        f"taught {taught.name}: the key moment is the {t.marker.lower()}'s {t.extremum} {t.signal} "
        f"({t.key_offset_s * 1000:+.0f} ms), acting side {t.side}, "
        f"template {len(t.channels) / t.fps:.1f} s at {t.fps:.0f} fps -> {taught.path}"
    )
    print(f"use it: motor-trainer analyze VIDEO --skill {taught.name}")
    return 0
