"""`motor-trainer models list|import FILE|download NAME`: the pose-landmarker bundles on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from motor_trainer.pose.models import (
    ModelVariant,
    bundled_lite_model,
    download_model,
    import_model,
    model_filename,
    models_folder,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list, import or download pose models")
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="which models are installed").set_defaults(run=run_list)
    importer = actions.add_parser("import", help="install a .task bundle downloaded by hand")
    importer.add_argument("file", type=Path)
    importer.add_argument("--variant", choices=[v.value for v in ModelVariant], help="lite, full or heavy (default: from the file name)")
    importer.set_defaults(run=run_import)
    downloader = actions.add_parser("download", help="fetch the full or heavy model now")
    downloader.add_argument("variant", choices=[ModelVariant.FULL.value, ModelVariant.HEAVY.value])
    downloader.set_defaults(run=run_download)


def run_list(args: argparse.Namespace) -> int:
    print(f"lite   bundled    {bundled_lite_model()}")
    for variant in (ModelVariant.FULL, ModelVariant.HEAVY):
        path = models_folder() / model_filename(variant)
        print(f"{variant:<6} {'installed' if path.is_file() else 'missing  '}  {path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from motor_trainer.pose.tracker import check_pose_model  # loads MediaPipe: only when importing

    target = import_model(args.file, ModelVariant(args.variant) if args.variant else None, check_runs=check_pose_model)
    print(f"installed {args.file} as {target}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    target = download_model(ModelVariant(args.variant), models_folder())
    print(f"downloaded {target}")
    return 0
