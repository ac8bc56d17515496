"""`motor-trainer calibrate camera|plane|score`: make calibrations from the command line.

The GUI supplies clicks for the plane calibration; here the same points are
typed as pixel coordinates, so every calibration can be made and checked
without a window.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from motor_trainer.calibration.camera import (
    calibrate_from_images,
    calibrate_from_video,
    camera_calibration_path,
    describe_camera_calibration,
    save_camera_calibration,
)
from motor_trainer.calibration.plane import (
    PlaneKind,
    describe_plane_calibration,
    fit_plane,
    plane_calibration_path,
    plane_target,
    save_plane_calibration,
)
from motor_trainer.calibration.targets import Ring, aim_error, workspace_dartboard
from motor_trainer.errors import UserFacingError
from motor_trainer.media_files import VIDEO_SUFFIXES


def default_calibration_dir(args: argparse.Namespace) -> Path:
    """Where calibrations are read and written: --out, else the workspace's calibration/, else ./calibration."""
    if getattr(args, "out", None):
        return Path(args.out)
    if getattr(args, "workspace", None):
        return Path(args.workspace) / "calibration"
    return Path("calibration")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("calibrate", help="camera intrinsics, dartboard/floor planes, dart scoring")
    kinds = parser.add_subparsers(dest="calibration", metavar="WHAT", required=True)

    camera = kinds.add_parser("camera", help="intrinsics from checkerboard photos or one short video")
    camera.add_argument("inputs", nargs="+", metavar="INPUT", help="checkerboard photos, or one video")
    camera.add_argument("--board", default="4x7", help="inner corners, columns x rows (default 4x7)")
    camera.add_argument("--square-mm", type=float, default=60.0, help="side of one square (default 60)")
    camera.add_argument("--name", help="camera name (default: the photos' folder or the video's name)")
    camera.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270), help="video rotation, degrees")
    camera.add_argument("--out", help="folder to save in (default: the workspace's calibration/)")
    camera.set_defaults(run=run_camera)

    plane = kinds.add_parser("plane", help="homography from 4+ clicked image points to the board or the floor")
    plane.add_argument("--kind", required=True, choices=[str(kind) for kind in PlaneKind])
    plane.add_argument("--points", required=True, help='pixel points "x,y;x,y;..." in the order of --names')
    plane.add_argument("--names", help="comma-separated point names (default: the board's 4 click points, or the floor corners)")
    plane.add_argument("--image-size", required=True, help="frame size the points were clicked on, WxH, e.g. 1920x1080")
    plane.add_argument("--width-cm", type=float, help="floor rectangle: size along the near edge")
    plane.add_argument("--depth-cm", type=float, help="floor rectangle: size away from the camera")
    plane.add_argument("--name", help="calibration name (default: the kind)")
    plane.add_argument("--out", help="folder to save in (default: the workspace's calibration/)")
    plane.set_defaults(run=run_plane)

    score = kinds.add_parser("score", help="score a landing point given in board millimetres (+y up toward 20)")
    score.add_argument("x_mm", type=float)
    score.add_argument("y_mm", type=float)
    score.add_argument("--aim", help="aim point: T20, D16, S5, bull, or x,y in mm")
    score.set_defaults(run=run_score)


# --- parsing typed values -----------------------------------------------------------------------


def parse_pair(text: str, separator: str, what: str, cast: type = float) -> tuple:
    """Two numbers like "4x7" or "12.5,-3"; a one-line error naming the option otherwise."""
    try:
        first, second = (cast(part) for part in text.strip().lower().split(separator))  # exactly two
    except ValueError:
        raise UserFacingError(f"{what} '{text}' not understood: expected two numbers separated by '{separator}'") from None
    if not (np.isfinite(first) and np.isfinite(second)):
        raise UserFacingError(f"{what} '{text}' must be finite numbers")
    return first, second


def parse_points(text: str) -> list[tuple[float, float]]:
    return [parse_pair(chunk, ",", "point") for chunk in text.split(";") if chunk.strip()]


def parse_positive_pair(text: str, what: str) -> tuple[int, int]:
    first, second = parse_pair(text, "x", what, int)
    if first <= 0 or second <= 0:
        raise UserFacingError(f"{what} '{text}' must be two positive whole numbers")
    return first, second


# --- camera --------------------------------------------------------------------------------------


def run_camera(args: argparse.Namespace) -> int:
    board = parse_positive_pair(args.board, "--board")
    if not (np.isfinite(args.square_mm) and args.square_mm > 0):
        raise UserFacingError(f"--square-mm {args.square_mm} must be a positive length")
    inputs = [Path(p) for p in args.inputs]
    for path in inputs:
        if not path.is_file():
            raise UserFacingError(f"{path}: file not found")
    videos = [path for path in inputs if path.suffix.lower() in VIDEO_SUFFIXES]
    if videos and len(inputs) > 1:
        raise UserFacingError(f"{videos[0]}: give either photos or one video, not both")
    if videos:
        calibration, skipped = calibrate_from_video(videos[0], board, args.square_mm, args.name, args.rotate)
    else:
        calibration, skipped = calibrate_from_images(inputs, board, args.square_mm, args.name)
    for line in describe_camera_calibration(calibration, skipped):
        print(line)
    saved = save_camera_calibration(calibration, camera_calibration_path(default_calibration_dir(args), calibration.camera_name))
    print(f"saved {saved}")
    return 0


# --- plane ---------------------------------------------------------------------------------------


def run_plane(args: argparse.Namespace) -> int:
    kind = PlaneKind(args.kind)
    image_size_px = parse_positive_pair(args.image_size, "--image-size")
    calibration_dir = default_calibration_dir(args)
    if kind is PlaneKind.FLOOR and (args.width_cm is None or args.depth_cm is None):
        raise UserFacingError("a floor calibration needs --width-cm and --depth-cm of the rectangle")
    target = plane_target(kind, calibration_dir, args.width_cm, args.depth_cm)
    names = [name.strip() for name in args.names.split(",")] if args.names else list(target.point_names)
    points_px = parse_points(args.points)
    if len(points_px) != len(names):
        raise UserFacingError(f"--points gives {len(points_px)} points for {len(names)} names ({', '.join(names)})")
    if len(set(names)) != len(names):
        raise UserFacingError(f"--names repeats a point: {', '.join(names)}")
    calibration = fit_plane(dict(zip(names, points_px)), target.known_points_mm, kind, image_size_px, args.name or str(kind))
    for line in describe_plane_calibration(calibration):
        print(line)
    saved = save_plane_calibration(calibration, plane_calibration_path(calibration_dir, calibration.name))
    print(f"saved {saved}")
    return 0


# --- score ---------------------------------------------------------------------------------------


def run_score(args: argparse.Namespace) -> int:
    board = workspace_dartboard(default_calibration_dir(args))
    landing_mm = np.array([args.x_mm, args.y_mm])
    if not np.all(np.isfinite(landing_mm)):
        raise UserFacingError("the landing point must be finite millimetres")
    result = board.score(landing_mm)
    if result.ring is Ring.MISS:
        where = f"off the board, beside {result.sector}"
    elif result.sector is None:
        where = str(result.ring).replace("_", " ")
    else:
        where = f"{str(result.ring).replace('_', ' ')} of {result.sector}"
    print(f"{result.label}: {result.score} points ({where})")
    if args.aim:
        aim_mm = np.array(parse_pair(args.aim, ",", "--aim")) if "," in args.aim else board.aim_point_mm(args.aim)
        error = aim_error(landing_mm, aim_mm)
        miss = (
            "on target"
            if error.on_target
            else f"{error.direction} by {error.distance_mm:.1f} mm ({error.clock_hour} o'clock, bearing {error.angle_deg:.0f} deg)"
        )
        print(f"aim {args.aim} at ({aim_mm[0]:.1f}, {aim_mm[1]:.1f}) mm: {miss}")
    return 0
