"""Camera intrinsics from checkerboard views, their TOML files, and undistorting landmarks.

Wide webcam lenses bend straight lines; a joint angle or a foot position near
the image edge is then off by several degrees or centimetres. With a
calibration made for the source's resolution, landmarks are undistorted
before any analysis; without one the analysis runs uncalibrated and says so.

Corners are found on a copy of the image shrunk to about 1000 px (fast, and
the classic detector is more robust at that scale), then refined to sub-pixel
accuracy on the full-resolution image, so the shrinking costs no accuracy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.calibration.tomlfile import (
    TableReader,
    frozen_array,
    newest_for_size,
    now_utc,
    read_toml,
    safe_stem,
    write_toml,
)
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.media_files import NOT_AN_IMAGE, check_image_size
from motor_trainer.pose.landmarks import PoseSequence

#: Longest side of the copy the board is searched in; corners are refined at full resolution.
DETECTION_MAX_SIDE_PX = 1000
#: Fewer views than this cannot pin down focal length, principal point and distortion.
MIN_VIEWS = 3
#: A video gives hundreds of near-identical frames; this many spread over it are enough.
MAX_VIDEO_VIEWS = 25
#: A failure names this many skipped inputs and counts the rest: a video skips dozens of frames.
MAX_NAMED_SKIPS = 5
#: Above this RMS the photos or the square size are suspect; the user is warned.
RMS_WARNING_PX = 1.0
#: OpenCV's distortion models have 4, 5, 8, 12 or 14 coefficients.
DISTORTION_LENGTHS = (4, 5, 8, 12, 14)
#: Focal length as a multiple of the image width: a 180° fisheye is about 0.15, a long telephoto
#: on a small sensor about 20. Outside this the file is damaged or typed in wrong.
FOCAL_PER_WIDTH_RANGE = (0.1, 40.0)
#: Inside the image a real lens stretches or shrinks a radius by well under this factor.
MAX_RADIAL_STRETCH = 4.0
#: Tangential terms (p1, p2) of real lenses are a few thousandths.
MAX_TANGENTIAL = 0.2
CAMERA_FILE_PREFIX = "camera_"
#: Why an input is skipped (shown to the user; the GUI tells a broken file from a photo without a board).
BOARD_NOT_FOUND = "board not found"
UNREADABLE_IMAGE = NOT_AN_IMAGE
_SUBPIX_CRITERIA = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 50, 1e-3)


@dataclass(frozen=True)
class CameraCalibration:
    """Pinhole intrinsics plus lens distortion for one camera at one resolution.

    ``camera_matrix`` is OpenCV's 3x3 K in pixels; ``distortion`` is
    (k1, k2, p1, p2, k3[, ...]). ``image_size_px`` is (width, height): the
    calibration is valid only for frames of exactly that size.
    """

    camera_name: str
    image_size_px: tuple[int, int]
    camera_matrix: np.ndarray
    distortion: np.ndarray
    rms_reprojection_px: float
    created: dt.datetime
    board_inner_corners: tuple[int, int] = (4, 7)
    square_mm: float = 60.0
    views: tuple[str, ...] = ()
    #: RMS reprojection error of each view, in the order of ``views``: a blurred or bent photo stands out.
    view_rms_px: tuple[float, ...] = ()
    #: The file it was loaded from (not saved in it), so a session can record which one it used.
    path: Path | None = None

    def __post_init__(self) -> None:
        matrix = frozen_array(self.camera_matrix)
        distortion = frozen_array(np.ravel(self.distortion))
        width, height = self.image_size_px
        if matrix.shape != (3, 3) or not np.all(np.isfinite(matrix)):
            raise ValueError("camera_matrix must be a finite 3x3 matrix")
        if distortion.shape[0] not in DISTORTION_LENGTHS or not np.all(np.isfinite(distortion)):
            raise ValueError(f"distortion must be {DISTORTION_LENGTHS} finite coefficients")
        if matrix[0, 0] <= 0 or matrix[1, 1] <= 0:
            raise ValueError("focal lengths in camera_matrix must be positive")
        if not (0 < matrix[0, 2] < width and 0 < matrix[1, 2] < height):
            raise ValueError(
                f"principal point ({matrix[0, 2]:.0f}, {matrix[1, 2]:.0f}) lies outside the {width}x{height} image"
            )
        if (problem := lens_model_problem(matrix, distortion, (width, height))) is not None:
            raise ValueError(problem)
        if not np.isfinite(self.rms_reprojection_px) or self.rms_reprojection_px < 0:
            raise ValueError("rms_reprojection_px must be a finite non-negative number")
        object.__setattr__(self, "camera_matrix", matrix)
        object.__setattr__(self, "distortion", distortion)
        object.__setattr__(self, "image_size_px", (int(width), int(height)))
        if len(self.view_rms_px) not in (0, len(self.views)) or not all(np.isfinite(self.view_rms_px)):
            raise ValueError("view_rms_px must hold one finite error per view")
        object.__setattr__(self, "views", tuple(self.views))
        object.__setattr__(self, "view_rms_px", tuple(float(e) for e in self.view_rms_px))

    @property
    def principal_point_px(self) -> tuple[float, float]:
        return float(self.camera_matrix[0, 2]), float(self.camera_matrix[1, 2])

    @property
    def focal_length_px(self) -> tuple[float, float]:
        return float(self.camera_matrix[0, 0]), float(self.camera_matrix[1, 1])

    def principal_point_offset_fraction(self) -> tuple[float, float]:
        """Offset of the principal point from the image centre, as a fraction of width and height."""
        width, height = self.image_size_px
        cx, cy = self.principal_point_px
        return (cx - width / 2) / width, (cy - height / 2) / height


def lens_model_problem(camera_matrix: np.ndarray, distortion: np.ndarray, image_size_px: tuple[int, int]) -> str | None:
    """Why these intrinsics cannot describe a real camera at this resolution, or None.

    Checked as a lens behaves, not coefficient by coefficient: the focal length
    against the image width, and the radial distortion over every radius that
    reaches a pixel of the image, which must grow steadily (no fold) and stretch
    by less than MAX_RADIAL_STRETCH. A file with distortion 1e300 or focal length
    1e-300 would otherwise move every landmark off the image.
    """
    width, height = image_size_px
    focal_px = (float(camera_matrix[0, 0]), float(camera_matrix[1, 1]))
    low, high = FOCAL_PER_WIDTH_RANGE
    for axis, f_px in zip("xy", focal_px):
        if not low * width <= f_px <= high * width:
            return (f"focal length f{axis} {f_px:.3g} px is implausible for a {width} px wide image "
                    f"(expected {low * width:.0f} to {high * width:.0f} px)")
    k = np.zeros(14)
    k[: len(distortion)] = distortion
    if max(abs(k[2]), abs(k[3])) > MAX_TANGENTIAL:
        return f"tangential distortion ({k[2]:.3g}, {k[3]:.3g}) is implausible (a real lens is under {MAX_TANGENTIAL})"
    cx, cy = float(camera_matrix[0, 2]), float(camera_matrix[1, 2])
    corner_r = max(np.hypot((x - cx) / focal_px[0], (y - cy) / focal_px[1]) for x in (0, width) for y in (0, height))
    r2 = np.linspace(0.0, corner_r, 201)[1:] ** 2
    with np.errstate(all="ignore"):
        stretch = (1 + k[0] * r2 + k[1] * r2**2 + k[4] * r2**3) / (1 + k[5] * r2 + k[6] * r2**2 + k[7] * r2**3)
        distorted_r = np.sqrt(r2) * stretch
        folds = not np.all(np.isfinite(distorted_r)) or np.any(np.diff(distorted_r) <= 0)
    if folds or not np.all((stretch > 1 / MAX_RADIAL_STRETCH) & (stretch < MAX_RADIAL_STRETCH)):
        return (f"radial distortion {np.array2string(k[[0, 1, 4]], precision=3)} folds or stretches the image "
                "beyond any real lens")
    return None


@dataclass(frozen=True)
class SkippedView:
    """An input that did not contribute to the calibration, and why (shown to the user)."""

    name: str
    reason: str


@dataclass(frozen=True)
class BoardView:
    """The board corners found in one image, in full-resolution pixels."""

    name: str
    corners_px: np.ndarray  # (corner, 2)
    image_size_px: tuple[int, int]


def board_object_points_mm(board_inner_corners: tuple[int, int], square_mm: float) -> np.ndarray:
    """(corner, 3) corner positions on the flat board, in OpenCV's detection order."""
    columns, rows = board_inner_corners
    grid = np.mgrid[0:columns, 0:rows].T.reshape(-1, 2)
    return np.hstack([grid * square_mm, np.zeros((len(grid), 1))]).astype(np.float32)


def find_board_corners_px(gray: np.ndarray, board_inner_corners: tuple[int, int]) -> np.ndarray | None:
    """(corner, 2) sub-pixel corners of the board in a grayscale image, or None if not found.

    Notes
    -----
    The classic detector needs the board's outer squares whole; when the board
    is cut by the image edge the sector-based detector (``findChessboardCornersSB``)
    still finds it, so it is tried second.
    """
    height, width = gray.shape
    scale = min(1.0, DETECTION_MAX_SIDE_PX / max(height, width))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    flags = cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE | cv2.CALIB_CB_FAST_CHECK
    found, corners = cv2.findChessboardCorners(small, board_inner_corners, flags=flags)
    if not found:
        found, corners = cv2.findChessboardCornersSB(small, board_inner_corners, flags=cv2.CALIB_CB_EXHAUSTIVE)
    if not found:
        return None
    corners_px = (corners.reshape(-1, 2) / scale).astype(np.float32)
    columns, rows = board_inner_corners
    spacing_px = np.linalg.norm(np.diff(corners_px.reshape(rows, columns, 2), axis=1), axis=2).min()
    # The search window must stay inside one square or it snaps to the wrong corner.
    half_window = int(np.clip(spacing_px / 4, 3, 15))
    refined = cv2.cornerSubPix(gray, corners_px.reshape(-1, 1, 2), (half_window, half_window), (-1, -1), _SUBPIX_CRITERIA)
    return refined.reshape(-1, 2).astype(np.float64)


def detect_board_in_gray(gray: np.ndarray, name: str, board_inner_corners: tuple[int, int]) -> BoardView | SkippedView:
    """One input's detection result: the board's corners, or why it will be skipped."""
    corners_px = find_board_corners_px(gray, board_inner_corners)
    if corners_px is None:
        return SkippedView(name, BOARD_NOT_FOUND)
    return BoardView(name, corners_px, (gray.shape[1], gray.shape[0]))


def detect_board_in_frame(image_rgb: np.ndarray, name: str, board_inner_corners: tuple[int, int]) -> BoardView | SkippedView:
    """Detection on a video or camera frame (RGB), e.g. one the user captured in the wizard."""
    return detect_board_in_gray(cv2.cvtColor(image_rgb, cv2.COLOR_RGB2GRAY), name, board_inner_corners)


def read_photo(path: Path, flags: int) -> np.ndarray:
    """A photo decoded by OpenCV (``cv2.IMREAD_*`` flags), once its header shows a plausible size;
    otherwise a one-line UserFacingError naming the file, before any pixel is allocated."""
    check_image_size(path)
    try:
        image = cv2.imread(str(path), flags)
    except cv2.error:
        image = None
    if image is None:
        raise UserFacingError(f"{path}: {UNREADABLE_IMAGE}")
    return image


def detect_board_in_file(path: Path | str, board_inner_corners: tuple[int, int]) -> BoardView | SkippedView:
    """Detection on a photo; a file that is not a readable image is skipped with that reason."""
    path = Path(path)
    try:
        gray = read_photo(path, cv2.IMREAD_GRAYSCALE)
    except UserFacingError as error:
        return SkippedView(path.name, str(error).removeprefix(f"{path}: "))
    return detect_board_in_gray(gray, path.name, board_inner_corners)


def split_detections(
    detections: Iterable[BoardView | SkippedView],
) -> tuple[list[BoardView], list[SkippedView]]:
    """The views a calibration can use and the inputs it skips, each in input order."""
    views: list[BoardView] = []
    skipped: list[SkippedView] = []
    for detection in detections:
        if isinstance(detection, BoardView):
            views.append(detection)
        else:
            skipped.append(detection)
    return views, skipped


def describe_camera_calibration(calibration: CameraCalibration, skipped: Sequence[SkippedView]) -> list[str]:
    """The lines that tell a user what a calibration found and whether to trust it (CLI and GUI alike)."""
    columns, rows = calibration.board_inner_corners
    total = len(calibration.views) + len(skipped)
    lines = [f"board {columns}x{rows} found in {len(calibration.views)} of {total}:"]
    lines += [f"  {name}: {error_px:.2f} px" for name, error_px in zip(calibration.views, calibration.view_rms_px)]
    lines += [f"skipped {view.name}: {view.reason}" for view in skipped]
    width, height = calibration.image_size_px
    cx, cy = calibration.principal_point_px
    off_x, off_y = calibration.principal_point_offset_fraction()
    fx, fy = calibration.focal_length_px
    lines.append(f"RMS reprojection error {calibration.rms_reprojection_px:.3f} px")
    lines.append(
        f"principal point ({cx:.1f}, {cy:.1f}) px in {width}x{height}: "
        f"{100 * off_x:+.1f} % / {100 * off_y:+.1f} % from the centre"
    )
    lines.append(f"focal length ({fx:.1f}, {fy:.1f}) px; distortion {np.array2string(calibration.distortion, precision=4)}")
    if calibration.rms_reprojection_px > RMS_WARNING_PX:
        lines.append("warning: RMS above 1 px; check the board is flat, sharp and the square size is right")
    return lines


def calibrate_from_views(
    views: Sequence[BoardView],
    skipped: Sequence[SkippedView],
    board_inner_corners: tuple[int, int],
    square_mm: float,
    camera_name: str,
    source: str = "",
) -> tuple[CameraCalibration, tuple[SkippedView, ...]]:
    """Solve for intrinsics from detected views; fails in one line (naming ``source``, the video or
    photo folder, when given) if too few views remain."""
    if len(views) < MIN_VIEWS:
        names = [view.name for view in skipped]
        if len(names) > MAX_NAMED_SKIPS:
            names = [*names[:MAX_NAMED_SKIPS], f"and {len(names) - MAX_NAMED_SKIPS} more"]
        raise UserFacingError(
            f"{source + ': ' if source else ''}board {board_inner_corners[0]}x{board_inner_corners[1]} found in "
            f"only {len(views)} input(s), need {MIN_VIEWS} (skipped: {', '.join(names) or 'none'})"
        )
    sizes = {view.image_size_px for view in views}
    if len(sizes) > 1:
        listing = ", ".join(f"{v.name} {v.image_size_px[0]}x{v.image_size_px[1]}" for v in views)
        raise UserFacingError(f"calibration images differ in size ({listing}); use one camera at one resolution")
    image_size_px = views[0].image_size_px
    object_points = board_object_points_mm(board_inner_corners, square_mm)
    try:
        rms_px, matrix, distortion, rotations, translations = cv2.calibrateCamera(
            [object_points] * len(views),
            [view.corners_px.astype(np.float32).reshape(-1, 1, 2) for view in views],
            image_size_px,
            None,
            None,
        )
        view_rms_px = []
        for view, rotation, translation in zip(views, rotations, translations):
            projected, _ = cv2.projectPoints(object_points, rotation, translation, matrix, distortion)
            view_rms_px.append(np.sqrt(np.mean(np.sum((projected.reshape(-1, 2) - view.corners_px) ** 2, axis=1))))
        calibration = CameraCalibration(
            camera_name=camera_name,
            image_size_px=image_size_px,
            camera_matrix=matrix,
            distortion=distortion,
            rms_reprojection_px=float(rms_px),
            created=now_utc(),
            board_inner_corners=board_inner_corners,
            square_mm=square_mm,
            views=tuple(view.name for view in views),
            view_rms_px=tuple(view_rms_px),
        )
    except (ValueError, cv2.error) as error:
        cause = str(error).strip().splitlines()[-1]
        raise UserFacingError(f"calibration of '{camera_name}' failed: {cause}; add views with the board tilted") from None
    return calibration, tuple(skipped)


def calibrate_from_images(
    paths: Iterable[Path | str],
    board_inner_corners: tuple[int, int] = (4, 7),
    square_mm: float = 60.0,
    camera_name: str | None = None,
) -> tuple[CameraCalibration, tuple[SkippedView, ...]]:
    """Calibrate from checkerboard photos; returns the calibration and the photos it skipped.

    ``camera_name`` defaults to the name of the photos' folder.
    """
    photos = [Path(p) for p in paths]
    if not photos:
        raise UserFacingError("no calibration images given")
    views, skipped = split_detections(detect_board_in_file(photo, board_inner_corners) for photo in photos)
    name = camera_name or photos[0].resolve().parent.name
    return calibrate_from_views(views, skipped, board_inner_corners, square_mm, name)


def calibrate_from_video(
    path: Path | str,
    board_inner_corners: tuple[int, int] = (4, 7),
    square_mm: float = 60.0,
    camera_name: str | None = None,
    rotate_deg: int = 0,
    max_views: int = MAX_VIDEO_VIEWS,
) -> tuple[CameraCalibration, tuple[SkippedView, ...]]:
    """Calibrate from a short video of the board moved around; frames are sampled evenly.

    Skipped frames are named ``frame N``.
    """
    from motor_trainer.capture.sources import open_video

    path = Path(path)
    detections: list[BoardView | SkippedView] = []
    with open_video(path, rotate_deg=rotate_deg) as video:
        step = max(1, int(np.ceil(video.frame_count / max_views))) if video.frame_count > 0 else 1
        for frame in video.frames():
            if frame.index % step:
                continue
            detections.append(detect_board_in_frame(frame.image_rgb, f"frame {frame.index}", board_inner_corners))
    views, skipped = split_detections(detections)
    return calibrate_from_views(views, skipped, board_inner_corners, square_mm, camera_name or path.stem, str(path))


# --- files -------------------------------------------------------------------------------------


def camera_calibration_path(calibration_dir: Path, camera_name: str) -> Path:
    return Path(calibration_dir) / f"{CAMERA_FILE_PREFIX}{safe_stem(camera_name)}.toml"


def save_camera_calibration(calibration: CameraCalibration, path: Path) -> Path:
    table = {
        "kind": "camera",
        "camera_name": calibration.camera_name,
        "created": calibration.created,
        "image_size_px": list(calibration.image_size_px),
        "camera_matrix": calibration.camera_matrix.tolist(),
        "distortion": calibration.distortion.tolist(),
        "rms_reprojection_px": calibration.rms_reprojection_px,
        "board_inner_corners": list(calibration.board_inner_corners),
        "square_mm": calibration.square_mm,
        "views": list(calibration.views),
        "view_rms_px": list(calibration.view_rms_px),
    }
    return write_toml(path, table, header="Motor Trainer camera calibration (intrinsics); written by `motor-trainer calibrate camera`")


def load_camera_calibration(path: Path) -> CameraCalibration:
    """Read and fully validate a camera calibration; any defect is a one-line UserFacingError."""
    reader = TableReader(path, read_toml(path))
    reader.kind("camera")
    try:
        return CameraCalibration(
            camera_name=reader.text("camera_name"),
            image_size_px=reader.whole_pair("image_size_px"),
            camera_matrix=reader.array("camera_matrix", (3, 3)),
            distortion=reader.array("distortion", (None,)),
            rms_reprojection_px=reader.number("rms_reprojection_px", minimum=0),
            created=reader.timestamp("created"),
            board_inner_corners=reader.whole_pair("board_inner_corners"),
            square_mm=reader.number("square_mm", minimum=0),
            views=reader.strings("views"),
            view_rms_px=tuple(reader.array("view_rms_px", (None,))),
            path=Path(path),
        )
    except ValueError as error:
        raise reader.fail(str(error)) from None


def find_matching_calibration(
    calibration_dir: Path, image_size_px: tuple[int, int]
) -> tuple[CameraCalibration | None, list[str]]:
    """The newest camera calibration made for exactly this resolution, and one line per file passed over.

    Never raises for a bad file: analysis goes on uncalibrated and the lines
    tell the user why (missing keys, NaN, not TOML, another resolution).
    """
    return newest_for_size(calibration_dir, f"{CAMERA_FILE_PREFIX}*.toml", load_camera_calibration, image_size_px)


def calibration_notes(
    calibration: CameraCalibration | None, warnings: list[str], image_size_px: tuple[int, int]
) -> list[str]:
    """What to tell the user about lens calibration for one analysis: the files passed over, then
    which calibration is used or that the analysis runs uncalibrated."""
    if calibration is not None:
        status = f"camera calibration '{calibration.camera_name}' (RMS {calibration.rms_reprojection_px:.2f} px) applied"
    else:
        status = f"no camera calibration for {image_size_px[0]}x{image_size_px[1]}: analysing uncalibrated"
    return [*warnings, status]


# --- using a calibration -----------------------------------------------------------------------


def undistort_points_px(xy_px: np.ndarray, calibration: CameraCalibration) -> np.ndarray:
    """Pixel positions as an ideal pinhole camera with the same K would have seen them.

    ``xy_px`` is any shape ending in 2, e.g. (frame, landmark, 2); NaN points stay NaN.
    """
    xy_px = np.asarray(xy_px, dtype=float)
    if xy_px.shape[-1:] != (2,):
        raise ValueError(f"xy_px must end in an axis of 2, got shape {xy_px.shape}")
    flat = xy_px.reshape(-1, 2)
    out = np.full_like(flat, np.nan)
    finite = np.all(np.isfinite(flat), axis=1)
    if finite.any():
        undistorted = cv2.undistortPoints(
            flat[finite].reshape(-1, 1, 2),
            calibration.camera_matrix,
            calibration.distortion,
            P=calibration.camera_matrix,
        )
        out[finite] = undistorted.reshape(-1, 2)
    return out.reshape(xy_px.shape)


def undistort_sequence(sequence: PoseSequence, calibration: CameraCalibration) -> PoseSequence:
    """The sequence with its image landmarks undistorted; refuses a calibration for another resolution."""
    if tuple(sequence.image_size_px) != calibration.image_size_px:
        raise ValueError(
            f"calibration '{calibration.camera_name}' is for {calibration.image_size_px}, "
            f"the sequence is {sequence.image_size_px}"
        )
    return sequence.replace(xy_px=undistort_points_px(sequence.xy_px, calibration))


def undistort_if_calibrated(
    sequence: PoseSequence, calibration_dir: Path
) -> tuple[PoseSequence, CameraCalibration | None, list[str]]:
    """The step before analysis: undistort with the calibration made for this resolution, if any.

    Returns the (possibly undistorted) sequence, the calibration used (record
    ``calibration.path`` in the session) and the lines to show the user.
    """
    calibration, warnings = find_matching_calibration(calibration_dir, sequence.image_size_px)
    notes = calibration_notes(calibration, warnings, sequence.image_size_px)
    if calibration is None:
        return sequence, None, notes
    return undistort_sequence(sequence, calibration), calibration, notes
