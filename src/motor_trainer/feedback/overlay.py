"""The skeleton drawn on a frame: the one overlay every view (track video, live view, replay) shares."""

from __future__ import annotations

import numpy as np

from motor_trainer.cvshim import cv2
from motor_trainer.pose.landmarks import SKELETON_EDGES

#: Joints drawn as dots: the ends of the drawn bones (the face is reduced to nose and ears).
_SKELETON_JOINTS = sorted({landmark for edge in SKELETON_EDGES for landmark in edge})

#: Okabe–Ito palette (colour-blind safe), RGB.
SKELETON_LEFT_RGB = (86, 180, 233)  # sky blue: the person's left side
SKELETON_RIGHT_RGB = (230, 159, 0)  # orange: the person's right side
SKELETON_CENTRE_RGB = (240, 240, 240)


def pixel(point: np.ndarray) -> tuple[int, int] | None:
    return (int(round(point[0])), int(round(point[1]))) if np.all(np.isfinite(point)) else None


def finite_pixel(point: np.ndarray) -> tuple[int, int]:
    """The pixel of a point the caller computed from finite values (ValueError otherwise: a drawing bug)."""
    found = pixel(point)
    if found is None:
        raise ValueError(f"cannot draw at the non-finite point {point}")
    return found


def draw_skeleton(
    image_rgb: np.ndarray,
    xy_px: np.ndarray,
    colour_rgb: tuple[int, int, int] | None = None,
    thickness_px: int = 3,
) -> np.ndarray:
    """Draw bones and joints of one pose (landmark, 2) onto ``image_rgb`` in place; NaN points are skipped.

    With no colour given, left and right sides get distinct colours so a
    left/right swap is visible at a glance.
    """
    for first, second in SKELETON_EDGES:
        a, b = pixel(xy_px[first]), pixel(xy_px[second])
        if a is None or b is None:
            continue
        if colour_rgb is not None:
            colour = colour_rgb
        elif first.name.startswith("LEFT_") and second.name.startswith("LEFT_"):
            colour = SKELETON_LEFT_RGB
        elif first.name.startswith("RIGHT_") and second.name.startswith("RIGHT_"):
            colour = SKELETON_RIGHT_RGB
        else:
            colour = SKELETON_CENTRE_RGB
        cv2.line(image_rgb, a, b, colour, thickness_px, cv2.LINE_AA)
    for point in xy_px[_SKELETON_JOINTS]:
        centre = pixel(point)
        if centre is not None:
            cv2.circle(image_rgb, centre, thickness_px + 1, colour_rgb or SKELETON_CENTRE_RGB, -1, cv2.LINE_AA)
    return image_rgb
