"""Which files are videos and which are photos, by their suffix: one list for the commands, the dialogs and the store."""

from __future__ import annotations

from collections.abc import Iterable

VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")


def dialog_filter(label: str, suffixes: Iterable[str]) -> str:
    """A Qt file-dialog filter such as ``"Videos (*.mp4 *.mkv);;All files (*)"`` (plain text: no Qt import)."""
    return f"{label} ({' '.join(f'*{suffix}' for suffix in suffixes)});;All files (*)"
