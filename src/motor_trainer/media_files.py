"""Which files are videos and which are photos, by their suffix: one list for the commands, the dialogs and the store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from motor_trainer.errors import UserFacingError

VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
NOT_AN_IMAGE = "not a readable image"
#: Largest photo decoded (200 MP, above any camera's): a header claiming more is refused before
#: decoding, so a 60000x60000 claim cannot ask for gigabytes.
MAX_IMAGE_PIXELS = 200_000_000


def dialog_filter(label: str, suffixes: Iterable[str]) -> str:
    """A Qt file-dialog filter such as ``"Videos (*.mp4 *.mkv);;All files (*)"`` (plain text: no Qt import)."""
    return f"{label} ({' '.join(f'*{suffix}' for suffix in suffixes)});;All files (*)"


def check_image_size(path: Path) -> tuple[int, int]:
    """An image's (width, height) from its header alone; a file that is no image or claims too many
    pixels is a one-line UserFacingError naming it."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours: it does not say the size
        raise UserFacingError(f"{path}: claims more than the {MAX_IMAGE_PIXELS:,} pixels a photo may have") from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        cause = getattr(error, "strerror", None) or NOT_AN_IMAGE
        raise UserFacingError(f"{path}: {cause}") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise UserFacingError(f"{path}: claims {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS:,} "
                              "a photo may have")
    return width, height
